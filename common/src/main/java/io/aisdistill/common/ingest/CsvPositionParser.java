package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.LineParser;
import io.aisdistill.common.ais.Mmsi;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.Sentinels;
import java.util.Locale;

/**
 * Parses the data lines of a position CSV (NOAA MarineCadastre of any year, tracktable
 * {@code .points.csv}, DMA aisdk) into {@link PositionReport}s, one per line, or one
 * {@link RejectRecord} per line that cannot be accepted.
 *
 * <p><b>Columns</b> are found by header name ({@link CsvColumn}: case-insensitive, with aliases and
 * known misspellings; a {@link ColumnMapping} from {@code ingest.columns} first); other columns (ROT, VoyageID, Cargo, Destination, ...) are ignored. Because a
 * split may start mid-file, the header is given to the constructor; a line equal to it is reported as
 * {@code skipped("header")}, blank lines as {@code skipped("blank")}, and lines starting with
 * {@code #} (other than the header) as {@code skipped("comment")}.
 *
 * <p><b>Values</b> (MarineCadastre field descriptions; DMA aisdk column list; ITU-R M.1371-5):
 * <ul>
 *   <li>time: MarineCadastre and tracktable {@code yyyy-MM-ddTHH:mm:ss} or {@code yyyy-MM-dd HH:mm:ss}
 *       (optional fraction and {@code Z}); DMA {@code dd/MM/yyyy HH:mm:ss}; all UTC; each layout only
 *       in its own format;</li>
 *   <li>numbers: plain decimals only ({@code [+-]digits[.digits][e[+-]digits]}; no hexadecimal
 *       floats, NaN or Infinity);</li>
 *   <li>SOG knots, COG degrees true, heading whole degrees: passed on as read; the
 *       {@link io.aisdistill.common.ais.Plausibility} guard the ingest stage puts around every
 *       parser nulls the "not available" values ({@link Sentinels}) and nulls and flags values out
 *       of range, and applies the time range and text caps;</li>
 *   <li>status: ITU code 0-15, or DMA text ("Under way using engine", "Moored", ...) mapped by
 *       {@link DmaCodes}; ship type: ITU code 1-99 (0 and codes over 99 become null) or DMA text;</li>
 *   <li>IMO: digits only, an "IMO" prefix removed, 0 or non-digits become null; name and call sign
 *       trimmed; length, width, draught in metres, 0 becomes null;</li>
 *   <li>integers may be written as floats ({@code "199.0"}); empty fields are null;</li>
 *   <li>{@code TransceiverClass} / DMA {@code Type of mobile} ("Class A", "Class B") give
 *       {@code aisClass} "A" or "B", anything else null;</li>
 *   <li>{@code msgType} is 0: CSV sources do not carry the message type.</li>
 * </ul>
 *
 * <p><b>Rejects</b> (never an exception out of {@link #line}), checked in this order:
 * {@link RejectReason#BINARY_CONTENT} (a control character other than TAB),
 * {@link RejectReason#UNPARSEABLE} (a broken quoted field, more fields than the header, a line
 * without any comma),
 * {@link RejectReason#TRUNCATED_RECORD} (fewer fields than the header),
 * {@link RejectReason#BAD_MMSI} (empty or not an integer), {@link RejectReason#NON_VESSEL_MMSI}
 * ({@link Mmsi#isVessel} false), {@link RejectReason#NO_TIMESTAMP} (empty time),
 * {@link RejectReason#BAD_TIMESTAMP}, {@link RejectReason#LAT_OUT_OF_RANGE} /
 * {@link RejectReason#LON_OUT_OF_RANGE} (empty, 91 / 181 or outside the range),
 * {@link RejectReason#BAD_FIELD} (a latitude, longitude, SOG, COG, heading, status, ship type or
 * dimension that is not a number, a status outside 0-15, a negative dimension).
 *
 * <p>Performance: no regex, no {@code String.split}; a line is copied once into a reused buffer
 * and split in one scan (quoted lines take a slower unescaping path); numbers and times are parsed
 * from the buffer without allocation. One instance per thread and file.
 */
public final class CsvPositionParser implements LineParser {
  private static final String CLASS_A = "A";
  private static final String CLASS_B = "B";

  private final String source;
  private final CsvHeader header;
  private final InputFormat format;
  private final int fields;
  private final CsvSplitter sp;
  private final int iMmsi;
  private final int iTime;
  private final int iLat;
  private final int iLon;
  private final int iSog;
  private final int iCog;
  private final int iHeading;
  private final int iStatus;
  private final int iName;
  private final int iImo;
  private final int iCallsign;
  private final int iShipType;
  private final int iLength;
  private final int iWidth;
  private final int iDraft;
  private final int iClass;

