package io.aisdistill.common.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.aisdistill.common.ais.LineParser;
import io.aisdistill.common.ais.Mmsi;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.Sentinels;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Reads AIS that is already decoded and written as JSON Lines (one JSON object per line, also
 * called NDJSON) into {@link PositionReport}s: one line is one record, an accepted position or a
 * {@link RejectRecord}, with the same accounting as the CSV parser. Objects are parsed with Jackson.
 *
 * <h2>Field mapping (keys are case-sensitive; the first key present and not null wins)</h2>
 * <table>
 *   <caption>JSON keys per field</caption>
 *   <tr><th>field</th><th>gpsdio (Global Fishing Watch)</th><th>AISHub web service</th><th>other</th></tr>
 *   <tr><td>MMSI</td><td>{@code ssvid} (GFW messages), {@code mmsi}</td><td>{@code MMSI}</td><td></td></tr>
 *   <tr><td>time</td><td>{@code timestamp}</td><td>{@code TIME}</td><td>{@code time}</td></tr>
 *   <tr><td>latitude, longitude</td><td>{@code lat}, {@code lon}</td><td>{@code LATITUDE}, {@code LONGITUDE}</td><td></td></tr>
 *   <tr><td>SOG</td><td>{@code speed}</td><td>{@code SOG}</td><td>{@code sog}</td></tr>
 *   <tr><td>COG</td><td>{@code course}</td><td>{@code COG}</td><td>{@code cog}</td></tr>
 *   <tr><td>heading</td><td>{@code heading}</td><td>{@code HEADING}</td><td></td></tr>
 *   <tr><td>navigational status</td><td>{@code status}</td><td>{@code NAVSTAT}</td><td>{@code navstat}</td></tr>
 *   <tr><td>name, call sign, IMO</td><td>{@code shipname}, {@code callsign}, {@code imo}</td>
 *       <td>{@code NAME}, {@code CALLSIGN}, {@code IMO}</td><td>{@code name}</td></tr>
 *   <tr><td>ship type</td><td>{@code shiptype}</td><td>{@code TYPE}</td><td></td></tr>
 *   <tr><td>length, width (m)</td><td>{@code to_bow + to_stern}, {@code to_port + to_starboard}</td>
 *       <td>{@code A + B}, {@code C + D}</td><td></td></tr>
 *   <tr><td>draught (m)</td><td>not read (gpsdio's schema leaves its unit, m or dm, open)</td>
 *       <td>{@code DRAUGHT}</td><td></td></tr>
 *   <tr><td>message type</td><td>{@code type} (kept when 1, 2, 3, 18, 19 or 27, else 0)</td>
 *       <td>(AISHub's {@code TYPE} is the ship type)</td><td></td></tr>
 * </table>
 * Sources: gpsdio {@code schema.py} (GlobalFishingWatch/gpsdio: {@code timestamp}
 * {@code %Y-%m-%dT%H:%M:%S.%fZ}, lat/lon WGS84 degrees with 91/181 not available, speed knots with
 * 1023 not available, course degrees with 3600 not available, heading 511 not available);
 * AISHub web service documentation (aishub.net/api, "format" 0 = AIS encoding, 1 = human readable;
 * aishub.net/xml-description.html: {@code TIME} a Unix timestamp in AIS encoding and
 * {@code yyyy-MM-dd HH:mm:ss GMT} in human-readable format, {@code LONGITUDE}/{@code LATITUDE} in
 * 1/10000 minute, i.e. degrees x 600000, in AIS encoding).
 *
 * <h2>AISHub AIS encoding</h2>
 * A line with a {@code LATITUDE} key whose {@code TIME} is a Unix timestamp (a number or a digit
 * string) is AISHub "format 0": its values are the raw ITU-R M.1371-5 fields and are scaled
 * before any rule applies: latitude and longitude / 600000, SOG / 10 (1023 = 102.3 kn = not
 * available), COG / 10 (3600 = 360.0 = not available), draught / 10. Any other line is taken in
 * plain units (degrees, knots, metres).
 *
 * <h2>Values</h2>
 * <ul>
 *   <li>time: a number is Unix time in seconds (milliseconds when at least 10^11), a digit string
 *       likewise; text as {@code yyyy-MM-ddTHH:mm:ss[.fraction][Z]} or with a space (the CSV
 *       layouts, {@link CsvValues#parseTimeMillis}), a trailing {@code GMT}/{@code UTC} word
 *       allowed, or ISO-8601 with an offset ({@code +00:00}, {@code +0000}).</li>
 *   <li>SOG, COG, heading: the "not available" values become null through {@link Sentinels}, as in
 *       the CSV parser; a heading must be a whole number.</li>
 *   <li>numbers may be JSON numbers or numeric strings; an empty string or JSON null is absent.</li>
 *   <li>ship type 1-99 is kept, 0 and others become null; IMO 0 becomes null (an {@code IMO}
 *       prefix is removed); dimensions 0 become null; text is trimmed of spaces and AIS '@'
 *       padding, empty becomes null.</li>
 *   <li>{@code aisClass} is "A" for message types 1, 2, 3, 27, "B" for 18, 19, else null.</li>
 * </ul>
 *
 * <h2>Lines and rejects (never an exception out of {@link #line})</h2>
 * Blank lines: {@code skipped("blank")}; lines starting with {@code #}: {@code skipped("comment")}.
 * Rejects, in this order: {@link RejectReason#BINARY_CONTENT} (a control character other than
 * TAB), {@link RejectReason#UNPARSEABLE} (not JSON, trailing text, duplicate keys, or a JSON value
 * that is not an object), {@link RejectReason#BAD_MMSI} (absent or not an integer),
 * {@link RejectReason#NON_VESSEL_MMSI}, {@link RejectReason#NO_TIMESTAMP} (absent),
 * {@link RejectReason#BAD_TIMESTAMP}, {@link RejectReason#LAT_OUT_OF_RANGE} /
 * {@link RejectReason#LON_OUT_OF_RANGE} (absent, 91 / 181 or outside the range, per
 * {@link Sentinels#validLat} / {@link Sentinels#validLon}), {@link RejectReason#BAD_FIELD} (a
 * coordinate, SOG, COG, heading, status, ship type or dimension that is not a number, a
 * fractional heading, a status outside 0-15, a negative dimension).
 *
 * <p>An AISHub response file ({@code [{"ERROR":false,...},[{...},{...}]]}) is one JSON array, not
 * JSON lines; it is read once each vessel object is on a line of its own.
 *
 * <p>Stateless between lines: a file may be split anywhere at line boundaries. One instance per
 * thread.
 */
public final class JsonLinesParser implements LineParser {
  static final List<String> MMSI = List.of("ssvid", "mmsi", "MMSI");
  static final List<String> TIME = List.of("timestamp", "TIME", "time");
  static final List<String> LAT = List.of("lat", "LATITUDE");
  static final List<String> LON = List.of("lon", "LONGITUDE");
  private static final List<String> SOG = List.of("speed", "sog", "SOG");
  private static final List<String> COG = List.of("course", "cog", "COG");
  private static final List<String> HEADING = List.of("heading", "HEADING");
  private static final List<String> STATUS = List.of("status", "navstat", "NAVSTAT");
  private static final List<String> NAME = List.of("shipname", "name", "NAME");
  private static final List<String> CALLSIGN = List.of("callsign", "CALLSIGN");
  private static final List<String> IMO = List.of("imo", "IMO");
  private static final List<String> SHIP_TYPE = List.of("shiptype", "TYPE");
  /** AISHub AIS encoding: degrees x 600000 (1/10000 minute). */
  private static final double AISHUB_DEGREE = 600_000.0;
  /** Epoch values at or above this are milliseconds, below seconds (as for NMEA tag blocks). */
  private static final double MILLIS_THRESHOLD = 100_000_000_000.0;
  private static final DateTimeFormatter OFFSET_NO_COLON = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).appendOffset("+HHMM", "Z").toFormatter(Locale.ROOT);

  /** Thread-safe once configured; strict: trailing tokens and duplicate keys are errors. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String source;

  /**
   * @param source the input file path, copied into every record's {@code source}
   */
  public JsonLinesParser(String source) {
    this.source = source;
  }

  /**
   * Parses one line into one position, one reject, or one skipped line.
   *
   * @param offset byte offset of the line's first byte in the file
   * @param line the line without its terminator (a trailing CR and a leading BOM are ignored)
   * @param sink receives the record
   */
  @Override
  public void line(long offset, String line, RecordSink sink) {
    String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    if (l.startsWith("\uFEFF")) {
      l = l.substring(1);
    }
    try {
      RejectRecord binary = ControlChars.binaryLineReject(source, offset, l);
      if (binary != null) {
        sink.reject(binary);
        return;
      }
      String t = l.strip();
      if (t.isEmpty()) {
        sink.skipped("blank");
        return;
      }
      if (t.charAt(0) == '#') {
        sink.skipped("comment");
        return;
      }
      sink.position(build(parseObject(t), offset));
    } catch (RecordRejection r) {
      sink.reject(RejectRecord.of(source, offset, l, r.reason, r.detail()));
    } catch (RuntimeException e) {
      // defensive: no input may escape as an exception
      sink.reject(RejectRecord.of(source, offset, l, RejectReason.UNPARSEABLE, "cannot parse: " + e));
    }
  }

  /**
   * The JSON object of one line.
   *
   * @throws RecordRejection {@link RejectReason#UNPARSEABLE} when the text is not one JSON object
   */
  static JsonNode parseObject(String text) throws RecordRejection {
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      String m = e.getOriginalMessage();
      throw new RecordRejection(RejectReason.UNPARSEABLE, "not JSON: "
          + (m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m)));
    }
    if (n == null || !n.isObject()) {
      throw new RecordRejection(RejectReason.UNPARSEABLE, "a JSON "
          + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT)) + ", not an object");
    }
    return n;
  }

  /** True when {@code o} has an MMSI key and latitude and longitude keys of a known layout. */
  static boolean hasPositionKeys(JsonNode o) {
    return o.isObject() && key(o, MMSI) != null && key(o, LAT) != null && key(o, LON) != null;
  }

  private PositionReport build(JsonNode o, long offset) throws RecordRejection {
    boolean aisEncoded = o.has("LATITUDE") && isUnixTime(value(o, TIME));
    // MMSI
    JsonNode v = value(o, MMSI);
    if (v == null) {
      throw new RecordRejection(RejectReason.BAD_MMSI, "no MMSI (keys " + MMSI + ")");
    }
    Long mmsiOrNull = integral(v);
    if (mmsiOrNull == null) {
      throw new RecordRejection(RejectReason.BAD_MMSI, key(o, MMSI) + " " + v + " is not an integer");
    }
    long mmsi = mmsiOrNull;
    if (!Mmsi.isVessel(mmsi)) {
      throw new RecordRejection(RejectReason.NON_VESSEL_MMSI,
          "MMSI " + mmsi + " is not a ship station (ITU-R M.585: 9 digits, first digit 2-7)");
    }
    // time
    v = value(o, TIME);
    if (v == null) {
      throw new RecordRejection(RejectReason.NO_TIMESTAMP, "no time (keys " + TIME + ")");
    }
    long ts = time(v, key(o, TIME));
    // position
    double scale = aisEncoded ? AISHUB_DEGREE : 1.0;
    double lat = coordinate(o, LAT, scale, RejectReason.LAT_OUT_OF_RANGE, true);
    double lon = coordinate(o, LON, scale, RejectReason.LON_OUT_OF_RANGE, false);
    double tenths = aisEncoded ? 10.0 : 1.0;
    Double sog = number(o, SOG);
    Double cog = number(o, COG);
    Double heading = number(o, HEADING);
    Integer hdg = null;
    if (heading != null) {
      if (heading != Math.rint(heading)) {
        throw new RecordRejection(RejectReason.BAD_FIELD,
            key(o, HEADING) + " " + heading + " is not a whole number of degrees");
      }
      hdg = (int) Math.max(Integer.MIN_VALUE, Math.min(heading, Integer.MAX_VALUE));
    }
    Integer status = status(o);
    Integer msgType = msgType(o);
    Integer shipType = shipType(o);
    boolean aisHub = o.has("A") || o.has("B") || o.has("C") || o.has("D");
    Double length = aisHub ? sum(o, "A", "B") : sum(o, "to_bow", "to_stern");
    Double width = aisHub ? sum(o, "C", "D") : sum(o, "to_port", "to_starboard");
    Double draught = dimension(o, "DRAUGHT");
    // SOG, COG and heading as read: the Plausibility guard maps the sentinels and flags the rest
    return new PositionReport(mmsi, ts, lat, lon,
        sog == null ? null : sog / tenths, cog == null ? null : cog / tenths,
        hdg, status, msgType, aisClass(msgType), text(o, NAME), imo(o), text(o, CALLSIGN), shipType,
        length, width, draught == null ? null : draught / tenths, source, offset, null);
  }

  /** The first of {@code keys} present in {@code o} with a value that is neither null nor "". */
  private static JsonNode value(JsonNode o, List<String> keys) {
    String k = key(o, keys);
    return k == null ? null : o.get(k);
  }

  /** The first of {@code keys} present in {@code o} with a value that is neither null nor "", or null. */
  private static String key(JsonNode o, List<String> keys) {
    for (String k : keys) {
      JsonNode v = o.get(k);
      if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isBlank())) {
        return k;
      }
    }
    return null;
  }

  private static boolean isUnixTime(JsonNode v) {
    return v != null && (v.isNumber() || (v.isTextual() && isDigits(v.asText().trim())));
  }

  /** An integer from a JSON integer, an integral float ({@code 366940480.0}) or a digit string; else null. */
  private static Long integral(JsonNode v) {
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    double d = v.isNumber() ? v.doubleValue() : Double.NaN;
    if (v.isTextual()) {
      String t = v.asText().trim();
      if (isDigits(t) && t.length() <= 18) {
        return Long.parseLong(t);
      }
      d = parseDouble(t);
    }
    if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e18) {
      return (long) d;
    }
    return null;
  }

  private static long time(JsonNode v, String key) throws RecordRejection {
    double epoch = Double.NaN;
    String text = v.isTextual() ? v.asText().trim() : v.toString();
    if (v.isNumber()) {
      epoch = v.doubleValue();
    } else if (v.isTextual() && isDigits(text)) {
      epoch = parseDouble(text);
    } else if (v.isTextual()) {
      Long t = textTime(text);
      if (t != null) {
        return t;
      }
    }
    if (Double.isFinite(epoch) && epoch > 0) {
      return epoch >= MILLIS_THRESHOLD ? Math.round(epoch) : Math.round(epoch * 1000.0);
    }
    throw new RecordRejection(RejectReason.BAD_TIMESTAMP, key + " " + v
        + " is neither Unix time nor an ISO-8601 UTC time (yyyy-MM-ddTHH:mm:ss[.f][Z|+hh:mm])");
  }

  /** A text time in UTC milliseconds, or null. */
  private static Long textTime(String text) {
    String t = text;
    String upper = t.toUpperCase(Locale.ROOT);
    if (upper.endsWith(" GMT") || upper.endsWith(" UTC")) {
      t = t.substring(0, t.length() - 4).trim();
    }
    char[] b = t.toCharArray();
    long ms = CsvValues.parseTimeMillis(b, 0, b.length, false);
    if (ms != CsvValues.BAD_TIME) {
      return ms;
    }
    for (DateTimeFormatter f : List.of(DateTimeFormatter.ISO_OFFSET_DATE_TIME, OFFSET_NO_COLON)) {
      try {
        return OffsetDateTime.parse(t, f).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        // try the next layout
      }
    }
    return null;
  }

  private static double coordinate(JsonNode o, List<String> keys, double scale, RejectReason range,
      boolean isLat) throws RecordRejection {
    JsonNode v = value(o, keys);
    String name = isLat ? "latitude" : "longitude";
    if (v == null) {
      throw new RecordRejection(range, name + " absent (not available; keys " + keys + ")");
    }
    double d = toDouble(v);
    if (Double.isNaN(d)) {
      throw new RecordRejection(RejectReason.BAD_FIELD, key(o, keys) + " " + v + " is not a number");
    }
    double deg = d / scale;
    if (isLat ? !Sentinels.validLat(deg) : !Sentinels.validLon(deg)) {
      throw new RecordRejection(range, name + " " + deg + " outside [-" + (isLat ? 90 : 180) + ", "
          + (isLat ? 90 : 180) + "]" + (deg == (isLat ? Sentinels.LAT_NOT_AVAILABLE : Sentinels.LON_NOT_AVAILABLE)
              ? " (not available)" : ""));
    }
    return deg;
  }

  /** An optional number: null when absent; BAD_FIELD when present but not a number. */
  private static Double number(JsonNode o, List<String> keys) throws RecordRejection {
    JsonNode v = value(o, keys);
    if (v == null) {
      return null;
    }
    double d = toDouble(v);
    if (Double.isNaN(d)) {
      throw new RecordRejection(RejectReason.BAD_FIELD, key(o, keys) + " " + v + " is not a number");
    }
    return d;
  }

  /** A JSON number or numeric string as a finite double, else NaN. */
  private static double toDouble(JsonNode v) {
    double d = v.isNumber() ? v.doubleValue() : v.isTextual() ? parseDouble(v.asText().trim()) : Double.NaN;
    return Double.isFinite(d) ? d : Double.NaN;
  }

  /** A plain decimal ({@link CsvValues#isDecimal}: no hexadecimal floats, NaN or Infinity), else NaN. */
  private static double parseDouble(String t) {
    if (!CsvValues.isDecimal(t.toCharArray(), 0, t.length())) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static Integer status(JsonNode o) throws RecordRejection {
    JsonNode v = value(o, STATUS);
    if (v == null) {
      return null;
    }
    Long s = integral(v);
    if (s == null || s < 0 || s > 15) {
      throw new RecordRejection(RejectReason.BAD_FIELD,
          key(o, STATUS) + " " + v + " is not a navigational status 0-15 (ITU-R M.1371-5 Table 48)");
    }
    return s.intValue();
  }

  /** gpsdio's message {@code type} when it is a position type (1, 2, 3, 18, 19, 27), else 0. */
  private static int msgType(JsonNode o) {
    JsonNode v = o.get("type");
    Long t = v == null || v.isNull() ? null : integral(v);
    if (t == null) {
      return 0;
    }
    int i = (int) (long) t;
    return t == i && (i == 1 || i == 2 || i == 3 || i == 18 || i == 19 || i == 27) ? i : 0;
  }

  private static String aisClass(int msgType) {
    return switch (msgType) {
      case 1, 2, 3, 27 -> "A";
      case 18, 19 -> "B";
      default -> null;
    };
  }

  private static Integer shipType(JsonNode o) throws RecordRejection {
    JsonNode v = value(o, SHIP_TYPE);
    if (v == null) {
      return null;
    }
    Long t = integral(v);
    if (t == null) {
      throw new RecordRejection(RejectReason.BAD_FIELD, key(o, SHIP_TYPE) + " " + v + " is not a ship type code");
    }
    return t >= 1 && t <= 99 ? (int) (long) t : null;
  }

  /** {@code a + b} metres (antenna offsets), null when both are absent or the sum is 0. */
  private static Double sum(JsonNode o, String a, String b) throws RecordRejection {
    Double x = dimension(o, a);
    Double y = dimension(o, b);
    if (x == null && y == null) {
      return null;
    }
    double s = (x == null ? 0 : x) + (y == null ? 0 : y);
    return s == 0 ? null : s;
  }

  /** A dimension in the file's unit: null when absent or 0; BAD_FIELD when not a number or negative. */
  private static Double dimension(JsonNode o, String key) throws RecordRejection {
    Double d = number(o, List.of(key));
    if (d == null) {
      return null;
    }
    if (d < 0) {
      throw new RecordRejection(RejectReason.BAD_FIELD, key + " " + d + " is negative");
    }
    return d == 0 ? null : d;
  }

  private static String text(JsonNode o, List<String> keys) {
    JsonNode v = value(o, keys);
    if (v == null || v.isContainerNode()) {
      return null;
    }
    String t = v.asText();
    int s = 0;
    int e = t.length();
    while (s < e && (t.charAt(s) == ' ' || t.charAt(s) == '@')) {
      s++;
    }
    while (e > s && (t.charAt(e - 1) == ' ' || t.charAt(e - 1) == '@')) {
      e--;
    }
    return s == e ? null : t.substring(s, e);
  }

  private static String imo(JsonNode o) {
    JsonNode v = value(o, IMO);
    if (v == null) {
      return null;
    }
    String t = v.isTextual() ? v.asText().trim() : v.toString();
    if (t.regionMatches(true, 0, "IMO", 0, 3)) {
      t = t.substring(3).trim();
    }
    Long n = integral(v.isTextual() ? TextNode.valueOf(t) : v);
    return n == null || n <= 0 ? null : Long.toString(n);
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
