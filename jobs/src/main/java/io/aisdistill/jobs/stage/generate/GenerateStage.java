package io.aisdistill.jobs.stage.generate;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.select.SelectStage;

import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.WindowPrompt;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 4, generate: the windows of {@code track_windows} that {@code window_selection} selects
 * (see {@link SelectStage}) to {@code qa_candidates} with the offline grounded teacher
 * ({@link GroundedTeacher}: answers computed from the window facts), and to
 * {@code teacher_prompts}: the versioned prompt ({@link WindowPrompt#VERSION}) an LLM teacher
 * receives for each window. Both are merged on deterministic keys (qa_id; window_id +
 * prompt_version), so reruns add nothing. With a teacher file ({@code --teachers}), its
 * generate-teachers make the pairs: LLMs, and the grounded teacher when the file lists it
 * ({@code kind: grounded}) (see {@link #run(StageContext)}).
 *
 * <p>The transforms (grounded pairs, plan, parsing of replies, prompts) are in
 * {@link GenerateTransforms}, the writes of qa_candidates and teacher_prompts in
 * {@link GenerateSink}; {@link LlmFanout} sends the calls and writes llm_calls.
 */
public final class GenerateStage extends AbstractStage<GenerateResult> {
  private final TeacherConfig teachers;

  /**
   * The generate stage with its options.
   *
   * @param teachers the teacher file, or null for the offline grounded teacher
   */
  public GenerateStage(TeacherConfig teachers) {
    super("generate", List.of(Tables.WINDOWS, Tables.WINDOW_SELECTION, Tables.LLM_CALLS),
        List.of(Tables.QA_CANDIDATES, Tables.PROMPTS, Tables.LLM_CALLS));
    this.teachers = teachers;
  }

  /**
   * The qa_candidates.teacher names of the pairs a run with {@code teachers} makes: the grounded
   * teacher's without a teacher file, else each LLM generate-teacher's name, and the grounded
   * teacher's when the file lists one.
   */
  static List<String> pairTeachers(TeacherConfig teachers) {
    if (teachers == null) {
      return List.of(GroundedTeacher.TEACHER);
    }
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (ModelSpec m : teachers.byRole(ModelSpec.Role.GENERATE)) {
      names.add(m.called() ? m.name : GroundedTeacher.TEACHER);
    }
    return List.copyOf(names);
  }

  /**
   * Runs the stage with the generate-teachers of the teacher file (the generate-role models), or
   * with the offline grounded teacher alone when it is null.
   *
   * <p>Only the windows {@code window_selection} selects are read; it must have been made from the
   * current track_windows and for the same teacher file ({@link SelectStage#selectedWindows}).
   * Each window goes to every generate-teacher that lists {@code categories} and to one of those
   * that do not, picked by {@code share} from a hash of the window_id (so reruns pick the same).
   * A window of the grounded teacher ({@code kind: grounded}) gets its pairs (only its categories,
   * when it lists some), recorded as teacher {@code grounded} without call or cost. The LLM calls
   * run through {@link LlmFanout} (paid once, logged in {@code llm_calls}, run_id = the context's
   * run id); the replies of every ok call of the plan are parsed into {@code qa_candidates} (a pair
   * carries its call_id, and its equal share of the call's tokens and USD). Malformed replies stay
   * in llm_calls with their raw text and {@code parse_error}; the report counts them.
   *
   * @throws IllegalStateException when {@code track_windows} or {@code window_selection} does not
   *     exist, or the selection does not match them or the teacher file
   * @throws io.aisdistill.jobs.llm.LlmCallsFailedException when more than {@code llm.max_failed_share}
   *     of the LLM calls sent failed (after the ok ones are committed to llm_calls; no pair is written)
   */
  @Override
  public GenerateResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    Lakehouse lh = ctx.lakehouse();
    PipelineConfig cfg = ctx.config();
    int perWindow = cfg.generate.maxPairsPerWindow;
    int perCategory = cfg.generate.maxPairsPerCategory;

    // read: the selected windows
    Dataset<Row> windows = SelectStage.selectedWindows(lh, teachers);

    // transforms, and the LLM fan-out (which writes llm_calls)
    Dataset<Row> qa = GenerateTransforms.groundedCandidates(windows, teachers, perWindow, perCategory);
    Dataset<Row> plan = null;
    LlmFanout.Result fan = null;
    String teacher = teachers == null ? GroundedTeacher.TEACHER
        : String.join(",", teachers.byRole(ModelSpec.Role.GENERATE).stream().map(m -> m.name).toList());
    if (teachers != null && teachers.byRole(ModelSpec.Role.GENERATE).stream().anyMatch(ModelSpec::called)) {
      plan = GenerateTransforms.plan(windows, teachers).persist(StorageLevel.MEMORY_AND_DISK());
      fan = LlmFanout.run(ctx.spark(), lh, plan, teachers, "generate", ctx.runId());
      try {
        fan.requireFailedShareAtMost("generate", cfg.llm.maxFailedShare);
      } catch (RuntimeException e) {
        plan.unpersist();
        throw e;
      }
      qa = qa.union(lh.exists(Tables.LLM_CALLS)
          ? GenerateTransforms.llmCandidates(lh.read(Tables.LLM_CALLS), plan, windows, teachers)
          : windows.sparkSession().createDataFrame(List.of(), Tables.QA_CANDIDATES_SCHEMA));
    }
    qa = qa.persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> prompts = GenerateTransforms.prompts(windows);
    try {
      long windowsRead = windows.count();   // the selected windows
      Map<String, Long> byCategory = GenerateTransforms.countByCategory(qa);
      long total = byCategory.values().stream().mapToLong(Long::longValue).sum();

      // sink
      GenerateSink.Written written = new GenerateSink(lh).write(qa, prompts, pairTeachers(teachers));

      // report and result
      StageReport rep = new StageReport("generate").put("teacher", teacher)
          .put("prompt_version", WindowPrompt.VERSION)
          .put("windows_read", windowsRead)
          .put("qa_generated", total)
          .put("qa_new_in_table", written.qa().inserted())
          .put("qa_updated_in_table", written.qa().updated())
          .put("qa_deleted_from_table", written.qa().deleted())
          .put("prompts_new_in_table", written.prompts().inserted())
          .put("prompts_updated_in_table", written.prompts().updated())
          .put("prompts_deleted_from_table", written.prompts().deleted());
      long llmCalls = 0;
      long malformed = 0;
      long failed = 0;
      if (fan == null) {
        rep.put("llm_calls", 0).put("tokens", 0).put("cost_usd", 0.0);
      } else {
        LlmFanout.report(rep, fan, "generate");
        llmCalls = fan.calls();
        Dataset<Row> calls = GenerateTransforms.callsOfPlan(lh.read(Tables.LLM_CALLS), plan);
        malformed = GenerateTransforms.malformed(calls).count();
        failed = GenerateTransforms.failed(calls).count();
        rep.put("replies_malformed", malformed);
        rep.put("calls_failed", failed);
      }
      byCategory.forEach((k, v) -> rep.put("qa." + k, v));
      rep.elapsedMs(System.currentTimeMillis() - t0);
      return new GenerateResult(windowsRead, total, written.qa().inserted(), llmCalls, malformed, failed, rep);
    } finally {
      qa.unpersist();
      if (plan != null) {
        plan.unpersist();
      }
    }
  }
}
