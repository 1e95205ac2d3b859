package io.aisdistill.jobs.stage.generate;

import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
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
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The generate stage's transforms: no lakehouse, no LLM calls, no report. "Windows" are
 * {@code track_windows} rows ({@link Tables#WINDOWS_SCHEMA}, any column order).
 *
 * <ul>
 *   <li>{@link #groundedCandidates}: windows to the grounded teacher's {@code qa_candidates} rows
 *       ({@link Tables#QA_CANDIDATES_SCHEMA}; call_id, tokens and cost_usd null), only for the
 *       windows (and categories) the teacher file gives it;</li>
 *   <li>{@link #plan}: windows to the plan rows ({@link LlmFanout#PLAN_SCHEMA}: call_id, purpose
 *       {@code generate}, teacher, window_id, qa_id null, body) of their LLM generate-teachers;</li>
 *   <li>{@link #llmCandidates}: llm_calls rows ({@link Tables#LLM_CALLS_SCHEMA}), the plan and the
 *       windows to the {@code qa_candidates} rows parsed from the ok replies of the plan's calls
 *       (a pair carries its call_id and an equal share of the call's tokens and USD);</li>
 *   <li>{@link #prompts}: windows to {@code teacher_prompts} rows ({@link Tables#PROMPTS_SCHEMA}),
 *       one per window, prompt version {@link WindowPrompt#VERSION};</li>
 *   <li>{@link #callsOfPlan}, {@link #malformed}, {@link #failed}: llm_calls rows of the plan's
 *       calls (llm_calls columns), those whose reply did not parse, those not ok;</li>
 *   <li>{@link #countByCategory}: qa_candidates rows to their count per category (driver side).</li>
 * </ul>
 */
public final class GenerateTransforms {
  private GenerateTransforms() {}

  /** Writes qa_candidates.facts: a JSON object, keys sorted. */
  public static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * The grounded teacher's pairs ({@link Tables#QA_CANDIDATES_SCHEMA}) of the windows that go to
   * it ({@link #groundedCategories}): at most {@code perWindow} per window and {@code perCategory}
   * per category, only the categories the teacher file lists for it (all when none).
   *
   * @param teachers the teacher file, or null: every window, every category
   */
  static Dataset<Row> groundedCandidates(Dataset<Row> windows, TeacherConfig teachers, int perWindow,
      int perCategory) {
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
    return windows.flatMap(teach, Encoders.row(Tables.QA_CANDIDATES_SCHEMA));
  }

  /** The plan ({@link LlmFanout#PLAN_SCHEMA}) of the windows: the requests to their LLM generate-teachers. */
  static Dataset<Row> plan(Dataset<Row> windows, TeacherConfig tc) {
    return windows.flatMap(planFn(tc), Encoders.row(LlmFanout.PLAN_SCHEMA));
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

  /**
   * qa_candidates rows ({@link Tables#QA_CANDIDATES_SCHEMA}) parsed from the ok replies of the
   * plan's calls.
   *
   * @param llmCalls the llm_calls rows (call_id, status, content, tokens_in, tokens_out, cost_usd used)
   * @param plan the plan (call_id, teacher, window_id used)
   * @param windows the windows of the plan
   */
  static Dataset<Row> llmCandidates(Dataset<Row> llmCalls, Dataset<Row> plan, Dataset<Row> windows,
      TeacherConfig tc) {
    Dataset<Row> calls = llmCalls.filter(col("status").equalTo(CallResult.OK))
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

  /** The {@code teacher_prompts} rows ({@link Tables#PROMPTS_SCHEMA}) of the windows: one per window. */
  static Dataset<Row> prompts(Dataset<Row> windows) {
    FlatMapFunction<Row, Row> prompt = r -> {
      WindowPrompt.Prompt p = WindowPrompt.build(Rows.window(r));
      Iterator<Row> one = List.of(RowFactory.create(r.getString(r.fieldIndex("window_id")), WindowPrompt.VERSION,
          p.system(), p.user(), p.sha256(), r.get(r.fieldIndex("date")))).iterator();
      return one;
    };
    return windows.flatMap(prompt, Encoders.row(Tables.PROMPTS_SCHEMA));
  }

  /** QA pairs per category of {@code qa} (qa_candidates rows), by category name. */
  static Map<String, Long> countByCategory(Dataset<Row> qa) {
    Map<String, Long> byCategory = new TreeMap<>();
    for (Row r : qa.groupBy("category").count().collectAsList()) {
      byCategory.put(r.getString(0), r.getLong(1));
    }
    return byCategory;
  }

  /** The llm_calls rows of the plan's calls (llm_calls columns, call_id first). */
  static Dataset<Row> callsOfPlan(Dataset<Row> llmCalls, Dataset<Row> plan) {
    return llmCalls.join(plan.select("call_id"), "call_id");
  }

  /** Calls whose reply did not parse ({@code parse_error} set). */
  static Dataset<Row> malformed(Dataset<Row> calls) {
    return calls.filter(col("parse_error").isNotNull());
  }

  /** Calls that did not end ok. */
  static Dataset<Row> failed(Dataset<Row> calls) {
    return calls.filter(col("status").notEqual(CallResult.OK));
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
