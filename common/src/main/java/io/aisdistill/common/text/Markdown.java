package io.aisdistill.common.text;

/** Small helpers for text written into Markdown reports and cards. */
public final class Markdown {
  private Markdown() {}

  /** The ellipsis that {@link #truncate} appends. */
  public static final String ELLIPSIS = "…";

  /**
   * {@code s} made safe for one cell of a Markdown table: carriage returns and line feeds become
   * spaces (a cell is one line) and '|' becomes "\|" (a literal bar, not a column break).
   *
   * @throws NullPointerException when {@code s} is null
   */
  public static String cell(String s) {
    return s.replace("\r", " ").replace("\n", " ").replace("|", "\\|");
  }

  /**
   * {@code s} when it has at most {@code maxChars} chars, else its first {@code maxChars - 1} chars
   * followed by {@value #ELLIPSIS} ({@code maxChars} chars in all; one less when the cut would split
   * a surrogate pair).
   *
   * @throws NullPointerException when {@code s} is null
   * @throws IllegalArgumentException when {@code maxChars < 1}
   */
  public static String truncate(String s, int maxChars) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be >= 1: " + maxChars);
    }
    if (s.length() <= maxChars) {
      return s;
    }
    int end = maxChars - 1;
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + ELLIPSIS;
  }
}
