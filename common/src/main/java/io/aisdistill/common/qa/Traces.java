package io.aisdistill.common.qa;

import io.aisdistill.common.ais.NavStatus;
import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Reasoning traces that derive a window-v2 fact from the observed rows, step by step, the way an
 * analyst would with the table in front of them: "First row 10:02:11, last row 10:58:40.
 * 10:58:40 - 10:02:11 = 3389 s. 3389 / 60 = 56.48 min."
 *
 * <p>The notation is what {@link io.aisdistill.common.judge.TraceChecker} checks: every number in
 * a trace is a value of the prompt (a cell, the identity line, the question), a rule constant, a
 * leg or interval between consecutive rows ({@code Legs (nm): a + b + ... = s},
 * {@code Intervals (s): a, b, ...}), a geodesic between shown points
 * ({@code geodesic (lat, lon) -> (lat, lon): d nm, bearing b°}), a course change between two
 * consecutive rows ({@code 123° -> 145°: +22°}), a heading/COG difference
 * ({@code heading 130, COG 123: 7°}), or the result of a computation on such numbers written
 * {@code expression = result} (+, -, x, /, parentheses; times of day subtract to seconds and add
 * seconds). Leg lengths have 2 decimals, speeds 1 or 2, times are {@code HH:MM:SS} as in the table.
 */
public final class Traces {
  private Traces() {}

  /**
   * The trace deriving fact {@code key} for {@code w}.
   *
   * @throws IllegalArgumentException when {@code key} has no derivation
   * @throws NullPointerException when the fact is null for {@code w} (callers ask only supported facts)
   */
  public static String of(String key, TrackWindow w) {
    Observation o = Observation.of(w);
    return switch (key) {
      case "ship_type_group" -> "The identity line gives AIS ship type code " + w.vessel().shipType()
          + ". In ITU-R M.1371 Table 53 that code belongs to the group: " + WindowFacts.value(key, w) + ".";
      case "flag_state" -> "MMSI " + w.mmsi() + ": its Maritime Identification Digits are the first three digits, "
          + String.valueOf(w.mmsi()).substring(0, 3) + ", allocated to " + WindowFacts.value(key, w) + ".";
      case "length_m" -> "The identity line gives length " + WindowFacts.fmt(w.vessel().lengthM(), 0) + " metres.";
      case "duration_min" -> duration(o);
      case "report_count" -> "Counting the rows of the table from " + t(o, 0) + " to " + t(o, o.n() - 1) + ": "
          + o.n() + " rows.";
      case "median_interval_s" -> medianInterval(o);
      case "max_gap_min", "max_gap_start" -> maxGap(o);
      case "sog_mean_kn" -> sogMean(o, o.sogRows(), "SOG values (kn)") + ".";
      case "sog_max_kn", "sog_max_time" -> sogExtreme(w, o, true);
      case "sog_min_kn" -> sogExtreme(w, o, false);
      case "implied_speed_kn" -> impliedSpeed(o);
      case "sog_first_half_kn", "sog_second_half_kn", "speed_trend" -> halves(w, o);
      case "largest_sog_change_kn" -> largestSogChange(o);
      case "partial_speed_kn" -> partialSpeed(o);
      case "distance_nm" -> legsSum(o, 0, o.n() - 1);
      case "displacement_nm", "bearing_deg" -> "First row " + t(o, 0) + ", last row " + t(o, o.n() - 1) + ": "
          + geodesic(o.rows().get(0), o.rows().get(o.n() - 1)) + ".";
      case "bearing_compass" -> bearingCompass(w, o);
      case "eta_min", "reach_by" -> eta(w, o);
      case "stop_count", "first_stop_start", "first_stop_min", "longest_stop_min", "stopped_min" -> stops(key, o);
      case "stationary_pct" -> stationaryShare(o) + ".";
      case "behaviour" -> behaviour(w, o);
      case "status_consistent" -> statusConsistent(w, o);
      case "turn_count", "largest_turn_deg", "largest_turn_side", "total_turn_deg" -> turns(key, o);
      case "max_leg_speed_kn", "teleport" -> fastestLeg(key, o);
      case "heading_cog_max_diff_deg", "heading_cog_disagreements" -> headingCog(o);
      case "sog_missing" -> rowsWhere(o, "SOG '-'", i -> o.rows().get(i).sog() == null);
      case "sog_overflow_reports" -> rowsWhere(o, "SOG 102.2 (102.2 knots or more, not a speed)",
          i -> o.rows().get(i).sog() != null && o.sog(i) == null);
      default -> throw new IllegalArgumentException("no derivation for fact " + key);
    };
  }

