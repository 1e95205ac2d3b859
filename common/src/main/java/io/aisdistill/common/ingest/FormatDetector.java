package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.RejectReason;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides from a file's first bytes which {@link InputFormat} it is, or why it is not read.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>zero bytes: {@link RejectReason#EMPTY_FILE};</li>
 *   <li>SQLite magic {@code "SQLite format 3\0"} (GeoPackage, e.g. MovingPandas {@code .gpkg}):
 *       {@link RejectReason#UNSUPPORTED_FORMAT};</li>
 *   <li>control bytes (NUL and the others but TAB/CR/LF) in at least half of the non-blank
 *       lines, or in every one: {@link RejectReason#BINARY_CONTENT} (images, archives and other
 *       binary files hold them on nearly every "line"); a minority of lines with stray control
 *       bytes, NUL included, is ignored for detection and left to the line parser, which rejects
 *       those lines (issue 13: one NUL byte used to reject a whole CSV of valid rows);</li>
 *   <li>only blank lines: {@link RejectReason#EMPTY_FILE};</li>
 *   <li>tracktable {@code .traj} text (first line {@code *T*,uuid,...}):
 *       {@link RejectReason#UNSUPPORTED_FORMAT} (its {@code .points.csv} flattening is read);</li>
 *   <li>NMEA: at least one AIVDM/AIVDO sentence ({@code !xxVDM,} / {@code !xxVDO,}, possibly after
 *       an IEC 61162-450 tag block {@code \...\}), every other non-blank line being another NMEA
 *       sentence ({@code $PGHP}, {@code $GPRMC}, ...) or a {@code #} comment, except a minority of
 *       garbage lines (fewer than the AIS sentences): {@link InputFormat#NMEA};</li>
 *   <li>JSON lines: the first non-blank line starts with <code>{</code>; among the first
 *       {@value #JSON_LINES_CHECKED} non-blank lines, more parse as JSON objects carrying an MMSI
 *       key and latitude and longitude keys of a layout {@link JsonLinesParser} maps (gpsdio
 *       {@code ssvid}/{@code mmsi}, {@code lat}, {@code lon}; AISHub {@code MMSI},
 *       {@code LATITUDE}, {@code LONGITUDE}) than do not (a last line cut by the head does not
 *       count against): {@link InputFormat#JSON_LINES}; else
 *       {@link RejectReason#UNSUPPORTED_FORMAT}. A first line starting with {@code [} (one JSON
 *       array, e.g. an AISHub response): {@link RejectReason#UNSUPPORTED_FORMAT};</li>
 *   <li>a CSV header (first line, at least 3 comma-separated non-empty names) having MMSI, a time,
 *       latitude and longitude column by name ({@link CsvColumn}, any order):
 *       {@link InputFormat#DMA_CSV} for the DMA aisdk header ({@code # Timestamp,...}), else
 *       {@link InputFormat#MARINECADASTRE_CSV} (MarineCadastre of any year, the 2014 Broadcast
 *       layout, tracktable {@code .points.csv});</li>
 *   <li>a CSV header lacking some of them: {@link RejectReason#UNKNOWN_CSV_HEADER}, the detail
 *       naming the missing columns and the header names it could not map, and how to map them
 *       ({@code --columns mmsi=NAME}, i.e. {@code ingest.columns}; a {@link ColumnMapping} given
 *       to {@link #detect(String, byte[], int, Charset, ColumnMapping)} applies here);</li>
 *   <li>any other text (Markdown, prose): {@link RejectReason#UNSUPPORTED_FORMAT}.</li>
 * </ol>
 */
public final class FormatDetector {
  /** Bytes of a file's head that suffice for detection (callers may pass more or fewer). */
  public static final int HEAD_BYTES = 64 * 1024;

  /** Non-blank head lines that {@link #jsonLines} looks at. */
  static final int JSON_LINES_CHECKED = 50;

  private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  private FormatDetector() {}

  /**
   * Detects the format of a UTF-8 file from its head, with the built-in CSV column names.
   *
   * @see #detect(String, byte[], int, Charset, ColumnMapping)
   */
  public static Detection detect(String fileName, byte[] head, int length) {
    return detect(fileName, head, length, StandardCharsets.UTF_8, ColumnMapping.NONE);
  }

  /**
   * Detects the format of a file from its head.
   *
   * @param fileName the file name or path (used in details only; detection is by content)
   * @param head the first bytes of the file
   * @param length how many bytes of {@code head} are valid (0 for an empty file)
   * @param charset the file's text encoding ({@link TextEncoding}; ASCII-compatible)
   * @param columns the user's CSV header mapping ({@link ColumnMapping#NONE} for none)
   * @return the detected format, or the whole-file reject reason with a detail
   */
  public static Detection detect(String fileName, byte[] head, int length, Charset charset,
      ColumnMapping columns) {
    String name = fileName == null ? "" : fileName;
    if (length <= 0) {
      return Detection.rejected(RejectReason.EMPTY_FILE, "zero bytes");
    }
    if (startsWith(head, length, SQLITE_MAGIC)) {
      return Detection.rejected(RejectReason.UNSUPPORTED_FORMAT, "GeoPackage/SQLite database");
    }
    int firstControl = -1;
    for (int i = 0; i < length && firstControl < 0; i++) {
      if (isControl(head[i] & 0xFF)) {
        firstControl = i;
      }
    }
    List<String> all = lines(head, length, charset);
    // a few text lines with stray control bytes (NUL included) do not make a text file binary:
    // they are left to the line parser (a line-level BINARY_CONTENT reject); mostly-control
    // content is binary
    List<String> lines = new ArrayList<>(all.size());
    int controlLines = 0;
    for (String l : all) {
      if (hasControl(l)) {
        controlLines++;
      } else {
        lines.add(l);
      }
    }
    if (firstControl >= 0 && (controlLines * 2 >= nonBlank(all) || nonBlank(lines) == 0)) {
      return Detection.rejected(RejectReason.BINARY_CONTENT, String.format(Locale.ROOT,
          "control byte 0x%02X at offset %d; %d of %d lines hold control bytes",
          head[firstControl] & 0xFF, firstControl, controlLines, nonBlank(all)));
    }
    String first = null;
    for (String l : lines) {
      if (!l.isBlank()) {
        first = l;
        break;
      }
    }
    if (first == null) {
      return Detection.rejected(RejectReason.EMPTY_FILE, "no data lines, only blank lines");
    }
    if (first.startsWith("*T*,")) {
      return Detection.rejected(RejectReason.UNSUPPORTED_FORMAT,
          "tracktable .traj trajectory file (read the matching .points.csv instead)");
    }
    Detection nmea = nmea(lines);
    if (nmea != null) {
      return nmea;
    }
    String lead = first.stripLeading();
    if (lead.startsWith("{")) {
      return jsonLines(lines);
    }
    if (lead.startsWith("[")) {
      return Detection.rejected(RejectReason.UNSUPPORTED_FORMAT,
          "a JSON array, not JSON lines (write one object per line); first line: " + abbreviate(first));
    }
    if (looksLikeCsvHeader(first)) {
      CsvHeader h = CsvHeader.parse(first, columns);
      List<CsvColumn> missing = h.missing();
      if (missing.isEmpty()) {
        InputFormat f = h.flavour();
        return Detection.of(f, (f == InputFormat.DMA_CSV ? "DMA aisdk" : "MarineCadastre")
            + " CSV header: " + abbreviate(h.line()));
      }
      return Detection.rejected(RejectReason.UNKNOWN_CSV_HEADER, unknownHeader(h, missing));
    }
    String kind = first.startsWith("#") || name.toLowerCase(Locale.ROOT).endsWith(".md")
        ? "Markdown/text" : "text";
    return Detection.rejected(RejectReason.UNSUPPORTED_FORMAT,
        kind + " that is neither AIS CSV nor NMEA; first line: " + abbreviate(first));
  }

  /**
   * The detail of an {@link RejectReason#UNKNOWN_CSV_HEADER} reject: the missing columns, the
   * header names that could not be mapped, and the option that maps them, e.g. {@code CSV header
   * lacks mmsi, time (needs mmsi, time, lat, lon); could not map: ship_id, ts_utc; map them with
   * --columns mmsi=<name>,time=<name> (ingest.columns): ship_id,ts_utc,latitude,longitude}.
   */
  static String unknownHeader(CsvHeader h, List<CsvColumn> missing) {
    StringBuilder b = new StringBuilder("CSV header lacks ");
    b.append(String.join(", ", missing.stream().map(ColumnMapping::name).toList()));
    b.append(" (needs mmsi, time, lat, lon); could not map: ");
    List<String> unmapped = h.unmapped();
    if (unmapped.isEmpty()) {
      b.append("(no other columns)");
    } else {
      int shown = Math.min(unmapped.size(), 12);
      b.append(String.join(", ", unmapped.subList(0, shown)));
      if (shown < unmapped.size()) {
        b.append(", ... (").append(unmapped.size() - shown).append(" more)");
      }
    }
    b.append("; map them with --columns ");
    b.append(String.join(",", missing.stream().map(c -> ColumnMapping.name(c) + "=<name>").toList()));
    b.append(" (or --set ingest.columns.").append(ColumnMapping.name(missing.get(0)))
        .append("=<name>): ").append(abbreviate(h.line()));
    return b.toString();
  }

  private static Detection nmea(List<String> lines) {
    int ais = 0;
    int other = 0;
    int garbage = 0;
    // the last line of a head may be cut mid-line: it counts only when it is AIS
    for (int k = 0; k < lines.size(); k++) {
      String l = lines.get(k).strip();
      if (l.isEmpty()) {
        continue;
      }
      if (l.charAt(0) == '\\') {
        int end = l.indexOf('\\', 1);
        l = end < 0 ? "" : l.substring(end + 1);
      }
      if (isAisSentence(l)) {
        ais++;
      } else if (k == lines.size() - 1) {
        continue;
      } else if (l.startsWith("#") || isOtherNmea(l)) {
        other++;
      } else {
        garbage++;
      }
    }
    if (ais > 0 && garbage < ais) {
      return Detection.of(InputFormat.NMEA, "NMEA 0183 AIS: " + ais + " VDM/VDO sentences, " + other
          + " other NMEA/comment lines, " + garbage + " unreadable lines in the head");
    }
    return null;
  }

  private static Detection jsonLines(List<String> lines) {
    int good = 0;
    int bad = 0;
    int seen = 0;
    String example = null;
    for (int k = 0; k < lines.size() && seen < JSON_LINES_CHECKED; k++) {
      String l = lines.get(k).strip();
      if (l.isEmpty()) {
        continue;
      }
      seen++;
      boolean ok;
      try {
        ok = JsonLinesParser.hasPositionKeys(JsonLinesParser.parseObject(l));
      } catch (RecordRejection e) {
        ok = false;
      }
      if (ok) {
        good++;
      } else if (k < lines.size() - 1) {
        bad++;
        if (example == null) {
          example = l;
        }
      }
    }
    if (good > 0 && good > bad) {
      return Detection.of(InputFormat.JSON_LINES, "JSON lines: " + good + " of " + seen
          + " head lines are objects with MMSI, latitude and longitude keys");
    }
    return Detection.rejected(RejectReason.UNSUPPORTED_FORMAT, "JSON lines without MMSI, latitude and "
        + "longitude keys of a known layout (gpsdio ssvid|mmsi, lat, lon; AISHub MMSI, LATITUDE, LONGITUDE) in "
        + bad + " of " + seen + " head lines; e.g. " + abbreviate(example == null ? "" : example));
  }

  /** {@code !AIVDM,} style: '!' or '$', 2-char talker, VDM or VDO, comma. */
  static boolean isAisSentence(String l) {
    return l.length() > 7 && (l.charAt(0) == '!' || l.charAt(0) == '$')
        && l.startsWith("VD", 3) && (l.charAt(5) == 'M' || l.charAt(5) == 'O') && l.charAt(6) == ',';
  }

  /** {@code $PGHP,...}, {@code $GPRMC,...}: '$', 4-6 upper-case letters or digits, comma. */
  private static boolean isOtherNmea(String l) {
    int comma = l.indexOf(',');
    if (!l.startsWith("$") || comma < 5 || comma > 7) {
      return false;
    }
    for (int i = 1; i < comma; i++) {
      char c = l.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean looksLikeCsvHeader(String first) {
    CsvSplitter sp = new CsvSplitter(4096);
    int n = sp.split(CsvHeader.stripLine(first));
    if (n < 3 || n > sp.capacity()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      String f = sp.string(i).trim();
      if (f.isEmpty() || f.length() > 64) {
        return false;
      }
    }
    return true;
  }

  private static List<String> lines(byte[] head, int length, Charset charset) {
    String text = new String(head, 0, length, charset);
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      text = text.substring(1);
    }
    List<String> out = new ArrayList<>();
    int s = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        if (i > s || i < text.length()) {
          String l = text.substring(s, i);
          out.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        }
        s = i + 1;
      }
    }
    return out;
  }

  private static boolean isControl(int c) {
    return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F;
  }

  private static boolean hasControl(String l) {
    for (int i = 0; i < l.length(); i++) {
      if (isControl(l.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static int nonBlank(List<String> lines) {
    int n = 0;
    for (String l : lines) {
      if (!l.isBlank()) {
        n++;
      }
    }
    return n;
  }

  private static boolean startsWith(byte[] head, int length, byte[] magic) {
    if (length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (head[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() <= 160 ? s : s.substring(0, 157) + "...";
  }
}
