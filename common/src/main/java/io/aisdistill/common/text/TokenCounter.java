package io.aisdistill.common.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Counts tokens with a Hugging Face {@code tokenizer.json} (e.g. Qwen2.5's byte-level BPE) through
 * DJL's bindings of the Rust {@code tokenizers} library. Truncation is off (DJL truncates to 512
 * tokens by default), and no special tokens are added to plain text.
 *
 * <p>Chat messages are counted in ChatML, the format of Qwen2.5-Instruct:
 * {@code <|im_start|>role\ncontent<|im_end|>\n} per message, plus {@code <|im_start|>assistant\n}
 * when a generation prompt is asked for.
 *
 * <p>Thread-safe for counting; holds native memory until {@link #close()}.
 */
public final class TokenCounter implements AutoCloseable {
  /** One chat message. */
  public record Message(String role, String content) {}

  /** No truncation (DJL's default is 512), no padding, no special tokens added. */
  private static final Map<String, String> OPTIONS =
      Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false");

  private final HuggingFaceTokenizer tokenizer;
  private final Path source;

  private TokenCounter(HuggingFaceTokenizer tokenizer, Path source) {
    this.tokenizer = tokenizer;
    this.source = source;
  }

  /**
   * Loads a tokenizer from a directory holding {@code tokenizer.json}, or from that file itself.
   *
   * @throws IllegalArgumentException when no tokenizer.json is there or it cannot be loaded
   */
  public static TokenCounter load(Path dirOrFile) {
    Path f = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
    if (!Files.isRegularFile(f)) {
      throw new IllegalArgumentException("tokenizer.json not found at " + f);
    }
    try {
      return new TokenCounter(HuggingFaceTokenizer.newInstance(f, OPTIONS), f);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot load tokenizer " + f + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads a tokenizer from the bytes of a {@code tokenizer.json} (as shipped to Spark executors in a
   * broadcast), without writing a file.
   *
   * @throws IllegalArgumentException when the bytes are not a tokenizer DJL can load
   */
  public static TokenCounter fromJson(byte[] tokenizerJson) {
    try (InputStream in = new ByteArrayInputStream(tokenizerJson)) {
      return new TokenCounter(HuggingFaceTokenizer.newInstance(in, OPTIONS), null);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot load tokenizer from " + tokenizerJson.length + " bytes: "
          + e.getMessage(), e);
    }
  }

  /** The tokenizer.json this counter was loaded from; null when it was loaded from bytes. */
  public Path source() {
    return source;
  }

  /** Token ids of {@code text} (no special tokens added; special-token text is recognized). */
  public long[] encode(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    return e.getIds();
  }

  /** Number of tokens of {@code text}. */
  public int count(String text) {
    return encode(text).length;
  }

  /**
   * Tokens of a chat in ChatML.
   *
   * @param addGenerationPrompt true to count the {@code <|im_start|>assistant\n} a model is
   *     prompted with
   */
  public int countChat(List<Message> messages, boolean addGenerationPrompt) {
    StringBuilder b = new StringBuilder();
    for (Message m : messages) {
      b.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
    }
    if (addGenerationPrompt) {
      b.append("<|im_start|>assistant\n");
    }
    return count(b.toString());
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
