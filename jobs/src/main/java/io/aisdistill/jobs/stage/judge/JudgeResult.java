package io.aisdistill.jobs.stage.judge;

import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.report.StageReport;

/**
 * What the judge stage did: the typed figures callers use, and the full report (every metric and
 * table of the run summary, in the order shown).
 *
 * @param candidates rows read from qa_candidates
 * @param judged rows written to qa_judged
 * @param report the stage's section of the run report
 */
public record JudgeResult(
    long candidates,
    long judged,
    StageReport report) implements StageResult {}
