package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.RecordSink;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The text encoding of an input file: chosen per file from its head bytes ({@code auto}) or
 * configured for every file ({@code ingest.encoding}).
 *
 * <p>{@code auto}: a file whose head is valid UTF-8 (pure ASCII included) is read as UTF-8; any
 * other file as Windows-1252, which is a superset of ISO-8859-1's printable range (the Latin-1
 * text of DMA and older NOAA files: {@code Ø}, {@code Å}, {@code é} are single bytes 0xD8, 0xC5,
 * 0xE9 there, invalid as UTF-8). Validity is decided by the JDK's UTF-8 {@link CharsetDecoder}
 * with {@link CodingErrorAction#REPORT} (RFC 3629: overlong forms, surrogates and code points
 * above U+10FFFF are malformed).
 *
 * <p>Input lines are split at byte 0x0A before they are decoded, so only charsets that encode
 * ASCII as single ASCII bytes can be configured (UTF-8, Windows-125x, ISO-8859-x, ...; not
 * UTF-16/32).
 */
public final class TextEncoding {
  /** Windows-1252, the {@code auto} choice for a file that is not valid UTF-8. */
  public static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  /** The {@code ingest.encoding} value that detects the charset per file. */
  public static final String AUTO = "auto";

  private static final String ASCII_PROBE = "MMSI,# Timestamp;\t\r\n!AIVDM*5C\\";

  private TextEncoding() {}

  /**
   * The configured charset of every file, or null for per-file detection.
   *
   * @param setting the {@code ingest.encoding} value: {@code auto} (or null/blank) or a charset
   *     name the JDK knows ({@code UTF-8}, {@code windows-1252}, {@code ISO-8859-1}, ...)
   * @return null for {@code auto}, else the charset
   * @throws IllegalArgumentException for an unknown charset, or one that does not encode ASCII as
   *     single ASCII bytes (lines are split at byte 0x0A)
   */
  public static Charset configured(String setting) {
    if (setting == null || setting.isBlank() || setting.trim().equalsIgnoreCase(AUTO)) {
      return null;
    }
    Charset cs;
    try {
      cs = Charset.forName(setting.trim());
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      throw new IllegalArgumentException("ingest.encoding: unknown charset '" + setting
          + "'; expected auto, UTF-8, windows-1252, ISO-8859-1 or another JDK charset name", e);
    }
    if (!cs.canEncode() || !Arrays.equals(ASCII_PROBE.getBytes(cs),
        ASCII_PROBE.getBytes(StandardCharsets.US_ASCII))) {
      throw new IllegalArgumentException("ingest.encoding: charset " + cs.name()
          + " does not encode ASCII as single bytes; input lines are split at byte 0x0A, so only "
          + "ASCII-compatible charsets (UTF-8, windows-1252, ISO-8859-x) can be read");
    }
    return cs;
  }

  /**
   * The charset a file is read with under {@code auto}: UTF-8 when {@code head} is valid UTF-8,
   * else {@link #WINDOWS_1252}.
   *
   * @param head the first bytes of the file
   * @param length how many bytes of {@code head} are valid
   * @param wholeFile true when {@code head} holds the whole file; when false, a multi-byte
   *     sequence cut by the end of the head is not held against the file
   * @return {@link StandardCharsets#UTF_8} or {@link #WINDOWS_1252}
   */
  public static Charset detect(byte[] head, int length, boolean wholeFile) {
    return isUtf8(head, 0, length, wholeFile) ? StandardCharsets.UTF_8 : WINDOWS_1252;
  }

  /**
   * The charset of a file: {@code configured} when not null, else {@link #detect}.
   *
   * @param configured the result of {@link #configured}, or null for {@code auto}
   */
  public static Charset of(Charset configured, byte[] head, int length, boolean wholeFile) {
    return configured != null ? configured : detect(head, length, wholeFile);
  }

