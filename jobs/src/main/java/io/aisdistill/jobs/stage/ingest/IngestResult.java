package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.report.StageReport;

/**
 * What the ingest stage did: the typed figures callers use, and the full report (every metric and
 * table of the run summary, in the order shown).
 *
 * @param files input files read
 * @param linesRead lines read
 * @param positionsAccepted position reports accepted (after duplicates)
 * @param staticAccepted static reports accepted (after duplicates)
 * @param rejected records rejected, all reasons
 * @param duplicatesDropped exact duplicates dropped
 * @param linesSkipped lines skipped (headers, comments, fragments of other messages)
 * @param positionsNewInTable rows MERGEd into ais_positions (0 on a rerun)
 * @param staticNewInTable rows MERGEd into ais_static
 * @param rejectsNewInTable rows MERGEd into ais_rejects
 * @param report the stage's section of the run report
 */
public record IngestResult(
    long files,
    long linesRead,
    long positionsAccepted,
    long staticAccepted,
    long rejected,
    long duplicatesDropped,
    long linesSkipped,
    long positionsNewInTable,
    long staticNewInTable,
    long rejectsNewInTable,
    StageReport report) implements StageResult {}
