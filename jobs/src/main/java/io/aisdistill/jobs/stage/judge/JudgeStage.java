package io.aisdistill.jobs.stage.judge;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.report.StageReport;

import io.aisdistill.common.judge.GroundedJudge;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.teacher.JudgeRubric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 4, judge: {@code qa_candidates} (+ {@code track_windows}) to {@code qa_judged}.
 *
 * <p>Three checks, in order; a pair is accepted only when it passes all:
 * <ol>
 *   <li>grounded: {@link GroundedJudge} re-computes the answer's claim from the window facts and
 *       compares it with the value read from the answer text within the fact's tolerance, plus
 *       format and length checks (reason codes of {@code judge.ReasonCode});</li>
 *   <li>exact duplicates: pairs of the same vessel whose normalized question + answer text
 *       (lower case, collapsed white space) is identical: the smallest qa_id is kept, the others
 *       get {@code DUPLICATE_EXACT} and {@code duplicate_of};</li>
 *   <li>near duplicates: Spark ML {@link MinHashLSH} over word 3-gram shingles of the normalized
 *       text; a pair whose Jaccard similarity with a pair of the same vessel and smaller qa_id is
 *       at least {@code judge.near_duplicate_similarity} gets {@code NEAR_DUPLICATE} and
 *       {@code duplicate_of} = that smallest qa_id (a greedy, order-based rule).</li>
 * </ol>
 * Duplicates are scoped to one vessel: the student sees each question with its window's context,
 * so the same templated question about two different vessels is two different examples, while
 * the same question and answer about the same vessel in several windows teaches one fact twice.
 * Duplicate detection runs over the pairs that passed the grounded checks. The table is a pure
 * function of its inputs; it is updated in place (one atomic commit): only verdicts that are new
 * or changed are written, and verdicts of pairs no longer in qa_candidates' selection are deleted,
 * so reruns write nothing.
 *
 * <p>The transforms (grounded checks, duplicates, LLM verdicts, answer balance, report figures)
 * are in {@link JudgeTransforms}; the table is written by one {@link Lakehouse#sync}.
 */
public final class JudgeStage extends AbstractStage<JudgeResult> {
  private final TeacherConfig teachers;

  /**
   * The judge stage with its options.
   *
   * @param teachers the teacher file (its judge-role model), or null for the grounded judge alone
   */
  public JudgeStage(TeacherConfig teachers) {
    super("judge", List.of(Tables.QA_CANDIDATES, Tables.WINDOWS, Tables.LLM_CALLS),
        List.of(Tables.QA_JUDGED, Tables.LLM_CALLS));
    this.teachers = teachers;
  }

  /** Judge model name recorded for the grounded checks. */
  public static final String GROUNDED_JUDGE = JudgeTransforms.GROUNDED_JUDGE;

  /**
   * Runs the stage; with a teacher file whose models include the judge role, every pair that
   * passed the grounded checks is also scored by an LLM judge ({@link JudgeRubric}; one judge per
   * pair, picked by share from a hash of qa_id) through {@link LlmFanout} (llm_calls.run_id = the
   * context's run id). Such a pair is accepted only when every rubric score is at least
   * {@code judge_min_score}; else it gets {@code LLM_JUDGE_LOW_SCORE}, {@code LLM_JUDGE_UNPARSEABLE}
   * (malformed reply) or {@code LLM_JUDGE_FAILED} (no answer). judge_scores holds the rubric
   * scores, judge_model "grounded-v1+MODEL".
   *
   * @throws IllegalStateException when qa_candidates or track_windows do not exist
   * @throws io.aisdistill.jobs.llm.LlmCallsFailedException when more than {@code llm.max_failed_share}
   *     of the LLM judge calls sent failed (after the ok ones are committed to llm_calls; qa_judged
   *     is not written)
   */
  @Override
  public JudgeResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    Lakehouse lh = ctx.lakehouse();
    PipelineConfig cfg = ctx.config();
    List<ModelSpec> judges = teachers == null ? List.of() : teachers.byRole(ModelSpec.Role.JUDGE);

    // read
    Dataset<Row> cands = lh.read(Tables.QA_CANDIDATES);
    if (lh.exists(Tables.WINDOW_SELECTION)) {
      cands = JudgeTransforms.selectedOnly(cands, lh.read(Tables.WINDOW_SELECTION));
    }
    Dataset<Row> windows = lh.read(Tables.WINDOWS);
    long candidates = cands.count();

    // transforms, and the LLM fan-out (which writes llm_calls)
    Dataset<Row> joined = JudgeTransforms.withWindows(cands, windows);
    Dataset<Row> g = JudgeTransforms.grounded(joined).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> passed = JudgeTransforms.passed(g);
      Dataset<Row> exactDup = JudgeTransforms.exactDuplicates(passed);
      Dataset<Row> unique = JudgeTransforms.firstOfEach(passed);
      Dataset<Row> nearDup = JudgeTransforms.nearDuplicates(unique, cfg.judge.nearDuplicateSimilarity,
          cfg.judge.minhashTables);

      Dataset<Row> llm = null;
      LlmFanout.Result fan = null;
      if (!judges.isEmpty()) {
        Dataset<Row> plan = JudgeTransforms.plan(joined, passed, judges);
        fan = LlmFanout.run(ctx.spark(), lh, plan, teachers, "judge", ctx.runId());
        fan.requireFailedShareAtMost("judge", cfg.llm.maxFailedShare);
        llm = JudgeTransforms.llmVerdicts(lh.exists(Tables.LLM_CALLS) ? lh.read(Tables.LLM_CALLS) : null, plan,
            teachers.judgeMinScore);
      }
      Dataset<Row> judged = JudgeTransforms.judged(JudgeTransforms.withLlm(g, llm), exactDup, nearDup,
          cfg.judge.maxAnswerShare);

      // sink: only the verdicts that changed are written
      Lakehouse.Synced synced = lh.sync(judged, Tables.QA_JUDGED, List.of("qa_id"), null, List.of("date"));
      long written = lh.read(Tables.QA_JUDGED).count();

      // report and result
      StageReport rep = report(lh.read(Tables.QA_JUDGED), lh.read(Tables.QA_CANDIDATES), candidates, written)
          .put("judged_new_in_table", synced.inserted()).put("judged_updated_in_table", synced.updated())
          .put("judged_deleted_from_table", synced.deleted());
      if (fan != null) {
        rep.put("judge_model", GROUNDED_JUDGE + "+" + String.join(",", judges.stream().map(m -> m.model).toList()));
        LlmFanout.report(rep, fan, "judge");
      }
      rep.elapsedMs(System.currentTimeMillis() - t0);
      return new JudgeResult(candidates, written, rep);
    } finally {
      g.unpersist();
    }
  }

  /**
   * Answer balance ({@link JudgeTransforms#balance}): per template, an answer that is more than
   * {@code maxShare} of the pairs that passed every other check keeps only its first K pairs by
   * SHA-256 of qa_id; the rest get {@code ANSWER_BALANCE}.
   *
   * @param df rows with qa_id, template_id, claim and reasons (empty = passed so far)
   * @param maxShare the cap, in (0, 1); 1 or more disables balancing (then {@code df} itself)
   */
  public static Dataset<Row> balance(Dataset<Row> df, double maxShare) {
    return JudgeTransforms.balance(df, maxShare);
  }

  /**
   * The candidate row (joined with its window) as a pair ({@link JudgeTransforms#pair}).
   *
   * @throws java.io.IOException when its facts are not a JSON object
   */
  public static QaPair pair(Row r) throws java.io.IOException {
    return JudgeTransforms.pair(r);
  }

  /**
   * The stage summary, from the table just written: judge model, candidates, judged,
   * accepted/rejected, rows per reason, and the tables per category and per teacher.
   *
   * @param judged the qa_judged rows
   * @param allCandidates all qa_candidates rows (their claim_kind)
   */
  private static StageReport report(Dataset<Row> judged, Dataset<Row> allCandidates, long candidates, long written) {
    StageReport rep = new StageReport("judge").put("judge_model", GROUNDED_JUDGE).put("candidates", candidates)
        .put("judged", written);
    Map<String, long[]> byCat = JudgeTransforms.verdictsByCategory(judged);
    long acc = byCat.values().stream().mapToLong(c -> c[0]).sum();
    rep.put("accepted", acc).put("rejected", written - acc);
    JudgeTransforms.reasonCounts(judged).forEach((reason, n) -> rep.put("reason." + reason, n));
    List<List<Object>> rows = new ArrayList<>();
    byCat.forEach((k, c) -> rows.add(List.of(k, c[0], c[1])));
    rep.table("QA by category and verdict", List.of("category", "accepted", "rejected"), rows);
    rep.table("QA by teacher (hallucination rate = numeric answers failing recomputation / numeric answers)",
        List.of("teacher", "pairs", "accepted", "acceptance_rate", "numeric", "numeric_failed", "hallucination_rate"),
        JudgeTransforms.byTeacher(judged, allCandidates));
    return rep;
  }
}
