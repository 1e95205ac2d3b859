package io.aisdistill.jobs.stage.export;

import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.report.StageReport;

/**
 * What the export stage did: the typed figures callers use, and the full report (every metric and
 * table of the run summary, in the order shown).
 *
 * @param exportId content id of the export (SHA-256 of its manifest inputs)
 * @param accepted accepted pairs of qa_judged
 * @param tooLong pairs left out: longer than train.max_length tokens
 * @param exported examples written, all splits
 * @param out absolute export directory
 * @param report the stage's section of the run report
 */
public record ExportResult(
    String exportId,
    long accepted,
    long tooLong,
    long exported,
    String out,
    StageReport report) implements StageResult {}
