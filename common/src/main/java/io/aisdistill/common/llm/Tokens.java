package io.aisdistill.common.llm;

import io.aisdistill.common.text.TokenCounter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token counts for rate limits and for costs when a server returns no usage: the Qwen2.5
 * tokenizer via {@link TokenCounter} (ChatML), one instance per JVM and path; without a
 * tokenizer, an estimate of one token per 4 characters (at least 1).
 */
public final class Tokens {
  private static final Map<String, TokenCounter> COUNTERS = new ConcurrentHashMap<>();
  private final TokenCounter counter;

  private Tokens(TokenCounter counter) {
    this.counter = counter;
  }

  /**
   * The counter for {@code tokenizerDir} (shared per JVM), or the 4-characters estimate for null.
   *
   * @throws IllegalArgumentException when the tokenizer cannot be loaded
   */
  public static Tokens forPath(String tokenizerDir) {
    if (tokenizerDir == null) {
      return new Tokens(null);
    }
    return new Tokens(COUNTERS.computeIfAbsent(tokenizerDir, p -> TokenCounter.load(Path.of(p))));
  }

  /** Prompt tokens of a chat (ChatML with the assistant generation prompt). */
  public int prompt(List<TokenCounter.Message> messages) {
    if (counter == null) {
      int chars = messages.stream().mapToInt(m -> m.content().length() + m.role().length() + 8).sum();
      return Math.max(1, chars / 4);
    }
    return counter.countChat(messages, true);
  }

  /** Tokens of a completion text (0 for null). */
  public int text(String s) {
    if (s == null || s.isEmpty()) {
      return 0;
    }
    return counter == null ? Math.max(1, s.length() / 4) : counter.count(s);
  }
}
