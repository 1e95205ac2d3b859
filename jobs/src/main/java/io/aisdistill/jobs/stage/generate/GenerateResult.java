package io.aisdistill.jobs.stage.generate;

import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.report.StageReport;

/**
 * What the generate stage did: the typed figures callers use, and the full report (every metric and
 * table of the run summary, in the order shown).
 *
 * @param windowsRead selected windows read
 * @param qaGenerated QA pairs generated, all teachers
 * @param qaNewInTable pairs MERGEd into qa_candidates (0 on a rerun)
 * @param llmCalls LLM calls sent by this run
 * @param repliesMalformed ok LLM replies that did not parse as QA pairs
 * @param callsFailed LLM calls of the plan that did not end ok
 * @param report the stage's section of the run report
 */
public record GenerateResult(
    long windowsRead,
    long qaGenerated,
    long qaNewInTable,
    long llmCalls,
    long repliesMalformed,
    long callsFailed,
    StageReport report) implements StageResult {}