  // ---------------------------------------------------------------- pieces

  /** The time of row i as the table shows it (HH:MM:SS). */
  static String t(Observation o, int i) {
    return WindowFacts.clock(o.time(i));
  }

  static String f(double v, int decimals) {
    return WindowFacts.fmt(v, decimals);
  }

  private static String duration(Observation o) {
    long d = o.durationS();
    return "First row " + t(o, 0) + ", last row " + t(o, o.n() - 1) + ": " + t(o, o.n() - 1) + " - " + t(o, 0) + " = "
        + d + " s; " + d + " / 60 = " + f(d / 60.0, 2) + " min.";
  }

  private static String impliedSpeed(Observation o) {
    return legsSum(o, 0, o.n() - 1) + " " + duration(o) + " "
        + (o.durationS() > 0 ? speed(o.distanceNm(), o.durationS()) : "No time passes.");
  }

  private static String speed(double nm, long seconds) {
    return "Speed: " + f(nm, 3) + " / (" + seconds + " / 3600) = " + f(nm / (seconds / 3600.0), 2) + " kn.";
  }

  private static String intervals(Observation o) {
    StringJoiner j = new StringJoiner(", ", "Intervals (s): ", ".");
    for (int i = 1; i < o.n(); i++) {
      j.add(Long.toString(o.interval(i)));
    }
    return j.toString();
  }

  private static String medianInterval(Observation o) {
    long[] iv = o.sortedIntervals();
    int k = iv.length;
    StringBuilder s = new StringBuilder(intervals(o)).append(" Sorted, the ").append(k).append(" intervals have ");
    if (k % 2 == 1) {
      s.append("the middle value ").append(iv[k / 2]).append(" s.");
    } else {
      s.append("the middle values ").append(iv[k / 2 - 1]).append(" and ").append(iv[k / 2]).append(": (")
          .append(iv[k / 2 - 1]).append(" + ").append(iv[k / 2]).append(") / 2 = ")
          .append(f((iv[k / 2 - 1] + iv[k / 2]) / 2.0, 1)).append(" s.");
    }
    return s.toString();
  }

  private static String maxGap(Observation o) {
    int k = o.maxGapLeg();
    long d = o.interval(k);
    return intervals(o) + " The largest is between " + t(o, k - 1) + " and " + t(o, k) + ": " + t(o, k) + " - "
        + t(o, k - 1) + " = " + d + " s; " + d + " / 60 = " + f(d / 60.0, 2) + " min, starting at " + t(o, k - 1) + ".";
  }

  /** "SOG values (kn): a + b + ... = s; s / k = mean kn" over the valid SOG of rows {@code idx}. */
  private static String sogMean(Observation o, List<Integer> idx, String label) {
    StringJoiner j = new StringJoiner(" + ", label + ": ", "");
    double sum = 0;
    int k = 0;
    for (int i : idx) {
      if (o.sog(i) != null) {
        j.add(f(o.sog(i), 1));
        sum += o.sog(i);
        k++;
      }
    }
    return j + " = " + f(sum, 1) + "; " + f(sum, 1) + " / " + k + " = " + f(sum / k, 2) + " kn";
  }

  private static String sogList(Observation o) {
    StringJoiner j = new StringJoiner(", ", "SOG by row (kn): ", "");
    for (int i = 0; i < o.n(); i++) {
      j.add(o.sog(i) == null ? "-" : f(o.sog(i), 1));
    }
    return j.toString();
  }

