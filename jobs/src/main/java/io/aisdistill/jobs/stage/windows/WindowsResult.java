package io.aisdistill.jobs.stage.windows;

import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.report.StageReport;

/**
 * What the windows stage did: the typed figures callers use, and the full report (every metric and
 * table of the run summary, in the order shown).
 *
 * @param positionsRead positions read from ais_positions
 * @param segments track segments (split on gaps and jumps)
 * @param windowsWritten rows written to track_windows
 * @param report the stage's section of the run report
 */
public record WindowsResult(
    long positionsRead,
    long segments,
    long windowsWritten,
    StageReport report) implements StageResult {}
