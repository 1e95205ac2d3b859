package io.aisdistill.jobs.stage.evaluate;

import io.aisdistill.jobs.training.LocalServer;
import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.tracking.MlflowLog;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aisdistill.common.eval.CostModel;
import io.aisdistill.common.eval.EvalAnswer;
import io.aisdistill.common.eval.EvalExample;
import io.aisdistill.common.eval.EvalExamples;
import io.aisdistill.common.eval.EvalItem;
import io.aisdistill.common.eval.EvalReport;
import io.aisdistill.common.eval.EvalSummary;
import io.aisdistill.common.eval.EvaluatedModel;
import io.aisdistill.common.eval.Pricing;
import io.aisdistill.common.eval.Score;
import io.aisdistill.common.eval.ScoreReason;
import io.aisdistill.common.eval.Scorer;
import io.aisdistill.common.eval.SummaryRow;
import io.aisdistill.common.llm.CallResult;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.ModelsFile;
import io.aisdistill.common.llm.Tokens;
import io.aisdistill.common.qa.Category;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.teacher.AnswerJudge;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.text.TokenCounter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 6, evaluate: asks every model of a models file ({@code --models}, roles {@code student},
 * {@code base}, {@code teacher}) every test item, scores the answers against the reference, and
 * writes {@code eval_results}, {@code eval_summary} and a report (the paper's comparison, arXiv
 * 2509.13047: student accuracy, teacher accuracy and the inference-cost ratio).
 *
 * <p>Test items come from the test split of an export ({@code parquet/test.parquet} of
 * {@code --export DIR}, by default the newest export in {@code training_runs}): the prompt is the
 * example's system and user turns exactly as the student was trained on them. Or from any QA
 * Delta table ({@code --table NAME}: rows with qa_id, window_id and question; only
 * {@code verdict = 'accepted'} rows when the table has a verdict): the prompt is then built from
 * {@code track_windows} the way the export builds it. The reference (category, fact key, claim,
 * facts, answer) is the item's {@code qa_candidates} row. {@code evaluate.max_items_per_category}
 * keeps a deterministic sample (lowest SHA-256 of qa_id per category).
 *
 * <p>Calls: one plain-text chat completion per (model, item) ({@link ChatCall#text}, the model's
 * max_tokens and temperature), sent through {@link LlmFanout}: the same rate limits, retries,
 * AIMD concurrency and exactly-once {@code llm_calls} log as generation (purpose
 * {@code evaluate}). A rerun re-scores from {@code llm_calls} without asking again; a call that
 * failed is asked again. A model's {@code revision} is part of the call_id.
 *
 * <p>Scoring: {@link Scorer} (numbers with units within the fact's tolerance, labels normalized,
 * yes/no). Items without a fact key (free text from LLM teachers) are graded by the models file's
 * first {@code judge} model ({@link AnswerJudge}, purpose {@code evaluate-judge} in llm_calls,
 * score_reason {@value #LLM_JUDGE}); without a judge, or when its reply is unusable, they stay
 * {@link ScoreReason#NEEDS_LLM_JUDGE}: counted in n but not in accuracy.
 *
 * <p>Identity: {@code eval_id} = SHA-256 (16 hex) of the sorted (model, qa_id, call_id) triples,
 * so the same items asked of the same models with the same settings are the same evaluation.
 * {@code eval_results} is MERGEd on (eval_id, model, qa_id) and {@code eval_summary} on
 * (eval_id, model, category): a rerun replaces the evaluation's rows, never duplicates them.
 *
 * <p>Cost: per-token prices give USD per query from the server's token counts; a self-hosted
 * model ({@code gpu_usd_per_hour > 0}) costs its hardware's hourly price over its throughput,
 * given ({@code queries_per_second}) or measured here as ok calls / wall time with at least one
 * of its calls in flight (a lower bound when models share the hardware). A teacher without
 * {@code base_url} is a price reference: its row has n = 0 and the cost of the items' mean prompt
 * and reference-answer lengths (tokenizer of the models file) at its prices.
 *
 * <p>Report: {@link EvalReport} in {@code reportDir}, with {@value EvalExamples#DEFAULT_COUNT}
 * example items ({@link EvalExamples#select}: the same items for every called model, among those
 * all of them answered) in report.md and examples.json.
 */
public final class EvaluateStage implements Stage<EvaluateResult> {
  private final ModelsFile models;
  private final Path export;
  private final String table;
  private final Path reportDir;

  private final Path localTrainOut;
  private final boolean exportIfPresent;

  /**
   * The evaluate stage with its options, against the endpoints of the models file.
   *
   * @param models the models file (students, base, teachers, prices)
   * @param export export directory whose test split is asked, or null (newest export, or {@code table})
   * @param table a QA table to evaluate instead, or null
   * @param reportDir where report.md, summary.json and the charts go
   */
  public EvaluateStage(ModelsFile models, Path export, String table, Path reportDir) {
    this(models, export, table, reportDir, null);
  }

  /**
   * The evaluate stage of {@code run}: when {@code localTrainOut} is not null and
   * {@code evaluate.serve} is {@code local}, base and student (base + the LoRA adapter of
   * {@code localTrainOut}) are served on 127.0.0.1 by llama.cpp for the duration of the stage
   * ({@link LocalServer}), and a student without a {@code revision} gets the SHA-256 of
   * {@code adapter/adapter_model.safetensors} as its revision.
   *
   * @param localTrainOut training output directory to serve from, or null
   */
  public EvaluateStage(ModelsFile models, Path export, String table, Path reportDir, Path localTrainOut) {
    this.models = models;
    this.export = export;
    this.table = table;
    this.reportDir = reportDir;
    this.localTrainOut = localTrainOut;
    this.exportIfPresent = localTrainOut != null;
  }

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public List<String> reads() {
    return List.of(Tables.TRAINING_RUNS, Tables.QA_JUDGED, Tables.QA_CANDIDATES, Tables.WINDOWS, Tables.LLM_CALLS);
  }

  @Override
  public List<String> writes() {
    return List.of(Tables.EVAL_RESULTS, Tables.EVAL_SUMMARY, Tables.LLM_CALLS);
  }

  /**
   * Runs the stage.
   *
   * @throws IllegalStateException when the local server does not start, or a table is missing
   * @throws java.io.UncheckedIOException when the adapter cannot be read
   */
  @Override
  public EvaluateResult run(StageContext ctx) {
    Path export = exportIfPresent && this.export != null && !Files.isDirectory(this.export) ? null : this.export;
    if (localTrainOut == null || !"local".equals(ctx.config().evaluate.serve)) {
      return EvaluateResult.of(execute(ctx.spark(), ctx.lakehouse(), ctx.config(), models, export, table, reportDir,
          ctx.runId()));
    }
    Path adapter = localTrainOut.resolve("adapter/adapter_model.safetensors");
    try (LocalServer server = new LocalServer(ctx.config(), localTrainOut)) {
      if (Files.isRegularFile(adapter)) {
        String rev = Sha256.hexFile(adapter);
        models.models.stream().filter(m -> m.roleEnum() == ModelSpec.Role.STUDENT && m.revision == null)
            .forEach(m -> m.revision = rev);
      }
      return EvaluateResult.of(execute(ctx.spark(), ctx.lakehouse(), ctx.config(), models, export, table, reportDir,
          ctx.runId()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while serving", e);
    }
  }

  /** Test item columns (one per item; the reference comes from qa_candidates). */
  static final StructType ITEM_SCHEMA = new StructType()
      .add("qa_id", DataTypes.StringType).add("window_id", DataTypes.StringType).add("mmsi", DataTypes.LongType)
      .add("category", DataTypes.StringType).add("system", DataTypes.StringType).add("user", DataTypes.StringType);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** score_reason of a free-text answer graded by the models file's LLM judge. */
  public static final String LLM_JUDGE = "LLM_JUDGE";

  /** A planned judge call ({@link LlmFanout#PLAN_SCHEMA} columns) plus the answer's model. */
  static final StructType JUDGE_CALL_SCHEMA = LlmFanout.PLAN_SCHEMA.add("model", DataTypes.StringType);

  /** A judge verdict per (model, qa_id); j_correct null = unusable reply. */
  static final StructType VERDICT_SCHEMA = new StructType().add("j_model", DataTypes.StringType)
      .add("j_qa_id", DataTypes.StringType).add("j_correct", DataTypes.BooleanType);


  /**
   * Runs the stage.
   *
   * @param models the models file (at least one student, base or teacher)
   * @param export export directory whose test split is evaluated; null = {@code table}, or the
   *     newest export in training_runs when both are null
   * @param table QA Delta table to evaluate instead of an export; may be null
   * @param reportDir local directory for report.md, summary.json and the charts (created)
   * @throws IllegalArgumentException when the models file has no evaluated model, or no test items are found
   * @throws IllegalStateException when a table or the export is missing, or on I/O errors
   */
  static StageReport execute(SparkSession spark, Lakehouse lh, PipelineConfig cfg, ModelsFile models,
      Path export, String table, Path reportDir, String runId) {
    long t0 = System.currentTimeMillis();
    List<ModelSpec> evaluated = models.models.stream().filter(ModelSpec::evaluated).toList();
    List<ModelSpec> called = evaluated.stream().filter(ModelSpec::called).toList();
    if (called.isEmpty()) {
      throw new IllegalArgumentException("the models file lists no student, base or teacher with a base_url");
    }
    String source;
    Dataset<Row> items;
    if (table != null) {
      items = tableItems(spark, lh, cfg, table);
      source = "table " + table + " (Delta version " + lh.version(table) + ")";
    } else {
      Path dir = export != null ? export : newestExport(lh);
      items = exportItems(spark, dir);
      source = "export " + exportId(dir) + " test split (" + dir.toAbsolutePath() + ")";
    }
    Dataset<Row> refs = lh.read(Tables.QA_CANDIDATES)
        .select(col("qa_id"), col("question"), col("answer").as("reference_answer"), col("fact_key"), col("claim"),
            col("unit").as("ref_unit"), col("facts"));
    items = items.join(refs, "qa_id");
    int perCat = cfg.evaluate.maxItemsPerCategory;
    if (perCat > 0) {
      items = items.withColumn("_rank", row_number().over(Window.partitionBy("category").orderBy(sha2(col("qa_id"), 256))))
          .filter(col("_rank").leq(perCat)).drop("_rank");
    }
    items = items.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long n = items.count();
      if (n == 0) {
        throw new IllegalArgumentException("no test items in " + source);
      }
      Dataset<Row> plan = items.flatMap(planFn(models, called), Encoders.row(LlmFanout.PLAN_SCHEMA))
          .persist(StorageLevel.MEMORY_AND_DISK());
      String evalId = evalId(plan);
      LlmFanout.Result fan = LlmFanout.run(spark, lh, plan, models, LlmFanout.EVALUATE, runId);

      Map<String, String> roles = new HashMap<>();
      evaluated.forEach(m -> roles.put(m.name, evalRole(m).label()));
      Dataset<Row> calls = lh.read(Tables.LLM_CALLS).select(col("call_id"), col("content"), col("status"),
          col("latency_ms"), col("tokens_in"), col("tokens_out"), col("cost_usd"), col("started_at"),
          col("finished_at"));
      Dataset<Row> joined = plan.select(col("call_id"), col("teacher").as("model"), col("qa_id"))
          .join(items, "qa_id").join(calls, "call_id");
      Dataset<Row> scored = joined.mapPartitions(scoreFn(evalId, runId, roles), Encoders.row(Tables.EVAL_RESULTS_SCHEMA))
          .persist(StorageLevel.MEMORY_AND_DISK());
      ModelSpec judge = models.models.stream()
          .filter(m -> m.roleEnum() == ModelSpec.Role.JUDGE && m.called()).findFirst().orElse(null);
      LlmFanout.Result judgeFan = null;
      Dataset<Row> results = scored;
      if (judge != null) {
        Dataset<Row> free = scored.filter(col("score_reason").equalTo(ScoreReason.NEEDS_LLM_JUDGE.name())
            .and(col("call_status").equalTo(CallResult.OK))).join(items.select("qa_id", "facts"), "qa_id");
        Dataset<Row> judgeCalls = free.map(judgeCallFn(models, judge.name), Encoders.row(JUDGE_CALL_SCHEMA))
            .persist(StorageLevel.MEMORY_AND_DISK());
        judgeFan = LlmFanout.run(spark, lh, judgeCalls.drop("model"), models, LlmFanout.EVALUATE_JUDGE, runId);
        Dataset<Row> verdicts = judgeCalls.select(col("call_id"), col("model").as("j_model"), col("qa_id").as("j_qa_id"))
            .join(lh.read(Tables.LLM_CALLS).filter(col("status").equalTo(CallResult.OK)).select("call_id", "content"),
                "call_id")
            .map(verdictFn(), Encoders.row(VERDICT_SCHEMA));
        String[] cols = Tables.EVAL_RESULTS_SCHEMA.fieldNames();
        org.apache.spark.sql.Column judged = col("j_correct").isNotNull();
        results = scored.join(verdicts, scored.col("model").equalTo(verdicts.col("j_model"))
                .and(scored.col("qa_id").equalTo(verdicts.col("j_qa_id"))), "left")
            .withColumn("correct", when(judged, col("j_correct")).otherwise(col("correct")))
            .withColumn("score_reason", when(judged, lit(LLM_JUDGE)).otherwise(col("score_reason")))
            .withColumn("judge_model", when(judged, lit(judge.name)).otherwise(col("judge_model")))
            .select(Arrays.stream(cols).map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new))
            .persist(StorageLevel.MEMORY_AND_DISK());
        judgeCalls.unpersist();
      }
      try {
        long scoredRows = results.count();
        if (scoredRows != n * called.size()) {
          throw new IllegalStateException("expected " + n * called.size() + " answers (" + n + " items x "
              + called.size() + " models), llm_calls holds " + scoredRows);
        }
        lh.upsert(results, Tables.EVAL_RESULTS, List.of("eval_id", "model", "qa_id"), "t.eval_id = '" + evalId + "'");

        List<EvalItem> evalItems = new ArrayList<>();
        long failed = 0;
        for (Row r : results.select("model", "category", "correct", "latency_ms", "tokens_in", "tokens_out",
            "call_status").collectAsList()) {
          evalItems.add(new EvalItem(r.getString(0), r.getString(1), r.isNullAt(2) ? null : r.getBoolean(2),
              r.isNullAt(3) ? 0 : r.getLong(3), r.isNullAt(4) ? 0 : r.getLong(4), r.isNullAt(5) ? 0 : r.getLong(5)));
          failed += CallResult.OK.equals(r.getString(6)) ? 0 : 1;
        }
        Map<String, Double> measuredQps = measuredQps(joined);
        List<String> notes = new ArrayList<>();
        CostModel costs = costModel(evaluated, measuredQps, notes);
        List<SummaryRow> rows = new ArrayList<>(EvalSummary.summarize(evalItems, costs));
        rows.addAll(priceReferenceRows(items, models, evaluated, costs, notes));
        notes.add(0, "Evaluation " + evalId + " (run " + runId + "): " + n + " test items from " + source + ", "
            + called.size() + " models called; per item and model: table eval_results, per category: eval_summary "
            + "(lakehouse " + lh.root() + ").");
        if (failed > 0) {
          notes.add(failed + " calls failed after their retries: not scored (reason CALL_FAILED); a rerun asks again.");
        }
        if (judge != null) {
          notes.add("Free-text items (no fact key) graded by the LLM judge " + judge.name + " (" + judge.model + ", "
              + AnswerJudge.VERSION + ") against the reference answer and the window facts: score_reason "
              + LLM_JUDGE + " in eval_results.");
        }
        costs = new CostModel(costs.models(), notes);
        writeSummary(spark, lh, rows, evalId, runId);
        List<EvalExample> examples = EvalExamples.select(answers(results, items),
            called.stream().map(m -> m.name).toList(), EvalExamples.DEFAULT_COUNT);
        List<Path> files;
        try {
          files = EvalReport.write(rows, costs, examples, reportDir);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write the report to " + reportDir + ": " + e.getMessage(), e);
        }

        StageReport rep = new StageReport("evaluate").put("eval_id", evalId).put("items", n)
            .put("models", called.size()).put("answers", scoredRows).put("failed_calls", failed)
            .put("report", reportDir.toAbsolutePath().resolve(EvalReport.REPORT_MD).toString())
            .put("report_files", files.size());
        LlmFanout.report(rep, fan, LlmFanout.EVALUATE);
        if (judgeFan != null) {
          rep.put("judge", judge.name).put("judge_calls_planned", judgeFan.planned())
              .put("judge_calls_sent", judgeFan.sent());
          rep.table("LLM calls by model (evaluate-judge, this run)", LlmFanout.PER_MODEL_HEADER, judgeFan.perModel());
        }
        List<List<Object>> acc = new ArrayList<>();
        for (SummaryRow r : rows) {
          if (EvalSummary.ALL.equals(r.category())) {
            acc.add(List.<Object>of(r.model(), r.role(), r.n(), r.scored(), r.correct(),
                r.accuracy() == null ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * r.accuracy()),
                r.usdPer1kQueries() == null ? "-" : String.format(Locale.ROOT, "%.6f", r.usdPer1kQueries())));
          }
        }
        rep.table("Accuracy over all items", List.of("model", "role", "n", "scored", "correct", "accuracy",
            "usd_per_1k_queries"), acc);
        MlflowHook.log(cfg, evalId, runId, source, models, rows, reportDir, rep);
        return rep.elapsedMs(System.currentTimeMillis() - t0);
      } finally {
        results.unpersist();
        scored.unpersist();
        plan.unpersist();
      }
    } finally {
      items.unpersist();
    }
  }

  /**
   * The scored rows of {@code results} (eval_results columns) for {@link EvalExamples#select}, each
   * with the question as asked: {@link EvalExamples#question} of the item's user turn, or
   * eval_results.question when the prompt has no "Question:" line.
   */
  static List<EvalAnswer> answers(Dataset<Row> results, Dataset<Row> items) {
    Dataset<Row> asked = items.select("qa_id", "user").map(
        (org.apache.spark.api.java.function.MapFunction<Row, Row>) r ->
            RowFactory.create(r.getString(0), EvalExamples.question(r.getString(1))),
        Encoders.row(new StructType().add("qa_id", DataTypes.StringType).add("_asked", DataTypes.StringType)));
    List<EvalAnswer> out = new ArrayList<>();
    for (Row r : results.join(asked, "qa_id").select("model", "qa_id", "category", "fact_key", "_asked", "question",
        "reference_answer", "answer", "correct", "score_reason").collectAsList()) {
      out.add(new EvalAnswer(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
          r.isNullAt(4) ? r.getString(5) : r.getString(4), r.getString(6), r.getString(7),
          r.isNullAt(8) ? null : r.getBoolean(8), r.getString(9)));
    }
    return out;
  }

  /** The newest export directory recorded in training_runs. */
  static Path newestExport(Lakehouse lh) {
    if (!lh.exists(Tables.TRAINING_RUNS)) {
      throw new IllegalStateException("no export in " + lh.root() + " (training_runs is missing): run export first, "
          + "or pass --export DIR or --table NAME");
    }
    Row r = lh.read(Tables.TRAINING_RUNS).orderBy(col("created_at").desc()).select("out_dir").first();
    return Path.of(r.getString(0));
  }

  private static String exportId(Path dir) {
    try {
      return JSON.readTree(dir.resolve("manifest.json").toFile()).path("export_id").asText("?");
    } catch (IOException e) {
      throw new IllegalStateException("not an export directory (no readable manifest.json): " + dir, e);
    }
  }

  /** Items of an export's test split: system and user turns as trained. */
  static Dataset<Row> exportItems(SparkSession spark, Path dir) {
    Path test = dir.resolve("parquet/test.parquet");
    if (!Files.exists(test)) {
      throw new IllegalStateException("no test split in " + dir + " (parquet/test.parquet): is it an export directory?");
    }
    return spark.read().parquet(test.toAbsolutePath().toString())
        .select(col("qa_id"), col("window_id"), col("mmsi"), col("category"),
            expr("get(filter(messages, m -> m.role = 'system'), 0).content").as("system"),
            expr("get(filter(messages, m -> m.role = 'user'), 0).content").as("user"));
  }

  /** Items of a QA Delta table: prompts built from track_windows as the export builds them. */
  public static Dataset<Row> tableItems(SparkSession spark, Lakehouse lh, PipelineConfig cfg, String table) {
    Dataset<Row> t = lh.read(table);
    List<String> cols = Arrays.asList(t.columns());
    for (String c : List.of("qa_id", "window_id", "question")) {
      if (!cols.contains(c)) {
        throw new IllegalArgumentException("table " + table + " has no column " + c + " (a QA table needs qa_id, "
            + "window_id, question)");
      }
    }
    if (cols.contains("verdict")) {
      t = t.filter(col("verdict").equalTo("accepted"));
    }
    String system = cfg.export.systemPrompt == null ? "" : cfg.export.systemPrompt;
    Dataset<Row> joined = t.select(col("qa_id"), col("window_id"), col("question").as("_question"))
        .dropDuplicates("qa_id").join(lh.read(Tables.WINDOWS), "window_id");
    joined = joined.join(lh.read(Tables.QA_CANDIDATES).select(col("qa_id"), col("category")), "qa_id");
    MapPartitionsFunction<Row, Row> fn = it -> {
      List<Row> out = new ArrayList<>();
      while (it.hasNext()) {
        Row r = it.next();
        String user = WindowPrompt.studentPrompt(Rows.window(r), r.getAs("_question"));
        out.add(RowFactory.create(r.getAs("qa_id"), r.getAs("window_id"), r.getAs("mmsi"), r.getAs("category"),
            system, user));
      }
      return out.iterator();
    };
    return joined.mapPartitions(fn, Encoders.row(ITEM_SCHEMA));
  }

  private static FlatMapFunction<Row, Row> planFn(ModelsFile tc, List<ModelSpec> called) {
    List<String> names = called.stream().map(m -> m.name).toList();
    return r -> {
      List<Row> out = new ArrayList<>(names.size());
      for (String name : names) {
        ModelSpec m = tc.model(name);
        ChatCall c = ChatCall.text(m, r.getAs("system"), r.getAs("user"));
        out.add(LlmFanout.plan(c, LlmFanout.EVALUATE, m.name, r.getAs("window_id"), r.getAs("qa_id")));
      }
      return out.iterator();
    };
  }

  private static org.apache.spark.api.java.function.MapFunction<Row, Row> judgeCallFn(ModelsFile tc, String judge) {
    return r -> {
      ChatCall c = AnswerJudge.request(tc.model(judge), r.getAs("question"), r.getAs("reference_answer"),
          r.getAs("facts"), r.getAs("answer"));
      Row p = LlmFanout.plan(c, LlmFanout.EVALUATE_JUDGE, judge, r.getAs("window_id"), r.getAs("qa_id"));
      Object[] v = new Object[p.size() + 1];
      for (int i = 0; i < p.size(); i++) {
        v[i] = p.get(i);
      }
      v[p.size()] = r.getAs("model");
      return RowFactory.create(v);
    };
  }

  private static org.apache.spark.api.java.function.MapFunction<Row, Row> verdictFn() {
    return r -> RowFactory.create(r.getAs("j_model"), r.getAs("j_qa_id"),
        AnswerJudge.parse(r.getAs("content")).correct());
  }

  /** SHA-256 (16 hex) of the sorted "model|qa_id|call_id" lines of the plan. */
  static String evalId(Dataset<Row> plan) {
    List<String> keys = new ArrayList<>();
    for (Row r : plan.select("teacher", "qa_id", "call_id").collectAsList()) {
      keys.add(r.getString(0) + "|" + r.getString(1) + "|" + r.getString(2));
    }
    keys.sort(Comparator.naturalOrder());
    return Sha256.hex(String.join("\n", keys)).substring(0, 16);
  }

  private static MapPartitionsFunction<Row, Row> scoreFn(String evalId, String runId, Map<String, String> roles) {
    return it -> {
      List<Row> out = new ArrayList<>();
      while (it.hasNext()) {
        out.add(scoreRow(it.next(), evalId, runId, roles));
      }
      return out.iterator();
    };
  }

  /** One eval_results row from a (plan x item x llm_calls) row. */
  static Row scoreRow(Row r, String evalId, String runId, Map<String, String> roles) throws IOException {
    String status = r.getAs("status");
    boolean ok = CallResult.OK.equals(status);
    String content = ok ? r.getAs("content") : null;
    String factKey = r.getAs("fact_key");
    String facts = r.getAs("facts");
    Object factValue = null;
    if (factKey != null && facts != null && !facts.isBlank()) {
      Map<String, Object> m = JSON.readValue(facts, new TypeReference<LinkedHashMap<String, Object>>() {});
      factValue = m.get(factKey);
    }
    String category = r.getAs("category");
    Score s = Scorer.score(category == null ? null : Category.valueOf(category.toUpperCase(Locale.ROOT)), factKey, r.getAs("claim"), factValue, r.getAs("reference_answer"),
        content);
    Boolean correct = ok ? s.correct() : null;
    String reason = ok ? s.reason().name() : ScoreReason.CALL_FAILED.name();
    String model = r.getAs("model");
    return RowFactory.create(evalId, runId, model, roles.get(model), r.getAs("qa_id"), r.getAs("window_id"),
        r.getAs("mmsi"), r.getAs("category"), r.getAs("question"), r.getAs("reference_answer"), content, factKey,
        s.unit() != null ? s.unit() : r.getAs("ref_unit"), str(s.reference()), ok ? str(s.extracted()) : null,
        ok ? s.absError() : null, s.allowedDeviation(), correct, reason, null, r.getAs("call_id"), status,
        r.getAs("latency_ms"), r.getAs("tokens_in"), r.getAs("tokens_out"), r.getAs("cost_usd"));
  }

  private static String str(Object o) {
    if (o == null) {
      return null;
    }
    if (o instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(o);
  }

  /**
   * Per model, ok calls / seconds during which at least one of its calls was in flight (union of
   * the calls' [started_at, finished_at] intervals).
   */
  static Map<String, Double> measuredQps(Dataset<Row> joined) {
    Map<String, List<long[]>> spans = new HashMap<>();
    for (Row r : joined.filter(col("status").equalTo(CallResult.OK)).select("model", "started_at", "finished_at")
        .collectAsList()) {
      if (r.isNullAt(1) || r.isNullAt(2)) {
        continue;
      }
      long a = toMillis(r.get(1));
      long b = toMillis(r.get(2));
      spans.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(new long[] {a, Math.max(a, b)});
    }
    Map<String, Double> qps = new HashMap<>();
    spans.forEach((model, list) -> {
      list.sort(Comparator.comparingLong(x -> x[0]));
      long busy = 0;
      long curA = -1;
      long curB = -1;
      for (long[] s : list) {
        if (s[0] > curB) {
          busy += curB - curA;
          curA = s[0];
          curB = s[1];
        } else {
          curB = Math.max(curB, s[1]);
        }
      }
      busy += curB - curA;
      if (busy > 0) {
        qps.put(model, list.size() / (busy / 1000.0));
      }
    });
    return qps;
  }

  private static long toMillis(Object ts) {
    return ts instanceof Instant i ? i.toEpochMilli() : ((java.sql.Timestamp) ts).getTime();
  }

  /** The comparison role of an evaluated model (student, base; teacher otherwise). */
  static EvaluatedModel.Role evalRole(ModelSpec m) {
    return switch (m.roleEnum()) {
      case STUDENT -> EvaluatedModel.Role.STUDENT;
      case BASE -> EvaluatedModel.Role.BASE;
      default -> EvaluatedModel.Role.TEACHER;
    };
  }

  /** The cost model of the evaluated models; adds a note per price source and measured throughput. */
  static CostModel costModel(List<ModelSpec> evaluated, Map<String, Double> measuredQps, List<String> notes) {
    List<EvaluatedModel> specs = new ArrayList<>();
    for (ModelSpec m : evaluated) {
      Pricing p = null;
      if (m.gpuUsdPerHour > 0) {
        double qps = m.queriesPerSecond > 0 ? m.queriesPerSecond : measuredQps.getOrDefault(m.name, 0.0);
        String hw = m.gpu == null ? "unspecified hardware" : m.gpu;
        if (qps > 0) {
          p = new Pricing.SelfHosted(hw, m.gpuUsdPerHour, qps);
          if (m.queriesPerSecond <= 0) {
            notes.add(String.format(Locale.ROOT, "%s: throughput %.3f queries/s measured in this evaluation (ok "
                + "calls / wall time with a call in flight; a lower bound when models share the hardware) on %s "
                + "at USD %.4f / hour.", m.name, qps, hw, m.gpuUsdPerHour));
          } else {
            notes.add(String.format(Locale.ROOT, "%s: self-hosted on %s at USD %.4f / hour, %.3f queries/s (given "
                + "in the models file).", m.name, hw, m.gpuUsdPerHour, qps));
          }
        } else {
          notes.add(m.name + ": self-hosted but no throughput given or measured: unpriced.");
        }
      } else if (m.priceInPerMtok > 0 || m.priceOutPerMtok > 0) {
        p = new Pricing.Api(m.priceInPerMtok, m.priceOutPerMtok);
      }
      if (m.priceNote != null && !m.priceNote.isBlank()) {
        notes.add(m.name + ": " + m.priceNote);
      }
      specs.add(new EvaluatedModel(m.name, evalRole(m), p));
    }
    return new CostModel(specs, List.of());
  }

  /**
   * "all" rows (n = 0, no accuracy) for price references: cost at the mean prompt tokens and mean
   * reference-answer tokens of the items, counted with the models file's tokenizer.
   */
  static List<SummaryRow> priceReferenceRows(Dataset<Row> items, ModelsFile tc, List<ModelSpec> evaluated,
      CostModel costs, List<String> notes) {
    List<ModelSpec> refs = evaluated.stream().filter(m -> !m.called()).toList();
    if (refs.isEmpty()) {
      return List.of();
    }
    String tok = tc.tokenizer;
    MapPartitionsFunction<Row, Row> count = it -> {
      Tokens t = Tokens.forPath(tok);
      long in = 0;
      long out = 0;
      long n = 0;
      while (it.hasNext()) {
        Row r = it.next();
        List<TokenCounter.Message> msgs = new ArrayList<>();
        String sys = r.getAs("system");
        if (sys != null && !sys.isEmpty()) {
          msgs.add(new TokenCounter.Message("system", sys));
        }
        msgs.add(new TokenCounter.Message("user", r.getAs("user")));
        in += t.prompt(msgs);
        String a = r.getAs("reference_answer");
        out += a == null ? 0 : t.text(a);
        n++;
      }
      return List.of(RowFactory.create(in, out, n)).iterator();
    };
    StructType sums = new StructType().add("in", DataTypes.LongType).add("out", DataTypes.LongType)
        .add("n", DataTypes.LongType);
    Row tot = items.mapPartitions(count, Encoders.row(sums)).groupBy().sum("in", "out", "n").first();
    double n = Math.max(1, tot.getLong(2));
    double meanIn = tot.getLong(0) / n;
    double meanOut = tot.getLong(1) / n;
    List<SummaryRow> rows = new ArrayList<>();
    for (ModelSpec m : refs) {
      EvaluatedModel spec = costs.model(m.name);
      rows.add(new SummaryRow(m.name, spec.role().label(), EvalSummary.ALL, 0, 0, 0, null, null, null, 0, 0, meanIn,
          meanOut, costs.usdPer1k(m.name, meanIn, meanOut), spec.pricing() == null ? null : spec.pricing().basis()));
      notes.add(String.format(Locale.ROOT, "%s was not called (no base_url): a price reference. Its cost assumes "
          + "the items' mean prompt (%.1f tokens) and mean reference answer (%.1f tokens), counted with %s.", m.name,
          meanIn, meanOut, tok == null ? "a chars/4 estimate" : "the tokenizer " + Path.of(tok).getFileName()));
    }
    return rows;
  }

  private static void writeSummary(SparkSession spark, Lakehouse lh, List<SummaryRow> rows, String evalId,
      String runId) {
    List<Row> out = new ArrayList<>();
    for (SummaryRow r : rows) {
      out.add(RowFactory.create(evalId, runId, r.model(), r.role(), r.category(), r.n(), r.scored(), r.correct(),
          r.accuracy(), r.ciLow(), r.ciHigh(), r.latencyP50Ms(), r.latencyP95Ms(), r.meanTokensIn(),
          r.meanTokensOut(), r.usdPer1kQueries(), r.costBasis()));
    }
    lh.upsert(spark.createDataFrame(out, Tables.EVAL_SUMMARY_SCHEMA).coalesce(1), Tables.EVAL_SUMMARY,
        List.of("eval_id", "model", "category"), "t.eval_id = '" + evalId + "'");
  }

  /** MLflow logging of the summary when a tracking URI is configured ({@link MlflowLog}). */
  public static final class MlflowHook {
    private MlflowHook() {}

    /**
     * Logs {@code rows} and the report files as one MLflow run named {@code evaluate-<eval_id>}
     * when {@code evaluate.mlflow_tracking_uri} or $MLFLOW_TRACKING_URI is set; records the run
     * id in {@code rep}. Parameters: eval_id, run_id, source, item cap, and per model its role,
     * model id, revision and prices (never an API key, only the name of its variable).
     */
    public static void log(PipelineConfig cfg, String evalId, String runId, String source, ModelsFile models,
        List<SummaryRow> rows, Path reportDir, StageReport rep) {
      log(cfg, evalId, runId, source, models, rows, reportDir, rep, System.getenv());
    }

    /** As above, with MLflow credentials (MLFLOW_TRACKING_*) and MLFLOW_TRACKING_URI read from {@code env}. */
    public static void log(PipelineConfig cfg, String evalId, String runId, String source, ModelsFile models,
        List<SummaryRow> rows, Path reportDir, StageReport rep, Map<String, String> env) {
      String uri = cfg.evaluate.mlflowTrackingUri;
      if (uri == null || uri.isBlank()) {
        uri = env.get("MLFLOW_TRACKING_URI");
      }
      if (uri == null || uri.isBlank()) {
        return;
      }
      Map<String, String> params = new LinkedHashMap<>();
      params.put("eval_id", evalId);
      params.put("run_id", runId);
      params.put("source", source);
      params.put("max_items_per_category", Integer.toString(cfg.evaluate.maxItemsPerCategory));
      for (ModelSpec m : models.models) {
        if (!m.evaluated()) {
          continue;
        }
        String p = "model." + m.name + ".";
        params.put(p + "role", m.role);
        params.put(p + "model", m.model);
        params.put(p + "endpoint", m.endpointLabel());
        if (m.revision != null) {
          params.put(p + "revision", m.revision);
        }
        if (m.gpuUsdPerHour > 0) {
          params.put(p + "gpu", String.valueOf(m.gpu));
          params.put(p + "gpu_usd_per_hour", Double.toString(m.gpuUsdPerHour));
        } else {
          params.put(p + "price_in_per_mtok", Double.toString(m.priceInPerMtok));
          params.put(p + "price_out_per_mtok", Double.toString(m.priceOutPerMtok));
        }
      }
      MlflowLog.log(uri, cfg.evaluate.mlflowExperiment, "evaluate-" + evalId, params, rows, reportDir, env)
          .ifPresent(id -> rep.put("mlflow_run_id", id));
    }
  }
}
