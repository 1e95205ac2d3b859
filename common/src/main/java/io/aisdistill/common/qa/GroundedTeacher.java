package io.aisdistill.common.qa;

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
 * {@link WindowFacts} (no model involved).
 *
 * <p>Each {@link Template} asks about one fact; it has several question phrasings and several
 * answer phrasings, chosen by a SHA-256 hash of (window id, template id), so a window always gets
 * the same text. A template is skipped when its fact or a fact its answer cites is null (no SOG ->
 * no SOG question, unknown ship type -> no ship-type question). Selection is round-robin over the
 * categories in {@link Category} order (first template of each category, then the second, ...),
 * at most {@code maxPerCategory} per category and {@code maxPerWindow} in all.
 *
 * <p>Every question and answer is answerable from {@link WindowPrompt#context} alone, because the
 * prompt lists every fact with the same {@link WindowFacts.Fact#format} text the answers use.
 */
public final class GroundedTeacher {
  /** Teacher name stored in {@code QaPair.teacher}. */
  public static final String TEACHER = "grounded";

  /**
   * A question template.
   *
   * @param id stable template id ("kinematics.sog_mean.v1")
   * @param factKey the {@link WindowFacts} key the answer states
   * @param questions question phrasings (each ends with '?')
   * @param answers answer phrasings: {@code {v}} is the formatted fact, {@code {<key>}} the
   *     formatted value of another fact (which must then be non-null)
   * @param cites further fact keys the reasoning cites (and {@code facts} records)
   * @param rule an optional rule sentence for the reasoning trace (null when none)
   */
  public record Template(String id, String factKey, List<String> questions, List<String> answers,
      List<String> cites, String rule) {
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
    t.add(tpl("identity.ship_type_group.v1", "ship_type_group",
        q("What kind of vessel is this, judging by its AIS ship type?",
            "Which type of ship is broadcasting in this window?",
            "What category of vessel does the AIS ship type code indicate?"),
        a("The AIS ship type is \"{ship_type}\", i.e. the {v} group.", "The ship type code says {ship_type}, so the vessel is in the {v} group."),
        List.of("ship_type"), null));
    t.add(tpl("identity.flag_state.v1", "flag_state",
        q("Under which flag state is this vessel registered, according to its MMSI?",
            "Which country's flag does the vessel's MMSI point to?",
            "What flag state do the Maritime Identification Digits of this MMSI indicate?"),
        a("{v}.", "The MMSI's MID belongs to {v}."), List.of(), null));
    t.add(tpl("identity.ais_class.v1", "ais_class",
        q("Which AIS transceiver class does the vessel use?", "Is the vessel fitted with a class A or a class B AIS transceiver?"),
        a("It transmits as AIS {v}.", "The transceiver is {v}."), List.of(), null));
    t.add(tpl("identity.length.v1", "length_m",
        q("How long is the vessel?", "What is the vessel's overall length?"),
        a("The vessel is {v} long.", "Its overall length is {v}."), List.of(), null));
    // kinematics
    t.add(tpl("kinematics.sog_mean.v1", "sog_mean_kn",
        q("What was the vessel's mean speed over ground in this window?",
            "On average, how fast was the vessel moving over ground?",
            "What average SOG did the vessel report?"),
        a("About {v}.", "The mean reported speed over ground was {v}."), List.of("n_points", "sog_missing"), null));
    t.add(tpl("kinematics.sog_max.v1", "sog_max_kn",
        q("What was the highest speed over ground the vessel reported?", "How fast did the vessel go at most, by its reported SOG?"),
        a("The maximum reported speed over ground was {v}.", "At most {v}."), List.of(), null));
    t.add(tpl("kinematics.implied_speed.v1", "implied_speed_kn",
        q("What average speed does the distance travelled imply over the window's duration?",
            "Dividing the track distance by the elapsed time, how fast was the vessel going?"),
        a("About {v} ({distance_nm} in {duration_min}).", "The implied speed is {v}."),
        List.of("distance_nm", "duration_min"), null));
    t.add(tpl("kinematics.sog_min.v1", "sog_min_kn",
        q("What was the lowest speed over ground the vessel reported?", "What minimum SOG appears in this window?"),
        a("The lowest reported speed over ground was {v}.", "At least {v}."), List.of(), null));
    // behaviour
    t.add(tpl("behaviour.state.v1", "behaviour",
        q("What was the vessel doing during this window?", "How would you describe the vessel's behaviour in this window?",
            "Was the vessel moored, at anchor, underway, or drifting or loitering?"),
        a("The vessel was {v}.", "It appears to be {v}."),
        List.of("nav_status", "stationary_pct", "sog_mean_kn", "implied_speed_kn", "distance_nm", "displacement_nm"),
        WindowFacts.BEHAVIOUR_RULE));
    t.add(tpl("behaviour.stop_count.v1", "stop_count",
        q("How many times did the vessel stop in this window?", "How many stop periods does the track contain?"),
        a("{v} stop periods.", "The vessel stopped {v} times."), List.of("stopped_min"), null));
    t.add(tpl("behaviour.stopped_time.v1", "stopped_min",
        q("How long was the vessel stopped in total?", "What was the total time spent stopped in this window?"),
        a("{v} in total.", "The vessel was stopped for {v}."), List.of("stop_count"), null));
    t.add(tpl("behaviour.nav_status.v1", "nav_status",
        q("Which navigational status did the vessel report most often?", "What is the dominant AIS navigational status in this window?"),
        a("Mostly \"{v}\".", "The most frequent status was {v}."), List.of(), null));
    // route
    t.add(tpl("route.distance.v1", "distance_nm",
        q("How far did the vessel travel along its track?", "What distance did the vessel cover in this window?",
            "How long was the track the vessel sailed, in nautical miles?"),
        a("About {v}.", "The vessel covered {v} along its track."), List.of("n_points"), null));
    t.add(tpl("route.bearing.v1", "bearing_compass",
        q("In which direction did the vessel move overall, from its first to its last position?",
            "Which way is the last position from the first one?"),
        a("{v} ({bearing_deg}).", "Overall it moved {v}, on a bearing of {bearing_deg} true."),
        List.of("bearing_deg", "displacement_nm"), null));
    t.add(tpl("route.displacement.v1", "displacement_nm",
        q("How far apart are the first and last positions in a straight line?", "What was the vessel's net displacement over the window?"),
        a("{v}.", "The straight-line distance is {v}."), List.of("distance_nm"), null));
    t.add(tpl("route.bearing_deg.v1", "bearing_deg",
        q("What is the bearing, in degrees true, from the first to the last position?"),
        a("{v} ({bearing_compass}).", "About {v} true."), List.of("bearing_compass"), null));
    // temporal
    t.add(tpl("temporal.duration.v1", "duration_min",
        q("How long does this window last?", "How much time passes between the first and the last report?"),
        a("{v}.", "The window spans {v}."), List.of(), null));
    t.add(tpl("temporal.max_gap.v1", "max_gap_min",
        q("What was the longest gap between two consecutive AIS reports?", "How long was the largest interval without a report?"),
        a("{v}.", "The longest gap between reports was {v}."), List.of("median_interval_s"), null));
    t.add(tpl("temporal.median_interval.v1", "median_interval_s",
        q("How often did the vessel report its position, typically?", "What is the median interval between consecutive reports?"),
        a("Typically every {v}.", "The median reporting interval is {v}."), List.of("n_points"), null));
    t.add(tpl("temporal.n_points.v1", "n_points",
        q("How many position reports does this window contain?", "How many AIS position reports were received in this window?"),
        a("{v} position reports.", "The window holds {v} reports."), List.of("duration_min"), null));
    // anomaly
    t.add(tpl("anomaly.teleport.v1", "teleport",
        q("Does the track contain an implausible position jump?", "Is there a teleport-like jump between consecutive positions?"),
        a("{v}: the highest implied speed between consecutive reports is {max_leg_speed_kn}.",
            "{v}, judging by a maximum leg speed of {max_leg_speed_kn}."),
        List.of("max_leg_speed_kn"), "a jump is implausible when the implied leg speed exceeds "
            + (int) WindowFacts.TELEPORT_KN + " knots"));
    t.add(tpl("anomaly.heading_cog.v1", "heading_cog_disagreements",
        q("How many reports show heading and course over ground disagreeing by more than 45 degrees while moving?",
            "In how many moving reports do heading and COG differ by over 45 degrees?"),
        a("{v}.", "{v} reports, with a largest difference of {heading_cog_max_diff_deg}."),
        List.of("heading_cog_max_diff_deg"), null));
    t.add(tpl("anomaly.sog_missing.v1", "sog_missing",
        q("How many reports lack a speed over ground value?", "In how many reports is SOG not available?"),
        a("{v} of the reports.", "SOG is missing in {v} reports."), List.of("n_points"), null));
    t.add(tpl("anomaly.max_leg_speed.v1", "max_leg_speed_kn",
        q("What is the highest speed implied between two consecutive positions?"),
        a("{v}.", "The fastest leg implies {v}."), List.of(), null));
    t.add(tpl("anomaly.heading_missing.v1", "heading_missing",
        q("How many reports have no true heading?"),
        a("{v}.", "Heading is not available in {v} reports."), List.of("n_points"), null));
    return Collections.unmodifiableList(t);
  }

  private static Template tpl(String id, String key, List<String> q, List<String> a, List<String> cites,
      String rule) {
    if (WindowFacts.get(key) == null) {
      throw new IllegalStateException("template " + id + ": unknown fact " + key);
    }
    return new Template(id, key, q, a, cites, rule);
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
          out.add(pair(ts.get(round), w));
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
    String question = pick(t.questions(), w.windowId(), t.id() + "|q");
    String answer = render(pick(t.answers(), w.windowId(), t.id() + "|a"), f.format(v), w);
    answer = Character.toUpperCase(answer.charAt(0)) + answer.substring(1);
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put(f.key(), raw(v));
    StringBuilder r = new StringBuilder();
    int step = 1;
    for (String k : t.cites()) {
      WindowFacts.Fact c = WindowFacts.get(k);
      Object cv = c.value(w);
      facts.put(k, raw(cv));
      r.append(step++).append(". ").append(c.description()).append(" (").append(k).append(") = ")
          .append(c.format(cv)).append(".\n");
    }
    if (t.rule() != null) {
      r.append(step++).append(". Rule: ").append(t.rule()).append(".\n");
    }
    r.append(step).append(". ").append(f.description()).append(" (").append(f.key()).append(") = ")
        .append(f.format(v)).append(", so the answer is ").append(f.format(v)).append('.');
    String qaId = id(w.windowId(), t.category().label(), t.id(), TEACHER, WindowPrompt.VERSION);
    return new QaPair(qaId, w.windowId(), w.mmsi(), t.category(), question, answer, r.toString(), TEACHER,
        WindowPrompt.VERSION, t.id(), f.kind().label(), f.claim(v), f.unit().label(),
        Collections.unmodifiableMap(facts), f.key());
  }

  private static String render(String pattern, String formatted, TrackWindow w) {
    String s = pattern.replace("{v}", formatted);
    for (WindowFacts.Fact f : WindowFacts.all().values()) {
      String ph = "{" + f.key() + "}";
      if (s.contains(ph)) {
        s = s.replace(ph, f.format(f.value(w)));
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
    int x = Integer.parseUnsignedInt(WindowPrompt.sha256(windowId + "|" + salt).substring(0, 8), 16);
    return options.get(Integer.remainderUnsigned(x, options.size()));
  }

  /** Deterministic pair id: the first 16 hex digits of SHA-256 over the parts joined by '|'. */
  public static String id(String... parts) {
    return WindowPrompt.sha256(String.join("|", parts)).substring(0, 16);
  }
}
