package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.evaluate.EvaluateResult;
import io.aisdistill.jobs.stage.export.ExportResult;
import io.aisdistill.jobs.stage.ingest.IngestResult;
import io.aisdistill.jobs.stage.windows.WindowsResult;
import io.aisdistill.jobs.stage.select.SelectResult;
import io.aisdistill.jobs.stage.generate.GenerateResult;
import io.aisdistill.jobs.stage.judge.JudgeResult;
import io.aisdistill.jobs.stage.evaluate.EvaluateStage;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import io.aisdistill.jobs.stage.select.SelectStage;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.eval.EvalExample;
import io.aisdistill.common.eval.EvalExamples;
import io.aisdistill.common.eval.EvalReport;
import io.aisdistill.common.eval.SummaryRow;
import io.aisdistill.common.llm.ModelsFile;
import io.aisdistill.common.text.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluate stage on the accepted QA of data-samples/ ({@code --table qa_judged}) against a
 * loopback server whose models answer with known correctness: {@code oracle} answers every item
 * with its reference answer, {@code refuser} declines every item, {@code half} answers the
 * reference for half of the items (by qa_id hash) and refuses the rest. The behaviour items are made
 * free text (fact_key nulled in qa_candidates), so the LLM judge {@code grader} grades them: it
 * answers correct when the model's answer equals the reference answer. The end-to-end run against
 * a real llama.cpp server is in .ci/run (it needs a trained adapter and the serving venv).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvaluateJobTest {
  @TempDir static Path tmp;
  SparkSession spark;
  Lakehouse lh;
  PipelineConfig cfg;
  LoopbackChatServer server;
  ModelsFile models;
  EvaluateResult first;
  Map<String, String> referenceByUser = new HashMap<>();
  Map<String, String> qaByUser = new HashMap<>();

  static final int PER_CATEGORY = 4;

  @BeforeAll
  void pipelineThenEvaluate() throws IOException {
    spark = SparkTestSession.get();
    cfg = PipelineConfig.load(null, List.of("spark.master=local[2]", "spark.shuffle_partitions=4",
        "evaluate.max_items_per_category=" + PER_CATEGORY));
    lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lakehouse"));
    new SelectStage(null).run(new StageContext(spark, lh, cfg, "t1"));
    new GenerateStage(null).run(new StageContext(spark, lh, cfg, "generate"));
    new JudgeStage(null).run(new StageContext(spark, lh, cfg, "judge"));
    io.delta.tables.DeltaTable.forPath(spark, lh.path(Tables.QA_CANDIDATES)).update(
        col("category").equalTo("behaviour"), Map.of("fact_key", org.apache.spark.sql.functions.lit(null).cast("string")));
    for (Row r : EvaluateStage.tableItems(spark, lh, cfg, Tables.QA_JUDGED)
        .join(lh.read(Tables.QA_CANDIDATES).select("qa_id", "answer"), "qa_id").collectAsList()) {
      referenceByUser.put(r.getAs("user"), r.getAs("answer"));
      qaByUser.put(r.getAs("user"), r.getAs("qa_id"));
    }
    server = new LoopbackChatServer(req -> {
      String user = req.path("messages").get(req.path("messages").size() - 1).path("content").asText();
      String model = req.path("model").asText();
      if (model.equals("grader-model")) {
        String ref = between(user, "Reference answer: ", "\nWindow facts: ");
        String ans = between(user, "Model's answer: ", "\n\nIs the model's answer correct?");
        return "{\"correct\": " + ref.equals(ans) + ", \"justification\": \"compared with the reference\"}";
      }
      String ref = referenceByUser.get(user);
      boolean even = Integer.parseInt(Sha256.hex(qaByUser.get(user)).substring(0, 1), 16) % 2 == 0;
      return switch (model) {
        case "oracle-model" -> ref;
        case "half-model" -> even ? ref : "I cannot determine that from the data.";
        default -> "I cannot determine that from the data.";
      };
    }, 0);
    Path f = tmp.resolve("models.yaml");
    Files.writeString(f, """
        tokenizer: %s
        tasks: 1
        commit_interval_s: 2
        progress_interval_s: 5
        models:
          - {name: oracle, role: teacher, base_url: %s, model: oracle-model, response_format: none,
             price_in_per_mtok: 2.5, price_out_per_mtok: 10, max_concurrency: 4, timeout_s: 10}
          - {name: half, role: student, base_url: %s, model: half-model, response_format: none,
             gpu: test CPU, gpu_usd_per_hour: 0.09, queries_per_second: 0, max_concurrency: 4, timeout_s: 10}
          - {name: refuser, role: base, base_url: %s, model: refuser-model, response_format: none,
             gpu: test CPU, gpu_usd_per_hour: 0.09, queries_per_second: 2.0, max_concurrency: 4, timeout_s: 10}
          - {name: priced-only, role: teacher, model: gpt-4o, price_in_per_mtok: 2.5, price_out_per_mtok: 10}
          - {name: grader, role: judge, base_url: %s, model: grader-model, max_concurrency: 4, timeout_s: 10}
        """.formatted(LlmFixture.tokenizer() == null ? "null" : LlmFixture.tokenizer(), server.baseUrl(),
        server.baseUrl(), server.baseUrl(), server.baseUrl()));
    models = ModelsFile.load(f);
    first = new EvaluateStage(models, null, Tables.QA_JUDGED, tmp.resolve("report")).run(new StageContext(spark, lh, cfg, "eval-1"));
  }

  private static String between(String s, String a, String b) {
    int i = s.indexOf(a) + a.length();
    return s.substring(i, s.indexOf(b, i));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private List<Row> results(String evalId) {
    return lh.read(Tables.EVAL_RESULTS).filter(col("eval_id").equalTo(evalId)).collectAsList();
  }

  @Test
  void everyItemIsAskedAndScoredOncePerModel() {
    String evalId = first.evalId();
    long items = first.items();
    assertEquals(6 * PER_CATEGORY, items, "a sample of " + PER_CATEGORY + " items in each of the six categories");
    List<Row> rows = results(evalId);
    assertEquals(3 * items, rows.size());
    assertEquals(3 * items, rows.stream().map(r -> r.getAs("model") + "|" + r.getAs("qa_id")).distinct().count());
    assertEquals(0, server.duplicates());
    assertEquals(3 * items, lh.read(Tables.LLM_CALLS).filter(col("purpose").equalTo("evaluate")).count(),
        "one call per (model, item)");
    // the same answer to the same item is the same judge request, paid once
    long distinctFree = rows.stream().filter(r -> "behaviour".equals(r.getAs("category")))
        .map(r -> r.getAs("qa_id") + "|" + r.getAs("answer")).distinct().count();
    assertTrue(distinctFree >= PER_CATEGORY + 1, "oracle answers and refusals differ");
    assertEquals(distinctFree, lh.read(Tables.LLM_CALLS).filter(col("purpose").equalTo("evaluate-judge")).count(),
        "one judge call per distinct free-text (behaviour) answer");
    assertEquals(3 * items + distinctFree, server.okPerCall.size());
  }

  @Test
  void scoresFollowTheAnswers() {
    String evalId = first.evalId();
    for (Row r : results(evalId)) {
      String model = r.getAs("model");
      String reason = r.getAs("score_reason");
      boolean free = "behaviour".equals(r.getAs("category"));
      boolean even = Integer.parseInt(Sha256.hex(r.getAs("qa_id")).substring(0, 1), 16) % 2 == 0;
      boolean right = switch (model) {
        case "oracle" -> true;
        case "refuser" -> false;
        case "half" -> even;
        default -> throw new AssertionError("unexpected model " + model);
      };
      assertEquals(right, r.getAs("correct"), model + " on " + r.getAs("qa_id") + ": " + r.getAs("answer")
          + " / extracted " + r.getAs("extracted") + " vs " + r.getAs("reference"));
      if (free) {
        assertEquals(EvaluateStage.LLM_JUDGE, reason);
        assertEquals("grader", r.getAs("judge_model"));
      } else {
        assertEquals(right ? "CORRECT" : "REFUSED", reason);
        assertNotNull(r.getAs("reference"), "every grounded item has a reference value");
        assertNull(r.getAs("judge_model"));
      }
    }
  }

  @Test
  void reportAndSummaryEqualTheResults() throws IOException {
    String evalId = first.evalId();
    List<SummaryRow> report = EvalReport.readSummary(tmp.resolve("report").resolve(EvalReport.SUMMARY_JSON));
    String md = Files.readString(tmp.resolve("report").resolve(EvalReport.REPORT_MD));
    assertTrue(md.contains("graded by the LLM judge grader (grader-model, answer-judge-v1)"), md);
    for (String png : List.of(EvalReport.ACCURACY_PNG, EvalReport.COST_PNG, EvalReport.SCATTER_PNG)) {
      assertTrue(Files.size(tmp.resolve("report").resolve(png)) > 1000, png);
    }
    // recomputed from eval_results with SQL
    lh.read(Tables.EVAL_RESULTS).filter(col("eval_id").equalTo(evalId)).createOrReplaceTempView("er");
    Map<String, Row> sql = new HashMap<>();
    for (Row r : spark.sql("SELECT model, category, count(*) n, count(correct) scored, "
        + "sum(CASE WHEN correct THEN 1 ELSE 0 END) correct FROM er GROUP BY model, category "
        + "UNION ALL SELECT model, 'all', count(*), count(correct), sum(CASE WHEN correct THEN 1 ELSE 0 END) "
        + "FROM er GROUP BY model").collectAsList()) {
      sql.put(r.getString(0) + "|" + r.getString(1), r);
    }
    List<Row> table = lh.read(Tables.EVAL_SUMMARY).filter(col("eval_id").equalTo(evalId)).collectAsList();
    assertEquals(report.size(), table.size());
    int priceRefs = 0;
    for (SummaryRow s : report) {
      Row t = table.stream().filter(x -> x.getAs("model").equals(s.model()) && x.getAs("category").equals(s.category()))
          .findFirst().orElseThrow();
      assertEquals(s.n(), (long) t.getAs("n"));
      assertEquals(s.correct(), (long) t.getAs("correct"));
      assertEquals(s.usdPer1kQueries(), t.getAs("usd_per_1k_queries"));
      if (s.model().equals("priced-only")) {
        priceRefs++;
        assertEquals(0, s.n());
        assertNull(s.accuracy());
        assertTrue(s.usdPer1kQueries() > 0, "price reference is priced from the prompts' token counts");
        continue;
      }
      Row q = sql.get(s.model() + "|" + s.category());
      assertNotNull(q, s.model() + " " + s.category());
      assertEquals(q.getLong(2), s.n());
      assertEquals(q.getLong(3), s.scored());
      assertEquals(q.getLong(4), s.correct());
    }
    assertEquals(1, priceRefs);
    SummaryRow oracle = report.stream().filter(r -> r.model().equals("oracle") && r.category().equals("all"))
        .findFirst().orElseThrow();
    assertEquals(1.0, oracle.accuracy());
    SummaryRow refuser = report.stream().filter(r -> r.model().equals("refuser") && r.category().equals("all"))
        .findFirst().orElseThrow();
    assertEquals(0.0, refuser.accuracy());
    assertEquals("self-hosted", refuser.costBasis());
    assertEquals(1000 * 0.09 / (3600 * 2.0), refuser.usdPer1kQueries(), 1e-12, "given throughput");
    assertNotNull(report.stream().filter(r -> r.model().equals("half") && r.category().equals("all")).findFirst()
        .orElseThrow().usdPer1kQueries(), "measured throughput prices the self-hosted student");
  }

  @Test
  void reportShowsTheSameExampleItemsForEveryCalledModel() throws IOException {
    String evalId = first.evalId();
    Path dir = tmp.resolve("report");
    String md = Files.readString(dir.resolve(EvalReport.REPORT_MD));
    assertTrue(md.contains("## Example answers"), md);
    assertTrue(md.indexOf("## Accuracy per category") < md.indexOf("## Example answers"), "after the accuracy table");
    List<EvalExample> examples = EvalReport.readExamples(dir.resolve(EvalReport.EXAMPLES_JSON));
    assertEquals(EvalExamples.DEFAULT_COUNT, examples.size(), "24 items answered by every model: 10 shown");
    assertEquals(6, examples.stream().map(EvalExample::category).distinct().count(), "every category appears");
    assertEquals(10, examples.stream().map(EvalExample::qaId).distinct().count());
    Map<String, Row> byKey = new HashMap<>();
    results(evalId).forEach(r -> byKey.put(r.getAs("model") + "|" + r.getAs("qa_id"), r));
    Map<String, String> asked = new HashMap<>();
    lh.read(Tables.QA_JUDGED).select("qa_id", "question").collectAsList()
        .forEach(r -> asked.put(r.getString(0), r.getString(1)));
    for (EvalExample e : examples) {
      // the called models (student half, base refuser, teacher oracle); no price reference, no judge
      assertEquals(List.of("oracle", "half", "refuser"), List.copyOf(e.answers().keySet()), e.qaId());
      assertEquals(asked.get(e.qaId()).strip(), e.question(), "the question as asked, without the track table");
      assertTrue(md.contains("qa_id `" + e.qaId() + "`"), e.qaId());
      for (Map.Entry<String, EvalExample.ModelAnswer> a : e.answers().entrySet()) {
        Row r = byKey.get(a.getKey() + "|" + e.qaId());
        assertNotNull(r, a.getKey() + " " + e.qaId());
        assertEquals(r.getAs("answer"), a.getValue().answer());
        assertEquals(r.getAs("correct"), a.getValue().correct());
        assertEquals(r.getAs("score_reason"), a.getValue().reason());
        assertEquals(r.getAs("reference_answer"), e.reference());
        assertEquals(r.getAs("category"), e.category());
      }
      assertEquals(true, e.answers().get("oracle").correct(), "oracle answers the reference");
      assertEquals(false, e.answers().get("refuser").correct(), "refuser declines");
      assertEquals("behaviour".equals(e.category()) ? EvaluateStage.LLM_JUDGE : "REFUSED",
          e.answers().get("refuser").reason());
    }
  }

  @Test
  void rerunMakesNoNewCallsAndChangesNothing() throws IOException {
    String evalId = first.evalId();
    int requests = server.requests.get();
    String summary = Files.readString(tmp.resolve("report").resolve(EvalReport.SUMMARY_JSON));
    String examples = Files.readString(tmp.resolve("report").resolve(EvalReport.EXAMPLES_JSON));
    long resultRows = lh.read(Tables.EVAL_RESULTS).count();
    var again = new EvaluateStage(models, null, Tables.QA_JUDGED, tmp.resolve("report")).run(new StageContext(spark, lh, cfg, "eval-2"));
    assertEquals(evalId, again.evalId());
    assertEquals(requests, server.requests.get(), "a rerun re-scores from llm_calls without asking again");
    assertEquals(0L, again.llmCalls());
    assertEquals(resultRows, lh.read(Tables.EVAL_RESULTS).count());
    assertEquals(summary, Files.readString(tmp.resolve("report").resolve(EvalReport.SUMMARY_JSON)));
    assertEquals(examples, Files.readString(tmp.resolve("report").resolve(EvalReport.EXAMPLES_JSON)));
  }
}
