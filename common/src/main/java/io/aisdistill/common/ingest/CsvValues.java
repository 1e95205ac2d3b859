package io.aisdistill.common.ingest;

/**
 * Allocation-free parsers of CSV field values held in a {@code char[]} range {@code [s, e)}. They
 * return a sentinel ({@code NaN}, {@link #BAD_LONG}, {@link #BAD_TIME}) instead of throwing.
 */
final class CsvValues {
  /** {@link #parseIntegral} result for text that is not an integer. */
  static final long BAD_LONG = Long.MIN_VALUE;
  /** {@link #parseTimeMillis} result for text that is not a supported timestamp. */
  static final long BAD_TIME = Long.MIN_VALUE;

  private static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private CsvValues() {}

  /** First index of {@code [s, e)} that is not a space. */
  static int trimStart(char[] b, int s, int e) {
    while (s < e && b[s] == ' ') {
      s++;
    }
    return s;
  }

  /** End index of {@code [s, e)} without trailing spaces. */
  static int trimEnd(char[] b, int s, int e) {
    while (e > s && b[e - 1] == ' ') {
      e--;
    }
    return e;
  }

  /**
   * A decimal number {@code [+-]digits[.digits][(e|E)[+-]digits]} (also {@code .5} and {@code 5.});
   * NaN for anything else, including what {@link Double#parseDouble} would also accept: hexadecimal
   * floats ({@code 0x1p4}), {@code NaN}, {@code Infinity}, type suffixes ({@code 1d}, {@code 2f}),
   * and for numbers that are not finite. Same value as
   * {@code Double.parseDouble}: up to 15 significant digits the result is one correctly rounded
   * division of two exact doubles.
   */
  static double parseDouble(char[] b, int s, int e) {
    if (s >= e) {
      return Double.NaN;
    }
    int i = s;
    boolean neg = false;
    if (b[i] == '-' || b[i] == '+') {
      neg = b[i] == '-';
      i++;
    }
    long m = 0;
    int digits = 0;
    int frac = -1;
    for (; i < e; i++) {
      char c = b[i];
      if (c >= '0' && c <= '9') {
        m = m * 10 + (c - '0');
        digits++;
        if (frac >= 0) {
          frac++;
        }
      } else if (c == '.' && frac < 0) {
        frac = 0;
      } else {
        return slowDouble(b, s, e);
      }
    }
    if (digits == 0) {
      return Double.NaN;
    }
    if (digits > 15) {
      return slowDouble(b, s, e);
    }
    double v = frac > 0 ? m / POW10[frac] : m;
    return neg ? -v : v;
  }

  private static double slowDouble(char[] b, int s, int e) {
    if (!isDecimal(b, s, e)) {
      return Double.NaN;
    }
    try {
      double v = Double.parseDouble(new String(b, s, e - s));
      return Double.isFinite(v) ? v : Double.NaN;
    } catch (NumberFormatException ex) {
      return Double.NaN;
    }
  }

  /** True when {@code [s, e)} is {@code [+-]digits[.digits][(e|E)[+-]digits]} with a digit before or after the point. */
  static boolean isDecimal(char[] b, int s, int e) {
    int i = s;
    if (i < e && (b[i] == '+' || b[i] == '-')) {
      i++;
    }
    int digits = 0;
    while (i < e && b[i] >= '0' && b[i] <= '9') {
      i++;
      digits++;
    }
    if (i < e && b[i] == '.') {
      i++;
      while (i < e && b[i] >= '0' && b[i] <= '9') {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < e && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < e && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int exp = 0;
      while (i < e && b[i] >= '0' && b[i] <= '9') {
        i++;
        exp++;
      }
      if (exp == 0) {
        return false;
      }
    }
    return i == e;
  }

  /**
   * A non-negative integer, also written as a float with a zero fraction ({@code "199.0"}), up to
   * 18 digits; {@link #BAD_LONG} otherwise (including {@code "1.5"} and negative numbers).
   */
  static long parseIntegral(char[] b, int s, int e) {
    if (s >= e) {
      return BAD_LONG;
    }
    int i = s;
    if (b[i] == '+') {
      i++;
    }
    long v = 0;
    int digits = 0;
    for (; i < e; i++) {
      char c = b[i];
      if (c >= '0' && c <= '9') {
        if (++digits > 18) {
          return BAD_LONG;
        }
        v = v * 10 + (c - '0');
      } else if (c == '.') {
        for (int j = i + 1; j < e; j++) {
          if (b[j] != '0') {
            return BAD_LONG;
          }
        }
        break;
      } else {
        return BAD_LONG;
      }
    }
    return digits == 0 ? BAD_LONG : v;
  }

  /**
   * A UTC timestamp in the layout of its source, as epoch milliseconds, or {@link #BAD_TIME}. Each
   * source has one layout, so that {@code 01/03/2022} can never be read the wrong way round:
   * <ul>
   *   <li>{@code dayFirst} false (MarineCadastre, tracktable): {@code yyyy-MM-ddTHH:mm:ss} or
   *       {@code yyyy-MM-dd HH:mm:ss}, optional fraction {@code .S...} and optional {@code Z}
   *       (NOAA MarineCadastre "BaseDateTime", ISO-8601);</li>
   *   <li>{@code dayFirst} true (DMA aisdk): {@code dd/MM/yyyy HH:mm:ss} (DMA "# Timestamp").</li>
   * </ul>
   * Field ranges are checked (month 1-12, day within the month, hour 0-23, minute 0-59, second
   * 0-59).
   */
  static long parseTimeMillis(char[] b, int s, int e, boolean dayFirst) {
    int n = e - s;
    if (n < 19) {
      return BAD_TIME;
    }
    int y;
    int mo;
    int d;
    if (!dayFirst && b[s + 4] == '-' && b[s + 7] == '-' && (b[s + 10] == 'T' || b[s + 10] == ' ')) {
      y = digits(b, s, 4);
      mo = digits(b, s + 5, 2);
      d = digits(b, s + 8, 2);
    } else if (dayFirst && b[s + 2] == '/' && b[s + 5] == '/' && b[s + 10] == ' ') {
      d = digits(b, s, 2);
      mo = digits(b, s + 3, 2);
      y = digits(b, s + 6, 4);
    } else {
      return BAD_TIME;
    }
    if (b[s + 13] != ':' || b[s + 16] != ':') {
      return BAD_TIME;
    }
    int h = digits(b, s + 11, 2);
    int mi = digits(b, s + 14, 2);
    int sec = digits(b, s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23
        || mi < 0 || mi > 59 || sec < 0 || sec > 59) {
      return BAD_TIME;
    }
    int i = s + 19;
    int millis = 0;
    if (i < e && b[i] == '.') {
      i++;
      int scale = 100;
      int start = i;
      while (i < e && b[i] >= '0' && b[i] <= '9') {
        millis += (b[i] - '0') * scale;
        scale /= 10;
        i++;
      }
      if (i == start) {
        return BAD_TIME;
      }
    }
    if (i < e && b[i] == 'Z') {
      i++;
    }
    if (i != e) {
      return BAD_TIME;
    }
    return (daysFromCivil(y, mo, d) * 86_400L + h * 3600L + mi * 60L + sec) * 1000L + millis;
  }

  private static int digits(char[] b, int s, int n) {
    int v = 0;
    for (int i = s; i < s + n; i++) {
      char c = b[i];
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int daysInMonth(int y, int m) {
    switch (m) {
      case 2:
        return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
      case 4:
      case 6:
      case 9:
      case 11:
        return 30;
      default:
        return 31;
    }
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
  static long daysFromCivil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }
}
