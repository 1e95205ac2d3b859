package io.aisdistill.common.ingest;

/**
 * Control characters in decoded input lines, shared by the line parsers: a line holding one is a
 * {@code BINARY_CONTENT} reject (the line, never the file), and its {@code raw} is stored as a
 * printable excerpt.
 */
final class ControlChars {
  /** Characters of a binary line kept in its reject's {@code raw}. */
  static final int EXCERPT_CHARS = 200;

  private ControlChars() {}

  /** True for a C0 control other than TAB, DEL, or U+FFFD (a byte the charset could not decode). */
  static boolean isControl(char c) {
    return (c < 0x20 && c != '\t') || c == 0x7F || c == '\uFFFD';
  }

  /** Index of the first {@link #isControl} character of {@code s}, or -1. */
  static int firstControlChar(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (isControl(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The {@link io.aisdistill.common.ais.RejectReason#BINARY_CONTENT} reject of a line holding a
   * control character (raw = {@link #printable} excerpt, detail = the character and its column),
   * or null when the line has none.
   */
  static io.aisdistill.common.ais.RejectRecord binaryLineReject(String source, long offset, String line) {
    int bad = firstControlChar(line);
    if (bad < 0) {
      return null;
    }
    return io.aisdistill.common.ais.RejectRecord.of(source, offset, printable(line),
        io.aisdistill.common.ais.RejectReason.BINARY_CONTENT, String.format(java.util.Locale.ROOT,
            "control/binary character U+%04X at column %d", (int) line.charAt(bad), bad + 1));
  }

  /** The first {@link #EXCERPT_CHARS} characters of {@code s}, control characters (TAB too) as '?'. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), EXCERPT_CHARS));
    for (int i = 0; i < s.length() && i < EXCERPT_CHARS; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7F || c == '\uFFFD' ? '?' : c);
    }
    return b.toString();
  }
}
