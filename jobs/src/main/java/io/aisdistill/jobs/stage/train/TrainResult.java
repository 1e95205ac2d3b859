package io.aisdistill.jobs.stage.train;

import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.report.StageReport;

/**
 * What the train stage did: the typed figures callers use, and the full report (every metric and
 * table of the run summary, in the order shown).
 *
 * @param out absolute training output directory (adapter/, metrics)
 * @param report the stage's section of the run report
 */
public record TrainResult(
    String out,
    StageReport report) implements StageResult {}
