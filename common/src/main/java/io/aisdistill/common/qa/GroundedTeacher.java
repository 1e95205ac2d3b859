package io.aisdistill.common.qa;

import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.track.TrackWindow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The offline "grounded" teacher: deterministic question/answer pairs over the six
 * {@link Category categories} from one {@link TrackWindow}, every answer computed by
 * {@link WindowFacts} from the observed rows the student sees (no model involved), every
 * reasoning trace a step-by-step derivation from those rows ({@link Traces}).
 *
 * <p>Each {@link Template} asks about one fact; it has several question phrasings and several
 * answer phrasings, chosen by a SHA-256 hash of (window id, template id), so a window always gets
 * the same text. Questions may carry data of their own: {@code {t_a}} and {@code {t_b}} (the rows
 * of a partial-speed question), {@code {target}} and {@code {deadline}} (an ETA question). A
 * template is skipped when its fact or a fact its answer cites is null (no SOG -> no SOG question,
 * no stop -> no stop-time question). Selection is round-robin over the categories in
 * {@link Category} order (one template of each category, then a second, ...), each category's
 * applicable templates rotated by an offset hashed from (window id, category), at most
 * {@code maxPerCategory} per category and {@code maxPerWindow} in all.
 *
 * <p>Every question is answerable from {@link WindowPrompt#studentPrompt} alone: the prompt shows
 * the identity line and the track table, never a computed fact, and the answer is computed from
 * exactly those rows.
 */
public final class GroundedTeacher {
  /** Teacher name stored in {@code QaPair.teacher}. */
  public static final String TEACHER = "grounded";

  /**
   * A question template.
   *
   * @param id stable template id ("kinematics.sog_mean.v2")
   * @param factKey the {@link WindowFacts} key the answer states
   * @param questions question phrasings (each ends with '?'); may hold {@code {t_a}}, {@code {t_b}},
   *     {@code {target}}, {@code {deadline}}
   * @param answers answer phrasings: {@code {v}} is the formatted fact, {@code {<key>}} the
   *     formatted value of another fact (which must then be non-null)
   */
  public record Template(String id, String factKey, List<String> questions, List<String> answers) {
    /** The template's category: its fact's. */
    public Category category() {
      return WindowFacts.get(factKey).category();
    }
  }

  private static final List<Template> TEMPLATES = buildTemplates();

  private final int maxPerWindow;
  private final int maxPerCategory;

  /**
   * A teacher with caps.
   *
   * @param maxPerWindow most pairs per window (at least 1)
   * @param maxPerCategory most pairs per category per window (at least 1)
   * @throws IllegalArgumentException when a cap is below 1
   */
  public GroundedTeacher(int maxPerWindow, int maxPerCategory) {
    if (maxPerWindow < 1 || maxPerCategory < 1) {
      throw new IllegalArgumentException("caps must be >= 1: " + maxPerWindow + ", " + maxPerCategory);
    }
    this.maxPerWindow = maxPerWindow;
    this.maxPerCategory = maxPerCategory;
  }

  /** A teacher without effective caps (every applicable template). */
  public GroundedTeacher() {
    this(Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /** All templates, in category order (unmodifiable). */
  public static List<Template> templates() {
    return TEMPLATES;
  }

  private static List<Template> buildTemplates() {
    List<Template> t = new ArrayList<>();
    // identity
    t.add(tpl("identity.ship_type_group.v2", "ship_type_group",
        q("What kind of vessel is this, judging by its AIS ship type code?",
            "Which group of ships does the broadcast AIS ship type code belong to?",
            "What type of vessel does the ship type code indicate?"),
        a("A {v} vessel.", "The ship type code puts it in the {v} group.")));
    t.add(tpl("identity.flag_state.v2", "flag_state",
        q("Under which flag state is this vessel registered, according to its MMSI?",
            "Which country's flag does the vessel's MMSI point to?",
            "What flag state do the Maritime Identification Digits of this MMSI indicate?"),
        a("{v}.", "The MMSI's MID belongs to {v}.")));
    t.add(tpl("identity.length.v2", "length_m",
        q("How long is the vessel, as broadcast?", "What overall length does the vessel report?"),
        a("{v}.", "Its overall length is {v}.")));
    // temporal
    t.add(tpl("temporal.duration.v2", "duration_min",
        q("How much time passes between the first and the last row of the track?",
            "How long does the observed track last?", "What time span does the table cover?"),
        a("{v}.", "The track spans {v}.")));
    t.add(tpl("temporal.report_count.v2", "report_count",
        q("How many position reports does the table list?", "How many rows does the track table have?"),
        a("{v} reports.", "The table lists {v} reports.")));
    t.add(tpl("temporal.median_interval.v2", "median_interval_s",
        q("What is the median time between consecutive rows of the table?",
            "Typically, how much time separates two consecutive reports in the table?"),
        a("{v}.", "The median interval is {v}.")));
    t.add(tpl("temporal.max_gap.v2", "max_gap_min",
        q("What is the longest time between two consecutive rows of the table?",
            "How long is the largest gap between consecutive reports in the table?"),
        a("{v}.", "The longest gap lasts {v}.")));
    t.add(tpl("temporal.max_gap_start.v2", "max_gap_start",
        q("At what time does the longest gap between consecutive rows begin?",
            "After which report does the longest silence in the table start?"),
        a("At {v}.", "The longest gap starts at {v}.")));
    t.add(tpl("temporal.gap_when_how_long.v2", "max_gap_start",
        q("When does the longest interval between consecutive rows occur, and how long is it?",
            "Where in time is the biggest gap between reports, and how long does it last?"),
        a("It starts at {v} and lasts {max_gap_min}.", "From {v}, for {max_gap_min}.")));
    // kinematics
    t.add(tpl("kinematics.sog_mean.v2", "sog_mean_kn",
        q("What is the mean speed over ground of the rows?", "On average, how fast was the vessel going by its reported SOG?",
            "What average SOG do the rows report?"),
        a("{v}.", "The mean reported speed over ground is {v}.")));
    t.add(tpl("kinematics.sog_max.v2", "sog_max_kn",
        q("What is the highest speed over ground in the table?", "How fast did the vessel go at most, by its reported SOG?"),
        a("{v}.", "The highest reported SOG is {v}.")));
    t.add(tpl("kinematics.sog_max_time.v2", "sog_max_time",
        q("At what time does the vessel report its highest speed over ground?",
            "When is the vessel fastest, by its reported SOG?"),
        a("At {v} ({sog_max_kn}).", "The highest SOG, {sog_max_kn}, is first reported at {v}.")));
    t.add(tpl("kinematics.sog_min.v2", "sog_min_kn",
        q("What is the lowest speed over ground in the table?", "What minimum SOG do the rows report?"),
        a("{v}.", "The lowest reported SOG is {v}.")));
    t.add(tpl("kinematics.implied_speed.v2", "implied_speed_kn",
        q("What average speed do the positions imply, dividing the distance along the rows by the elapsed time?",
            "Judging by the positions alone, how fast did the vessel move on average?"),
        a("About {v}.", "The positions imply {v} on average.")));
    t.add(tpl("kinematics.first_half.v2", "sog_first_half_kn",
        q("What is the mean SOG in the first half of the observed time span?",
            "How fast was the vessel going on average during the first half of the track?"),
        a("{v}.", "In the first half the mean SOG is {v}.")));
    t.add(tpl("kinematics.second_half.v2", "sog_second_half_kn",
        q("What is the mean SOG in the second half of the observed time span?",
            "How fast was the vessel going on average during the second half of the track?"),
        a("{v}.", "In the second half the mean SOG is {v}.")));
    t.add(tpl("kinematics.speed_trend.v2", "speed_trend",
        q("Comparing the first and second halves of the track, is the vessel accelerating, decelerating or steady?",
            "Does the vessel speed up, slow down or keep its speed over the window?"),
        a("It is {v}.", "{v}: the second-half mean SOG is {sog_second_half_kn} against {sog_first_half_kn}.")));
    t.add(tpl("kinematics.halves.v2", "speed_trend",
        q("Is the vessel faster in the second half of the window than in the first, by a knot or more?",
            "How does the vessel's speed in the second half compare with the first half?"),
        a("{v}: {sog_first_half_kn} in the first half, {sog_second_half_kn} in the second.",
            "The trend is {v} ({sog_first_half_kn} then {sog_second_half_kn}).")));
    t.add(tpl("kinematics.largest_sog_change.v2", "largest_sog_change_kn",
        q("What is the largest change of SOG between two consecutive rows?",
            "By how much does the reported speed change at most from one row to the next?"),
        a("{v}.", "The largest change between consecutive rows is {v}.")));
    t.add(tpl("kinematics.partial_speed.v2", "partial_speed_kn",
        q("What was the vessel's average speed between {t_a} and {t_b}, from its positions?",
            "Using the positions, how fast did the vessel travel on average from {t_a} to {t_b}?"),
        a("About {v}.", "Between those rows it averaged {v}.")));
    // route
    t.add(tpl("route.distance.v2", "distance_nm",
        q("How far did the vessel travel along its track, summing the legs between consecutive rows?",
            "What distance does the vessel cover along the rows of the table?",
            "How long is the track, in nautical miles?"),
        a("About {v}.", "The vessel covered {v} along its track.")));
    t.add(tpl("route.displacement.v2", "displacement_nm",
        q("How far apart are the first and last positions in a straight line?",
            "What is the vessel's net displacement from the first row to the last?"),
        a("{v}.", "The straight-line distance is {v}.")));
    t.add(tpl("route.bearing_deg.v2", "bearing_deg",
        q("What is the bearing, in degrees true, from the first to the last position?",
            "On what bearing does the last position lie from the first?"),
        a("{v}.", "About {v} true.")));
    t.add(tpl("route.bearing_compass.v2", "bearing_compass",
        q("In which compass direction did the vessel move overall, from its first to its last position?",
            "Which way is the last position from the first one, on an 8-point compass?"),
        a("{v}.", "Overall it moved {v}.")));
    t.add(tpl("route.eta.v2", "eta_min",
        q("At its last reported speed, how long would the vessel need to reach {target}?",
            "Keeping its last reported SOG, in how many minutes does the vessel reach {target}?"),
        a("{v}.", "About {v} at its last reported speed.")));
    t.add(tpl("route.reach_by.v2", "reach_by",
        q("At its last reported speed, can the vessel reach {target} by {deadline}?",
            "If it keeps its last reported SOG, will the vessel be at {target} by {deadline}?"),
        a("{v}: it needs {eta_min}.", "{v}, it needs {eta_min} at its last reported speed.")));
    // behaviour
    t.add(tpl("behaviour.stop_count.v2", "stop_count",
        q("How many times does the vessel stop (stay within 100 metres for at least 5 minutes)?",
            "How many stops does the track contain, counting stays within 100 metres of 5 minutes or more?"),
        a("{v}.", "The track holds {v} such stops.")));
    t.add(tpl("behaviour.first_stop_start.v2", "first_stop_start",
        q("When does the vessel's first stop (within 100 metres for at least 5 minutes) begin?",
            "At what time does the vessel first come to a stop, staying within 100 metres for 5 minutes or more?"),
        a("At {v}.", "The first stop begins at {v}.")));
    t.add(tpl("behaviour.stop_when_how_long.v2", "first_stop_start",
        q("When did the vessel first stop (within 100 metres for at least 5 minutes), and for how long?",
            "At what time does the first stop start, and how long does it last?"),
        a("It stopped at {v} for {first_stop_min}.", "From {v}, for {first_stop_min}.")));
    t.add(tpl("behaviour.longest_stop.v2", "longest_stop_min",
        q("How long is the vessel's longest stop (within 100 metres for at least 5 minutes)?",
            "What is the duration of the longest stay within 100 metres lasting 5 minutes or more?"),
        a("{v}.", "The longest stop lasts {v}.")));
    t.add(tpl("behaviour.stopped_total.v2", "stopped_min",
        q("How much time in total does the vessel spend in stops (within 100 metres for at least 5 minutes)?",
            "What is the total time of all stops of 5 minutes or more within 100 metres?"),
        a("{v} in total.", "The stops add up to {v}.")));
    t.add(tpl("behaviour.stationary_pct.v2", "stationary_pct",
        q("What share of the rows with SOG report less than 0.5 knots?",
            "In what percentage of the reports with a speed is the vessel below 0.5 knots?"),
        a("{v}.", "{v} of the rows with SOG.")));
    t.add(tpl("behaviour.state.v2", "behaviour",
        q("What was the vessel doing during this window?", "How would you describe the vessel's behaviour in this window?",
            "Was the vessel moored, at anchor, stationary, underway, or drifting or loitering?"),
        a("The vessel was {v}.", "It appears to be {v}.")));
    t.add(tpl("behaviour.status_consistent.v2", "status_consistent",
        q("Is the vessel's movement consistent with the navigational status it broadcasts most often?",
            "Does the reported navigational status agree with how the vessel actually moves?"),
        a("{v}.", "{v}: compare the status with a mean speed of {sog_mean_kn}.")));
    t.add(tpl("behaviour.turn_count.v2", "turn_count",
        q("How many turns does the vessel make (same-side course changes adding up to 30 degrees or more)?",
            "How many times does the vessel change course by 30 degrees or more?"),
        a("{v}.", "The vessel makes {v} such turns.")));
    t.add(tpl("behaviour.largest_turn.v2", "largest_turn_deg",
        q("How large is the vessel's largest turn, in degrees?", "By how many degrees does the vessel turn in its biggest turn?"),
        a("{v}, to {largest_turn_side}.", "Its largest turn is {v}.")));
    t.add(tpl("behaviour.largest_turn_side.v2", "largest_turn_side",
        q("To which side, port or starboard, is the vessel's largest turn?",
            "Is the vessel's biggest turn to port or to starboard?"),
        a("To {v} ({largest_turn_deg}).", "{v}.")));
    t.add(tpl("behaviour.total_turn.v2", "total_turn_deg",
        q("What is the total course change between consecutive moving rows?",
            "Summing the course changes while moving at 2 knots or more, how much does the vessel turn in total?"),
        a("{v}.", "The course changes add up to {v}.")));
    // anomaly
    t.add(tpl("anomaly.max_leg_speed.v2", "max_leg_speed_kn",
        q("What is the highest speed implied between two consecutive positions?",
            "Which leg between consecutive rows implies the highest speed, and how fast is it?"),
        a("{v}.", "The fastest leg implies {v}.")));
    t.add(tpl("anomaly.teleport.v2", "teleport",
        q("Does the track contain an implausible position jump?", "Is there a teleport-like jump between consecutive positions?"),
        a("{v}: the fastest leg implies {max_leg_speed_kn}.", "{v}, judging by a maximum leg speed of {max_leg_speed_kn}.")));
    t.add(tpl("anomaly.heading_cog_max.v2", "heading_cog_max_diff_deg",
        q("What is the largest difference between heading and course over ground while the vessel moves?",
            "How far apart do heading and COG get at most while moving at 2 knots or more (drift or crabbing)?"),
        a("{v}.", "Heading and COG differ by at most {v}.")));
    t.add(tpl("anomaly.heading_cog.v2", "heading_cog_disagreements",
        q("How many moving reports show heading and COG differing by more than 45 degrees?",
            "In how many rows at 2 knots or more do heading and COG disagree by over 45 degrees?"),
        a("{v}.", "{v} reports, with a largest difference of {heading_cog_max_diff_deg}.")));
    t.add(tpl("anomaly.sog_missing.v2", "sog_missing",
        q("How many rows lack a speed over ground value?", "In how many reports is SOG not available?"),
        a("{v}.", "SOG is missing in {v} rows.")));
    t.add(tpl("anomaly.sog_overflow.v2", "sog_overflow_reports",
        q("How many rows report SOG 102.2, which means 102.2 knots or more rather than a speed?",
            "In how many reports is the SOG the 102.2 'or more' value?"),
        a("{v}.", "{v} rows.")));
    return Collections.unmodifiableList(t);
  }

  private static Template tpl(String id, String key, List<String> q, List<String> a) {
    if (WindowFacts.get(key) == null) {
      throw new IllegalStateException("template " + id + ": unknown fact " + key);
    }
    return new Template(id, key, q, a);
  }

  private static List<String> q(String... s) {
    return List.of(s);
  }

  private static List<String> a(String... s) {
    return List.of(s);
  }

  /**
   * The pairs for {@code w}: deterministic (same window -> same pairs, same order, same ids), every
   * pair with teacher "grounded", promptVersion {@link WindowPrompt#VERSION}, a non-null factKey,
   * claimKind/claim/unit from the fact, and {@code facts} = the cited facts' raw values (numbers
   * rounded to 3 decimals).
   *
   * @throws NullPointerException when {@code w} is null
   */
  public List<QaPair> generate(TrackWindow w) {
    Map<Category, List<Template>> byCat = new EnumMap<>(Category.class);
    for (Category c : Category.values()) {
      byCat.put(c, new ArrayList<>());
    }
    for (Template t : TEMPLATES) {
      if (applicable(t, w)) {
        byCat.get(t.category()).add(t);
      }
    }
    List<QaPair> out = new ArrayList<>();
    for (int round = 0; round < maxPerCategory && out.size() < maxPerWindow; round++) {
      boolean any = false;
      for (Category c : Category.values()) {
        List<Template> ts = byCat.get(c);
        if (round < ts.size() && out.size() < maxPerWindow) {
          // rotate the category's templates by a per-window offset, so that capped windows still
          // cover every template across a data set
          int offset = Integer.remainderUnsigned(Integer.parseUnsignedInt(
              Sha256.hex(w.windowId() + "|" + c.label()).substring(0, 8), 16), ts.size());
          out.add(pair(ts.get((round + offset) % ts.size()), w));
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
    return out;
  }

  private static boolean applicable(Template t, TrackWindow w) {
    if (WindowFacts.value(t.factKey(), w) == null) {
      return false;
    }
    for (String a : t.answers()) {
      for (String k : WindowFacts.all().keySet()) {
        if (a.contains("{" + k + "}") && WindowFacts.value(k, w) == null) {
          return false;
        }
      }
    }
    return true;
  }

  private static QaPair pair(Template t, TrackWindow w) {
    WindowFacts.Fact f = WindowFacts.get(t.factKey());
    Object v = f.value(w);
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put(f.key(), raw(v));
    String question = questionData(pick(t.questions(), w.windowId(), t.id() + "|q"), w, facts);
    String answer = render(pick(t.answers(), w.windowId(), t.id() + "|a"), f.format(v), w, facts);
    answer = Character.toUpperCase(answer.charAt(0)) + answer.substring(1);
    String qaId = id(w.windowId(), t.category().label(), t.id(), TEACHER, WindowPrompt.VERSION);
    return new QaPair(qaId, w.windowId(), w.mmsi(), t.category(), question, answer, Traces.of(f.key(), w), TEACHER,
        WindowPrompt.VERSION, t.id(), f.kind().label(), f.claim(v), f.unit().label(),
        Collections.unmodifiableMap(facts), f.key());
  }

  /** The question with its own data filled in ({@code {t_a}}, {@code {t_b}}, {@code {target}}, {@code {deadline}}). */
  private static String questionData(String q, TrackWindow w, Map<String, Object> facts) {
    Observation o = Observation.of(w);
    if (q.contains("{t_a}")) {
      int[] ab = o.partialRows();
      String ta = WindowFacts.clock(o.time(ab[0]));
      String tb = WindowFacts.clock(o.time(ab[1]));
      facts.put("t_a", ta);
      facts.put("t_b", tb);
      q = q.replace("{t_a}", ta + " UTC").replace("{t_b}", tb + " UTC");
    }
    if (q.contains("{target}")) {
      double[] p = o.etaTarget();
      String target = "latitude " + WindowFacts.fmt(p[0], 5) + ", longitude " + WindowFacts.fmt(p[1], 5);
      facts.put("target_lat", p[0]);
      facts.put("target_lon", p[1]);
      q = q.replace("{target}", target);
    }
    if (q.contains("{deadline}")) {
      String deadline = WindowFacts.clock(o.etaDeadline());
      facts.put("deadline", deadline);
      q = q.replace("{deadline}", deadline + " UTC");
    }
    return q;
  }

  private static String render(String pattern, String formatted, TrackWindow w, Map<String, Object> facts) {
    String s = pattern.replace("{v}", formatted);
    for (WindowFacts.Fact f : WindowFacts.all().values()) {
      String ph = "{" + f.key() + "}";
      if (s.contains(ph)) {
        Object v = f.value(w);
        facts.put(f.key(), raw(v));
        s = s.replace(ph, f.format(v));
      }
    }
    return s;
  }

  private static Object raw(Object v) {
    if (v instanceof Double d) {
      return Math.round(d * 1000.0) / 1000.0;
    }
    return v;
  }

  private static String pick(List<String> options, String windowId, String salt) {
    int x = Integer.parseUnsignedInt(Sha256.hex(windowId + "|" + salt).substring(0, 8), 16);
    return options.get(Integer.remainderUnsigned(x, options.size()));
  }

  /** Deterministic pair id: the first 16 hex digits of SHA-256 over the parts joined by '|'. */
  public static String id(String... parts) {
    return Sha256.hex(String.join("|", parts)).substring(0, 16);
  }
}