  private static String sogExtreme(TrackWindow w, Observation o, boolean max) {
    int i = WindowFacts.sogExtreme(w, max);
    return sogList(o) + ". The " + (max ? "highest" : "lowest") + " is " + f(o.sog(i), 1) + " kn, first at " + t(o, i)
        + ".";
  }

  private static String legsSum(Observation o, int from, int to) {
    StringJoiner j = new StringJoiner(" + ", "Legs (nm) from " + t(o, from) + " to " + t(o, to) + ": ", "");
    for (int i = from + 1; i <= to; i++) {
      j.add(f(o.leg(i), 3));
    }
    return j + " = " + f(o.distanceNm(from, to), 3) + " nm.";
  }

  private static String halves(TrackWindow w, Observation o) {
    long d = o.durationS();
    String mid = WindowFacts.clock((long) Math.floor(o.midTime()));
    double[] h = WindowFacts.halves(w);
    double diff = h[1] - h[0];
    String trend = diff >= WindowFacts.TREND_KN ? "at least 1.0 kn faster: accelerating"
        : diff <= -WindowFacts.TREND_KN ? "at least 1.0 kn slower: decelerating" : "within 1.0 kn: steady";
    return "Duration: " + t(o, o.n() - 1) + " - " + t(o, 0) + " = " + d + " s. Half time: " + t(o, 0) + " + " + d
        + " / 2 s = " + mid + ". First half (rows up to " + mid + "): "
        + sogMean(o, o.half(true), "SOG (kn)") + ". Second half: " + sogMean(o, o.half(false), "SOG (kn)")
        + ". Difference: " + f(h[1], 2) + " - " + f(h[0], 2) + " = " + f(diff, 2) + " kn, " + trend + ".";
  }

  private static String largestSogChange(Observation o) {
    int best = -1;
    for (int i = 1; i < o.n(); i++) {
      if (o.sog(i) != null && o.sog(i - 1) != null
          && (best < 0 || Math.abs(o.sog(i) - o.sog(i - 1)) > Math.abs(o.sog(best) - o.sog(best - 1)))) {
        best = i;
      }
    }
    double a = o.sog(best - 1);
    double b = o.sog(best);
    return sogList(o) + ". The largest change between consecutive rows is from " + t(o, best - 1) + " to "
        + t(o, best) + ": " + f(Math.max(a, b), 1) + " - " + f(Math.min(a, b), 1) + " = " + f(Math.abs(b - a), 1)
        + " kn (" + (b >= a ? "up" : "down") + ").";
  }

  private static String partialSpeed(Observation o) {
    int[] ab = o.partialRows();
    long d = o.time(ab[1]) - o.time(ab[0]);
    return legsSum(o, ab[0], ab[1]) + " Time: " + t(o, ab[1]) + " - " + t(o, ab[0]) + " = " + d + " s. "
        + speed(o.distanceNm(ab[0], ab[1]), d);
  }

  /** "geodesic (lat, lon) -> (lat, lon): d nm, bearing b°" between two points. */
  static String geodesic(double lat1, double lon1, double lat2, double lon2) {
    double d = Geo.distanceNm(lat1, lon1, lat2, lon2);
    String s = "geodesic (" + f(lat1, 5) + ", " + f(lon1, 5) + ") -> (" + f(lat2, 5) + ", " + f(lon2, 5) + "): "
        + f(d, 3) + " nm";
    if (d >= WindowFacts.MIN_BEARING_DISPLACEMENT_NM) {
      s += ", bearing " + Math.round(Geo.bearingDeg(lat1, lon1, lat2, lon2)) % 360 + "°";
    }
    return s;
  }

  private static String geodesic(TrackPoint a, TrackPoint b) {
    return geodesic(a.lat(), a.lon(), b.lat(), b.lon());
  }

