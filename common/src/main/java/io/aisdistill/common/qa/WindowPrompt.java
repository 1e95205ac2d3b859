package io.aisdistill.common.qa;

import io.aisdistill.common.ais.NavStatus;
import io.aisdistill.common.ais.ShipTypes;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;

/**
 * The exact, versioned prompt an LLM teacher receives for one window, and the context a student
 * model sees. Text is deterministic: the same window always gives the same bytes (times in UTC ISO
 * 8601, numbers with '.' decimals, facts in {@link WindowFacts} registry order), so
 * {@link Prompt#sha256} identifies a prompt. Change {@link #VERSION} whenever the text changes.
 *
 * <p>The window context lists the vessel identity, every {@link WindowFacts} fact as
 * {@code key (description): value with unit} ("not available" when missing), the behaviour and
 * teleport rules, and the downsampled
 * track as a pipe-separated table: time UTC / latitude / longitude (WGS84 degrees, 5 decimals) /
 * SOG (knots) / COG (degrees true) / heading (degrees true) / navigational status; "-" marks a
 * missing value.
 */
public final class WindowPrompt {
  private WindowPrompt() {}

  /** Version of the prompt text; stored in {@code QaPair.promptVersion}. */
  public static final String VERSION = "window-v1";

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
      return WindowPrompt.sha256(text());
    }
  }

  private static final DateTimeFormatter UTC = DateTimeFormatter.ISO_INSTANT;

  /**
   * The system message: the teacher's role (maritime analyst writing QA pairs for one AIS window),
   * the six categories, the rules (answer only from the given facts and track, units spelled out),
   * and the output schema: a JSON array of objects
   * {@code {category, question, answer, reasoning, fact_key, value, unit}}.
   */
  public static String systemMessage() {
    StringBuilder s = new StringBuilder();
    s.append("You are a maritime analyst. You read one window of a vessel's AIS track and write ")
        .append("question-answer pairs that train a small model to reason about vessel tracks.\n")
        .append("Rules:\n")
        .append("- Use only the facts and the track given by the user; never guess missing data.\n")
        .append("- Each question is one sentence ending with '?'. Each answer states the value with its ")
        .append("unit spelled out (knots, nautical miles, degrees, minutes, seconds, metres, percent).\n")
        .append("- Give a short step-by-step reasoning from the facts to the answer.\n")
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
   * The window context: identity, facts and track table (see the class Javadoc). Used by both the
   * teacher's user message and {@link #studentPrompt}.
   */
  public static String context(TrackWindow w) {
    StringBuilder s = new StringBuilder();
    s.append("AIS window ").append(w.windowId()).append(" (segment ").append(w.segmentId())
        .append(", window ").append(w.windowIndex()).append(")\n");
    s.append("Time: ").append(time(w.startTsMillis())).append(" to ").append(time(w.endTsMillis()))
        .append(" (UTC)\n");
    VesselInfo v = w.vessel();
    s.append("Vessel: MMSI ").append(w.mmsi());
    if (v != null) {
      part(s, "name", v.vesselName());
      part(s, "IMO", v.imo());
      part(s, "call sign", v.callsign());
      if (v.shipType() != null) {
        String d = ShipTypes.description(v.shipType());
        part(s, "AIS ship type code", v.shipType() + (d == null ? "" : " (" + d + ")"));
      }
      part(s, "length", v.lengthM() == null ? null : WindowFacts.fmt(v.lengthM(), 0) + " metres");
      part(s, "beam", v.widthM() == null ? null : WindowFacts.fmt(v.widthM(), 0) + " metres");
      part(s, "draught", v.draftM() == null ? null : WindowFacts.fmt(v.draftM(), 1) + " metres");
    }
    s.append('\n');
    s.append("Start position: ").append(pos(w.startLat(), w.startLon())).append("; end position: ")
        .append(pos(w.endLat(), w.endLon())).append("; bounding box: latitude ")
        .append(WindowFacts.fmt(w.minLat(), 5)).append(" to ").append(WindowFacts.fmt(w.maxLat(), 5))
        .append(", longitude ").append(WindowFacts.fmt(w.minLon(), 5)).append(" to ")
        .append(WindowFacts.fmt(w.maxLon(), 5)).append('\n');
    s.append("Facts (key (description): value):\n");
    for (Map.Entry<String, WindowFacts.Fact> e : WindowFacts.all().entrySet()) {
      WindowFacts.Fact f = e.getValue();
      s.append("- ").append(f.key()).append(" (").append(f.description()).append("): ")
          .append(f.format(f.value(w))).append('\n');
    }
    s.append("Behaviour rule: ").append(WindowFacts.BEHAVIOUR_RULE).append(".\n");
    s.append("Teleport rule: a position jump is implausible when the implied speed between consecutive ")
        .append("reports exceeds ").append((int) WindowFacts.TELEPORT_KN).append(" knots.\n");
    int n = w.track() == null ? 0 : w.track().size();
    s.append("Track (").append(n).append(" of ").append(w.nPoints())
        .append(" reports, downsampled; '-' = not available):\n");
    s.append("time_utc | lat | lon | sog_knots | cog_degrees | heading_degrees | nav_status\n");
    if (w.track() != null) {
      for (TrackPoint p : w.track()) {
        s.append(time(p.tsMillis())).append(" | ").append(WindowFacts.fmt(p.lat(), 5)).append(" | ")
            .append(WindowFacts.fmt(p.lon(), 5)).append(" | ")
            .append(p.sog() == null ? "-" : WindowFacts.fmt(p.sog(), 1)).append(" | ")
            .append(p.cog() == null ? "-" : WindowFacts.fmt(p.cog(), 1)).append(" | ")
            .append(p.heading() == null ? "-" : p.heading().toString()).append(" | ")
            .append(p.navStatus() == null ? "-" : p.navStatus() + " " + NavStatus.text(p.navStatus()))
            .append('\n');
      }
    }
    return s.toString();
  }

  /** The user message for a teacher: {@link #context} followed by the task instruction. */
  public static String userMessage(TrackWindow w) {
    return context(w) + "\nWrite question-answer pairs about this window, covering as many of the "
        + "categories as the facts allow. Answer with the JSON array only.";
  }

  /** The teacher prompt for {@code w}: {@link #systemMessage()} and {@link #userMessage}. */
  public static Prompt build(TrackWindow w) {
    return new Prompt(systemMessage(), userMessage(w));
  }

  /**
   * The text a student model sees for one question: {@link #context} of the window, then
   * "Question: " and {@code question}, then "Answer:".
   */
  public static String studentPrompt(TrackWindow w, String question) {
    return context(w) + "\nQuestion: " + question + "\nAnswer:";
  }

  /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code text}. */
  public static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static String time(long millis) {
    return UTC.format(Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS));
  }

  private static String pos(double lat, double lon) {
    return WindowFacts.fmt(lat, 5) + ", " + WindowFacts.fmt(lon, 5);
  }

  private static void part(StringBuilder s, String label, String value) {
    if (value != null && !value.isBlank()) {
      s.append("; ").append(label).append(' ').append(value);
    }
  }
}