  /** Why the current line is rejected (set by the field parsers); null while it is fine. */
  private RejectReason failReason;
  private String failDetail;
  /** Bounds of the field last located by {@link #field}. */
  private int fs;
  private int fe;

  /**
   * @param source the input file path (copied into every record)
   * @param headerLine the file's header line (first line), CR/BOM allowed
   * @param format {@link InputFormat#MARINECADASTRE_CSV} or {@link InputFormat#DMA_CSV}
   * @throws IllegalArgumentException for {@link InputFormat#NMEA} or a header lacking MMSI, time,
   *     latitude or longitude
   */
  public CsvPositionParser(String source, String headerLine, InputFormat format) {
    this(source, headerLine, format, ColumnMapping.NONE);
  }

  /**
   * @param source the input file path (copied into every record)
   * @param headerLine the file's header line (first line), CR/BOM allowed
   * @param format {@link InputFormat#MARINECADASTRE_CSV} or {@link InputFormat#DMA_CSV}
   * @param columns the user's header mapping ({@code ingest.columns}), applied before the built-in
   *     names ({@link CsvHeader#parse(String, ColumnMapping)})
   * @throws IllegalArgumentException for {@link InputFormat#NMEA} or a header lacking MMSI, time,
   *     latitude or longitude
   */
  public CsvPositionParser(String source, String headerLine, InputFormat format, ColumnMapping columns) {
    if (format == null || !format.isCsv()) {
      throw new IllegalArgumentException("CsvPositionParser reads CSV formats, not " + format);
    }
    this.source = source;
    this.format = format;
    this.header = CsvHeader.parse(headerLine, columns);
    if (!header.missing().isEmpty()) {
      throw new IllegalArgumentException(
          "CSV header lacks " + header.missing() + ": " + header.line());
    }
    this.fields = header.size();
    this.sp = new CsvSplitter(fields + 1);
    iMmsi = header.indexOf(CsvColumn.MMSI);
    iTime = header.indexOf(CsvColumn.TIME);
    iLat = header.indexOf(CsvColumn.LAT);
    iLon = header.indexOf(CsvColumn.LON);
    iSog = header.indexOf(CsvColumn.SOG);
    iCog = header.indexOf(CsvColumn.COG);
    iHeading = header.indexOf(CsvColumn.HEADING);
    iStatus = header.indexOf(CsvColumn.STATUS);
    iName = header.indexOf(CsvColumn.NAME);
    iImo = header.indexOf(CsvColumn.IMO);
    iCallsign = header.indexOf(CsvColumn.CALLSIGN);
    iShipType = header.indexOf(CsvColumn.SHIP_TYPE);
    iLength = header.indexOf(CsvColumn.LENGTH);
    iWidth = header.indexOf(CsvColumn.WIDTH);
    iDraft = header.indexOf(CsvColumn.DRAFT);
    iClass = header.indexOf(CsvColumn.CLASS);
  }

  /** The format this parser was built for. */
  public InputFormat format() {
    return format;
  }

  /** The parsed header. */
  public CsvHeader header() {
    return header;
  }

  @Override
  public void line(long offset, String line, RecordSink sink) {
    try {
      parse(offset, line, sink);
    } catch (RuntimeException e) {
      sink.reject(RejectRecord.of(source, offset, line, RejectReason.UNPARSEABLE,
          "unexpected parser error: " + e));
    }
  }

