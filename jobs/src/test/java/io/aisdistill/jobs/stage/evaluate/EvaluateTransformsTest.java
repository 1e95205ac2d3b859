package io.aisdistill.jobs.stage.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.eval.ScoreReason;
import io.aisdistill.common.llm.ModelsFile;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate stage's transforms on small in-memory Datasets (no Delta, no LLM calls, no files). */
class EvaluateTransformsTest {
  static SparkSession spark;
  @TempDir static Path tmp;

  @BeforeAll
  static void session() {
    spark = SparkTestSession.get();
  }

  static Dataset<Row> df(StructType schema, List<Row> rows) {
    return spark.createDataFrame(rows, schema);
  }

  static StructType strings(String... names) {
    StructType s = new StructType();
    for (String n : names) {
      s = s.add(n, DataTypes.StringType);
    }
    return s;
  }

  static List<String> ids(Dataset<Row> d) {
    List<String> out = new ArrayList<>(d.select("qa_id").as(Encoders.STRING()).collectAsList());
    Collections.sort(out);
    return out;
  }

  @Test
  void exportItemsTakeTheSystemAndUserTurnsAsTrained() {
    StructType msg = strings("role", "content");
    StructType schema = new StructType().add("split", DataTypes.StringType).add("qa_id", DataTypes.StringType)
        .add("window_id", DataTypes.StringType).add("mmsi", DataTypes.LongType).add("category", DataTypes.StringType)
        .add("messages", DataTypes.createArrayType(msg)).add("n_tokens", DataTypes.IntegerType);
    Dataset<Row> test = df(schema, List.of(
        RowFactory.create("test", "q1", "w1", 1L, "route", List.of(RowFactory.create("system", "S"),
            RowFactory.create("user", "U1"), RowFactory.create("assistant", "A1")), 10),
        RowFactory.create("test", "q2", "w2", 2L, "anomaly", List.of(RowFactory.create("user", "U2"),
            RowFactory.create("assistant", "A2")), 11)));

    Dataset<Row> items = EvaluateTransforms.exportItems(test);

    assertEquals(List.of(EvaluateTransforms.ITEM_SCHEMA.fieldNames()), List.of(items.columns()));
    Map<String, Row> byId = new HashMap<>();
    items.collectAsList().forEach(r -> byId.put(r.getAs("qa_id"), r));
    assertEquals("S", byId.get("q1").getAs("system"));
    assertEquals("U1", byId.get("q1").getAs("user"));
    assertNull(byId.get("q2").getAs("system"), "no system turn");
    assertEquals("U2", byId.get("q2").getAs("user"));
    assertEquals(2L, byId.get("q2").<Long>getAs("mmsi"));
  }

  @Test
  void questionsOfAQaTableAreItsAcceptedRowsOncePerQaId() {
    Dataset<Row> judged = df(strings("qa_id", "window_id", "question", "verdict"), List.of(
        RowFactory.create("q1", "w1", "Q1", "accepted"), RowFactory.create("q1", "w1", "Q1", "accepted"),
        RowFactory.create("q2", "w1", "Q2", "rejected"), RowFactory.create("q3", "w2", "Q3", "accepted")));
    Dataset<Row> q = EvaluateTransforms.questions(judged, "qa_judged");
    assertEquals(List.of("qa_id", "window_id", "_question"), List.of(q.columns()));
    assertEquals(List.of("q1", "q3"), ids(q));

    Dataset<Row> noVerdict = df(strings("qa_id", "window_id", "question"), List.of(
        RowFactory.create("q1", "w1", "Q1"), RowFactory.create("q2", "w1", "Q2")));
    assertEquals(List.of("q1", "q2"), ids(EvaluateTransforms.questions(noVerdict, "t")), "no verdict: every row");

    Dataset<Row> bad = df(strings("qa_id", "window_id"), List.of(RowFactory.create("q1", "w1")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EvaluateTransforms.questions(bad, "my_table"));
    assertTrue(e.getMessage().contains("my_table has no column question"), e.getMessage());
  }

  @Test
  void referencesAreJoinedAndSampledByLowestHashPerCategory() {
    List<Row> itemRows = new ArrayList<>();
    List<Row> candRows = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String id = "q" + i;
      String cat = i < 5 ? "route" : "anomaly";
      itemRows.add(RowFactory.create(id, "w" + i, (long) i, cat, "sys", "user " + i));
      candRows.add(RowFactory.create(id, "question " + i, "answer " + i, "fact", "claim", "kn", "{}", "t"));
    }
    itemRows.add(RowFactory.create("orphan", "w9", 9L, "route", "sys", "user 9")); // no qa_candidates row
    Dataset<Row> items = df(EvaluateTransforms.ITEM_SCHEMA, itemRows);
    Dataset<Row> cands = df(strings("qa_id", "question", "answer", "fact_key", "claim", "unit", "facts", "teacher"),
        candRows);

    Dataset<Row> all = EvaluateTransforms.withReferences(items, cands, 0);
    assertEquals(List.of("qa_id", "window_id", "mmsi", "category", "system", "user", "question", "reference_answer",
        "fact_key", "claim", "ref_unit", "facts"), List.of(all.columns()));
    assertEquals(7, all.count(), "an item without a reference is left out");
    Row q3 = all.filter("qa_id = 'q3'").first();
    assertEquals("answer 3", q3.getAs("reference_answer"));
    assertEquals("kn", q3.getAs("ref_unit"));

    List<String> route = new ArrayList<>(List.of("q0", "q1", "q2", "q3", "q4"));
    route.sort(Comparator.comparing(Sha256::hex));
    List<String> expected = new ArrayList<>(route.subList(0, 2));
    expected.addAll(List.of("q5", "q6"));
    Collections.sort(expected);
    assertEquals(expected, ids(EvaluateTransforms.withReferences(items, cands, 2)));
  }

