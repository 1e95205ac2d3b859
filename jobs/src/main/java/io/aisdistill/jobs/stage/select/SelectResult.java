package io.aisdistill.jobs.stage.select;

import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.report.StageReport;

/**
 * What the select stage did: the typed figures callers use, and the full report (every metric and
 * table of the run summary, in the order shown).
 *
 * @param windowsIn windows of track_windows considered
 * @param windowsSelected windows selected for generate
 * @param report the stage's section of the run report
 */
public record SelectResult(
    long windowsIn,
    long windowsSelected,
    StageReport report) implements StageResult {}