  private static String bearingCompass(TrackWindow w, Observation o) {
    double b = WindowFacts.bearing(w);
    long r = Math.round(b) % 360;
    int sector = (int) Math.floor((b + 22.5) / 45.0) % 8;
    double lo = sector * 45.0 - 22.5;
    String range = sector == 0 ? "337.5° to 22.5°" : f(lo, 1) + "° to " + f(lo + 45.0, 1) + "°";
    return "First row " + t(o, 0) + ", last row " + t(o, o.n() - 1) + ": "
        + geodesic(o.rows().get(0), o.rows().get(o.n() - 1)) + ". " + r + "° lies in the sector " + range + ": "
        + WindowFacts.COMPASS.get(sector) + ".";
  }

  private static String eta(TrackWindow w, Observation o) {
    int last = o.n() - 1;
    double[] p = o.etaTarget();
    TrackPoint lr = o.rows().get(last);
    double d = Geo.distanceNm(lr.lat(), lr.lon(), p[0], p[1]);
    double sog = o.sog(last);
    double eta = WindowFacts.etaMin(w);
    long etaS = Math.round(eta * 60.0);
    long arrival = o.time(last) + etaS;
    long deadline = o.etaDeadline();
    return "Last row " + t(o, last) + ": SOG " + f(sog, 1) + " kn. " + geodesic(lr.lat(), lr.lon(), p[0], p[1])
        + ". Time needed: " + f(d, 3) + " / " + f(sog, 1) + " x 60 = " + f(eta, 2) + " min; " + f(eta, 2) + " x 60 = "
        + etaS + " s. Arrival: " + t(o, last) + " + " + etaS + " s = " + WindowFacts.clock(arrival) + "; deadline "
        + WindowFacts.clock(deadline) + ": " + (arrival <= deadline ? "in time" : "too late") + ".";
  }

  private static String stops(String key, Observation o) {
    List<Observation.Stop> stops = o.stops();
    StringBuilder s = new StringBuilder("Stops are runs of rows that stay within 100 m of each other for at least 300 s. ");
    if (stops.isEmpty()) {
      return s.append("No run of rows qualifies: 0 stops.").toString();
    }
    List<String> durations = new ArrayList<>();
    for (int k = 0; k < stops.size(); k++) {
      Observation.Stop st = stops.get(k);
      s.append(k == 0 ? "" : " ").append("Stop ").append(k + 1).append(": rows ").append(t(o, st.first())).append(" to ")
          .append(t(o, st.last())).append(", ").append(t(o, st.last())).append(" - ").append(t(o, st.first()))
          .append(" = ").append(st.durationS()).append(" s.");
      durations.add(Long.toString(st.durationS()));
    }
    s.append(" ").append(stops.size()).append(stops.size() == 1 ? " stop" : " stops");
    switch (key) {
      case "first_stop_start" -> s.append("; the first starts at ").append(t(o, stops.get(0).first())).append(" and lasts ")
          .append(stops.get(0).durationS()).append(" / 60 = ").append(f(stops.get(0).durationS() / 60.0, 2))
          .append(" min.");
      case "first_stop_min" -> s.append("; the first lasts ").append(stops.get(0).durationS()).append(" / 60 = ")
          .append(f(stops.get(0).durationS() / 60.0, 2)).append(" min.");
      case "longest_stop_min" -> {
        long max = stops.stream().mapToLong(Observation.Stop::durationS).max().orElseThrow();
        s.append("; the longest lasts ").append(max).append(" / 60 = ").append(f(max / 60.0, 2)).append(" min.");
      }
      case "stopped_min" -> {
        long sum = stops.stream().mapToLong(Observation.Stop::durationS).sum();
        s.append(". Total: ").append(durations.size() > 1 ? String.join(" + ", durations) + " = " : "").append(sum)
            .append(" s; ").append(sum).append(" / 60 = ").append(f(sum / 60.0, 2)).append(" min.");
      }
      default -> s.append('.');
    }
    return s.toString();
  }

