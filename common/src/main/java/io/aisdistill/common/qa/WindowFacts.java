package io.aisdistill.common.qa;

import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.ais.NavStatus;
import io.aisdistill.common.ais.ShipTypes;
import io.aisdistill.common.track.TrackWindow;
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
 * The one registry of named window facts: how each is computed from a {@link TrackWindow}, its
 * unit, claim kind, how it is written in answers and prompts, and the tolerance the grounded judge
 * allows. {@link GroundedTeacher}, {@link WindowPrompt} and the grounded judge all read facts from
 * here, so no formula exists twice.
 *
 * <p>Values: {@link ClaimKind#NUMBER} facts are {@link Double} (unrounded, in the fact's
 * {@link Unit}: knots, nautical miles, degrees true, minutes, seconds, metres, percent) or
 * {@link Long} (counts); {@link ClaimKind#CATEGORY} facts are canonical labels (e.g. "moored",
 * "north-east", "Denmark"); {@link ClaimKind#YES_NO} facts are "yes" / "no". A fact the window
 * cannot support (no SOG reported, unknown ship type, ...) is null.
 *
 * <p>Tolerances (grounded judge): speeds +-0.5 kn or 5 %, distances +-0.1 nm or 5 %, durations
 * +-1 min (60 s) or 5 %, angles +-10 degrees (bearings compared on the circle), lengths +-1 m,
 * percentages +-5 points, counts exact, categories exact after {@link #normalize}.
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
    COUNT("count"), METRES("metres"), PERCENT("percent"), NONE(null);

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
   * (in the fact's unit) and {@code rel} times |expected|; {@code circular} compares angles on
   * the 360-degree circle.
   */
  public record Tolerance(double abs, double rel, boolean circular) {
    /** Counts: exact. */
    public static final Tolerance EXACT = new Tolerance(0, 0, false);

    /** True when {@code actual} is within tolerance of {@code expected}: deviation <= allowed (+1e-9). */
    public boolean accepts(double expected, double actual) {
      return deviation(expected, actual) <= allowed(expected) + 1e-9;
    }

    /**
     * |expected - actual| in the fact's unit; for {@code circular} tolerances the shorter arc on
     * the 360-degree circle (so 355 vs 5 is 10).
     */
    public double deviation(double expected, double actual) {
      double d = Math.abs(expected - actual);
      if (circular) {
        d = d % 360.0;
        d = Math.min(d, 360.0 - d);
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
      Function<TrackWindow, Object> compute) {

    /** The fact's value for {@code w} (see the class Javadoc for shapes), null when not available. */
    public Object value(TrackWindow w) {
      return compute.apply(w);
    }

    /**
     * The value as answers and prompts write it, unit spelled out and rounded: "12.4 knots",
     * "3.2 nautical miles", "0.45 nautical miles", "1 hour 35 minutes", "45 seconds", "47 degrees",
     * "183 metres", "62 percent", "3", "moored", "class A", "yes"; "not available" for null.
     */
    public String format(Object v) {
      if (v == null) {
        return "not available";
      }
      if (kind != ClaimKind.NUMBER) {
        return key.equals("ais_class") ? "class " + v : v.toString();
      }
      double d = ((Number) v).doubleValue();
      return switch (unit) {
        case KNOTS -> fmt(d, 1) + " knots";
        case NM -> fmt(d, d < 1 ? 2 : 1) + " nautical miles";
        case DEGREES -> Math.round(d) + " degrees";
        case MINUTES -> minutesText(Math.round(d));
        case SECONDS -> secondsText(Math.round(d));
        case METRES -> Math.round(d) + " metres";
        case PERCENT -> Math.round(d) + " percent";
        default -> Long.toString(Math.round(d));
      };
    }

    /**
     * The machine-readable claim ({@code QaPair.claim}) for a value: the rounded number as plain
     * text in the fact's unit ("12.4", "95"), or the canonical label / "yes" / "no"; null for null.
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
        case KNOTS -> fmt(d, 1);
        case NM -> fmt(d, d < 1 ? 2 : 1);
        default -> Long.toString(Math.round(d));
      };
    }
  }

  /** Implied leg speed (knots) above which a jump between consecutive reports is a "teleport". */
  public static final double TELEPORT_KN = 50.0;
  /** Stationary share (0-1) at or above which a window counts as stationary. */
  public static final double STATIONARY_SHARE = 0.5;
  /** Without SOG: implied speed (knots) below which a window counts as stationary. */
  public static final double STATIONARY_IMPLIED_KN = 1.0;
  /** Speed (knots) at or above which a non-stationary window can be "underway". */
  public static final double UNDERWAY_MIN_KN = 3.0;
  /** Straightness (displacement / distance) at or above which a moving window is "underway". */
  public static final double UNDERWAY_MIN_STRAIGHTNESS = 0.5;

  /**
   * The behaviour rule, as text for reasoning traces. A window is <b>stationary</b> when its
   * stationary share (points with SOG below the stop threshold) is at least 50 %, or, without SOG,
   * when its implied speed is below 1 knot. Stationary with dominant navigational status 5 ->
   * "moored"; stationary with dominant status 1 -> "at anchor". Not stationary, speed (mean SOG,
   * else implied speed) at least 3 knots and straightness (displacement / distance) at least 0.5
   * -> "underway". Everything else -> "drifting or loitering".
   */
  public static final String BEHAVIOUR_RULE =
      "stationary = stationary share >= 50 % (or implied speed < 1 knot without SOG); "
          + "stationary and dominant status moored -> moored; stationary and dominant status at anchor "
          + "-> at anchor; not stationary, speed (mean SOG, else implied speed) >= 3 knots and "
          + "displacement / distance >= 0.5 -> underway; otherwise drifting or loitering";

  /** The behaviour labels, in rule order. */
  public static final List<String> BEHAVIOURS =
      List.of("moored", "at anchor", "underway", "drifting or loitering");

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

  /** The behaviour label of {@code w} by {@link #BEHAVIOUR_RULE}; never null. */
  public static String behaviour(TrackWindow w) {
    double speed = w.sogMeanKn() != null ? w.sogMeanKn()
        : w.impliedSpeedKn() != null ? w.impliedSpeedKn() : 0.0;
    boolean stationary = w.stationaryFraction() != null
        ? w.stationaryFraction() >= STATIONARY_SHARE
        : (w.impliedSpeedKn() == null ? 0.0 : w.impliedSpeedKn()) < STATIONARY_IMPLIED_KN;
    Integer dom = w.dominantNavStatus();
    if (stationary && dom != null && dom == 5) {
      return "moored";
    }
    if (stationary && dom != null && dom == 1) {
      return "at anchor";
    }
    double straightness = w.distanceNm() > 0 ? w.displacementNm() / w.distanceNm() : 0.0;
    if (!stationary && speed >= UNDERWAY_MIN_KN && straightness >= UNDERWAY_MIN_STRAIGHTNESS) {
      return "underway";
    }
    return "drifting or loitering";
  }

  /** Flag state: the window's {@code vessel.flagState}, else {@link FlagStates#forMmsi}; null when neither. */
  public static String flagState(TrackWindow w) {
    String f = w.vessel() == null ? null : w.vessel().flagState();
    return f != null && !f.isBlank() ? f : FlagStates.forMmsi(w.mmsi());
  }

  // ---------------------------------------------------------------- registry

  private static Map<String, Fact> build() {
    Map<String, Fact> m = new LinkedHashMap<>();
    Tolerance speed = new Tolerance(0.5, 0.05, false);
    Tolerance dist = new Tolerance(0.1, 0.05, false);
    Tolerance minutes = new Tolerance(1, 0.05, false);
    Tolerance seconds = new Tolerance(60, 0.05, false);
    Tolerance angle = new Tolerance(10, 0, true);
    Tolerance turn = new Tolerance(10, 0.05, false);

    // identity
    cat(m, "ship_type", "ship type from the AIS type code (ITU-R M.1371-5 Table 53)", Category.IDENTITY,
        shipTypeVocabulary(), w -> w.vessel() == null || !ShipTypes.isKnown(w.vessel().shipType()) ? null
            : ShipTypes.description(w.vessel().shipType()));
    cat(m, "ship_type_group", "coarse ship type group", Category.IDENTITY, groupVocabulary(),
        w -> w.vessel() == null ? null : ShipTypes.group(w.vessel().shipType()));
    cat(m, "flag_state", "flag state from the MMSI's MID (ITU-R M.585)", Category.IDENTITY,
        flagVocabulary(), WindowFacts::flagState);
    cat(m, "ais_class", "AIS transceiver class", Category.IDENTITY,
        vocab("class a", "A", "class b", "B"),
        w -> w.vessel() == null || w.vessel().aisClass() == null ? null
            : w.vessel().aisClass().trim().toUpperCase(Locale.ROOT));
    num(m, "length_m", "overall length", Category.IDENTITY, Unit.METRES, new Tolerance(1, 0, false),
        w -> w.vessel() == null || w.vessel().lengthM() == null || w.vessel().lengthM() <= 0 ? null
            : w.vessel().lengthM());

    // kinematics
    num(m, "sog_mean_kn", "mean reported speed over ground", Category.KINEMATICS, Unit.KNOTS, speed,
        TrackWindow::sogMeanKn);
    num(m, "sog_max_kn", "highest reported speed over ground", Category.KINEMATICS, Unit.KNOTS, speed,
        TrackWindow::sogMaxKn);
    num(m, "sog_min_kn", "lowest reported speed over ground", Category.KINEMATICS, Unit.KNOTS, speed,
        TrackWindow::sogMinKn);
    num(m, "implied_speed_kn", "implied speed (track distance / duration)", Category.KINEMATICS,
        Unit.KNOTS, speed, TrackWindow::impliedSpeedKn);

    // behaviour
    cat(m, "behaviour", "behaviour: moored, at anchor, underway, or drifting or loitering (see the behaviour rule)", Category.BEHAVIOUR, behaviourVocabulary(),
        WindowFacts::behaviour);
    cat(m, "nav_status", "most frequent navigational status (ITU-R M.1371)", Category.BEHAVIOUR,
        navVocabulary(), w -> NavStatus.text(w.dominantNavStatus()));
    num(m, "stationary_pct", "share of reports with SOG below the stop threshold", Category.BEHAVIOUR,
        Unit.PERCENT, new Tolerance(5, 0, false),
        w -> w.stationaryFraction() == null ? null : w.stationaryFraction() * 100.0);
    num(m, "stop_count", "number of stops", Category.BEHAVIOUR, Unit.COUNT, Tolerance.EXACT,
        w -> (long) w.stopCount());
    num(m, "stopped_min", "total time stopped", Category.BEHAVIOUR, Unit.MINUTES, minutes,
        w -> w.stoppedS() / 60.0);
    num(m, "total_turn_deg", "total course change (sum of COG changes while moving)", Category.BEHAVIOUR,
        Unit.DEGREES, turn, w -> w.totalTurnDeg());

    // route
    num(m, "distance_nm", "distance travelled along the track", Category.ROUTE, Unit.NM, dist,
        w -> w.distanceNm());
    num(m, "displacement_nm", "straight-line distance from first to last position", Category.ROUTE,
        Unit.NM, dist, w -> w.displacementNm());
    num(m, "bearing_deg", "bearing from first to last position (degrees true)", Category.ROUTE,
        Unit.DEGREES, angle, TrackWindow::bearingDeg);
    Map<String, String> compassVocab = new LinkedHashMap<>();
    for (String c : COMPASS) {
      compassVocab.put(normalize(c), c);
      compassVocab.put(normalize(c.replace("-", "")), c);
      compassVocab.put(normalize(c) + "ward", c);
      compassVocab.put(normalize(c) + "wards", c);
    }
    cat(m, "bearing_compass", "compass direction from first to last position", Category.ROUTE,
        compassVocab, w -> w.bearingDeg() == null ? null : compass(w.bearingDeg()));

    // temporal
    num(m, "duration_min", "time from first to last report", Category.TEMPORAL, Unit.MINUTES, minutes,
        w -> w.durationS() / 60.0);
    num(m, "n_points", "number of position reports", Category.TEMPORAL, Unit.COUNT, Tolerance.EXACT,
        w -> (long) w.nPoints());
    num(m, "median_interval_s", "median interval between consecutive reports", Category.TEMPORAL,
        Unit.SECONDS, seconds, w -> w.nPoints() < 2 ? null : (double) w.medianIntervalS());
    num(m, "max_gap_min", "longest interval between consecutive reports", Category.TEMPORAL,
        Unit.MINUTES, minutes, w -> w.nPoints() < 2 ? null : w.maxGapS() / 60.0);

    // anomaly
    num(m, "max_leg_speed_kn", "highest implied speed between consecutive reports", Category.ANOMALY,
        Unit.KNOTS, speed, w -> w.nPoints() < 2 ? null : w.maxLegSpeedKn());
    cat(m, "teleport", "position jump: an implied leg speed above " + (int) TELEPORT_KN + " knots",
        Category.ANOMALY, ClaimKind.YES_NO, vocab("yes", "yes", "no", "no"),
        w -> w.nPoints() < 2 ? null : w.maxLegSpeedKn() > TELEPORT_KN ? "yes" : "no");
    num(m, "heading_cog_disagreements",
        "reports moving at 2 knots or more whose heading and COG differ by more than 45 degrees",
        Category.ANOMALY, Unit.COUNT, Tolerance.EXACT,
        w -> w.headingCogMaxDiffDeg() == null ? null : (long) w.headingCogDisagreements());
    num(m, "heading_cog_max_diff_deg", "largest heading vs COG difference while moving",
        Category.ANOMALY, Unit.DEGREES, angle, TrackWindow::headingCogMaxDiffDeg);
    num(m, "sog_missing", "reports without SOG", Category.ANOMALY, Unit.COUNT, Tolerance.EXACT,
        w -> (long) w.sogMissing());
    num(m, "cog_missing", "reports without COG", Category.ANOMALY, Unit.COUNT, Tolerance.EXACT,
        w -> (long) w.cogMissing());
    num(m, "heading_missing", "reports without true heading", Category.ANOMALY, Unit.COUNT,
        Tolerance.EXACT, w -> (long) w.headingMissing());
    return Collections.unmodifiableMap(m);
  }

  private static void num(Map<String, Fact> m, String key, String desc, Category c, Unit u, Tolerance t,
      Function<TrackWindow, Object> f) {
    m.put(key, new Fact(key, desc, c, ClaimKind.NUMBER, u, t, Map.of(), f));
  }

  private static void cat(Map<String, Fact> m, String key, String desc, Category c, Map<String, String> v,
      Function<TrackWindow, Object> f) {
    cat(m, key, desc, c, ClaimKind.CATEGORY, v, f);
  }

  private static void cat(Map<String, Fact> m, String key, String desc, Category c, ClaimKind k,
      Map<String, String> v, Function<TrackWindow, Object> f) {
    m.put(key, new Fact(key, desc, c, k, Unit.NONE, null, Collections.unmodifiableMap(v), f));
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
        "drifting or loitering", "drifting or loitering");
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

  private static Map<String, String> shipTypeVocabulary() {
    List<String> d = new ArrayList<>();
    for (int code = 20; code <= 99; code++) {
      d.add(ShipTypes.description(code));
    }
    return valuesVocabulary(d);
  }

  private static Map<String, String> flagVocabulary() {
    return valuesVocabulary(FlagStates.table().values(), "united states of america", "United States", "usa",
        "United States", "u s", "United States", "uk", "United Kingdom", "great britain", "United Kingdom",
        "republic of korea", "South Korea", "korea", "South Korea", "russian federation", "Russia",
        "viet nam", "Vietnam", "hongkong", "Hong Kong", "the netherlands", "Netherlands");
  }

  /**
   * Nav status texts plus synonyms answers use: plain "under way" / "underway" reads as status 0
   * (under way using engine, the common case; "under way sailing" still wins as the longer term),
   * "anchored", "berthed" / "alongside" / "docked", "fishing", "grounded", "NUC".
   */
  private static Map<String, String> navVocabulary() {
    List<String> t = new ArrayList<>();
    for (int st = 0; st <= 15; st++) {
      t.add(NavStatus.text(st));
    }
    return valuesVocabulary(t, "underway using engine", "under way using engine", "under way", "under way using engine",
        "underway", "under way using engine", "underway sailing", "under way sailing", "anchored",
        "at anchor", "berthed", "moored", "alongside", "moored", "docked", "moored", "fishing",
        "engaged in fishing", "grounded", "aground", "nuc", "not under command");
  }

  // ---------------------------------------------------------------- text helpers

  /** {@code v} with {@code decimals} decimals, '.' separator, no grouping; "-0.0" becomes "0.0". */
  public static String fmt(double v, int decimals) {
    String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
    return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
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
