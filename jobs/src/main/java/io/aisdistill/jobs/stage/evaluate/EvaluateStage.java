package io.aisdistill.jobs.stage.evaluate;

import io.aisdistill.common.eval.CostModel;
import io.aisdistill.common.eval.EvalExample;
import io.aisdistill.common.eval.EvalExamples;
import io.aisdistill.common.eval.EvalReport;
import io.aisdistill.common.eval.EvalSummary;
import io.aisdistill.common.eval.ScoreReason;
import io.aisdistill.common.eval.Scorer;
import io.aisdistill.common.eval.SummaryRow;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.ModelsFile;
import io.aisdistill.common.teacher.AnswerJudge;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.tracking.MlflowLog;
import io.aisdistill.jobs.training.LocalServer;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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
public final class EvaluateStage extends AbstractStage<EvaluateResult> {
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
    this(models, export, false, table, reportDir, null);
  }

  /**
   * The evaluate stage of {@code run}: when {@code localTrainOut} is not null and
   * {@code evaluate.serve} is {@code local}, base and student (base + the LoRA adapter of
   * {@code localTrainOut}) are served on 127.0.0.1 by llama.cpp for the duration of the stage
   * ({@link LocalServer}), and a student without a {@code revision} gets the SHA-256 of
   * {@code adapter/adapter_model.safetensors} as its revision.
   *
   * @param export export directory whose test split is asked, or null
   * @param exportIfPresent true to fall back to the newest export (or {@code table}) when {@code export}
   *     is not a directory when the stage runs ({@code run} plans the export's directory before it is
   *     known whether the export stage will have written it); false to fail on a missing one
   * @param localTrainOut training output directory to serve from, or null
   */
  public EvaluateStage(ModelsFile models, Path export, boolean exportIfPresent, String table, Path reportDir,
      Path localTrainOut) {
    super("evaluate",
        List.of(Tables.TRAINING_RUNS, Tables.QA_JUDGED, Tables.QA_CANDIDATES, Tables.WINDOWS, Tables.LLM_CALLS),
        List.of(Tables.EVAL_RESULTS, Tables.EVAL_SUMMARY, Tables.LLM_CALLS));
    this.models = models;
    this.export = export;
    this.table = table;
    this.reportDir = reportDir;
    this.localTrainOut = localTrainOut;
    this.exportIfPresent = exportIfPresent;
  }

  /**
   * Runs the stage.
   *
   * @throws IllegalStateException when the local server does not start, or a table is missing
   * @throws io.aisdistill.jobs.llm.LlmCallsFailedException when more than {@code llm.max_failed_share}
   *     of the answer or LLM judge calls failed (after the ok ones are committed to llm_calls)
   * @throws java.io.UncheckedIOException when the adapter cannot be read
   */
  @Override
  public EvaluateResult run(StageContext ctx) {
    Path export = exportIfPresent && this.export != null && !Files.isDirectory(this.export) ? null : this.export;
    if (localTrainOut == null || !"local".equals(ctx.config().evaluate.serve)) {
      return evaluate(ctx, export);
    }
    Path adapter = localTrainOut.resolve("adapter/adapter_model.safetensors");
    try (LocalServer server = new LocalServer(ctx.config(), localTrainOut)) {
      if (Files.isRegularFile(adapter)) {
        String rev = Sha256.hexFile(adapter);
        models.models.stream().filter(m -> m.roleEnum() == ModelSpec.Role.STUDENT && m.revision == null)
            .forEach(m -> m.revision = rev);
      }
      return evaluate(ctx, export);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while serving", e);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** score_reason of a free-text answer graded by the models file's LLM judge. */
  public static final String LLM_JUDGE = "LLM_JUDGE";

  /**
   * Evaluates: reads the items, plans and sends the calls ({@link LlmFanout}), scores them
   * ({@link EvaluateTransforms}), writes eval_results, eval_summary and the report
   * ({@link EvaluateSink}).
   *
   * @param export export directory whose test split is evaluated; null = {@code table}, or the
   *     newest export in training_runs when both are null
   * @throws IllegalArgumentException when the models file has no evaluated model, or no test items are found
   * @throws IllegalStateException when a table or the export is missing, or on I/O errors
   * @throws io.aisdistill.jobs.llm.LlmCallsFailedException when more than {@code llm.max_failed_share}
   *     of the answer calls, or of the LLM judge calls, failed (after the ok ones are committed to
   *     llm_calls; nothing else is written)
   */
  private EvaluateResult evaluate(StageContext ctx, Path export) {
    long t0 = System.currentTimeMillis();
    SparkSession spark = ctx.spark();
    Lakehouse lh = ctx.lakehouse();
    PipelineConfig cfg = ctx.config();
    String runId = ctx.runId();
    List<ModelSpec> evaluated = models.models.stream().filter(ModelSpec::evaluated).toList();
    List<ModelSpec> called = evaluated.stream().filter(ModelSpec::called).toList();
    if (called.isEmpty()) {
      throw new IllegalArgumentException("the models file lists no student, base or teacher with a base_url");
    }

    // read: the test items and their references
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
    items = EvaluateTransforms.withReferences(items, lh.read(Tables.QA_CANDIDATES),
        cfg.evaluate.maxItemsPerCategory).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long n = items.count();
      if (n == 0) {
        throw new IllegalArgumentException("no test items in " + source);
      }

      // ask every called model, then score the answers (llm_calls is read after the calls)
      Dataset<Row> plan = EvaluateTransforms.plan(items, models, called).persist(StorageLevel.MEMORY_AND_DISK());
      String evalId = EvaluateTransforms.evalId(plan);
      LlmFanout.Result fan = LlmFanout.run(spark, lh, plan, models, LlmFanout.EVALUATE, runId);
      try {
        fan.requireFailedShareAtMost("evaluate", cfg.llm.maxFailedShare);
      } catch (RuntimeException e) {
        plan.unpersist();
        throw e;
      }
      Map<String, String> roles = new HashMap<>();
      evaluated.forEach(m -> roles.put(m.name, EvaluateTransforms.evalRole(m).label()));
      Dataset<Row> joined = EvaluateTransforms.withCalls(plan, items, lh.read(Tables.LLM_CALLS));
      Dataset<Row> scored = EvaluateTransforms.score(joined, evalId, runId, roles)
          .persist(StorageLevel.MEMORY_AND_DISK());

      // free-text answers: graded by the models file's first judge, when it has one
      ModelSpec judge = models.models.stream()
          .filter(m -> m.roleEnum() == ModelSpec.Role.JUDGE && m.called()).findFirst().orElse(null);
      LlmFanout.Result judgeFan = null;
      Dataset<Row> results = scored;
      if (judge != null) {
        Dataset<Row> judgeCalls = EvaluateTransforms.judgeCalls(scored, items, models, judge.name)
            .persist(StorageLevel.MEMORY_AND_DISK());
        judgeFan = LlmFanout.run(spark, lh, judgeCalls.drop("model"), models, LlmFanout.EVALUATE_JUDGE, runId);
        try {
          judgeFan.requireFailedShareAtMost("evaluate (LLM judge of free-text answers)", cfg.llm.maxFailedShare);
        } catch (RuntimeException e) {
          judgeCalls.unpersist();
          scored.unpersist();
          plan.unpersist();
          throw e;
        }
        Dataset<Row> verdicts = EvaluateTransforms.verdicts(judgeCalls, lh.read(Tables.LLM_CALLS));
        results = EvaluateTransforms.withVerdicts(scored, verdicts, judge.name).persist(StorageLevel.MEMORY_AND_DISK());
        judgeCalls.unpersist();
      }
      try {
        long scoredRows = results.count();
        if (scoredRows != n * called.size()) {
          throw new IllegalStateException("expected " + n * called.size() + " answers (" + n + " items x "
              + called.size() + " models), llm_calls holds " + scoredRows);
        }
        EvaluateSink sink = new EvaluateSink(spark, lh, reportDir);
        sink.writeResults(results, evalId);

        // summary: accuracy and cost per model and category
        EvaluateTransforms.ScoredItems scoredItems = EvaluateTransforms.scoredItems(results);
        long failed = scoredItems.failedCalls();
        Map<String, Double> measuredQps = EvaluateTransforms.measuredQps(joined);
        List<String> notes = new ArrayList<>();
        CostModel costs = EvaluateTransforms.costModel(evaluated, measuredQps, notes);
        List<SummaryRow> rows = new ArrayList<>(EvalSummary.summarize(scoredItems.items(), costs));
        rows.addAll(EvaluateTransforms.priceReferenceRows(items, models, evaluated, costs, notes));
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
        sink.writeSummary(rows, evalId, runId);
        List<EvalExample> examples = EvalExamples.select(EvaluateTransforms.answers(results, items),
            called.stream().map(m -> m.name).toList(), EvalExamples.DEFAULT_COUNT);
        List<Path> files = sink.writeReport(rows, costs, examples);

        // report and result
        String reportPath = reportDir.toAbsolutePath().resolve(EvalReport.REPORT_MD).toString();
        StageReport rep = new StageReport("evaluate").put("eval_id", evalId).put("items", n)
            .put("models", called.size()).put("answers", scoredRows).put("failed_calls", failed)
            .put("report", reportPath)
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
        rep.elapsedMs(System.currentTimeMillis() - t0);
        return new EvaluateResult(evalId, n, scoredRows, failed, fan.calls(), reportPath, rep);
      } finally {
        results.unpersist();
        scored.unpersist();
        plan.unpersist();
      }
    } finally {
      items.unpersist();
    }
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
    return EvaluateTransforms.exportItems(spark.read().parquet(test.toAbsolutePath().toString()));
  }

  /** Items of a QA Delta table: prompts built from track_windows as the export builds them. */
  public static Dataset<Row> tableItems(SparkSession spark, Lakehouse lh, PipelineConfig cfg, String table) {
    String system = cfg.export.systemPrompt == null ? "" : cfg.export.systemPrompt;
    Dataset<Row> questions = EvaluateTransforms.questions(lh.read(table), table);
    return EvaluateTransforms.tableItems(questions, lh.read(Tables.WINDOWS), lh.read(Tables.QA_CANDIDATES), system);
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