  private static String stationaryShare(Observation o) {
    List<Integer> r = o.sogRows();
    long below = r.stream().filter(i -> o.sog(i) < Observation.STATIONARY_SOG_KN).count();
    return "Rows with SOG below 0.5 kn: " + below + " of the " + r.size() + " rows with SOG; " + below + " / " + r.size()
        + " x 100 = " + f(100.0 * below / r.size(), 1) + " %";
  }

  private static String dominantStatus(Observation o) {
    Integer dom = o.dominantNavStatus();
    if (dom == null) {
      return "No row reports a nav status.";
    }
    long rows = o.rows().stream().filter(p -> dom.equals(p.navStatus())).count();
    return "Most frequent nav status: " + dom + " (" + NavStatus.text(dom) + ", " + rows + " of " + o.n() + " rows).";
  }

  private static String behaviour(TrackWindow w, Observation o) {
    StringBuilder s = new StringBuilder();
    boolean stationary = WindowFacts.stationary(w);
    if (!o.sogRows().isEmpty()) {
      s.append(stationaryShare(o)).append(stationary ? " >= 50 %: stationary. " : " < 50 %: not stationary. ");
    } else {
      s.append("No row has a SOG. ").append(impliedSpeed(o))
          .append(stationary ? " Below 1 kn: stationary. " : " At least 1 kn: not stationary. ");
    }
    String label = WindowFacts.behaviour(w);
    if (stationary) {
      return s.append(dominantStatus(o)).append(" So: ").append(label).append('.').toString();
    }
    double speed = WindowFacts.speed(w);
    if (!o.sogRows().isEmpty()) {
      s.append(sogMean(o, o.sogRows(), "Mean SOG (kn)")).append(speed >= WindowFacts.UNDERWAY_MIN_KN ? " (>= 3)." : " (< 3).");
    }
    if (speed >= WindowFacts.UNDERWAY_MIN_KN) {
      double dist = o.distanceNm();
      double disp = o.displacementNm();
      if (!o.sogRows().isEmpty()) {
        s.append(' ').append(legsSum(o, 0, o.n() - 1));
      }
      s.append(" First to last row: ").append(geodesic(o.rows().get(0), o.rows().get(o.n() - 1))).append(". Straightness: ")
          .append(f(disp, 3)).append(" / ").append(f(dist, 3)).append(" = ").append(f(dist > 0 ? disp / dist : 0, 2))
          .append(dist > 0 && disp / dist >= WindowFacts.UNDERWAY_MIN_STRAIGHTNESS ? " (>= 0.5)" : " (< 0.5)");
    }
    return s.append(". So: ").append(label).append('.').toString().replace(". .", ".").replace("..", ".");
  }

  private static String statusConsistent(TrackWindow w, Observation o) {
    int dom = o.dominantNavStatus();
    double speed = WindowFacts.speed(w);
    String speedText = o.sogRows().isEmpty() ? impliedSpeed(o) : sogMean(o, o.sogRows(), "Mean SOG (kn)") + ".";
    boolean moving = speed >= WindowFacts.STATUS_MOVING_KN;
    String expectation = dom == 0 ? "status 0 (under way using engine) expects movement (1.0 kn or more)"
        : "status " + dom + " (" + NavStatus.text(dom) + ") expects no movement (below 1.0 kn)";
    return dominantStatus(o) + " " + speedText + " The " + expectation + "; the vessel "
        + (moving ? "moves" : "does not move") + ": " + ((dom == 0) == moving ? "consistent" : "inconsistent") + ".";
  }

