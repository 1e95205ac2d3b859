package io.aisdistill.common.ingest;

/**
 * Allocation-free splitter of one CSV line into fields (RFC 4180: fields separated by commas; a
 * field may be enclosed in double quotes, inside which commas are literal and {@code ""} is one
 * quote). Lines without a quote take a fast path (one scan for commas); quoted lines are unescaped
 * in place. Field {@code i} is {@code buf()[start(i) .. end(i))}. Reused across lines; not
 * thread-safe.
 */
final class CsvSplitter {
  /** {@link #split} result: the line holds a control character (not TAB). */
  static final int BINARY = -1;
  /** {@link #split} result: an unterminated quoted field, or text after a closing quote. */
  static final int BAD_QUOTE = -2;

  private char[] buf = new char[256];
  private final int[] starts;
  private final int[] ends;
  private int badChar;

  /** @param capacity the most fields whose bounds are kept (further fields are only counted) */
  CsvSplitter(int capacity) {
    starts = new int[capacity];
    ends = new int[capacity];
  }

  int capacity() {
    return starts.length;
  }

  char[] buf() {
    return buf;
  }

  int start(int i) {
    return starts[i];
  }

  int end(int i) {
    return ends[i];
  }

  /** Code of the control character that made {@link #split} return {@link #BINARY}. */
  int badChar() {
    return badChar;
  }

  String string(int i) {
    return new String(buf, starts[i], ends[i] - starts[i]);
  }

  int split(String line) {
    return split(line, 0, line.length());
  }

  /**
   * Splits {@code line[from, to)}.
   *
   * @return the number of fields (possibly more than {@link #capacity()}), or {@link #BINARY} /
   *     {@link #BAD_QUOTE}
   */
  int split(String line, int from, int to) {
    int n = to - from;
    if (buf.length < n) {
      buf = new char[Math.max(n, buf.length * 2)];
    }
    line.getChars(from, to, buf, 0);
    final char[] b = buf;
    final int cap = starts.length;
    int f = 0;
    starts[0] = 0;
    for (int i = 0; i < n; i++) {
      char c = b[i];
      if (c == ',') {
        if (f < cap) {
          ends[f] = i;
        }
        f++;
        if (f < cap) {
          starts[f] = i + 1;
        }
      } else if (c < 0x20) {
        if (c != '\t') {
          badChar = c;
          return BINARY;
        }
      } else if (c == '"') {
        return splitQuoted(n);
      }
    }
    if (f < cap) {
      ends[f] = n;
    }
    return f + 1;
  }

  /** Slow path: RFC 4180 unescaping in place (output never longer than input). */
  private int splitQuoted(int n) {
    final char[] b = buf;
    final int cap = starts.length;
    int r = 0;
    int w = 0;
    int f = 0;
    while (true) {
      if (f < cap) {
        starts[f] = w;
      }
      if (r < n && b[r] == '"') {
        r++;
        boolean closed = false;
        while (r < n) {
          char c = b[r];
          if (c == '"') {
            if (r + 1 < n && b[r + 1] == '"') {
              b[w++] = '"';
              r += 2;
            } else {
              r++;
              closed = true;
              break;
            }
          } else {
            if (c < 0x20 && c != '\t') {
              badChar = c;
              return BINARY;
            }
            b[w++] = c;
            r++;
          }
        }
        if (!closed || (r < n && b[r] != ',')) {
          return BAD_QUOTE;
        }
      } else {
        while (r < n && b[r] != ',') {
          char c = b[r];
          if (c < 0x20 && c != '\t') {
            badChar = c;
            return BINARY;
          }
          b[w++] = c;
          r++;
        }
      }
      if (f < cap) {
        ends[f] = w;
      }
      if (r >= n) {
        return f + 1;
      }
      r++; // the comma
      w++; // keep a gap so fields never overlap
      f++;
    }
  }
}
