package io.aisdistill.jobs.stage;

import io.aisdistill.jobs.report.StageReport;

/**
 * The typed result of a {@link Stage}: each stage's record gives its figures as typed components
 * (rows read, written, rejected, ...) and {@link #report()}, the ordered metrics and tables that
 * the {@code report} package renders as Markdown for the console and the run report.
 */
public interface StageResult {
  /** What the run report shows for the stage; its {@code stage()} is the stage name. */
  StageReport report();

  /** The stage name. */
  default String stage() {
    return report().stage();
  }

  /** Wall-clock time of the stage, milliseconds. */
  default long elapsedMs() {
    return report().elapsedMs();
  }
}
