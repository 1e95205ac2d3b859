package io.aisdistill.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MarkdownTest {
  @Test
  void cellIsOneLineWithEscapedBars() {
    assertEquals("a \\| b c  d", Markdown.cell("a | b\nc\r\nd"));
    assertEquals("plain", Markdown.cell("plain"));
  }

  @Test
  void truncateKeepsShortTextAndCutsLongWithEllipsis() {
    assertEquals("abc", Markdown.truncate("abc", 3));
    assertEquals("ab…", Markdown.truncate("abcd", 3));
    assertEquals(40, Markdown.truncate("y".repeat(100), 40).length());
    // no half surrogate pair: "a" + U+1F6A2 (2 chars) cut at 3 keeps "a" only
    assertEquals("a…", Markdown.truncate("a\uD83D\uDEA2bc", 3));
    assertThrows(IllegalArgumentException.class, () -> Markdown.truncate("abc", 0));
  }
}
