package io.aisdistill.common.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aisdistill.common.SharedData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Qwen2.5 tokenizer of ../shared/models against its golden encodings. */
@Tag("shared-data")
class TokenCounterTest {
  static Path tokenizerDir() {
    return SharedData.root().resolve("models/qwen2.5-tokenizer");
  }

  @Test
  void matchesGoldenQwenIds() throws Exception {
    JsonNode golden = new ObjectMapper().readTree(tokenizerDir().resolve("golden_ids_qwen25.json").toFile());
    try (TokenCounter t = TokenCounter.load(tokenizerDir())) {
      int n = 0;
      for (JsonNode g : golden) {
        long[] expected = new long[g.get("ids").size()];
        for (int i = 0; i < expected.length; i++) {
          expected[i] = g.get("ids").get(i).asLong();
        }
        assertArrayEquals(expected, t.encode(g.get("text").asText()), g.get("text").asText());
        n++;
      }
      assertTrue(n >= 10);
    }
  }

  @Test
  void countsLongTextWithoutTruncationAndChatMl() {
    try (TokenCounter t = TokenCounter.load(tokenizerDir())) {
      String text = "The vessel sailed 12.4 nautical miles. ".repeat(300);
      assertTrue(t.count(text) > 512, "no truncation at 512: " + t.count(text));
      int body = t.count("<|im_start|>user\nHi<|im_end|>\n");
      assertEquals(body, t.countChat(List.of(new TokenCounter.Message("user", "Hi")), false));
      assertEquals(body + t.count("<|im_start|>assistant\n"),
          t.countChat(List.of(new TokenCounter.Message("user", "Hi")), true));
      // special tokens are single tokens
      assertEquals(1, t.count("<|im_end|>"));
    }
  }

  @Test
  void missingTokenizerIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenCounter.load(Path.of("/nonexistent/dir")));
    assertTrue(e.getMessage().contains("tokenizer.json not found"));
  }
}