  private void parse(long offset, String line, RecordSink sink) {
    int to = line.length();
    if (to > 0 && line.charAt(to - 1) == '\r') {
      to--;
    }
    int from = to > 0 && line.charAt(0) == '\uFEFF' ? 1 : 0;
    String hl = header.line();
    if (to - from == hl.length() && line.regionMatches(from, hl, 0, hl.length())) {
      sink.skipped("header");
      return;
    }
    if (isBlank(line, from, to)) {
      sink.skipped("blank");
      return;
    }
    if (line.charAt(from) == '#') {
      sink.skipped("comment");
      return;
    }
    String raw = to == line.length() ? line : line.substring(0, to);
    int n = sp.split(line, from, to);
    if (n == CsvSplitter.BINARY) {
      reject(sink, offset, ControlChars.printable(raw), RejectReason.BINARY_CONTENT,
          String.format(Locale.ROOT, "control character 0x%02X in line", sp.badChar()));
      return;
    }
    if (n == CsvSplitter.BAD_QUOTE) {
      reject(sink, offset, raw, RejectReason.UNPARSEABLE,
          "malformed quoted field (unterminated quote or text after the closing quote)");
      return;
    }
    if (n > fields) {
      reject(sink, offset, raw, RejectReason.UNPARSEABLE,
          n + " fields, header has " + fields);
      return;
    }
    if (n == 1) {
      reject(sink, offset, raw, RejectReason.UNPARSEABLE, "no comma: not a CSV record");
      return;
    }
    if (n < fields) {
      reject(sink, offset, raw, RejectReason.TRUNCATED_RECORD,
          n + " fields, header has " + fields);
      return;
    }
    failReason = null;
    PositionReport p = build(offset);
    if (p == null) {
      reject(sink, offset, raw, failReason, failDetail);
    } else {
      sink.position(p);
    }
  }

  private PositionReport build(long offset) {
    final char[] b = sp.buf();
    // MMSI
    field(iMmsi);
    int s = fs;
    int e = fe;
    if (s == e) {
      return fail(RejectReason.BAD_MMSI, "MMSI is empty");
    }
    long mmsi = CsvValues.parseIntegral(b, s, e);
    if (mmsi == CsvValues.BAD_LONG) {
      return fail(RejectReason.BAD_MMSI, "MMSI '" + new String(b, s, e - s) + "' is not an integer");
    }
    if (!Mmsi.isVessel(mmsi)) {
      return fail(RejectReason.NON_VESSEL_MMSI,
          "MMSI " + mmsi + " is not a ship station (ITU-R M.585: 9 digits, first digit 2-7)");
    }
    // time
    field(iTime);
    s = fs;
    e = fe;
    if (s == e) {
      return fail(RejectReason.NO_TIMESTAMP, "time column '" + header.names().get(iTime) + "' is empty");
    }
    boolean dayFirst = format == InputFormat.DMA_CSV;
    long ts = CsvValues.parseTimeMillis(b, s, e, dayFirst);
    if (ts == CsvValues.BAD_TIME) {
      return fail(RejectReason.BAD_TIMESTAMP, "time '" + new String(b, s, e - s) + "' is not "
          + (dayFirst ? "dd/MM/yyyy HH:mm:ss (DMA)" : "yyyy-MM-ddTHH:mm:ss or yyyy-MM-dd HH:mm:ss (ISO-8601)"));
    }
    // position
    double lat = coordinate(iLat, "LAT", RejectReason.LAT_OUT_OF_RANGE, 90);
    if (failReason != null) {
      return null;
    }
    double lon = coordinate(iLon, "LON", RejectReason.LON_OUT_OF_RANGE, 180);
    if (failReason != null) {
      return null;
    }
    Double sog = optDouble(iSog, "SOG");
    Double cog = optDouble(iCog, "COG");
    Double heading = optDouble(iHeading, "Heading");
    Integer status = status();
    Integer shipType = shipType();
    Double length = dimension(iLength, "Length");
    Double width = dimension(iWidth, "Width");
    Double draft = dimension(iDraft, "Draft");
    if (failReason != null) {
      return null;
    }
    Integer hdg = null;
    if (heading != null) {
      double h = heading;
      if (h != Math.rint(h)) {
        return fail(RejectReason.BAD_FIELD, "Heading '" + heading + "' is not a whole number of degrees");
      }
      hdg = (int) Math.max(Integer.MIN_VALUE, Math.min(h, Integer.MAX_VALUE));
    }
    // SOG, COG and heading as read: Plausibility maps the sentinels and flags what is out of range
    return new PositionReport(mmsi, ts, lat, lon, sog, cog, hdg,
        status, 0, aisClass(), text(iName), imo(), text(iCallsign), shipType, length, width, draft,
        source, offset, null);
  }

  /** Sets {@link #fs}/{@link #fe} to the bounds of field {@code i} without surrounding spaces. */
  private void field(int i) {
    final char[] b = sp.buf();
    fs = CsvValues.trimStart(b, sp.start(i), sp.end(i));
    fe = CsvValues.trimEnd(b, fs, sp.end(i));
  }

  private PositionReport fail(RejectReason reason, String detail) {
    failReason = reason;
    failDetail = detail;
    return null;
  }

