package io.aisdistill.common.judge;

import io.aisdistill.common.qa.Observation;
import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.TrackWindow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every number a reasoning trace cites is in what the student sees or follows from
 * it (issue "QA that teaches", item 2). A number (or time of day) of the trace is supported when
 * it is:
 * <ul>
 *   <li>written in the prompt (the identity line, a cell of the track table, the question), as the
 *       same text; a prefix of the MMSI (its MID);</li>
 *   <li>a rule constant ({@link #CONSTANTS}: thresholds, unit factors, compass sector bounds) or a
 *       small count (0 .. number of rows + 1);</li>
 *   <li>the length (nm, 2 decimals) or duration (s) of a leg between consecutive rows, as a
 *       contiguous run after {@code Legs (nm)...:} or {@code Intervals (s):}, and the sum that
 *       closes a legs list ({@code = s}, within the rounding of its terms);</li>
 *   <li>a geodesic between two written points, {@code geodesic (lat, lon) -> (lat, lon): d nm,
 *       bearing b°} (WGS84, GeographicLib), within the rounding of d and b;</li>
 *   <li>a course change between written courses ({@code 123° -> 145°: +22°}) or a heading/COG
 *       difference ({@code heading 130, COG 123: 7°});</li>
 *   <li>the result of a computation on supported numbers written {@code expression = result}
 *       (+, -, x, *, /, parentheses; a time of day minus a time of day is seconds, a time plus
 *       seconds is a time), within the rounding of the result plus 0.5 % for rounded operands;</li>
 *   <li>equal to an earlier supported result (a restated value).</li>
 * </ul>
 * The check is textual and left to right; it proves each cited number derivable, not that the
 * derivation is the shortest or the only one: the final value is checked separately against the
 * recomputed fact ({@link GroundedJudge}).
 */
public final class TraceChecker {
  private TraceChecker() {}

  /** Rule constants a trace may cite without deriving them. */
  public static final Set<Double> CONSTANTS = constants();

  private static final String NUM = "\\d+(?:\\.\\d+)?";
  private static final Pattern TOKEN = Pattern.compile("(?<![\\d.:])(\\d{2}:\\d{2}:\\d{2}|" + NUM + ")(?![\\d:]|\\.\\d)");
  private static final Pattern GEODESIC = Pattern.compile("geodesic \\((-?" + NUM + "), (-?" + NUM + ")\\) -> \\((-?" + NUM
      + "), (-?" + NUM + ")\\): (" + NUM + ") nm(?:, bearing (" + NUM + ")°)?");
  private static final Pattern COURSE = Pattern.compile("(" + NUM + ")° -> (" + NUM + ")°: ([+-]?" + NUM + ")°");
  private static final Pattern HEADING = Pattern.compile("heading (" + NUM + "), COG (" + NUM + "): (" + NUM + ")°");
  private static final Pattern LEGS = Pattern.compile("Legs \\(nm\\)(?: from [\\d:]+ to [\\d:]+)?: ((?:" + NUM + ")(?: \\+ "
      + NUM + ")*) = (" + NUM + ")");
  private static final Pattern INTERVALS = Pattern.compile("Intervals \\(s\\): ((?:" + NUM + ")(?:, " + NUM + ")*)");
  private static final Pattern RESULT = Pattern.compile("=\\s*(\\d{2}:\\d{2}:\\d{2}|-?" + NUM + ")");
  private static final Pattern TRAILING_UNIT = Pattern.compile("(?<=[\\d)])\\s*(?:s|min|kn|nm|h|%|°)\\s*$");

  /**
   * The result: {@code unsupported} lists each number of the trace that is not supported, as
   * written (empty when the trace passes).
   */
  public record Result(List<String> unsupported) {
    /** True when every number is supported. */
    public boolean ok() {
      return unsupported.isEmpty();
    }
  }

  /**
   * Checks {@code trace} against the student prompt and the window's observed rows.
   *
   * @param trace the reasoning trace (null or blank passes: the judge's REASONING_MISSING covers it)
   * @param prompt what the student sees: the user turn (identity line, table, question)
   * @param w the window (its observed rows give the legs and intervals)
   */
  public static Result check(String trace, String prompt, TrackWindow w) {
    if (trace == null || trace.isBlank()) {
      return new Result(List.of());
    }
    Observation o = Observation.of(w);
    Set<String> written = new HashSet<>();
    Matcher pm = TOKEN.matcher(prompt);
    while (pm.find()) {
      written.add(pm.group(1));
    }
    List<Double> derived = new ArrayList<>();
    List<int[]> covered = new ArrayList<>();
    // structured primitives first: their numbers are supported where they stand
    Matcher g = GEODESIC.matcher(trace);
    while (g.find()) {
      if (!(written(written, g.group(1)) && written(written, g.group(2)) && written(written, g.group(3))
          && written(written, g.group(4)))) {
        continue;
      }
      double lat1 = Double.parseDouble(g.group(1)), lon1 = Double.parseDouble(g.group(2));
      double lat2 = Double.parseDouble(g.group(3)), lon2 = Double.parseDouble(g.group(4));
      double d = Geo.distanceNm(lat1, lon1, lat2, lon2);
      if (close(g.group(5), d, 0.001)) {
        derived.add(d);
        covered.add(new int[] {g.start(5), g.end(5)});
      }
      if (g.group(6) != null) {
        double b = Geo.bearingDeg(lat1, lon1, lat2, lon2);
        double got = Double.parseDouble(g.group(6));
        if (Math.min(Math.abs(got - b), 360 - Math.abs(got - b)) <= 0.5 + 1e-9) {
          derived.add(got);
          covered.add(new int[] {g.start(6), g.end(6)});
        }
      }
      covered.add(new int[] {g.start(1), g.end(4)});
    }
    Matcher c = COURSE.matcher(trace);
    while (c.find()) {
      double delta = Observation.signedChange(Double.parseDouble(c.group(1)), Double.parseDouble(c.group(2)));
      if (Math.abs(Math.abs(delta) - Math.abs(Double.parseDouble(c.group(3)))) <= 0.5 + 1e-9
          && written(written, c.group(1)) && written(written, c.group(2))) {
        derived.add(Math.abs(delta));
        covered.add(new int[] {c.start(1), c.end(3)});
      }
    }
    Matcher h = HEADING.matcher(trace);
    while (h.find()) {
      double d = Geo.angleDiffDeg(Double.parseDouble(h.group(1)), Double.parseDouble(h.group(2)));
      if (close(h.group(3), d, 0) && written(written, h.group(1)) && written(written, h.group(2))) {
        derived.add(d);
        covered.add(new int[] {h.start(1), h.end(3)});
      }
    }
    Matcher l = LEGS.matcher(trace);
    while (l.find()) {
      String[] terms = l.group(1).split(" \\+ ");
      if (contiguous(terms, legs(o), 0.0005)) {
        double sum = 0;
        for (String t : terms) {
          sum += Double.parseDouble(t);
        }
        covered.add(new int[] {l.start(1), l.end(1)});
        if (Math.abs(sum - Double.parseDouble(l.group(2))) <= 0.0005 * (terms.length + 1) + 1e-9) {
          derived.add(Double.parseDouble(l.group(2)));
          covered.add(new int[] {l.start(2), l.end(2)});
        }
      }
    }
    Matcher iv = INTERVALS.matcher(trace);
    while (iv.find()) {
      String[] terms = iv.group(1).split(", ");
      if (contiguous(terms, intervals(o), 0)) {
        for (String t : terms) {
          derived.add(Double.parseDouble(t));
        }
        covered.add(new int[] {iv.start(1), iv.end(1)});
      }
    }
    // equations, left to right: operands supported -> result supported
    Set<String> okTokens = new HashSet<>();
    Matcher e = RESULT.matcher(trace);
    while (e.find()) {
      int exprStart = expressionStart(trace, e.start());
      if (exprStart < 0) {
        continue;
      }
      String expr = trace.substring(exprStart, e.start());
      double[] ve = evaluate(expr, written, derived, o.n());
      String result = e.group(1);
      if (ve == null) {
        continue;
      }
      double value = ve[0];
      boolean time = result.contains(":");
      boolean ok;
      if (time) {
        double got = seconds(result);
        double dd = Math.abs(((value % 86400) + 86400) % 86400 - got);
        ok = Math.min(dd, 86400 - dd) <= 1.0 + ve[1] + 1e-9;
      } else {
        if (value < 0 && expr.contains(":") && !result.startsWith("-")) {
          value += 86400; // a time of day minus an earlier one across midnight
        }
        ok = Math.abs(Double.parseDouble(result) - value) <= halfUnit(result) + ve[1] + 1e-9;
      }
      if (ok) {
        derived.add(time ? seconds(result) : Math.abs(Double.parseDouble(result)));
        okTokens.add(result.startsWith("-") ? result.substring(1) : result);
        covered.add(new int[] {exprStart, e.end(1)});
      }
    }
    List<String> bad = new ArrayList<>();
    Matcher t = TOKEN.matcher(trace);
    while (t.find()) {
      String tok = t.group(1);
      if (inside(covered, t.start(1), t.end(1)) || okTokens.contains(tok) || written(written, tok)
          || supported(tok, derived, o.n()) || mmsiPrefix(tok, w)) {
        continue;
      }
      bad.add(tok);
    }
    return new Result(List.copyOf(bad));
  }

  // ---------------------------------------------------------------- helpers

  private static boolean written(Set<String> written, String tok) {
    String t = tok.startsWith("-") ? tok.substring(1) : tok;
    return written.contains(t);
  }

  private static boolean mmsiPrefix(String tok, TrackWindow w) {
    return tok.length() >= 3 && !tok.contains(".") && String.valueOf(w.mmsi()).startsWith(tok);
  }

  private static boolean supported(String tok, List<Double> derived, int n) {
    if (tok.contains(":")) {
      double s = seconds(tok);
      for (double d : derived) {
        if (Math.abs(d - s) <= 1.0) {
          return true;
        }
      }
      return false;
    }
    double v = Double.parseDouble(tok);
    if (CONSTANTS.contains(v) || (!tok.contains(".") && v <= n + 1)) {
      return true;
    }
    for (double d : derived) {
      if (close(tok, d, 0)) {
        return true;
      }
    }
    return false;
  }

  /** True when {@code text}, written with its decimals, is {@code value} rounded (plus {@code rel} relative slack). */
  private static boolean close(String text, double value, double rel) {
    return Math.abs(Double.parseDouble(text) - value) <= halfUnit(text) + rel * Math.abs(value) + 1e-9;
  }

  /** Half a unit of the last decimal written: the rounding error of a number written as {@code text}. */
  static double halfUnit(String text) {
    int dot = text.indexOf('.');
    int decimals = dot < 0 ? 0 : text.length() - dot - 1;
    return 0.5 * Math.pow(10, -decimals);
  }

  private static boolean inside(List<int[]> covered, int s, int e) {
    for (int[] c : covered) {
      if (s >= c[0] && e <= c[1]) {
        return true;
      }
    }
    return false;
  }

  private static boolean contiguous(String[] terms, double[] seq, double tol) {
    for (int start = 0; start + terms.length <= seq.length; start++) {
      boolean all = true;
      for (int k = 0; k < terms.length && all; k++) {
        all = Math.abs(Double.parseDouble(terms[k]) - seq[start + k]) <= tol + 1e-9;
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static double[] legs(Observation o) {
    double[] d = new double[Math.max(0, o.n() - 1)];
    for (int i = 1; i < o.n(); i++) {
      d[i - 1] = o.leg(i);
    }
    return d;
  }

  private static double[] intervals(Observation o) {
    double[] d = new double[Math.max(0, o.n() - 1)];
    for (int i = 1; i < o.n(); i++) {
      d[i - 1] = o.interval(i);
    }
    return d;
  }

  private static double seconds(String hms) {
    String[] p = hms.split(":");
    return Integer.parseInt(p[0]) * 3600.0 + Integer.parseInt(p[1]) * 60.0 + Integer.parseInt(p[2]);
  }

  /**
   * Value and error bound {value, error} of an expression of supported operands (times of day as
   * seconds since midnight), null when it does not parse, has no operator or an operand is not
   * supported. The bound propagates the rounding of each operand to first order: numbers of the
   * prompt, constants, counts and times are exact; a derived number carries half a unit of its
   * last written decimal.
   */
  static double[] evaluate(String expr, Set<String> written, List<Double> derived, int n) {
    String x = expr.replaceAll("(?<=[\\d)])\\s*(?:s|min|kn|nm|h|%|°)(?![a-z])", " ").toLowerCase(Locale.ROOT);
    List<String> toks = new ArrayList<>();
    Matcher m = Pattern.compile("\\d{2}:\\d{2}:\\d{2}|" + NUM + "|[-+x*/()]").matcher(x);
    int pos = 0;
    while (m.find()) {
      if (!x.substring(pos, m.start()).isBlank()) {
        return null;
      }
      toks.add(m.group());
      pos = m.end();
    }
    if (!x.substring(pos).isBlank() || toks.isEmpty()) {
      return null;
    }
    int operators = 0;
    List<Double> errors = new ArrayList<>();
    for (String t : toks) {
      if (t.matches("[-+x*/]")) {
        operators++;
        errors.add(0.0);
      } else if (t.equals("(") || t.equals(")")) {
        errors.add(0.0);
      } else if (t.contains(":") || written(written, t) || CONSTANTS.contains(Double.parseDouble(t))
          || (!t.contains(".") && Double.parseDouble(t) <= n + 1)) {
        errors.add(0.0);
      } else if (supported(t, derived, n)) {
        errors.add(halfUnit(t));
      } else {
        return null;
      }
    }
    if (operators == 0) {
      return null;
    }
    try {
      Parser p = new Parser(toks, errors);
      double[] v = p.sum();
      return p.i == toks.size() ? v : null;
    } catch (RuntimeException ex) {
      return null;
    }
  }

  /**
   * Recursive-descent evaluation with first-order error bounds: sum := product (('+'|'-')
   * product)*; product := atom (('x'|'*'|'/') atom)*; each value is {value, error}.
   */
  private static final class Parser {
    final List<String> t;
    final List<Double> err;
    int i;

    Parser(List<String> t, List<Double> err) {
      this.t = t;
      this.err = err;
    }

    double[] sum() {
      double[] v = product();
      while (i < t.size() && (t.get(i).equals("+") || t.get(i).equals("-"))) {
        String op = t.get(i++);
        double[] r = product();
        v = new double[] {op.equals("+") ? v[0] + r[0] : v[0] - r[0], v[1] + r[1]};
      }
      return v;
    }

    double[] product() {
      double[] v = atom();
      while (i < t.size() && (t.get(i).equals("x") || t.get(i).equals("*") || t.get(i).equals("/"))) {
        String op = t.get(i++);
        double[] r = atom();
        if (op.equals("/")) {
          double b = Math.abs(r[0]);
          double e = b > r[1] ? (Math.abs(v[0]) * r[1] + b * v[1]) / (b * (b - r[1])) : Double.POSITIVE_INFINITY;
          v = new double[] {v[0] / r[0], e};
        } else {
          v = new double[] {v[0] * r[0], Math.abs(v[0]) * r[1] + Math.abs(r[0]) * v[1] + v[1] * r[1]};
        }
      }
      return v;
    }

    double[] atom() {
      int k = i;
      String s = t.get(i++);
      if (s.equals("(")) {
        double[] v = sum();
        if (!t.get(i++).equals(")")) {
          throw new IllegalStateException("unbalanced");
        }
        return v;
      }
      return new double[] {s.contains(":") ? seconds(s) : Double.parseDouble(s), err.get(k)};
    }
  }

  private static Set<Double> constants() {
    Set<Double> c = new HashSet<>();
    for (double v : new double[] {0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 30, 45, 50, 53, 60, 100, 180, 300, 360, 540, 1371, 1852,
        3600, 86400, 102.2}) {
      c.add(v);
    }
    for (int k = 1; k <= 16; k++) {
      c.add(k * 22.5);
    }
    return Set.copyOf(c);
  }

  /**
   * Start of the expression that ends at {@code eq} (an '='): the longest run before it of digits,
   * times, operators (+ - x * /), parentheses and spaces, after one optional unit (s, min, kn, nm,
   * h, %, °) just before the '='; -1 when there is none.
   */
  static int expressionStart(String text, int eq) {
    String before = text.substring(0, eq);
    Matcher u = TRAILING_UNIT.matcher(before);
    int end = u.find() ? u.start() : before.length();
    int i = end;
    while (i > 0 && "0123456789:.()+-*/x ".indexOf(text.charAt(i - 1)) >= 0) {
      char ch = text.charAt(i - 1);
      if (ch == 'x' && !(i >= 2 && text.charAt(i - 2) == ' ' && i < text.length() && text.charAt(i) == ' ')) {
        break;
      }
      if ((ch == ':' || ch == '.') && (i >= text.length() || text.charAt(i) == ' ')) {
        break; // "label: expr" or "sentence. expr": a colon or full stop before a space ends the run
      }
      i--;
    }
    while (i < end && "0123456789(".indexOf(text.charAt(i)) < 0) {
      i++;
    }
    return i < end ? i : -1;
  }
}
