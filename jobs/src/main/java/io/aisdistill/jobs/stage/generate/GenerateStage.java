package io.aisdistill.jobs.stage.generate;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.CommitMetadata;
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
import com.fasterxml.jackson.databind.JsonNode;
import io.aisdistill.jobs.stage.select.SelectTransforms;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import static org.apache.spark.sql.functions.col;

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
 * <p>Incremental by default ({@code generate.incremental: true}): a run makes pairs and prompts
 * only for the windows that changed since the checkpoint (the track_windows version the last run
 * read, in the user metadata of its qa_candidates commit): windows that track_windows inserted,
 * updated (a window extended by later reports keeps its id) or deleted since (its change data
 * feed, turned on by the first run), and windows that entered or left the selection (selected
 * now without a teacher_prompts row of this prompt version, or the reverse). Both tables are
 * synced within those windows only, so they equal a full run's. A run is full with
 * {@code --full}, without a checkpoint, when the teacher file, prompt version, pair limits or
 * ais-distill version differ from the checkpoint's, after a run whose LLM calls partly failed
 * (to send them again), or without a change feed for the version range; the report's
 * {@code mode} (full, incremental, unchanged) and {@code full_because} say which.
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
   * <p>Only the windows {@code window_selection} selects are read (in an incremental run, only
   * those changed since the checkpoint: see the class comment); the selection must have been made
   * from the current track_windows and for the same teacher file ({@link SelectStage#selectedWindows}).
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

    // read: the selected windows, all of them (full run) or those changed since the checkpoint
    Dataset<Row> selected = SelectStage.selectedWindows(lh, teachers);
    String why = null;
    if (!lh.changeFeedEnabled(Tables.WINDOWS)) {
      lh.enableChangeFeed(Tables.WINDOWS);
      why = "track_windows had no change data feed (turned on now)";
    }
    long version = lh.version(Tables.WINDOWS);
    Checkpoint next = new Checkpoint(version, settings(perWindow, perCategory), 0);
    Checkpoint cp = Checkpoint.read(lh);
    if (why == null) {
      why = fullBecause(cfg.generate.incremental, cp, next);
    }
    Increment inc = null;
    if (why == null) {
      inc = Increment.plan(lh, selected, cp.windowsVersion(), version);
      why = inc.fallback();
    }
    if (inc != null && inc.fallback() == null && inc.windows() == 0) {
      // no window changed, entered or left the selection since the checkpoint: no read, no commit
      inc.affected().unpersist();
      StageReport rep = new StageReport("generate").put("mode", "unchanged").put("windows_version", version)
          .put("windows_read", 0L).put("qa_generated", 0L).put("llm_calls", 0).put("tokens", 0).put("cost_usd", 0.0);
      rep.elapsedMs(System.currentTimeMillis() - t0);
      return new GenerateResult(0, 0, 0, 0, 0, 0, rep);
    }
    boolean incremental = why == null;
    Dataset<Row> windows = incremental
        ? selected.join(inc.affected().select("window_id"), scala.jdk.javaapi.CollectionConverters.asScala(
            List.of("window_id")).toSeq(), "left_semi")
        : selected;

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

      long failedCalls = fan == null ? 0
          : GenerateTransforms.failed(GenerateTransforms.callsOfPlan(lh.read(Tables.LLM_CALLS), plan)).count();

      // sink, with the new checkpoint in its commits
      GenerateSink sink = new GenerateSink(lh);
      Checkpoint done = new Checkpoint(next.windowsVersion(), next.settings(), failedCalls);
      Dataset<Row> pairs = qa;
      Dataset<Row> ids = incremental ? inc.affected().select("window_id") : null;
      List<java.sql.Date> dates = incremental ? inc.dates() : null;
      GenerateSink.Written written = lh.withUserMetadata(done.toJson(),
          () -> sink.write(pairs, prompts, pairTeachers(teachers), ids, dates));

      // report and result
      StageReport rep = new StageReport("generate").put("teacher", teacher)
          .put("prompt_version", WindowPrompt.VERSION)
          .put("mode", incremental ? "incremental" : "full");
      if (incremental) {
        rep.put("windows_version_from", cp.windowsVersion() + 1).put("windows_changed", inc.windows());
      } else {
        rep.put("full_because", why);
      }
      rep.put("windows_version", version)
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
        failed = failedCalls;
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
      if (inc != null && inc.affected() != null) {
        inc.affected().unpersist();
      }
    }
  }

  /**
   * What the pairs depend on besides the windows: the teacher file's generate settings
   * ({@link SelectTransforms#teachersDigest}, which includes the prompt version), the pair limits
   * and the ais-distill version (the jar's Implementation-Version; "dev" outside a jar).
   */
  String settings(int perWindow, int perCategory) {
    return "teachers=" + SelectTransforms.teachersDigest(teachers) + ";prompt_version=" + WindowPrompt.VERSION
        + ";max_pairs_per_window=" + perWindow + ";max_pairs_per_category=" + perCategory + ";version="
        + java.util.Objects.requireNonNullElse(GenerateStage.class.getPackage().getImplementationVersion(), "dev");
  }

  /** Why a run must make the pairs of every selected window, or null when it can continue from {@code cp}. */
  private static String fullBecause(boolean incremental, Checkpoint cp, Checkpoint next) {
    if (!incremental) {
      return "generate.incremental is false (--full)";
    }
    if (cp == null) {
      return "no checkpoint in qa_candidates";
    }
    if (!cp.settings().equals(next.settings())) {
      return "other teacher file, prompt version, pair limits or ais-distill version than the checkpoint's";
    }
    if (cp.callsFailed() > 0) {
      return cp.callsFailed() + " LLM calls of the last run failed (sent again)";
    }
    if (cp.windowsVersion() > next.windowsVersion()) {
      return "track_windows is older than the checkpoint";
    }
    return null;
  }

  /**
   * What qa_candidates covers, recorded as the user metadata of the generate stage's commits (JSON).
   *
   * @param windowsVersion the track_windows version the pairs were made from
   * @param settings {@link #settings} of the run
   * @param callsFailed LLM calls of that run's plan that failed (a next run is full, to send them again)
   */
  record Checkpoint(long windowsVersion, String settings, long callsFailed) {
    String toJson() {
      return CommitMetadata.json(Map.of("generate_windows_version", windowsVersion, "generate_settings", settings,
          "generate_calls_failed", callsFailed));
    }

    /** The checkpoint of the newest qa_candidates commit that has one (of its last 20), or null. */
    static Checkpoint read(Lakehouse lh) {
      JsonNode n = CommitMetadata.last(lh, Tables.QA_CANDIDATES, 20, "generate_windows_version", "generate_settings",
          "generate_calls_failed");
      return n == null ? null : new Checkpoint(n.get("generate_windows_version").asLong(),
          n.get("generate_settings").asText(), n.get("generate_calls_failed").asLong());
    }
  }

  /**
   * The windows an incremental run makes pairs for.
   *
   * @param affected window_id and date of each window that is new, changed or deleted in
   *     track_windows since the checkpoint (change data feed), or that entered or left the selection
   *     (selected now, without a teacher_prompts row of this prompt version, or the reverse); persisted
   * @param windows their number
   * @param dates their distinct dates (the partitions of qa_candidates and teacher_prompts the run
   *     can touch)
   * @param fallback why a full run is needed instead (then the rest is null), or null
   */
  record Increment(Dataset<Row> affected, long windows, List<java.sql.Date> dates, String fallback) {
    static Increment plan(Lakehouse lh, Dataset<Row> selected, long fromVersionExclusive, long toVersion) {
      Dataset<Row> sel = selected.select("window_id", "date");
      Dataset<Row> gen = lh.exists(Tables.PROMPTS)
          ? lh.read(Tables.PROMPTS).where(col("prompt_version").equalTo(WindowPrompt.VERSION)).select("window_id", "date")
          : sel.limit(0);
      Dataset<Row> affected = sel.except(gen).union(gen.except(sel));
      if (fromVersionExclusive < toVersion) {
        affected = affected.union(lh.readChanges(Tables.WINDOWS, fromVersionExclusive + 1, toVersion)
            .select("window_id", "date"));
      }
      affected = affected.distinct().persist(StorageLevel.MEMORY_AND_DISK());
      try {
        long n = affected.count();
        List<java.sql.Date> dates = affected.select("date").distinct().as(Encoders.DATE()).collectAsList();
        return new Increment(affected, n, dates, null);
      } catch (RuntimeException e) {
        affected.unpersist();
        return new Increment(null, 0, null, "no change data feed for track_windows versions "
            + (fromVersionExclusive + 1) + "-" + toVersion + " (" + e.getClass().getSimpleName() + ")");
      }
    }
  }
}