  private static String turns(String key, Observation o) {
    List<Observation.CourseChange> cs = o.courseChanges();
    StringBuilder s = new StringBuilder("Course changes between consecutive rows moving at 2 kn or more: ");
    if (cs.isEmpty()) {
      return s.append("none (no two consecutive moving rows with COG).").toString();
    }
    StringJoiner j = new StringJoiner(", ");
    for (Observation.CourseChange c : cs) {
      j.add(t(o, c.row()) + " " + Math.round(c.fromDeg()) + "° -> " + Math.round(c.toDeg()) + "°: " + signed(c.deltaDeg()));
    }
    s.append(j).append('.');
    if (key.equals("total_turn_deg")) {
      StringJoiner sum = new StringJoiner(" + ");
      double total = 0;
      for (Observation.CourseChange c : cs) {
        sum.add(Long.toString(Math.round(Math.abs(c.deltaDeg()))));
        total += Math.abs(c.deltaDeg());
      }
      return s.append(" Total: ").append(sum).append(" = ").append(Math.round(total)).append("°.").toString();
    }
    s.append(" Turns (runs of same-side changes of at least 5° summing to 30° or more): ");
    List<Observation.Turn> turns = o.turns();
    if (turns.isEmpty()) {
      return s.append("none: 0 turns.").toString();
    }
    StringJoiner tj = new StringJoiner("; ");
    for (Observation.Turn t : turns) {
      StringJoiner parts = new StringJoiner(" + ");
      for (int k = t.firstChange(); k <= t.lastChange(); k++) {
        parts.add(Long.toString(Math.round(Math.abs(cs.get(k).deltaDeg()))));
      }
      tj.add(t(o, cs.get(t.firstChange()).row() - 1) + " to " + t(o, cs.get(t.lastChange()).row()) + ": "
          + (t.firstChange() == t.lastChange() ? parts.toString() : parts + " = " + Math.round(Math.abs(t.sumDeg())))
          + (t.sumDeg() > 0 ? "° to starboard" : "° to port"));
    }
    s.append(tj).append(". ").append(turns.size()).append(turns.size() == 1 ? " turn" : " turns");
    Observation.Turn big = WindowFacts.largestTurn(o.window());
    return s.append("; the largest is ").append(Math.round(Math.abs(big.sumDeg()))).append("° to ")
        .append(big.sumDeg() > 0 ? "starboard" : "port").append('.').toString();
  }

  private static String signed(double deg) {
    long r = Math.round(deg);
    return (r > 0 ? "+" : "") + r + "°";
  }

  private static String fastestLeg(String key, Observation o) {
    int i = o.fastestLeg();
    double v = o.legSpeedKn(i);
    String s = "Fastest leg: " + t(o, i - 1) + " -> " + t(o, i) + ", " + geodesic(o.rows().get(i - 1), o.rows().get(i))
        + "; time " + t(o, i) + " - " + t(o, i - 1) + " = " + o.interval(i) + " s; speed " + f(o.leg(i), 3) + " / ("
        + o.interval(i) + " / 3600) = " + f(v, 1) + " kn.";
    if (key.equals("teleport")) {
      boolean jump = "yes".equals(WindowFacts.value("teleport", o.window()));
      s += jump ? " A leg over 0.25 nm at more than 50 kn is an implausible jump: yes."
          : " No leg over 0.25 nm exceeds 50 kn: no jump.";
    }
    return s;
  }

  private static String headingCog(Observation o) {
    StringJoiner j = new StringJoiner(", ", "Rows moving at 2 kn or more with heading and COG: ", ".");
    double max = -1;
    int count = 0;
    for (int i = 0; i < o.n(); i++) {
      TrackPoint p = o.rows().get(i);
      Double d = o.headingCogDiffDeg(i);
      if (d != null) {
        j.add(t(o, i) + " heading " + p.heading() + ", COG " + Math.round(p.cog()) + ": " + Math.round(d) + "°");
        max = Math.max(max, d);
        if (d > WindowFacts.HEADING_COG_DISAGREE_DEG) {
          count++;
        }
      }
    }
    return j + " Largest difference " + Math.round(max) + "°; differences above 45°: " + count + ".";
  }

  private static String rowsWhere(Observation o, String what, java.util.function.IntPredicate p) {
    StringJoiner j = new StringJoiner(", ");
    int k = 0;
    for (int i = 0; i < o.n(); i++) {
      if (p.test(i)) {
        j.add(t(o, i));
        k++;
      }
    }
    return "Rows with " + what + ": " + (k == 0 ? "none" : j.toString()) + ". Count: " + k + ".";
  }
}