  /**
   * Locates field {@code i} (sets {@link #fs}/{@link #fe}); false when the column is absent
   * ({@code i < 0}) or the field is empty.
   */
  private boolean present(int i) {
    if (i < 0) {
      return false;
    }
    field(i);
    return fs != fe;
  }

  /** The text of the field last located by {@link #field}. */
  private String fieldText() {
    return new String(sp.buf(), fs, fe - fs);
  }

  /** Rejects the line as BAD_FIELD unless it already failed (the first problem is kept); null. */
  private <T> T badField(String detail) {
    if (failReason == null) {
      fail(RejectReason.BAD_FIELD, detail);
    }
    return null;
  }

  private double coordinate(int i, String name, RejectReason range, double limit) {
    if (!present(i)) {
      fail(range, name + " is empty (not available)");
      return Double.NaN;
    }
    double v = CsvValues.parseDouble(sp.buf(), fs, fe);
    if (Double.isNaN(v)) {
      fail(RejectReason.BAD_FIELD, name + " '" + fieldText() + "' is not a number");
    } else if (v < -limit || v > limit) {
      fail(range, name + " " + fieldText() + " outside [-" + (int) limit + ", "
          + (int) limit + "]" + (v == limit + 1 ? " (" + (int) (limit + 1) + " = not available)" : ""));
    }
    return v;
  }

  /** An optional number; null when the column is absent or empty; sets BAD_FIELD when garbage. */
  private Double optDouble(int i, String name) {
    if (!present(i)) {
      return null;
    }
    double v = CsvValues.parseDouble(sp.buf(), fs, fe);
    if (Double.isNaN(v)) {
      return badField(name + " '" + fieldText() + "' is not a number");
    }
    return v;
  }

  private Double dimension(int i, String name) {
    Double v = optDouble(i, name);
    if (v == null) {
      return null;
    }
    if (v < 0) {
      return badField(name + " " + v + " m is negative");
    }
    return v == 0 ? null : v;
  }

  private Integer status() {
    if (!present(iStatus)) {
      return null;
    }
    long v = CsvValues.parseIntegral(sp.buf(), fs, fe);
    if (v != CsvValues.BAD_LONG) {
      if (v > 15) {
        return badField("Status " + v + " outside 0-15 (ITU-R M.1371-5 Table 48)");
      }
      return (int) v;
    }
    String t = fieldText();
    Integer code = DmaCodes.navStatus(t);
    if (code == null) {
      return badField("Status '" + t + "' is neither a code 0-15 nor a known DMA text");
    }
    return code;
  }

  private Integer shipType() {
    if (!present(iShipType)) {
      return null;
    }
    long v = CsvValues.parseIntegral(sp.buf(), fs, fe);
    if (v != CsvValues.BAD_LONG) {
      return v >= 1 && v <= 99 ? (int) v : null;
    }
    String t = fieldText();
    if (!DmaCodes.isShipTypeText(t)) {
      return badField("ship type '" + t + "' is neither an ITU code nor a known DMA text");
    }
    return DmaCodes.shipType(t);
  }

  private String aisClass() {
    if (!present(iClass)) {
      return null;
    }
    final char[] b = sp.buf();
    int n = fe - fs;
    // "A" / "B", or DMA "Class A" / "Class B"
    char c = n == 1 ? b[fs] : n == 7 && (b[fs] == 'C' || b[fs] == 'c') && b[fs + 5] == ' ' ? b[fs + 6] : 0;
    return c == 'A' || c == 'a' ? CLASS_A : c == 'B' || c == 'b' ? CLASS_B : null;
  }

  private String text(int i) {
    return present(i) ? fieldText() : null;
  }

  private String imo() {
    if (!present(iImo)) {
      return null;
    }
    final char[] b = sp.buf();
    int s = fs;
    int e = fe;
    if (e - s >= 3 && (b[s] == 'I' || b[s] == 'i') && (b[s + 1] == 'M' || b[s + 1] == 'm')
        && (b[s + 2] == 'O' || b[s + 2] == 'o')) {
      s = CsvValues.trimStart(b, s + 3, e);
    }
    long v = CsvValues.parseIntegral(b, s, e);
    return v == CsvValues.BAD_LONG || v == 0 ? null : Long.toString(v);
  }

  private void reject(RecordSink sink, long offset, String raw, RejectReason reason, String detail) {
    sink.reject(RejectRecord.of(source, offset, raw, reason, detail));
  }

  private static boolean isBlank(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t') {
        return false;
      }
    }
    return true;
  }
}
