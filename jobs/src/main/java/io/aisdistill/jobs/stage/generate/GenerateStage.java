package io.aisdistill.jobs.stage.generate;

import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.select.SelectStage;
import io.aisdistill.jobs.stage.select.SelectTransforms;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aisdistill.common.llm.CallResult;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.teacher.TeacherReplies;
import io.aisdistill.common.track.TrackWindow;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.Encoders;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 4, generate: the windows of {@code track_windows} that {@code window_selection} selects
 * (see {@link SelectStage}) to {@code qa_candidates} with the offline grounded teacher
 * ({@link GroundedTeacher}: answers computed from the window facts), and to
 * {@code teacher_prompts}: the versioned prompt ({@link WindowPrompt#VERSION}) an LLM teacher
 * receives for each window. Both are merged on deterministic keys (qa_id; window_id +
 * prompt_version), so reruns add nothing. With a teacher file ({@code --teachers}), its
 * generate-teachers make the pairs: LLMs, and the grounded teacher when the file lists it
 * ({@code kind: grounded}) (see {@link #run(SparkSession, Lakehouse, PipelineConfig,
 * TeacherConfig, String)}).
 */
public final class GenerateStage implements Stage<GenerateResult> {
  private final TeacherConfig teachers;

  /**
   * The generate stage with its options.
   *
   * @param teachers the teacher file, or null for the offline grounded teacher
   */
  public GenerateStage(TeacherConfig teachers) {
    this.teachers = teachers;
  }

  @Override
  public String name() {
    return "generate";
  }

  @Override
  public List<String> reads() {
    return List.of(Tables.WINDOWS, Tables.WINDOW_SELECTION, Tables.LLM_CALLS);
  }

  @Override
  public List<String> writes() {
    return List.of(Tables.QA_CANDIDATES, Tables.PROMPTS, Tables.LLM_CALLS);
  }

  @Override
  public GenerateResult run(StageContext ctx) {
    return GenerateResult.of(execute(ctx.spark(), ctx.lakehouse(), ctx.config(), teachers, ctx.runId()));
  }


  public static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);


  /**
   * Runs the stage with the generate-teachers of {@code teachers} (the generate-role models), or
   * with the offline grounded teacher alone when {@code teachers} is null.
   *
   * <p>Only the windows {@code window_selection} selects are read; it must have been made from the
   * current track_windows and for the same teacher file ({@link SelectStage#selectedWindows}).
   * Each window goes to every generate-teacher that lists {@code categories} and to one of those
   * that do not, picked by {@code share} from a hash of the window_id (so reruns pick the same).
   * A window of the grounded teacher ({@code kind: grounded}) gets its pairs (only its categories,
   * when it lists some), recorded as teacher {@code grounded} without call or cost. The LLM calls
   * run through {@link LlmFanout} (paid once, logged in {@code llm_calls}); the replies of every ok
   * call of the plan are parsed into {@code qa_candidates} (a pair carries its call_id, and its
   * equal share of the call's tokens and USD). Malformed replies stay in llm_calls with their raw
   * text and {@code parse_error}; the report counts them.
   *
   * @param runId recorded in llm_calls.run_id
   * @throws IllegalStateException when {@code track_windows} or {@code window_selection} does not
   *     exist, or the selection does not match them or the teacher file
   */
  static StageReport execute(SparkSession spark, Lakehouse lh, PipelineConfig cfg, TeacherConfig teachers,
      String runId) {
    long t0 = System.currentTimeMillis();
    int perWindow = cfg.generate.maxPairsPerWindow;
    int perCategory = cfg.generate.maxPairsPerCategory;
    Dataset<Row> windows = SelectStage.selectedWindows(lh, teachers);
    StageReport rep = new StageReport("generate");
    FlatMapFunction<Row, Row> teach = r -> {
      TrackWindow w = Rows.window(r);
      List<String> categories = groundedCategories(teachers, w.windowId());
      List<Row> out = new ArrayList<>();
      if (categories != null) {
        LocalDate date = (LocalDate) r.get(r.fieldIndex("date"));
        for (QaPair q : new GroundedTeacher(perWindow, perCategory).generate(w)) {
          if (categories.isEmpty() || categories.contains(q.category().label())) {
            out.add(candidate(q, date, null, null, null));
          }
        }
      }
      return out.iterator();
    };
    Dataset<Row> qa = windows.flatMap(teach, Encoders.row(Tables.QA_CANDIDATES_SCHEMA));
    Dataset<Row> plan = null;
    LlmFanout.Result fan = null;
    if (teachers == null) {
      rep.put("teacher", GroundedTeacher.TEACHER);
    } else {
      rep.put("teacher", String.join(",", teachers.byRole(ModelSpec.Role.GENERATE).stream().map(m -> m.name).toList()));
      if (teachers.byRole(ModelSpec.Role.GENERATE).stream().anyMatch(ModelSpec::called)) {
        plan = windows.flatMap(planFn(teachers), Encoders.row(LlmFanout.PLAN_SCHEMA))
            .persist(StorageLevel.MEMORY_AND_DISK());
        fan = LlmFanout.run(spark, lh, plan, teachers, "generate", runId);
        qa = qa.union(llmCandidates(lh, plan, windows, teachers));
      }
    }
    qa = qa.persist(StorageLevel.MEMORY_AND_DISK());
    FlatMapFunction<Row, Row> prompt = r -> {
      WindowPrompt.Prompt p = WindowPrompt.build(Rows.window(r));
      Iterator<Row> one = List.of(RowFactory.create(r.getString(r.fieldIndex("window_id")), WindowPrompt.VERSION,
          p.system(), p.user(), p.sha256(), r.get(r.fieldIndex("date")))).iterator();
      return one;
    };
    Dataset<Row> prompts = windows.flatMap(prompt, Encoders.row(Tables.PROMPTS_SCHEMA));
    try {
      long windowsRead = windows.count();   // the selected windows
      Map<String, Long> byCategory = new TreeMap<>();
      long total = 0;
      for (Row r : qa.groupBy("category").count().collectAsList()) {
        byCategory.put(r.getString(0), r.getLong(1));
        total += r.getLong(1);
      }
      long newQa = lh.insertNew(qa, Tables.QA_CANDIDATES, List.of("qa_id"), List.of("date"));
      long newPrompts = lh.insertNew(prompts, Tables.PROMPTS, List.of("window_id", "prompt_version"), List.of("date"));
      rep.put("prompt_version", WindowPrompt.VERSION)
          .put("windows_read", windowsRead)
          .put("qa_generated", total)
          .put("qa_new_in_table", newQa)
          .put("prompts_new_in_table", newPrompts);
      if (fan == null) {
        rep.put("llm_calls", 0).put("tokens", 0).put("cost_usd", 0.0);
      } else {
        LlmFanout.report(rep, fan, "generate");
        Dataset<Row> calls = lh.read(Tables.LLM_CALLS).join(plan.select("call_id"), "call_id");
        rep.put("replies_malformed", calls.filter(col("parse_error").isNotNull()).count());
        rep.put("calls_failed", calls.filter(col("status").notEqual(CallResult.OK)).count());
      }
      byCategory.forEach((k, v) -> rep.put("qa." + k, v));
      return rep.elapsedMs(System.currentTimeMillis() - t0);
    } finally {
      qa.unpersist();
      if (plan != null) {
        plan.unpersist();
      }
    }
  }

  /** Plan rows of a window: the requests to its LLM generate-teachers. */
  static FlatMapFunction<Row, Row> planFn(TeacherConfig tc) {
    return r -> {
      TrackWindow w = Rows.window(r);
      List<Row> out = new ArrayList<>();
      for (ModelSpec m : SelectTransforms.teachersOf(tc, w.windowId())) {
        if (m.called()) {
          out.add(LlmFanout.plan(TeacherReplies.request(m, w), "generate", m.name, w.windowId(), null));
        }
      }
      return out.iterator();
    };
  }

  /**
   * The categories the grounded teacher keeps for a window (empty = all), or null when the window
   * does not go to it. Without a teacher file every window goes to it.
   */
  static List<String> groundedCategories(TeacherConfig tc, String windowId) {
    if (tc == null) {
      return List.of();
    }
    for (ModelSpec m : SelectTransforms.teachersOf(tc, windowId)) {
      if (m.grounded()) {
        return m.categories;
      }
    }
    return null;
  }

  /** qa_candidates rows parsed from the ok replies of the plan's calls. */
  private static Dataset<Row> llmCandidates(Lakehouse lh, Dataset<Row> plan, Dataset<Row> windows, TeacherConfig tc) {
    if (!lh.exists(Tables.LLM_CALLS)) {
      return windows.sparkSession().createDataFrame(List.of(), Tables.QA_CANDIDATES_SCHEMA);
    }
    Dataset<Row> calls = lh.read(Tables.LLM_CALLS).filter(col("status").equalTo(CallResult.OK))
        .select("call_id", "content", "tokens_in", "tokens_out", "cost_usd")
        .join(plan.select("call_id", "teacher", "window_id"), "call_id")
        .join(windows, "window_id");
    FlatMapFunction<Row, Row> parse = r -> {
      TrackWindow w = Rows.window(r);
      String teacher = r.getString(r.fieldIndex("teacher"));
      String callId = r.getString(r.fieldIndex("call_id"));
      TeacherReplies.Parsed p = TeacherReplies.parse(r.getString(r.fieldIndex("content")), w, teacher, callId,
          tc.model(teacher).categories);
      int n = p.pairs().size();
      List<Row> out = new ArrayList<>();
      long tokens = r.getLong(r.fieldIndex("tokens_in")) + r.getLong(r.fieldIndex("tokens_out"));
      double usd = r.getDouble(r.fieldIndex("cost_usd"));
      for (QaPair q : p.pairs()) {
        out.add(candidate(q, (LocalDate) r.get(r.fieldIndex("date")), callId, tokens / n, usd / n));
      }
      return out.iterator();
    };
    return calls.flatMap(parse, Encoders.row(Tables.QA_CANDIDATES_SCHEMA));
  }

  /**
   * A QA pair as a {@code qa_candidates} row.
   *
   * @param callId the llm_calls id (null for the grounded teacher)
   * @param tokens tokens spent (null for the grounded teacher)
   * @param costUsd USD spent (null for the grounded teacher)
   */
  static Row candidate(QaPair q, LocalDate date, String callId, Long tokens, Double costUsd) {
    String facts;
    try {
      facts = JSON.writeValueAsString(q.facts() == null ? Map.of() : q.facts());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("facts of " + q.qaId() + " are not serializable: " + e.getMessage(), e);
    }
    return RowFactory.create(q.qaId(), q.windowId(), q.mmsi(), q.category().label(), q.question(), q.answer(),
        q.reasoning(), q.teacher(), q.promptVersion(), q.templateId(), q.claimKind(), q.claim(), q.unit(),
        q.factKey(), facts, callId, tokens, costUsd, date);
  }
}
