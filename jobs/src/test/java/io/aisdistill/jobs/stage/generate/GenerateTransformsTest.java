package io.aisdistill.jobs.stage.generate;

import static io.aisdistill.jobs.stage.select.TestWindowRows.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.select.TestWindowRows;

import io.aisdistill.common.llm.CallResult;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.track.TrackWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GenerateTransforms} on hand-made windows and llm_calls rows, without a lakehouse or a
 * server: the grounded teacher's pairs and its categories in a teacher mix, the plan, the pairs
 * parsed from ok replies only (with the call's cost shared), the calls counted as malformed or
 * failed, and one prompt per window.
 */
class GenerateTransformsTest {
  private static final PipelineConfig.GenerateSection GC = SparkTestSession.config().generate;
  private static final TrackWindow UNDERWAY = TestWindowRows.underway(636000002L, T0, 55.5, 11.0);
  private static final TrackWindow MOORED = TestWindowRows.moored(219000001L, T0, 56.0384, 12.6138);

  @TempDir Path tmp;

  /** One LLM generate-teacher (gets every window) and the grounded teacher keeping kinematics only. */
  private TeacherConfig mix() throws Exception {
    Path f = tmp.resolve("teachers.yaml");
    Files.writeString(f, """
        models:
          - name: llm-a
            role: generate
            base_url: http://127.0.0.1:9/v1
            model: model-a
            api_key_env: AIS_DISTILL_TEST_API_KEY
            price_in_per_mtok: 1
            price_out_per_mtok: 2
          - kind: grounded
            categories: [kinematics]
        """);
    return TeacherConfig.load(f);
  }

  private static String s(Row r, String c) {
    return r.getString(r.fieldIndex(c));
  }

  @Test
  void withoutATeacherFileTheGroundedTeacherMakesEveryWindowsPairs() {
    List<Row> qa = GenerateTransforms.groundedCandidates(TestWindowRows.rows(UNDERWAY, MOORED), null,
        GC.maxPairsPerWindow, GC.maxPairsPerCategory).collectAsList();
    GroundedTeacher teacher = new GroundedTeacher(GC.maxPairsPerWindow, GC.maxPairsPerCategory);
    assertEquals(teacher.generate(UNDERWAY).size() + teacher.generate(MOORED).size(), qa.size());
    assertFalse(qa.isEmpty());
    assertEquals(Arrays.asList(Tables.QA_CANDIDATES_SCHEMA.fieldNames()), Arrays.asList(qa.get(0).schema().fieldNames()));
    Map<String, Integer> perWindow = new HashMap<>();
    Map<String, Integer> perCategory = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (Row r : qa) {
      assertEquals(GroundedTeacher.TEACHER, s(r, "teacher"));
      assertTrue(r.isNullAt(r.fieldIndex("call_id")) && r.isNullAt(r.fieldIndex("tokens"))
          && r.isNullAt(r.fieldIndex("cost_usd")), "the grounded teacher makes no call");
      assertEquals(LocalDate.parse(UNDERWAY.date()), r.get(r.fieldIndex("date")));
      perWindow.merge(s(r, "window_id"), 1, Integer::sum);
      perCategory.merge(s(r, "window_id") + "|" + s(r, "category"), 1, Integer::sum);
      ids.add(s(r, "qa_id"));
    }
    assertEquals(qa.size(), ids.size(), "qa_id is unique");
    assertEquals(Set.of(UNDERWAY.windowId(), MOORED.windowId()), perWindow.keySet());
    assertTrue(perWindow.values().stream().allMatch(n -> n <= GC.maxPairsPerWindow), perWindow.toString());
    assertTrue(perCategory.values().stream().allMatch(n -> n <= GC.maxPairsPerCategory), perCategory.toString());
    Map<String, Long> byCategory = GenerateTransforms.countByCategory(
        SparkTestSession.get().createDataFrame(qa, Tables.QA_CANDIDATES_SCHEMA));
    assertEquals(qa.size(), byCategory.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void inATeacherMixTheGroundedTeacherKeepsItsCategoriesAndTheLlmIsPlanned() throws Exception {
    TeacherConfig tc = mix();
    Dataset<Row> windows = TestWindowRows.rows(UNDERWAY, MOORED);
    List<Row> qa = GenerateTransforms.groundedCandidates(windows, tc, GC.maxPairsPerWindow, GC.maxPairsPerCategory)
        .collectAsList();
    assertFalse(qa.isEmpty());
    assertTrue(qa.stream().allMatch(r -> s(r, "category").equals("kinematics")), qa.toString());

    List<Row> plan = GenerateTransforms.plan(windows, tc).collectAsList();
    assertEquals(2, plan.size(), "one call per window, to llm-a");
    Set<String> planned = new HashSet<>();
    for (Row p : plan) {
      assertEquals("generate", s(p, "purpose"));
      assertEquals("llm-a", s(p, "teacher"));
      assertTrue(p.isNullAt(p.fieldIndex("qa_id")));
      planned.add(s(p, "window_id"));
    }
    assertEquals(Set.of(UNDERWAY.windowId(), MOORED.windowId()), planned);
  }

  @Test
  void llmPairsComeFromOkRepliesOnlyAndShareTheCallsCost() throws Exception {
    TeacherConfig tc = mix();
    Dataset<Row> windows = TestWindowRows.rows(UNDERWAY, MOORED);
    Dataset<Row> plan = GenerateTransforms.plan(windows, tc);
    Map<String, String> callOf = new HashMap<>();
    for (Row p : plan.collectAsList()) {
      callOf.put(s(p, "window_id"), s(p, "call_id"));
    }
    String reply = "{\"pairs\": [{\"category\": \"kinematics\", \"question\": \"What was the mean speed?\", "
        + "\"answer\": \"10.0 knots.\", \"reasoning\": \"The SOG column.\", \"fact_key\": \"sog_mean_kn\", "
        + "\"value\": \"10.0\", \"unit\": \"knots\"}, {\"category\": \"route\", \"question\": \"How far?\", "
        + "\"answer\": \"8.3 nautical miles.\", \"reasoning\": \"The legs.\", \"fact_key\": \"distance_nm\", "
        + "\"value\": \"8.3\", \"unit\": \"nautical miles\"}]}";
    StructType callsSchema = new StructType().add("call_id", DataTypes.StringType).add("status", DataTypes.StringType)
        .add("content", DataTypes.StringType).add("tokens_in", DataTypes.LongType).add("tokens_out", DataTypes.LongType)
        .add("cost_usd", DataTypes.DoubleType).add("parse_error", DataTypes.StringType);
    Dataset<Row> llmCalls = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(callOf.get(UNDERWAY.windowId()), CallResult.OK, reply, 100L, 50L, 0.3, null),
        RowFactory.create(callOf.get(MOORED.windowId()), "error", reply, 0L, 0L, 0.0, null),
        RowFactory.create("not-in-the-plan", CallResult.OK, "not json", 10L, 5L, 0.01, "INVALID_JSON")), callsSchema);

    List<Row> qa = GenerateTransforms.llmCandidates(llmCalls, plan, windows, tc).collectAsList();
    assertEquals(2, qa.size(), "the ok call's two pairs; the failed call's reply is not used");
    Set<String> ids = new HashSet<>();
    for (Row r : qa) {
      assertEquals(UNDERWAY.windowId(), s(r, "window_id"));
      assertEquals(callOf.get(UNDERWAY.windowId()), s(r, "call_id"));
      assertEquals("llm-a", s(r, "teacher"));
      assertEquals(75L, r.getLong(r.fieldIndex("tokens")), "150 tokens shared by 2 pairs");
      assertEquals(0.15, r.getDouble(r.fieldIndex("cost_usd")), 1e-12);
      ids.add(s(r, "qa_id"));
    }
    assertEquals(2, ids.size());

    Dataset<Row> calls = GenerateTransforms.callsOfPlan(llmCalls, plan);
    assertEquals(2, calls.count(), "only the plan's calls");
    assertEquals(0, GenerateTransforms.malformed(calls).count());
    assertEquals(1, GenerateTransforms.failed(calls).count());
    assertEquals(1, GenerateTransforms.malformed(llmCalls).count());
  }

  @Test
  void oneVersionedPromptPerWindow() {
    List<Row> prompts = GenerateTransforms.prompts(TestWindowRows.rows(UNDERWAY, MOORED)).collectAsList();
    assertEquals(2, prompts.size());
    for (Row p : prompts) {
      TrackWindow w = s(p, "window_id").equals(UNDERWAY.windowId()) ? UNDERWAY : MOORED;
      assertEquals(w.windowId(), s(p, "window_id"));
      assertEquals(WindowPrompt.VERSION, s(p, "prompt_version"));
      WindowPrompt.Prompt want = WindowPrompt.build(w);
      assertEquals(want.user(), s(p, "user"));
      assertEquals(want.sha256(), s(p, "prompt_sha256"));
      assertEquals(LocalDate.parse(w.date()), p.get(p.fieldIndex("date")));
    }
  }
}
