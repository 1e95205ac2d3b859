package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.RejectReason;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Time sources of raw AIS logs, each converted to UTC milliseconds since the Unix epoch. All
 * methods are pure; the precedence between the sources is decided by {@link NmeaLineParser}.
 */
final class NmeaTimes {
  private NmeaTimes() {}

  /** A USCG NAIS trailer time: 10 digits of Unix seconds, optionally with a fraction. */
  private static final Pattern UNIX_SECONDS = Pattern.compile("\\d{10}(\\.\\d+)?");
  /** Epoch values above this are taken as milliseconds (13 digits), below as seconds. */
  private static final long MILLIS_THRESHOLD = 100_000_000_000L;

  /**
   * The tag-block {@code c:} parameter (IEC 61162-1 §7.9.3 "UNIX time": seconds, or milliseconds
   * when 13 digits), or null when the block has no {@code c:}.
   *
   * @throws RecordRejection {@link RejectReason#BAD_TIMESTAMP} when {@code c:} is not a number
   */
  static Long tagBlock(Map<String, String> tags) throws RecordRejection {
    String c = tags.get("c");
    if (c == null) {
      return null;
    }
    try {
      long v = Long.parseLong(c.trim());
      if (v <= 0) {
        throw new NumberFormatException();
      }
      return v >= MILLIS_THRESHOLD ? v : v * 1000L;
    } catch (NumberFormatException e) {
      throw new RecordRejection(RejectReason.BAD_TIMESTAMP, "tag block c:'" + c + "' is not a Unix time");
    }
  }

  /**
   * Gatehouse {@code $PGHP,1,yyyy,m,d,h,mi,s,ms,...} (message type 1): the UTC time of the sentence
   * that follows; null when the fields are not a type-1 PGHP or not a valid date/time.
   */
  static Long pghp(List<String> fields) {
    if (fields.size() < 9 || !"1".equals(fields.get(1))) {
      return null;
    }
    try {
      LocalDateTime t = LocalDateTime.of(
          Integer.parseInt(fields.get(2)), Integer.parseInt(fields.get(3)), Integer.parseInt(fields.get(4)),
          Integer.parseInt(fields.get(5)), Integer.parseInt(fields.get(6)), Integer.parseInt(fields.get(7)));
      int ms = Integer.parseInt(fields.get(8));
      if (ms < 0 || ms > 999) {
        return null;
      }
      return t.toInstant(ZoneOffset.UTC).toEpochMilli() + ms;
    } catch (NumberFormatException | DateTimeException e) {
      return null;
    }
  }

  /**
   * {@code $xxRMC,hhmmss.ss,status,lat,N,lon,E,sog,cog,ddmmyy,...} (IEC 61162-1 RMC): the UTC
   * date+time of the fix, or null when time or date are empty/invalid. Two-digit years 80-99 are
   * 19xx, 00-79 are 20xx.
   */
  static Long rmc(List<String> fields) {
    if (fields.size() < 10) {
      return null;
    }
    String hms = fields.get(1);
    String dmy = fields.get(9);
    if (hms.length() < 6 || dmy.length() != 6) {
      return null;
    }
    try {
      int yy = Integer.parseInt(dmy.substring(4, 6));
      LocalDate d = LocalDate.of(yy >= 80 ? 1900 + yy : 2000 + yy,
          Integer.parseInt(dmy.substring(2, 4)), Integer.parseInt(dmy.substring(0, 2)));
      double secs = Double.parseDouble(hms.substring(4));
      if (secs < 0 || secs >= 61) {
        return null;
      }
      LocalDateTime t = d.atTime(Integer.parseInt(hms.substring(0, 2)), Integer.parseInt(hms.substring(2, 4)));
      return t.toInstant(ZoneOffset.UTC).toEpochMilli() + Math.round(secs * 1000.0);
    } catch (NumberFormatException | DateTimeException e) {
      return null;
    }
  }

  /**
   * USCG NAIS trailer after the checksum ({@code r<receiver>,<unix>}, {@code <unix>,<unix>} or
   * {@code d-109,S2105,t...,T...,r003669946,<unix>,<unix>}): the first field that is a 10-digit
   * Unix time in seconds, or null when there is none.
   */
  static Long trailer(String trailer) {
    if (trailer.isEmpty()) {
      return null;
    }
    for (String f : trailer.split(",")) {
      String v = f.trim();
      if (UNIX_SECONDS.matcher(v).matches()) {
        return Math.round(Double.parseDouble(v) * 1000.0);
      }
    }
    return null;
  }
}