  /**
   * True when {@code bytes[from, from + length)} is valid UTF-8 (the JDK decoder, REPORT).
   *
   * @param complete false to accept an incomplete multi-byte sequence at the very end
   */
  static boolean isUtf8(byte[] bytes, int from, int length, boolean complete) {
    if (isAscii(bytes, from, length)) {
      return true;
    }
    CharsetDecoder d = strictDecoder(StandardCharsets.UTF_8);
    CoderResult r = d.decode(ByteBuffer.wrap(bytes, from, length), CharBuffer.allocate(length), complete);
    return !r.isError() && (!complete || !d.flush(CharBuffer.allocate(1)).isError());
  }

  static boolean isAscii(byte[] bytes, int from, int length) {
    for (int i = from; i < from + length; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }

  static CharsetDecoder strictDecoder(Charset cs) {
    return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /** The charset's canonical name, lower-case ({@code utf-8}, {@code windows-1252}), for reports. */
  public static String label(Charset cs) {
    return cs.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Decodes lines of one file. Not thread-safe: one per task and file.
   *
   * <p>A line is decoded strictly with the file's charset. When that fails: in a file read as
   * UTF-8 under {@code auto}, the line is decoded as Windows-1252 and noted
   * {@value #NOTE_WINDOWS_1252} (a Latin-1 line in a mostly UTF-8 file, e.g. a name typed on
   * another system); otherwise the bad bytes become U+FFFD and the line is noted
   * {@value #NOTE_REPLACED}. A note counts no line ({@code RecordSink.note}).
   */
  public static final class LineDecoder {
    /** Note kind of a line of a UTF-8 file decoded as Windows-1252. */
    public static final String NOTE_WINDOWS_1252 = "decoded_windows_1252";
    /** Note kind of a line whose undecodable bytes were replaced by U+FFFD. */
    public static final String NOTE_REPLACED = "undecodable_bytes_replaced";

    private final Charset charset;
    private final boolean utf8;
    private final boolean fallbackWindows1252;
    private final CharsetDecoder strict;
    private CharBuffer out = CharBuffer.allocate(256);

    /**
     * @param charset the file's charset (ASCII-compatible, see {@link #configured})
     * @param fallbackWindows1252 true under {@code auto} for a file detected as UTF-8: a line
     *     that is not valid UTF-8 is decoded as Windows-1252
     */
    public LineDecoder(Charset charset, boolean fallbackWindows1252) {
      this.charset = charset;
      this.utf8 = charset.equals(StandardCharsets.UTF_8);
      this.fallbackWindows1252 = fallbackWindows1252 && utf8;
      this.strict = strictDecoder(charset);
    }

    /** The file's charset. */
    public Charset charset() {
      return charset;
    }

    /**
     * Decodes one line.
     *
     * @param bytes the line's bytes (no terminator needed; a trailing CR is kept as a char)
     * @param length how many bytes of {@code bytes} belong to the line
     * @param notes receives {@link #NOTE_WINDOWS_1252} or {@link #NOTE_REPLACED} for a line that
     *     could not be decoded strictly (never a line count)
     * @return the line's text
     */
    public String decode(byte[] bytes, int length, RecordSink notes) {
      if (utf8 && isAscii(bytes, 0, length)) {
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1); // ASCII: same chars
      }
      try {
        if (out.capacity() < length) {
          out = CharBuffer.allocate(Math.max(length, out.capacity() * 2));
        }
        out.clear();
        strict.reset();
        CoderResult r = strict.decode(ByteBuffer.wrap(bytes, 0, length), out, true);
        if (r.isOverflow()) { // more chars than bytes: not for the ASCII-compatible charsets read here
          return new String(bytes, 0, length, charset);
        }
        if (r.isError()) {
          r.throwException();
        }
        r = strict.flush(out);
        if (r.isError()) {
          r.throwException();
        }
        out.flip();
        return out.toString();
      } catch (CharacterCodingException e) {
        if (fallbackWindows1252) {
          notes.note(NOTE_WINDOWS_1252);
          return new String(bytes, 0, length, WINDOWS_1252);
        }
        notes.note(NOTE_REPLACED);
        return new String(bytes, 0, length, charset);
      }
    }
  }
}
