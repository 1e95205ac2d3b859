package io.aisdistill.common.qa;

import io.aisdistill.common.ais.NavStatus;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The exact, versioned prompt an LLM teacher receives for one window, and the context a student
 * model sees (prompt version window-v2, docs/qa-facts.md section 2). Text is deterministic: the
 * same window always gives the same bytes (times in UTC, numbers with '.' decimals, facts in
 * {@link WindowFacts} registry order), so {@link Prompt#sha256} identifies a prompt. Change
 * {@link #VERSION} whenever the text changes.
 *
 * <p>The student sees observations, not conclusions ({@link #studentContext}): the vessel
 * identity as broadcast (MMSI, name, AIS ship type code, dimensions, AIS class) and the observed
 * rows ({@link io.aisdistill.common.track.ObservedRows}) as a pipe-separated table: time UTC
 * ({@code HH:MM:SS}; a row on a later date than the first shows {@code yyyy-MM-dd HH:MM:SS}) /
 * latitude / longitude (WGS84 degrees, 5 decimals) / SOG (knots, 1 decimal) / COG (degrees true,
 * whole) / heading (degrees true) / navigational status code, "-" for a missing value, then a
 * legend of the status codes present. No computed fact is in it. The teacher's user message
 * ({@link #userMessage}) adds the computed facts and the rules, so an LLM teacher can write
 * correct pairs; the student never sees them.
 */
public final class WindowPrompt {
  private WindowPrompt() {}

  /** Version of the prompt text; stored in {@code QaPair.promptVersion}. */
  public static final String VERSION = "window-v2";

  /**
   * A system + user message pair.
   *
   * @param system the system message
   * @param user the user message
   */
  public record Prompt(String system, String user) {
    /** Both messages as one text: system, a blank line, user. */
    public String text() {
      return system + "\n\n" + user;
    }

    /** Lower-case hex SHA-256 of {@link #text()} (UTF-8). */
    public String sha256() {
      return Sha256.hex(text());
    }
  }

  /**
   * The system message: the teacher's role (maritime analyst writing QA pairs for one AIS window),
   * the six categories, the rules (questions answerable from the identity line and track table
   * alone; answers with units spelled out; reasoning that derives the value from the rows), and
   * the output schema: a JSON array of objects
   * {@code {category, question, answer, reasoning, fact_key, value, unit}}.
   */
  public static String systemMessage() {
    StringBuilder s = new StringBuilder();
    s.append("You are a maritime analyst. You read one window of a vessel's AIS track and write ")
        .append("question-answer pairs that train a small model to reason about vessel tracks.\n")
        .append("Rules:\n")
        .append("- The student will see only the vessel line and the track table, never the computed facts: ")
        .append("ask only what can be worked out from the rows, and never guess missing data.\n")
        .append("- Each question is one sentence ending with '?'. Each answer states the value with its ")
        .append("unit spelled out (knots, nautical miles, degrees, minutes, seconds, metres, percent; times as HH:MM:SS UTC).\n")
        .append("- The reasoning derives the answer step by step from the rows (quote the rows used and ")
        .append("write each computation as a op b = result); the computed facts are given to check your result.\n")
        .append("- Categories: ");
    Category[] cs = Category.values();
    for (int i = 0; i < cs.length; i++) {
      s.append(i == 0 ? "" : ", ").append(cs[i].label());
    }
    s.append(".\n")
        .append("- fact_key names the fact the answer states (one of the keys listed by the user), ")
        .append("value is that value as plain text, unit its unit (or null).\n")
        .append("Output: a JSON array only, each element {\"category\": string, \"question\": string, ")
        .append("\"answer\": string, \"reasoning\": string, \"fact_key\": string, \"value\": string, ")
        .append("\"unit\": string or null}.");
    return s.toString();
  }

  /**
   * What the student sees of a window (see the class Javadoc): the identity line, the track table
   * and the status legend; no computed fact.
   */
  public static String studentContext(TrackWindow w) {
    StringBuilder s = new StringBuilder();
    VesselInfo v = w.vessel();
    s.append("Vessel: MMSI ").append(w.mmsi());
    if (v != null) {
      part(s, "name", v.vesselName());
      part(s, "IMO", v.imo());
      part(s, "call sign", v.callsign());
      part(s, "AIS ship type code", v.shipType() == null || v.shipType() == 0 ? null : v.shipType().toString());
      part(s, "length", v.lengthM() == null || v.lengthM() <= 0 ? null : WindowFacts.fmt(v.lengthM(), 0) + " metres");
      part(s, "beam", v.widthM() == null || v.widthM() <= 0 ? null : WindowFacts.fmt(v.widthM(), 0) + " metres");
      part(s, "draught", v.draftM() == null || v.draftM() <= 0 ? null : WindowFacts.fmt(v.draftM(), 1) + " metres");
      part(s, "AIS class", v.aisClass() == null ? null : v.aisClass().trim().toUpperCase(java.util.Locale.ROOT));
    }
    s.append('\n');
    List<TrackPoint> rows = w.track() == null ? List.of() : w.track();
    String firstDate = rows.isEmpty() ? "" : date(rows.get(0).tsMillis());
    s.append("Track (UTC, ").append(firstDate).append("; selected reports, simplified with TD-TR; '-' = not available; ")
        .append("SOG 102.2 = 102.2 knots or more):\n");
    s.append("time | lat | lon | sog_kn | cog_deg | heading_deg | nav\n");
    TreeSet<Integer> codes = new TreeSet<>();
    for (TrackPoint p : rows) {
      String d = date(p.tsMillis());
      s.append(d.equals(firstDate) ? "" : d + " ").append(WindowFacts.clock(Math.floorDiv(p.tsMillis(), 1000L)))
          .append(" | ").append(WindowFacts.fmt(p.lat(), 5)).append(" | ").append(WindowFacts.fmt(p.lon(), 5)).append(" | ")
          .append(p.sog() == null ? "-" : WindowFacts.fmt(p.sog(), 1)).append(" | ")
          .append(p.cog() == null ? "-" : WindowFacts.fmt(p.cog(), 0)).append(" | ")
          .append(p.heading() == null ? "-" : p.heading().toString()).append(" | ")
          .append(p.navStatus() == null ? "-" : p.navStatus().toString()).append('\n');
      if (p.navStatus() != null) {
        codes.add(p.navStatus());
      }
    }
    if (!codes.isEmpty()) {
      s.append("Nav status codes: ");
      boolean first = true;
      for (int c : codes) {
        s.append(first ? "" : ", ").append(c).append(" = ").append(NavStatus.text(c));
        first = false;
      }
      s.append('\n');
    }
    return s.toString();
  }

  /**
   * The teacher's window context: {@link #studentContext}, then the computed facts of the rows as
   * {@code key (description): value with unit} ("not available" when missing) and the behaviour
   * and teleport rules. The facts are for the teacher only.
   */
  public static String context(TrackWindow w) {
    StringBuilder s = new StringBuilder(studentContext(w));
    s.append("Computed facts of these rows (for checking; the student does not see them):\n");
    for (Map.Entry<String, WindowFacts.Fact> e : WindowFacts.all().entrySet()) {
      WindowFacts.Fact f = e.getValue();
      s.append("- ").append(f.key()).append(" (").append(f.description()).append("): ")
          .append(f.format(f.value(w))).append('\n');
    }
    s.append("Behaviour rule: ").append(WindowFacts.BEHAVIOUR_RULE).append(".\n");
    s.append("Teleport rule: a position jump is implausible when a leg over ").append(WindowFacts.TELEPORT_MIN_NM)
        .append(" nautical miles implies more than ").append((int) WindowFacts.TELEPORT_KN).append(" knots.\n");
    return s.toString();
  }

  /** The user message for a teacher: {@link #context} followed by the task instruction. */
  public static String userMessage(TrackWindow w) {
    return context(w) + "\nWrite question-answer pairs about this window, covering as many of the "
        + "categories as the rows allow. Answer with the JSON array only.";
  }

  /** The teacher prompt for {@code w}: {@link #systemMessage()} and {@link #userMessage}. */
  public static Prompt build(TrackWindow w) {
    return new Prompt(systemMessage(), userMessage(w));
  }

  /**
   * The text a student model sees for one question: {@link #studentContext} of the window, then
   * "Question: " and {@code question}. No computed fact, no "Answer:" cue (the chat template
   * starts the assistant turn).
   */
  public static String studentPrompt(TrackWindow w, String question) {
    return studentContext(w) + "Question: " + question;
  }

  private static String date(long millis) {
    return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }

  private static void part(StringBuilder s, String label, String value) {
    if (value != null && !value.isBlank()) {
      s.append("; ").append(label).append(' ').append(value);
    }
  }
}