  @Test
  void answersAreScoredAndFailedCallsAreNotAndTheJudgeGradesFreeText() throws IOException {
    Dataset<Row> items = df(new StructType().add("qa_id", DataTypes.StringType).add("window_id", DataTypes.StringType)
            .add("mmsi", DataTypes.LongType).add("category", DataTypes.StringType).add("system", DataTypes.StringType)
            .add("user", DataTypes.StringType).add("question", DataTypes.StringType)
            .add("reference_answer", DataTypes.StringType).add("fact_key", DataTypes.StringType)
            .add("claim", DataTypes.StringType).add("ref_unit", DataTypes.StringType).add("facts", DataTypes.StringType),
        List.of(RowFactory.create("q1", "w1", 1L, "temporal", null, "U1\nQuestion: How many rows?", "How many rows?",
                "The table has 12 rows.", "report_count", "12", "count", "{\"report_count\": 12}"),
            RowFactory.create("q2", "w2", 2L, "behaviour", null, "U2\nQuestion: What is it doing?",
                "What is it doing?", "It is fishing.", null, null, null, "{}")));
    List<Row> planRows = new ArrayList<>();
    List<Row> callRows = new ArrayList<>();
    Instant t = Instant.parse("2024-06-01T10:00:00Z");
    String[][] calls = { // model, qa_id, status, content
        {"student", "q1", "ok", "12"}, {"student", "q2", "ok", "It is fishing."},
        {"base", "q1", "failed", "partial"}, {"base", "q2", "ok", "Sailing."}};
    for (String[] c : calls) {
      String id = c[0] + "-" + c[1];
      planRows.add(RowFactory.create(id, LlmFanout.EVALUATE, c[0], "w", c[1], "{}"));
      callRows.add(RowFactory.create(id, c[3], c[2], 100L, 10L, 2L, 0.5, t, t.plusMillis(100), "run-x"));
    }
    callRows.add(RowFactory.create("other", "x", "ok", 1L, 1L, 1L, 0.0, t, t, "run-x")); // not planned
    Dataset<Row> plan = df(LlmFanout.PLAN_SCHEMA, planRows);
    Dataset<Row> llmCalls = df(new StructType().add("call_id", DataTypes.StringType)
        .add("content", DataTypes.StringType).add("status", DataTypes.StringType).add("latency_ms", DataTypes.LongType)
        .add("tokens_in", DataTypes.LongType).add("tokens_out", DataTypes.LongType).add("cost_usd", DataTypes.DoubleType)
        .add("started_at", DataTypes.TimestampType).add("finished_at", DataTypes.TimestampType)
        .add("run_id", DataTypes.StringType), callRows);

    Collections.reverse(planRows);
    assertEquals(EvaluateTransforms.evalId(plan), EvaluateTransforms.evalId(df(LlmFanout.PLAN_SCHEMA, planRows)),
        "eval_id does not depend on row order");

    Dataset<Row> joined = EvaluateTransforms.withCalls(plan, items, llmCalls);
    assertEquals(4, joined.count());
    Dataset<Row> scored = EvaluateTransforms.score(joined, "e1", "run-1",
        Map.of("student", "student", "base", "base"));
    assertEquals(List.of(Tables.EVAL_RESULTS_SCHEMA.fieldNames()), List.of(scored.columns()));
    Map<String, Row> s = byCall(scored);
    assertEquals(true, s.get("student-q1").getAs("correct"));
    assertEquals(ScoreReason.CORRECT.name(), s.get("student-q1").getAs("score_reason"));
    assertEquals("e1", s.get("student-q1").getAs("eval_id"));
    assertEquals("student", s.get("student-q1").getAs("role"));
    assertEquals("12", s.get("student-q1").getAs("answer"));
    Row failed = s.get("base-q1");
    assertEquals(ScoreReason.CALL_FAILED.name(), failed.getAs("score_reason"));
    assertNull(failed.getAs("correct"));
    assertNull(failed.getAs("answer"), "a failed call's content is not kept");
    assertEquals("failed", failed.getAs("call_status"));
    assertEquals(ScoreReason.NEEDS_LLM_JUDGE.name(), s.get("base-q2").getAs("score_reason"));
    assertNull(s.get("base-q2").getAs("correct"));

    EvaluateTransforms.ScoredItems tally = EvaluateTransforms.scoredItems(scored);
    assertEquals(4, tally.items().size());
    assertEquals(1, tally.failedCalls());

    // the judge: calls for the ok free-text answers only, then its verdicts
    Dataset<Row> judgeCalls = EvaluateTransforms.judgeCalls(scored, items, judgeModels(), "judge");
    assertEquals(List.of(EvaluateTransforms.JUDGE_CALL_SCHEMA.fieldNames()), List.of(judgeCalls.columns()));
    Map<String, String> modelOfQa = judgeCalls.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("model") + "/" + r.getAs("qa_id"), r -> r.getAs("purpose")));
    assertEquals(Map.of("student/q2", LlmFanout.EVALUATE_JUDGE, "base/q2", LlmFanout.EVALUATE_JUDGE), modelOfQa);

    StructType v = EvaluateTransforms.VERDICT_SCHEMA;
    Dataset<Row> verdicts = df(v, List.of(RowFactory.create("student", "q2", true),
        RowFactory.create("base", "q2", null))); // unusable reply
    Map<String, Row> r = byCall(EvaluateTransforms.withVerdicts(scored, verdicts, "judge"));
    assertEquals(true, r.get("student-q2").getAs("correct"));
    assertEquals(EvaluateStage.LLM_JUDGE, r.get("student-q2").getAs("score_reason"));
    assertEquals("judge", r.get("student-q2").getAs("judge_model"));
    assertEquals(ScoreReason.NEEDS_LLM_JUDGE.name(), r.get("base-q2").getAs("score_reason"), "unusable: unchanged");
    assertNull(r.get("base-q2").getAs("judge_model"));
    assertEquals(ScoreReason.CORRECT.name(), r.get("student-q1").getAs("score_reason"));
    assertEquals(4, r.size());
  }

  /** A models file with one judge (never called here). */
  static ModelsFile judgeModels() throws IOException {
    Path f = tmp.resolve("models.yaml");
    Files.writeString(f, """
        models:
          - {name: student, role: student, base_url: http://127.0.0.1:9/v1, model: s}
          - {name: base, role: base, base_url: http://127.0.0.1:9/v1, model: b}
          - {name: judge, role: judge, base_url: http://127.0.0.1:9/v1, model: grader-model}
        """);
    return ModelsFile.load(f);
  }

  static Map<String, Row> byCall(Dataset<Row> results) {
    Map<String, Row> m = new HashMap<>();
    results.collectAsList().forEach(r -> m.put(r.getAs("call_id"), r));
    return m;
  }

  @Test
  void measuredThroughputIsOkCallsOverTheUnionOfTheirIntervals() {
    Instant t = Instant.parse("2024-06-01T10:00:00Z");
    StructType schema = new StructType().add("model", DataTypes.StringType).add("status", DataTypes.StringType)
        .add("started_at", DataTypes.TimestampType).add("finished_at", DataTypes.TimestampType);
    Dataset<Row> joined = df(schema, List.of(
        RowFactory.create("a", "ok", t, t.plusMillis(1000)),
        RowFactory.create("a", "ok", t.plusMillis(500), t.plusMillis(1500)),   // overlaps: busy 1.5 s
        RowFactory.create("a", "ok", t.plusMillis(3000), t.plusMillis(3500)),  // after a gap: busy 2 s
        RowFactory.create("a", "failed", t.plusMillis(10_000), t.plusMillis(20_000)), // not ok: ignored
        RowFactory.create("b", "ok", t, null)));                               // no end: ignored

    Map<String, Double> qps = EvaluateTransforms.measuredQps(joined);

    assertEquals(Set.of("a"), qps.keySet());
    assertEquals(3 / 2.0, qps.get("a"), 1e-9);
    assertFalse(qps.containsKey("b"));
  }
}
