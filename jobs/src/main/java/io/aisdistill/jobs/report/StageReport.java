package io.aisdistill.jobs.report;


import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one stage did: ordered metrics (rows in/out, rejects by reason, ...) and optional tables
 * (e.g. one row per input file). Rendered as Markdown for the console and the run report.
 */
public final class StageReport {
  /** A titled table of the report. */
  public record Table(String title, List<String> header, List<List<Object>> rows) {}

  private final String stage;
  private final Map<String, Object> metrics = new LinkedHashMap<>();
  private final List<Table> tables = new ArrayList<>();
  private long elapsedMs;

  /** @param stage the stage name ("ingest", "windows", ...) */
  public StageReport(String stage) {
    this.stage = stage;
  }

  /** The stage name. */
  public String stage() {
    return stage;
  }

  /** Sets a metric (insertion order is kept). */
  public StageReport put(String name, Object value) {
    metrics.put(name, value);
    return this;
  }

  /** A metric's value, or null. */
  public Object get(String name) {
    return metrics.get(name);
  }

  /** A numeric metric as long (0 when absent). */
  public long getLong(String name) {
    Object v = metrics.get(name);
    return v instanceof Number n ? n.longValue() : 0L;
  }

  /** All metrics, in insertion order (live view). */
  public Map<String, Object> metrics() {
    return metrics;
  }

  /** The report's tables, in insertion order (live view). */
  public List<Table> tables() {
    return tables;
  }

  /** Adds a table. */
  public StageReport table(String title, List<String> header, List<List<Object>> rows) {
    tables.add(new Table(title, header, rows));
    return this;
  }

  /** Wall-clock time of the stage, milliseconds. */
  public long elapsedMs() {
    return elapsedMs;
  }

  /** Sets the wall-clock time of the stage, milliseconds. */
  public StageReport elapsedMs(long ms) {
    this.elapsedMs = ms;
    return this;
  }

  /** Markdown rendering: a heading, a metric table, then each table. */
  public String toMarkdown() {
    StringBuilder b = new StringBuilder();
    b.append("## ").append(stage).append(String.format(" (%.1f s)%n%n", elapsedMs / 1000.0));
    b.append("| metric | value |\n|---|---:|\n");
    metrics.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(fmt(v)).append(" |\n"));
    for (Table t : tables) {
      b.append("\n**").append(t.title()).append("**\n\n| ").append(String.join(" | ", t.header())).append(" |\n|");
      t.header().forEach(h -> b.append("---|"));
      b.append('\n');
      for (List<Object> r : t.rows()) {
        b.append("| ");
        for (int i = 0; i < r.size(); i++) {
          b.append(i > 0 ? " | " : "").append(fmt(r.get(i)));
        }
        b.append(" |\n");
      }
    }
    return b.append('\n').toString();
  }

  private static String fmt(Object v) {
    if (v instanceof Double d) {
      return String.format("%.4g", d);
    }
    return String.valueOf(v).replace("|", "\\|");
  }
}
