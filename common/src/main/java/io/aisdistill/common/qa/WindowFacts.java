package io.aisdistill.common.qa;

import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.ais.ShipTypes;
import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.ObservedRows;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.WindowFeatures;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one registry of named window facts (prompt version window-v2): how each is computed from
 * the observed rows of a {@link TrackWindow} (its {@code track}, through {@link Observation}), its
 * unit, claim kind, how it is written in answers, and the tolerance the grounded judge allows. The
 * definitions are those of docs/qa-facts.md, section 3: every fact is computed from exactly the
 * rows (and identity line) the student sees. {@link GroundedTeacher}, {@link WindowPrompt} and the
 * grounded judge all read facts from here, so no formula exists twice in Java; the CI check
 * {@code .ci/py/verify_qa.py} implements the same page independently in Python.
 *
 * <p>Values: {@link ClaimKind#NUMBER} facts are {@link Double} (unrounded, in the fact's
 * {@link Unit}: knots, nautical miles, degrees true, minutes, seconds, metres, percent, seconds
 * since UTC midnight for {@link Unit#TIME}) or {@link Long} (counts); {@link ClaimKind#CATEGORY}
 * facts are canonical labels (e.g. "moored", "north-east", "Denmark"); {@link ClaimKind#YES_NO}
 * facts are "yes" / "no". A fact the rows cannot support (no SOG reported, unknown ship type, no
 * stop, ...) is null, and no question is asked about it.
 *
 * <p>Tolerances (grounded judge): speeds +-0.5 kn or 5 %, distances +-0.1 nm or 5 %, minutes +-1
 * min or 5 %, seconds +-5 s or 5 %, times of day +-60 s (on the 24-hour circle), angles +-10
 * degrees (bearings on the circle), lengths +-1 m, percentages +-5 points, counts exact,
 * categories exact after {@link #normalize}.
 */
public final class WindowFacts {
  private WindowFacts() {}

  /** Kind of claim an answer makes about a fact. */
  public enum ClaimKind {
    NUMBER, CATEGORY, YES_NO;

    /** Lower-case label as stored in {@code QaPair.claimKind} ("number", "category", "yes_no"). */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Unit of a number fact; {@link #label} is what {@code QaPair.unit} stores. */
  public enum Unit {
    KNOTS("knots"), NM("nm"), DEGREES("degrees"), MINUTES("minutes"), SECONDS("seconds"),
    COUNT("count"), METRES("metres"), PERCENT("percent"), TIME("time"), NONE(null);

    private final String label;

    Unit(String label) {
      this.label = label;
    }

    /** The unit's label ("knots", "nm", ...), null for {@link #NONE}. */
    public String label() {
      return label;
    }
  }

  /**
   * Accepted deviation of a claimed number from the recomputed one: the larger of {@code abs}
   * (in the fact's unit) and {@code rel} times |expected|; a non-zero {@code period} compares on
   * a circle of that size (360 for bearings, 86,400 s for times of day).
   */
  public record Tolerance(double abs, double rel, double period) {
    /** Counts: exact. */
    public static final Tolerance EXACT = new Tolerance(0, 0, 0);

    /** True when {@code actual} is within tolerance of {@code expected}: deviation <= allowed (+1e-9). */
    public boolean accepts(double expected, double actual) {
      return deviation(expected, actual) <= allowed(expected) + 1e-9;
    }

    /**
     * |expected - actual| in the fact's unit; on a circle ({@code period} > 0) the shorter arc
     * (so 355 vs 5 degrees is 10, 23:59:30 vs 00:00:30 is 60 s).
     */
    public double deviation(double expected, double actual) {
      double d = Math.abs(expected - actual);
      if (period > 0) {
        d = d % period;
        d = Math.min(d, period - d);
      }
      return d;
    }

    /** The accepted deviation for {@code expected}: max(abs, rel x |expected|), in the fact's unit. */
    public double allowed(double expected) {
      return Math.max(abs, rel * Math.abs(expected));
    }
  }

  /**
   * One named fact.
   *
   * @param key stable snake_case name, e.g. "sog_mean_kn"
   * @param description short English description used in prompts and reasoning traces
   * @param category the QA category the fact belongs to
   * @param kind claim kind
   * @param unit unit of a number fact ({@link Unit#NONE} otherwise)
   * @param tolerance accepted deviation for a number fact (null otherwise)
   * @param vocabulary category/yes-no facts: normalized term -> canonical value, every term the
   *     judge recognizes in an answer (canonical values, synonyms); empty for numbers
   * @param multiRow true when the fact needs more than one row of the track table (false for
   *     identity facts read from the identity line)
   * @param compute the formula; returns null when the window cannot support the fact
   */
  public record Fact(
      String key,
      String description,
      Category category,
      ClaimKind kind,
      Unit unit,
      Tolerance tolerance,
      Map<String, String> vocabulary,
      boolean multiRow,
      Function<TrackWindow, Object> compute) {

    /** The fact's value for {@code w} (see the class Javadoc for shapes), null when not available. */
    public Object value(TrackWindow w) {
      return compute.apply(w);
    }

    /**
     * The value as answers write it, unit spelled out and rounded: "12.4 knots", "3.2 nautical
     * miles", "0.45 nautical miles", "56 minutes 29 seconds", "45 seconds", "47 degrees", "183
     * metres", "62 percent", "10:15:02 UTC", "3", "moored", "yes"; "not available" for null.
     */
    public String format(Object v) {
      if (v == null) {
        return "not available";
      }
      if (kind != ClaimKind.NUMBER) {
        return v.toString();
      }
      double d = ((Number) v).doubleValue();
      return switch (unit) {
        case KNOTS -> fmt(d, 1) + " knots";
        case NM -> fmt(d, d < 1 ? 2 : 1) + " nautical miles";
        case DEGREES -> Math.round(d) + " degrees";
        case MINUTES -> secondsText(Math.round(d * 60.0));
        case SECONDS -> secondsText(Math.round(d));
        case METRES -> Math.round(d) + " metres";
        case PERCENT -> Math.round(d) + " percent";
        case TIME -> clock((long) Math.floor(d)) + " UTC";
        default -> Long.toString(Math.round(d));
      };
    }

    /**
     * The machine-readable claim ({@code QaPair.claim}) for a value: the rounded number as plain
     * text in the fact's unit ("12.4", "56.5", "95"), "HH:MM:SS" for a time of day, or the
     * canonical label / "yes" / "no"; null for null.
     */
    public String claim(Object v) {
      if (v == null) {
        return null;
      }
      if (kind != ClaimKind.NUMBER) {
        return v.toString();
      }
      double d = ((Number) v).doubleValue();
      return switch (unit) {
        case KNOTS, MINUTES -> fmt(d, 1);
        case NM -> fmt(d, d < 1 ? 2 : 1);
        case TIME -> clock((long) Math.floor(d));
        default -> Long.toString(Math.round(d));
      };
    }
  }

  /** Implied leg speed (knots) above which a jump between consecutive reports is a "teleport". */
  public static final double TELEPORT_KN = 50.0;
  /** Legs at most this long (nautical miles) are GPS-noise scale: never a teleport. */
  public static final double TELEPORT_MIN_NM = 0.25;
  /** Stationary share (0-1) at or above which a window counts as stationary. */
  public static final double STATIONARY_SHARE = 0.5;
  /** Without SOG: implied speed (knots) below which a window counts as stationary. */
  public static final double STATIONARY_IMPLIED_KN = 1.0;
  /** Speed (knots) at or above which a non-stationary window can be "underway". */
  public static final double UNDERWAY_MIN_KN = 3.0;
  /** Straightness (displacement / distance) at or above which a moving window is "underway". */
  public static final double UNDERWAY_MIN_STRAIGHTNESS = 0.5;
  /** Speed (knots) below which a vessel counts as not moving, for nav-status consistency. */
  public static final double STATUS_MOVING_KN = 1.0;
  /** Difference of half means (knots) from which the speed trend is accelerating / decelerating. */
  public static final double TREND_KN = 1.0;
  /** Heading vs COG difference (degrees) above which a moving row counts as a disagreement. */
  public static final double HEADING_COG_DISAGREE_DEG = 45.0;
  /** Displacement (nm) below which no start-to-end bearing is given. */
  public static final double MIN_BEARING_DISPLACEMENT_NM = 0.05;

  /**
   * The behaviour rule, as text for reasoning traces and teacher prompts. A window is
   * <b>stationary</b> when at least 50 % of its rows with SOG report less than 0.5 knots, or,
   * without SOG, when its implied speed is below 1 knot. Stationary with dominant navigational
   * status 5 -> "moored"; 1 -> "at anchor"; other or none -> "stationary, status unknown". Not
   * stationary, speed (mean SOG, else implied speed) at least 3 knots and straightness
   * (displacement / distance) at least 0.5 -> "underway". Everything else -> "drifting or loitering".
   */
  public static final String BEHAVIOUR_RULE =
      "stationary = at least 50 % of the rows with SOG below 0.5 knots (without SOG: implied speed below "
          + "1 knot); stationary with dominant status 5 (moored) -> moored, with 1 (at anchor) -> at anchor, "
          + "otherwise -> stationary, status unknown; not stationary, speed (mean SOG, else implied speed) "
          + ">= 3 knots and displacement / distance >= 0.5 -> underway; otherwise drifting or loitering";

  /** The behaviour labels, in rule order. */
  public static final List<String> BEHAVIOURS =
      List.of("moored", "at anchor", "stationary, status unknown", "underway", "drifting or loitering");

  /** The 8 compass points, clockwise from north. */
  public static final List<String> COMPASS = List.of(
      "north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west");

  private static final Map<String, Fact> REGISTRY = build();

  /** Every fact, in registry order (grouped by category), keyed by {@link Fact#key}. Unmodifiable. */
  public static Map<String, Fact> all() {
    return REGISTRY;
  }

  /** The fact named {@code key}, or null when the registry has no such fact. */
  public static Fact get(String key) {
    return key == null ? null : REGISTRY.get(key);
  }

  /**
   * The value of fact {@code key} for {@code w}.
   *
   * @throws IllegalArgumentException when {@code key} is not a registered fact
   */
  public static Object value(String key, TrackWindow w) {
    Fact f = get(key);
    if (f == null) {
      throw new IllegalArgumentException("unknown fact: " + key);
    }
    return f.value(w);
  }

  /** All facts of {@code w}, registry order, key -> value (null values kept). */
  public static Map<String, Object> compute(TrackWindow w) {
    Map<String, Object> m = new LinkedHashMap<>();
    REGISTRY.forEach((k, f) -> m.put(k, f.value(w)));
    return m;
  }

  /**
   * Normalization for category comparison: lower case, accents removed, every character other
   * than a letter or digit becomes a space, runs of spaces collapse, trimmed. "North-East" ->
   * "north east"; "Côte d'Ivoire" -> "cote d ivoire".
   */
  public static String normalize(String s) {
    if (s == null) {
      return "";
    }
    String n = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    return n.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim();
  }

  /**
   * The canonical value of the first vocabulary term found in {@code text} (earliest position,
   * longest term at that position, whole words after {@link #normalize}), or null when none.
   */
  public static String findTerm(Map<String, String> vocabulary, String text) {
    if (vocabulary.isEmpty()) {
      return null;
    }
    List<String> terms = new ArrayList<>(vocabulary.keySet());
    terms.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
    StringBuilder re = new StringBuilder("\\b(");
    for (int i = 0; i < terms.size(); i++) {
      re.append(i == 0 ? "" : "|").append(Pattern.quote(terms.get(i)));
    }
    Matcher m = Pattern.compile(re.append(")\\b").toString()).matcher(normalize(text));
    return m.find() ? vocabulary.get(m.group(1)) : null;
  }

  /** Compass point (one of {@link #COMPASS}) of a bearing in degrees true: 45-degree sectors centred on each point. */
  public static String compass(double bearingDeg) {
    double b = ((bearingDeg % 360.0) + 360.0) % 360.0;
    return COMPASS.get((int) Math.floor((b + 22.5) / 45.0) % 8);
  }

  /** True when the rows are stationary by {@link #BEHAVIOUR_RULE}. */
  public static boolean stationary(TrackWindow w) {
    Object pct = value("stationary_pct", w);
    if (pct != null) {
      return (Double) pct >= STATIONARY_SHARE * 100.0;
    }
    Object implied = value("implied_speed_kn", w);
    return implied == null || (Double) implied < STATIONARY_IMPLIED_KN;
  }

  /** Speed for behaviour and status rules: mean valid SOG, else implied speed, else 0 (knots). */
  public static double speed(TrackWindow w) {
    Object mean = value("sog_mean_kn", w);
    Object implied = value("implied_speed_kn", w);
    return mean != null ? (Double) mean : implied != null ? (Double) implied : 0.0;
  }

  /** The behaviour label of {@code w} by {@link #BEHAVIOUR_RULE}; null without rows. */
  public static String behaviour(TrackWindow w) {
    Observation o = Observation.of(w);
    if (o.n() < 2) {
      return null;
    }
    Integer dom = o.dominantNavStatus();
    if (stationary(w)) {
      return dom != null && dom == 5 ? "moored" : dom != null && dom == 1 ? "at anchor" : "stationary, status unknown";
    }
    double distance = o.distanceNm();
    double straightness = distance > 0 ? o.displacementNm() / distance : 0.0;
    return speed(w) >= UNDERWAY_MIN_KN && straightness >= UNDERWAY_MIN_STRAIGHTNESS ? "underway" : "drifting or loitering";
  }

  /** Flag state: the window's {@code vessel.flagState}, else {@link FlagStates#forMmsi}; null when neither. */
  public static String flagState(TrackWindow w) {
    String f = w.vessel() == null ? null : w.vessel().flagState();
    return f != null && !f.isBlank() ? f : FlagStates.forMmsi(w.mmsi());
  }

  /** Seconds since UTC midnight of an epoch second, as "HH:MM:SS". */
  public static String clock(long epochSecondOrSecondOfDay) {
    long s = Math.floorMod(epochSecondOrSecondOfDay, 86_400L);
    return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }

  // ---------------------------------------------------------------- registry

  private static Double sec(long epochSecond) {
    return (double) Math.floorMod(epochSecond, 86_400L);
  }

  private static Map<String, Fact> build() {
    Map<String, Fact> m = new LinkedHashMap<>();
    Tolerance speed = new Tolerance(0.5, 0.05, 0);
    Tolerance dist = new Tolerance(0.1, 0.05, 0);
    Tolerance minutes = new Tolerance(1, 0.05, 0);
    Tolerance seconds = new Tolerance(5, 0.05, 0);
    Tolerance clock = new Tolerance(60, 0, 86_400);
    Tolerance angle = new Tolerance(10, 0, 360);
    Tolerance turn = new Tolerance(10, 0.05, 0);
    Tolerance pct = new Tolerance(5, 0, 0);

    // identity: read from the identity line
    cat(m, "ship_type_group", "ship type group of the AIS ship type code (ITU-R M.1371-5 Table 53)", Category.IDENTITY,
        groupVocabulary(), false, w -> w.vessel() == null ? null : ShipTypes.group(w.vessel().shipType()));
    cat(m, "flag_state", "flag state from the MMSI's MID (ITU-R M.585)", Category.IDENTITY, flagVocabulary(), false,
        WindowFacts::flagState);
    num(m, "length_m", "overall length", Category.IDENTITY, Unit.METRES, new Tolerance(1, 0, 0), false,
        w -> w.vessel() == null || w.vessel().lengthM() == null || w.vessel().lengthM() <= 0 ? null
            : (double) Math.round(w.vessel().lengthM()));

    // temporal
    num(m, "duration_min", "time from the first to the last row", Category.TEMPORAL, Unit.MINUTES, minutes, true,
        w -> o(w).n() < 2 ? null : o(w).durationS() / 60.0);
    num(m, "report_count", "number of rows in the track table", Category.TEMPORAL, Unit.COUNT, Tolerance.EXACT, true,
        w -> o(w).n() < 2 ? null : (long) o(w).n());
    num(m, "median_interval_s", "median interval between consecutive rows", Category.TEMPORAL, Unit.SECONDS, seconds,
        true, WindowFacts::medianInterval);
    num(m, "max_gap_min", "longest interval between consecutive rows", Category.TEMPORAL, Unit.MINUTES, minutes, true,
        w -> o(w).maxGapLeg() < 0 ? null : o(w).interval(o(w).maxGapLeg()) / 60.0);
    num(m, "max_gap_start", "time of the row that starts the longest interval", Category.TEMPORAL, Unit.TIME, clock,
        true, w -> o(w).maxGapLeg() < 0 ? null : sec(o(w).time(o(w).maxGapLeg() - 1)));

    // kinematics
    num(m, "sog_mean_kn", "mean SOG of the rows", Category.KINEMATICS, Unit.KNOTS, speed, true,
        w -> o(w).meanSog(o(w).sogRows()));
    num(m, "sog_max_kn", "highest SOG of the rows", Category.KINEMATICS, Unit.KNOTS, speed, true,
        w -> sogExtreme(w, true) < 0 ? null : o(w).sog(sogExtreme(w, true)));
    num(m, "sog_max_time", "time of the first row with the highest SOG", Category.KINEMATICS, Unit.TIME, clock, true,
        w -> sogExtreme(w, true) < 0 ? null : sec(o(w).time(sogExtreme(w, true))));
    num(m, "sog_min_kn", "lowest SOG of the rows", Category.KINEMATICS, Unit.KNOTS, speed, true,
        w -> sogExtreme(w, false) < 0 ? null : o(w).sog(sogExtreme(w, false)));
    num(m, "implied_speed_kn", "track distance / duration", Category.KINEMATICS, Unit.KNOTS, speed, true,
        w -> o(w).n() < 2 || o(w).durationS() == 0 ? null : o(w).distanceNm() / (o(w).durationS() / 3600.0));
    num(m, "sog_first_half_kn", "mean SOG of the first half of the window", Category.KINEMATICS, Unit.KNOTS, speed,
        true, w -> halves(w) == null ? null : halves(w)[0]);
    num(m, "sog_second_half_kn", "mean SOG of the second half of the window", Category.KINEMATICS, Unit.KNOTS, speed,
        true, w -> halves(w) == null ? null : halves(w)[1]);
    cat(m, "speed_trend", "accelerating, decelerating or steady: second-half minus first-half mean SOG, 1 knot threshold",
        Category.KINEMATICS, vocab("accelerating", "accelerating", "speeding up", "accelerating", "sped up", "accelerating",
            "decelerating", "decelerating", "slowing down", "decelerating", "slowed down", "decelerating",
            "steady", "steady", "constant", "steady", "about the same", "steady"), true,
        w -> halves(w) == null ? null : halves(w)[1] - halves(w)[0] >= TREND_KN ? "accelerating"
            : halves(w)[1] - halves(w)[0] <= -TREND_KN ? "decelerating" : "steady");
    num(m, "largest_sog_change_kn", "largest SOG change between consecutive rows", Category.KINEMATICS, Unit.KNOTS,
        speed, true, WindowFacts::largestSogChange);
    num(m, "partial_speed_kn", "average speed between two given rows (legs summed / time)", Category.KINEMATICS,
        Unit.KNOTS, speed, true, w -> {
          int[] ab = o(w).partialRows();
          return ab == null ? null
              : o(w).distanceNm(ab[0], ab[1]) / ((o(w).time(ab[1]) - o(w).time(ab[0])) / 3600.0);
        });

    // route
    num(m, "distance_nm", "distance along the rows (legs summed)", Category.ROUTE, Unit.NM, dist, true,
        w -> o(w).n() < 2 ? null : o(w).distanceNm());
    num(m, "displacement_nm", "straight-line distance from the first to the last row", Category.ROUTE, Unit.NM, dist,
        true, w -> o(w).n() < 2 ? null : o(w).displacementNm());
    num(m, "bearing_deg", "bearing from the first to the last row (degrees true)", Category.ROUTE, Unit.DEGREES, angle,
        true, WindowFacts::bearing);
    Map<String, String> compassVocab = new LinkedHashMap<>();
    for (String c : COMPASS) {
      compassVocab.put(normalize(c), c);
      compassVocab.put(normalize(c.replace("-", "")), c);
      compassVocab.put(normalize(c) + "ward", c);
      compassVocab.put(normalize(c) + "wards", c);
    }
    cat(m, "bearing_compass", "compass direction from the first to the last row", Category.ROUTE, compassVocab, true,
        w -> bearing(w) == null ? null : compass(bearing(w)));
    num(m, "eta_min", "minutes to a given point at the last SOG", Category.ROUTE, Unit.MINUTES, minutes, true,
        WindowFacts::etaMin);
    cat(m, "reach_by", "whether the vessel reaches a given point by a given time at its last SOG", Category.ROUTE,
        ClaimKind.YES_NO, vocab("yes", "yes", "no", "no"), true, w -> {
          Double eta = etaMin(w);
          return eta == null ? null : o(w).time(o(w).n() - 1) + eta * 60.0 <= o(w).etaDeadline() ? "yes" : "no";
        });

    // behaviour
    num(m, "stop_count", "number of stops (rows within 100 m for at least 5 minutes)", Category.BEHAVIOUR, Unit.COUNT,
        Tolerance.EXACT, true, w -> o(w).n() < 2 ? null : (long) o(w).stops().size());
    num(m, "first_stop_start", "time the first stop starts", Category.BEHAVIOUR, Unit.TIME, clock, true,
        w -> o(w).stops().isEmpty() ? null : sec(o(w).stops().get(0).startS()));
    num(m, "first_stop_min", "duration of the first stop", Category.BEHAVIOUR, Unit.MINUTES, minutes, true,
        w -> o(w).stops().isEmpty() ? null : o(w).stops().get(0).durationS() / 60.0);
    num(m, "longest_stop_min", "duration of the longest stop", Category.BEHAVIOUR, Unit.MINUTES, minutes, true,
        w -> o(w).stops().stream().mapToLong(Observation.Stop::durationS).max().stream()
            .mapToObj(s -> (Object) (s / 60.0)).findFirst().orElse(null));
    num(m, "stopped_min", "total time in stops", Category.BEHAVIOUR, Unit.MINUTES, minutes, true,
        w -> o(w).n() < 2 ? null : o(w).stops().stream().mapToLong(Observation.Stop::durationS).sum() / 60.0);
    num(m, "stationary_pct", "share of rows with SOG that report below 0.5 knots", Category.BEHAVIOUR, Unit.PERCENT,
        pct, true, w -> {
          List<Integer> r = o(w).sogRows();
          return r.isEmpty() ? null : 100.0 * r.stream().filter(i -> o(w).sog(i) < Observation.STATIONARY_SOG_KN).count()
              / r.size();
        });
    cat(m, "behaviour", "behaviour: " + String.join(", ", BEHAVIOURS) + " (see the behaviour rule)",
        Category.BEHAVIOUR, behaviourVocabulary(), true, WindowFacts::behaviour);
    cat(m, "status_consistent", "whether the movement agrees with the dominant nav status (0, 1 or 5)",
        Category.BEHAVIOUR, ClaimKind.YES_NO, vocab("yes", "yes", "no", "no"), true, w -> {
          Integer dom = o(w).n() < 2 ? null : o(w).dominantNavStatus();
          if (dom == null || (dom != 0 && dom != 1 && dom != 5)) {
            return null;
          }
          boolean moving = speed(w) >= STATUS_MOVING_KN;
          return (dom == 0) == moving ? "yes" : "no";
        });
    num(m, "turn_count", "number of turns (same-side course changes of at least 5 degrees summing to 30 or more)",
        Category.BEHAVIOUR, Unit.COUNT, Tolerance.EXACT, true,
        w -> o(w).n() < 2 ? null : (long) o(w).turns().size());
    num(m, "largest_turn_deg", "size of the largest turn", Category.BEHAVIOUR, Unit.DEGREES, turn, true,
        w -> largestTurn(w) == null ? null : Math.abs(largestTurn(w).sumDeg()));
    cat(m, "largest_turn_side", "side of the largest turn: port or starboard", Category.BEHAVIOUR,
        vocab("starboard", "starboard", "to the right", "starboard", "right", "starboard", "clockwise", "starboard",
            "port", "port", "to the left", "port", "left", "port", "counterclockwise", "port",
            "anticlockwise", "port", "counter clockwise", "port"), true,
        w -> largestTurn(w) == null ? null : largestTurn(w).sumDeg() > 0 ? "starboard" : "port");
    num(m, "total_turn_deg", "sum of course changes between consecutive moving rows", Category.BEHAVIOUR,
        Unit.DEGREES, turn, true, w -> o(w).courseChanges().isEmpty() ? null
            : o(w).courseChanges().stream().mapToDouble(c -> Math.abs(c.deltaDeg())).sum());

    // anomaly
    num(m, "max_leg_speed_kn", "highest implied speed between consecutive rows", Category.ANOMALY, Unit.KNOTS, speed,
        true, w -> o(w).fastestLeg() < 0 ? null : o(w).legSpeedKn(o(w).fastestLeg()));
    cat(m, "teleport", "position jump: a leg over 0.25 nautical miles at an implied speed above " + (int) TELEPORT_KN
        + " knots", Category.ANOMALY, ClaimKind.YES_NO, vocab("yes", "yes", "no", "no"), true, w -> {
          Observation o = o(w);
          if (o.fastestLeg() < 0) {
            return null;
          }
          for (int i = 1; i < o.n(); i++) {
            if (o.interval(i) > 0 && o.leg(i) > TELEPORT_MIN_NM && o.legSpeedKn(i) > TELEPORT_KN) {
              return "yes";
            }
          }
          return "no";
        });
    num(m, "heading_cog_max_diff_deg", "largest heading vs COG difference while moving at 2 knots or more",
        Category.ANOMALY, Unit.DEGREES, angle, true, w -> headingCog(w) == null ? null : headingCog(w)[0]);
    num(m, "heading_cog_disagreements", "rows moving at 2 knots or more whose heading and COG differ by more than 45 degrees",
        Category.ANOMALY, Unit.COUNT, Tolerance.EXACT, true,
        w -> headingCog(w) == null ? null : (Object) (long) headingCog(w)[1]);
    num(m, "sog_missing", "rows without SOG", Category.ANOMALY, Unit.COUNT, Tolerance.EXACT, true,
        w -> o(w).n() < 2 ? null : o(w).rows().stream().filter(p -> p.sog() == null).count());
    num(m, "sog_overflow_reports", "rows with SOG 102.2 (102.2 knots or more: not a speed)", Category.ANOMALY,
        Unit.COUNT, Tolerance.EXACT, true, w -> o(w).n() < 2 ? null
            : o(w).rows().stream().filter(p -> p.sog() != null && p.sog() >= WindowFeatures.SOG_OVERFLOW_KN).count());
    return Collections.unmodifiableMap(m);
  }

  private static Observation o(TrackWindow w) {
    return Observation.of(w);
  }

  private static Double medianInterval(TrackWindow w) {
    Observation o = o(w);
    if (o.n() < 2) {
      return null;
    }
    long[] iv = o.sortedIntervals();
    int k = iv.length;
    return k % 2 == 1 ? (double) iv[k / 2] : (iv[k / 2 - 1] + iv[k / 2]) / 2.0;
  }

  /** Row of the first highest (or lowest) valid SOG, -1 when none. */
  static int sogExtreme(TrackWindow w, boolean max) {
    Observation o = o(w);
    int best = -1;
    for (int i : o.sogRows()) {
      if (best < 0 || (max ? o.sog(i) > o.sog(best) : o.sog(i) < o.sog(best))) {
        best = i;
      }
    }
    return best;
  }

  /** {first-half mean, second-half mean} of valid SOG, null when a half has none. */
  static double[] halves(TrackWindow w) {
    Observation o = o(w);
    Double a = o.meanSog(o.half(true));
    Double b = o.meanSog(o.half(false));
    return a == null || b == null ? null : new double[] {a, b};
  }

  private static Double largestSogChange(TrackWindow w) {
    Observation o = o(w);
    Double best = null;
    for (int i = 1; i < o.n(); i++) {
      if (o.sog(i) != null && o.sog(i - 1) != null) {
        double d = Math.abs(o.sog(i) - o.sog(i - 1));
        best = best == null ? d : Math.max(best, d);
      }
    }
    return best;
  }

  static Double bearing(TrackWindow w) {
    Observation o = o(w);
    if (o.n() < 2 || o.displacementNm() < MIN_BEARING_DISPLACEMENT_NM) {
      return null;
    }
    var a = o.rows().get(0);
    var b = o.rows().get(o.n() - 1);
    return Geo.bearingDeg(a.lat(), a.lon(), b.lat(), b.lon());
  }

  static Double etaMin(TrackWindow w) {
    Observation o = o(w);
    double[] target = o.n() < 2 ? null : o.etaTarget();
    if (target == null) {
      return null;
    }
    var last = o.rows().get(o.n() - 1);
    return Geo.distanceNm(last.lat(), last.lon(), target[0], target[1]) / o.sog(o.n() - 1) * 60.0;
  }

  static Observation.Turn largestTurn(TrackWindow w) {
    Observation.Turn best = null;
    for (Observation.Turn t : o(w).turns()) {
      if (best == null || Math.abs(t.sumDeg()) > Math.abs(best.sumDeg())) {
        best = t;
      }
    }
    return best;
  }

  /** {max difference, count above 45} over moving rows with heading and COG; null when none. */
  static double[] headingCog(TrackWindow w) {
    Observation o = o(w);
    double max = -1;
    int count = 0;
    for (int i = 0; i < o.n(); i++) {
      Double d = o.headingCogDiffDeg(i);
      if (d != null) {
        max = Math.max(max, d);
        if (d > HEADING_COG_DISAGREE_DEG) {
          count++;
        }
      }
    }
    return max < 0 ? null : new double[] {max, count};
  }

  private static void num(Map<String, Fact> m, String key, String desc, Category c, Unit u, Tolerance t,
      boolean multiRow, Function<TrackWindow, Object> f) {
    m.put(key, new Fact(key, desc, c, ClaimKind.NUMBER, u, t, Map.of(), multiRow, f));
  }

  private static void cat(Map<String, Fact> m, String key, String desc, Category c, Map<String, String> v,
      boolean multiRow, Function<TrackWindow, Object> f) {
    cat(m, key, desc, c, ClaimKind.CATEGORY, v, multiRow, f);
  }

  private static void cat(Map<String, Fact> m, String key, String desc, Category c, ClaimKind k,
      Map<String, String> v, boolean multiRow, Function<TrackWindow, Object> f) {
    m.put(key, new Fact(key, desc, c, k, Unit.NONE, null, Collections.unmodifiableMap(v), multiRow, f));
  }

  private static Map<String, String> vocab(String... termValue) {
    Map<String, String> v = new LinkedHashMap<>();
    for (int i = 0; i < termValue.length; i += 2) {
      v.put(normalize(termValue[i]), termValue[i + 1]);
    }
    return v;
  }

  private static Map<String, String> behaviourVocabulary() {
    Map<String, String> v = vocab("under way", "underway", "underway", "underway", "under way using engine",
        "underway", "transiting", "underway", "in transit", "underway",
        "anchored", "at anchor", "at anchor", "at anchor", "anchoring", "at anchor",
        "moored", "moored", "berthed", "moored", "alongside", "moored", "docked", "moored",
        "drifting", "drifting or loitering", "loitering", "drifting or loitering",
        "drifting or loitering", "drifting or loitering", "stationary status unknown", "stationary, status unknown",
        "stationary", "stationary, status unknown");
    return v;
  }

  /** Vocabulary of the given canonical values (each its own normalized term), plus synonym pairs. */
  private static Map<String, String> valuesVocabulary(Iterable<String> values, String... synonyms) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String value : values) {
      v.putIfAbsent(normalize(value), value);
    }
    v.putAll(vocab(synonyms));
    return v;
  }

  private static Map<String, String> groupVocabulary() {
    return valuesVocabulary(ShipTypes.GROUPS, "hsc", "high-speed craft", "sar", "search and rescue", "wig",
        "wing in ground", "tugboat", "tug", "yacht", "pleasure", "pleasure craft", "pleasure", "sailboat",
        "sailing", "sailing vessel", "sailing", "ferry", "passenger", "container ship", "cargo",
        "fishing vessel", "fishing", "pilot vessel", "pilot", "pilot boat", "pilot", "dredger", "dredging");
  }

  private static Map<String, String> flagVocabulary() {
    return valuesVocabulary(FlagStates.table().values(), "united states of america", "United States", "usa",
        "United States", "u s", "United States", "uk", "United Kingdom", "great britain", "United Kingdom",
        "republic of korea", "South Korea", "korea", "South Korea", "russian federation", "Russia",
        "viet nam", "Vietnam", "hongkong", "Hong Kong", "the netherlands", "Netherlands");
  }

  // ---------------------------------------------------------------- text helpers

  /** {@code v} with {@code decimals} decimals, '.' separator, no grouping; "-0.0" becomes "0.0". */
  public static String fmt(double v, int decimals) {
    return ObservedRows.fmt(v, decimals);
  }

  /** Whole minutes as text: "45 minutes", "1 minute", "2 hours", "1 hour 35 minutes". */
  public static String minutesText(long minutes) {
    long h = minutes / 60;
    long mm = minutes % 60;
    String mText = mm + (mm == 1 ? " minute" : " minutes");
    if (h == 0) {
      return mText;
    }
    String hText = h + (h == 1 ? " hour" : " hours");
    return mm == 0 ? hText : hText + " " + mText;
  }

  /** Whole seconds as text: "45 seconds" below 2 minutes, else "3 minutes 20 seconds" / "5 minutes". */
  public static String secondsText(long seconds) {
    if (seconds < 120) {
      return seconds + (seconds == 1 ? " second" : " seconds");
    }
    long s = seconds % 60;
    String mText = minutesText(seconds / 60);
    return s == 0 ? mText : mText + " " + s + (s == 1 ? " second" : " seconds");
  }
}
