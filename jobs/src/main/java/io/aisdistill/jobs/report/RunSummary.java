package io.aisdistill.jobs.report;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.report.StageReport;

import java.util.List;

/**
 * Prints the run summary (rows in/out per stage, rejects by reason, QA by category and verdict,
 * elapsed) and writes the same Markdown to {@code <lakehouse>/_reports/run-<runId>.md} and
 * {@code _reports/latest.md}.
 */
public final class RunSummary {
  private RunSummary() {}

  /** Renders the reports as one Markdown document. */
  public static String markdown(String runId, String lakehouse, List<StageReport> reports) {
    StringBuilder b = new StringBuilder("# ais-distill run ").append(runId).append("\n\nlakehouse: `")
        .append(lakehouse).append("`\n\n");
    long total = 0;
    for (StageReport r : reports) {
      b.append(r.toMarkdown());
      total += r.elapsedMs();
    }
    return b.append(String.format("total elapsed: %.1f s%n", total / 1000.0)).toString();
  }

  /** Prints the summary to stdout and writes it under the lakehouse; returns the report path. */
  public static String print(Lakehouse lh, String runId, List<StageReport> reports) {
    String md = markdown(runId, lh.root(), reports);
    System.out.println(md);
    String path = lh.writeText("_reports/run-" + runId + ".md", md);
    lh.writeText("_reports/latest.md", md);
    System.out.println("summary written to " + path);
    return path;
  }
}
