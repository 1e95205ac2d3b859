package io.aisdistill.jobs.stage.evaluate;

import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.report.StageReport;

/**
 * What the evaluate stage did: the typed figures callers use, and the full report (every metric and
 * table of the run summary, in the order shown).
 *
 * @param evalId id of this evaluation in eval_results / eval_summary
 * @param items test items asked
 * @param answers answers scored, all models
 * @param failedCalls model calls that did not end ok
 * @param llmCalls LLM calls sent by this run
 * @param reportPath absolute path of report.md
 * @param report the stage's section of the run report
 */
public record EvaluateResult(
    String evalId,
    long items,
    long answers,
    long failedCalls,
    long llmCalls,
    String reportPath,
    StageReport report) implements StageResult {}
