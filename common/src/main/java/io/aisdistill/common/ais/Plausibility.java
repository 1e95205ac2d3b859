package io.aisdistill.common.ais;

import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The plausibility rules every accepted report passes, in one place. Every parser's records go
 * through {@link #guard}, so a value outside these rules never reaches {@code ais_positions} or
 * {@code ais_static}. Per field, a broken rule either <b>rejects</b> the record (a stable
 * {@link RejectReason} in {@code ais_rejects}) or <b>nulls or caps</b> the field and records a
 * flag in the row's {@code quality_flags} ({@code CODE} or {@code CODE=original}), counted in the
 * ingest report as {@code noted.quality.CODE}:
 *
 * <table>
 *   <caption>Rules per field</caption>
 *   <tr><th>field</th><th>rule (source)</th><th>when broken</th></tr>
 *   <tr><td>time</td><td>in [{@code min}, {@code max}]: by default 2000-01-01T00:00Z to the run's
 *       start + 1 day. AIS exists since ITU-R M.1371-1 (2001); a report from the future is a clock
 *       error (NOAA MarineCadastre "BaseDateTime" is UTC of reception).</td>
 *       <td>reject {@link RejectReason#TIME_OUT_OF_RANGE}</td></tr>
 *   <tr><td>latitude, longitude</td><td>[-90, 90], [-180, 180]; 91 / 181 = not available (ITU-R
 *       M.1371-5 Table 48)</td><td>reject {@link RejectReason#LAT_OUT_OF_RANGE} /
 *       {@link RejectReason#LON_OUT_OF_RANGE}</td></tr>
 *   <tr><td>SOG, knots</td><td>[0, 102.2]; 102.3 = not available, null without a flag; 102.2
 *       means "102.2 knots or more" (ITU-R M.1371-5 Table 48, SOG field)</td>
 *       <td>102.2: kept, flag {@code SOG_AT_LIMIT}; else null, flag
 *       {@code SOG_OUT_OF_RANGE=value}</td></tr>
 *   <tr><td>COG, degrees true</td><td>[0, 360); 360.0 = not available, null without a flag (ITU-R
 *       M.1371-5 Table 48: 0-3599 in 1/10 degree, 3600 not available, 3601-4095 not to be
 *       used)</td><td>null, flag {@code COG_OUT_OF_RANGE=value}</td></tr>
 *   <tr><td>true heading, degrees</td><td>[0, 359]; 511 = not available, null without a flag
 *       (ITU-R M.1371-5 Table 48)</td><td>null, flag {@code HEADING_OUT_OF_RANGE=value}</td></tr>
 *   <tr><td>vessel name, destination</td><td>at most {@link #MAX_NAME_CHARS} characters (ITU-R
 *       M.1371-5 Tables 52 and 73: 20 six-bit characters; CSV sources may pad or append, so the cap
 *       leaves room)</td><td>cut to the cap, flag {@code VESSEL_NAME_TRUNCATED=original length}
 *       ({@code DESTINATION_TRUNCATED} is counted only: ais_static has no flag column)</td></tr>
 *   <tr><td>call sign</td><td>at most {@link #MAX_CALLSIGN_CHARS} characters (ITU-R M.1371-5: 7
 *       six-bit characters)</td><td>cut, flag {@code CALLSIGN_TRUNCATED=original length}</td></tr>
 *   <tr><td>−0.0</td><td>latitude, longitude, SOG and COG −0.0 are stored as 0.0</td>
 *       <td>normalised silently</td></tr>
 * </table>
 *
 * <p>Rules applied by the parsers themselves, before this guard: numbers are plain decimals
 * ({@code [+-]digits[.digits][e[+-]digits]}: no hexadecimal floats, {@code NaN} or
 * {@code Infinity}; otherwise {@link RejectReason#BAD_FIELD}); each CSV layout has its own date
 * format (MarineCadastre ISO-8601, DMA {@code dd/MM/yyyy}); navigational status 0-15; dimensions
 * not negative.
 *
 * <p>Static reports: the time rule applies when they carry a time (null stays null); text caps as
 * above.
 */
public final class Plausibility implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Longest vessel name or destination kept (characters). */
  public static final int MAX_NAME_CHARS = 64;
  /** Longest call sign kept (characters). */
  public static final int MAX_CALLSIGN_CHARS = 16;
  /** Highest plausible SOG in knots: 102.2 means "102.2 knots or higher" (ITU-R M.1371-5). */
  public static final double SOG_MAX = 102.2;

  /** Flag: SOG at 102.2 knots, meaning 102.2 knots or higher. */
  public static final String SOG_AT_LIMIT = "SOG_AT_LIMIT";
  /** Flag prefix: SOG outside [0, 102.2] (not the 102.3 sentinel), nulled. */
  public static final String SOG_OUT_OF_RANGE = "SOG_OUT_OF_RANGE";
  /** Flag prefix: COG outside [0, 360), nulled. */
  public static final String COG_OUT_OF_RANGE = "COG_OUT_OF_RANGE";
  /** Flag prefix: heading outside [0, 359] and not 511, nulled. */
  public static final String HEADING_OUT_OF_RANGE = "HEADING_OUT_OF_RANGE";
  /** Flag prefix: vessel name longer than {@link #MAX_NAME_CHARS}, cut. */
  public static final String VESSEL_NAME_TRUNCATED = "VESSEL_NAME_TRUNCATED";
  /** Flag prefix: call sign longer than {@link #MAX_CALLSIGN_CHARS}, cut. */
  public static final String CALLSIGN_TRUNCATED = "CALLSIGN_TRUNCATED";
  /** Note (static reports only): destination longer than {@link #MAX_NAME_CHARS}, cut. */
  public static final String DESTINATION_TRUNCATED = "DESTINATION_TRUNCATED";

  private final long minMillis;
  private final long maxMillis;

  /**
   * @param minMillis earliest plausible report time, UTC epoch milliseconds
   * @param maxMillis latest plausible report time, UTC epoch milliseconds
   * @throws IllegalArgumentException when {@code minMillis > maxMillis}
   */
  public Plausibility(long minMillis, long maxMillis) {
    if (minMillis > maxMillis) {
      throw new IllegalArgumentException("plausible time range is empty: " + Instant.ofEpochMilli(minMillis)
          + " > " + Instant.ofEpochMilli(maxMillis));
    }
    this.minMillis = minMillis;
    this.maxMillis = maxMillis;
  }

  /**
   * The rules of a run.
   *
   * @param minTime earliest plausible time, ISO-8601 UTC ({@code 2000-01-01T00:00:00Z})
   * @param maxAheadS seconds after {@code runStart} still plausible (clock skew, time zones)
   * @param runStart the run's start
   * @throws IllegalArgumentException when {@code minTime} is not an ISO-8601 instant or the range
   *     is empty
   */
  public static Plausibility of(String minTime, long maxAheadS, Instant runStart) {
    Instant min;
    try {
      min = Instant.parse(minTime);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("ingest.min_time '" + minTime
          + "' is not an ISO-8601 UTC time like 2000-01-01T00:00:00Z");
    }
    return new Plausibility(min.toEpochMilli(), runStart.plusSeconds(maxAheadS).toEpochMilli());
  }

  /** The defaults: 2000-01-01T00:00Z to {@code runStart} + 1 day. */
  public static Plausibility defaults(Instant runStart) {
    return of("2000-01-01T00:00:00Z", 86_400, runStart);
  }

  /** Earliest plausible time, UTC epoch milliseconds. */
  public long minMillis() {
    return minMillis;
  }

  /** Latest plausible time, UTC epoch milliseconds. */
  public long maxMillis() {
    return maxMillis;
  }

  /**
   * A position after the rules: either {@code report} (normalised, flags set) or a reject reason.
   *
   * @param report the normalised report, null when rejected
   * @param reason why it is rejected, null when accepted
   * @param detail the reject's detail, null when accepted
   */
  public record Checked(PositionReport report, RejectReason reason, String detail) {}

  /**
   * Applies the rules to a position as parsed: SOG, COG and heading as read (sentinels included).
   *
   * @return the accepted, normalised report, or the reject reason and detail
   */
  public Checked check(PositionReport p) {
    String timeProblem = timeProblem(p.tsMillis());
    if (timeProblem != null) {
      return new Checked(null, RejectReason.TIME_OUT_OF_RANGE, timeProblem);
    }
    if (!Sentinels.validLat(p.lat())) {
      return new Checked(null, RejectReason.LAT_OUT_OF_RANGE, "latitude " + p.lat()
          + (p.lat() == Sentinels.LAT_NOT_AVAILABLE ? " = not available" : " outside [-90, 90]"));
    }
    if (!Sentinels.validLon(p.lon())) {
      return new Checked(null, RejectReason.LON_OUT_OF_RANGE, "longitude " + p.lon()
          + (p.lon() == Sentinels.LON_NOT_AVAILABLE ? " = not available" : " outside [-180, 180]"));
    }
    List<String> flags = p.qualityFlags() == null ? new ArrayList<>(2) : new ArrayList<>(p.qualityFlags());
    Double sog = p.sog();
    if (sog != null) {
      double v = sog;
      if (v == Sentinels.SOG_NOT_AVAILABLE || Double.isNaN(v)) {
        sog = null;
      } else if (v < 0 || v > SOG_MAX) {
        flags.add(SOG_OUT_OF_RANGE + "=" + v);
        sog = null;
      } else {
        if (v == SOG_MAX) {
          flags.add(SOG_AT_LIMIT);
        }
        sog = v + 0.0;   // -0.0 -> 0.0
      }
    }
    Double cog = p.cog();
    if (cog != null) {
      double v = cog;
      if (v == Sentinels.COG_NOT_AVAILABLE || Double.isNaN(v)) {
        cog = null;
      } else if (v < 0 || v >= 360.0) {
        flags.add(COG_OUT_OF_RANGE + "=" + v);
        cog = null;
      } else {
        cog = v + 0.0;
      }
    }
    Integer heading = p.heading();
    if (heading != null) {
      int v = heading;
      if (v == Sentinels.HEADING_NOT_AVAILABLE) {
        heading = null;
      } else if (v < 0 || v > 359) {
        flags.add(HEADING_OUT_OF_RANGE + "=" + v);
        heading = null;
      }
    }
    String name = cap(p.vesselName(), MAX_NAME_CHARS, VESSEL_NAME_TRUNCATED, flags);
    String callsign = cap(p.callsign(), MAX_CALLSIGN_CHARS, CALLSIGN_TRUNCATED, flags);
    PositionReport out = new PositionReport(p.mmsi(), p.tsMillis(), p.lat() + 0.0, p.lon() + 0.0, sog, cog,
        heading, p.navStatus(), p.msgType(), p.aisClass(), name, p.imo(), callsign, p.shipType(), p.lengthM(),
        p.widthM(), p.draftM(), p.source(), p.sourceRecord(), flags.isEmpty() ? null : List.copyOf(flags));
    return new Checked(out, null, null);
  }

  /**
   * Applies the time rule and the text caps to a static report.
   *
   * @param notes receives the codes of the fields cut (one entry per field)
   * @return the report with text fields cut to their caps, or null when its time is out of range
   *     (use {@link #timeProblem} for the reason)
   */
  public StaticReport check(StaticReport s, List<String> notes) {
    if (s.tsMillis() != null && timeProblem(s.tsMillis()) != null) {
      return null;
    }
    String name = cap(s.vesselName(), MAX_NAME_CHARS, VESSEL_NAME_TRUNCATED, notes);
    String callsign = cap(s.callsign(), MAX_CALLSIGN_CHARS, CALLSIGN_TRUNCATED, notes);
    String destination = cap(s.destination(), MAX_NAME_CHARS, DESTINATION_TRUNCATED, notes);
    if (name == s.vesselName() && callsign == s.callsign() && destination == s.destination()) {
      return s;
    }
    return new StaticReport(s.mmsi(), s.tsMillis(), s.msgType(), name, s.imo(), callsign, s.shipType(),
        s.lengthM(), s.widthM(), s.draftM(), destination, s.source(), s.sourceRecord());
  }

  /**
   * Why a time is implausible, or null when it is inside [{@link #minMillis}, {@link #maxMillis}].
   *
   * @param tsMillis UTC epoch milliseconds
   */
  public String timeProblem(long tsMillis) {
    if (tsMillis < minMillis) {
      return "time " + Instant.ofEpochMilli(tsMillis) + " is before " + Instant.ofEpochMilli(minMillis)
          + " (ingest.min_time)";
    }
    if (tsMillis > maxMillis) {
      return "time " + Instant.ofEpochMilli(tsMillis) + " is after " + Instant.ofEpochMilli(maxMillis)
          + " (run start + ingest.max_time_ahead_s)";
    }
    return null;
  }

  private static String cap(String text, int max, String code, List<String> flags) {
    if (text == null || text.length() <= max) {
      return text;
    }
    flags.add(code + "=" + text.length());
    int end = max;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;   // never cut a surrogate pair in two
    }
    return text.substring(0, end);
  }

  /**
   * {@code parser} with these rules applied to everything it reports: a position or static report
   * outside them becomes a reject (the current line as {@code raw}); flags and cut fields are
   * noted ({@code RecordSink.note("quality.CODE")}).
   */
  public LineParser guard(LineParser parser) {
    return new Guarded(parser, this);
  }

  /** A parser whose records pass the rules. */
  private static final class Guarded implements LineParser {
    private final LineParser inner;
    private final Plausibility rules;
    private final GuardSink sink = new GuardSink();

    Guarded(LineParser inner, Plausibility rules) {
      this.inner = inner;
      this.rules = rules;
    }

    @Override
    public void line(long offset, String line, RecordSink out) {
      sink.out = out;
      sink.line = line;
      inner.line(offset, line, sink);
    }

    @Override
    public void finish(RecordSink out) {
      sink.out = out;
      sink.line = "";
      inner.finish(sink);
    }

    private final class GuardSink implements RecordSink {
      RecordSink out;
      String line;
      final List<String> notes = new ArrayList<>(2);

      @Override
      public void position(PositionReport p) {
        Checked c = rules.check(p);
        if (c.reason() != null) {
          out.reject(RejectRecord.of(p.source(), p.sourceRecord(), raw(), c.reason(), c.detail()));
          return;
        }
        if (c.report().qualityFlags() != null) {
          for (String f : c.report().qualityFlags()) {
            int eq = f.indexOf('=');
            out.note("quality." + (eq < 0 ? f : f.substring(0, eq)));
          }
        }
        out.position(c.report());
      }

      @Override
      public void staticReport(StaticReport s) {
        notes.clear();
        StaticReport c = rules.check(s, notes);
        if (c == null) {
          out.reject(RejectRecord.of(s.source(), s.sourceRecord(), raw(), RejectReason.TIME_OUT_OF_RANGE,
              rules.timeProblem(s.tsMillis())));
          return;
        }
        for (String f : notes) {
          out.note("quality." + f.substring(0, f.indexOf('=')));
        }
        out.staticReport(c);
      }

      @Override
      public void reject(RejectRecord r) {
        out.reject(r);
      }

      @Override
      public void skipped(String kind) {
        out.skipped(kind);
      }

      @Override
      public void note(String kind) {
        out.note(kind);
      }

      private String raw() {
        int n = line.length();
        return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line;
      }
    }
  }
}
