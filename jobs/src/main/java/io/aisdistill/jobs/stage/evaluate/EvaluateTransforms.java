package io.aisdistill.jobs.stage.evaluate;

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
import io.aisdistill.common.eval.EvalExamples;
import io.aisdistill.common.eval.EvalItem;
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
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import java.io.IOException;
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
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The evaluate stage's Spark transforms and the pure helpers they need; no Lakehouse, no LLM
 * calls, no files.
 *
 * <ul>
 *   <li>Items ({@link #ITEM_SCHEMA}: qa_id, window_id, mmsi, category, system, user):
 *       {@link #exportItems} from an export's test split (split, qa_id, window_id, mmsi, category,
 *       messages, n_tokens); {@link #questions} (a QA table to qa_id, window_id, _question) then
 *       {@link #tableItems} (with track_windows and qa_candidates (qa_id, category)) from a QA table.</li>
 *   <li>{@link #withReferences}: items plus the reference of qa_candidates (question,
 *       reference_answer, fact_key, claim, ref_unit, facts), sampled per category.</li>
 *   <li>{@link #plan}: items to one planned call per called model ({@link LlmFanout#PLAN_SCHEMA});
 *       {@link #evalId} of the plan.</li>
 *   <li>{@link #withCalls}: plan x items x llm_calls (call_id, qa_id, model, the item columns,
 *       content, status, latency_ms, tokens_in, tokens_out, cost_usd, started_at, finished_at);
 *       {@link #score} of those rows to eval_results rows ({@code Tables.EVAL_RESULTS_SCHEMA}).</li>
 *   <li>{@link #judgeCalls} (free-text answers to judge calls, {@link #JUDGE_CALL_SCHEMA}),
 *       {@link #verdicts} (with llm_calls, {@link #VERDICT_SCHEMA}) and {@link #withVerdicts}
 *       (eval_results rows with the judge's grades).</li>
 *   <li>Driver-side values of eval_results rows: {@link #scoredItems}, {@link #answers}; of the
 *       {@link #withCalls} rows: {@link #measuredQps}; of the items: {@link #priceReferenceRows}.</li>
 * </ul>
 */
public final class EvaluateTransforms {
  private EvaluateTransforms() {}

  /** Test item columns (one per item; the reference comes from qa_candidates). */
  static final StructType ITEM_SCHEMA = new StructType()
      .add("qa_id", DataTypes.StringType).add("window_id", DataTypes.StringType).add("mmsi", DataTypes.LongType)
      .add("category", DataTypes.StringType).add("system", DataTypes.StringType).add("user", DataTypes.StringType);

  /** A planned judge call ({@link LlmFanout#PLAN_SCHEMA} columns) plus the answer's model. */
  static final StructType JUDGE_CALL_SCHEMA = LlmFanout.PLAN_SCHEMA.add("model", DataTypes.StringType);

  /** A judge verdict per (model, qa_id); j_correct null = unusable reply. */
  static final StructType VERDICT_SCHEMA = new StructType().add("j_model", DataTypes.StringType)
      .add("j_qa_id", DataTypes.StringType).add("j_correct", DataTypes.BooleanType);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Items of an export's test split (its Parquet rows): system and user turns as trained. */
  static Dataset<Row> exportItems(Dataset<Row> testSplit) {
    return testSplit.select(col("qa_id"), col("window_id"), col("mmsi"), col("category"),
        expr("get(filter(messages, m -> m.role = 'system'), 0).content").as("system"),
        expr("get(filter(messages, m -> m.role = 'user'), 0).content").as("user"));
  }

  /**
   * The questions of a QA table: qa_id, window_id, _question (the table's question), one row per
   * qa_id; only accepted rows when the table has a verdict column.
   *
   * @param table the table's name (for the error)
   * @throws IllegalArgumentException when {@code qa} lacks qa_id, window_id or question
   */
  static Dataset<Row> questions(Dataset<Row> qa, String table) {
    Dataset<Row> t = qa;
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
    return t.select(col("qa_id"), col("window_id"), col("question").as("_question")).dropDuplicates("qa_id");
  }

  /**
   * Items of {@link #questions}: the prompt built from the window (track_windows) as the export
   * builds it, the category from qa_candidates (inner joins).
   *
   * @param system the system prompt of every item ("" for none)
   */
  static Dataset<Row> tableItems(Dataset<Row> questions, Dataset<Row> windows, Dataset<Row> candidates,
      String system) {
    Dataset<Row> joined = questions.join(windows, "window_id");
    joined = joined.join(candidates.select(col("qa_id"), col("category")), "qa_id");
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

  /**
   * The items joined (on qa_id) with their reference in qa_candidates: question, reference_answer,
   * fact_key, claim, ref_unit, facts. With {@code perCategory > 0}, only the {@code perCategory}
   * items of lowest SHA-256 of qa_id per category are kept.
   */
  static Dataset<Row> withReferences(Dataset<Row> items, Dataset<Row> candidates, int perCategory) {
    Dataset<Row> refs = candidates
        .select(col("qa_id"), col("question"), col("answer").as("reference_answer"), col("fact_key"), col("claim"),
            col("unit").as("ref_unit"), col("facts"));
    Dataset<Row> out = items.join(refs, "qa_id");
    if (perCategory > 0) {
      out = out.withColumn("_rank", row_number().over(Window.partitionBy("category").orderBy(sha2(col("qa_id"), 256))))
          .filter(col("_rank").leq(perCategory)).drop("_rank");
    }
    return out;
  }

  /** One planned plain-text call ({@link ChatCall#text}) per item and called model, purpose evaluate. */
  static Dataset<Row> plan(Dataset<Row> items, ModelsFile models, List<ModelSpec> called) {
    List<String> names = called.stream().map(m -> m.name).toList();
    FlatMapFunction<Row, Row> fn = r -> {
      List<Row> out = new ArrayList<>(names.size());
      for (String name : names) {
        ModelSpec m = models.model(name);
        ChatCall c = ChatCall.text(m, r.getAs("system"), r.getAs("user"));
        out.add(LlmFanout.plan(c, LlmFanout.EVALUATE, m.name, r.getAs("window_id"), r.getAs("qa_id")));
      }
      return out.iterator();
    };
    return items.flatMap(fn, Encoders.row(LlmFanout.PLAN_SCHEMA));
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

  /** Each planned call (model = the plan's teacher) with its item and its llm_calls row (inner joins). */
  static Dataset<Row> withCalls(Dataset<Row> plan, Dataset<Row> items, Dataset<Row> llmCalls) {
    Dataset<Row> calls = llmCalls.select(col("call_id"), col("content"), col("status"),
        col("latency_ms"), col("tokens_in"), col("tokens_out"), col("cost_usd"), col("started_at"),
        col("finished_at"));
    return plan.select(col("call_id"), col("teacher").as("model"), col("qa_id"))
        .join(items, "qa_id").join(calls, "call_id");
  }

  /**
   * The eval_results rows ({@code Tables.EVAL_RESULTS_SCHEMA}) of {@link #withCalls} rows, scored by
   * {@link #scoreRow}.
   *
   * @param roles comparison role label per model name
   */
  static Dataset<Row> score(Dataset<Row> joined, String evalId, String runId, Map<String, String> roles) {
    MapPartitionsFunction<Row, Row> fn = it -> {
      List<Row> out = new ArrayList<>();
      while (it.hasNext()) {
        out.add(scoreRow(it.next(), evalId, runId, roles));
      }
      return out.iterator();
    };
    return joined.mapPartitions(fn, Encoders.row(Tables.EVAL_RESULTS_SCHEMA));
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
   * The judge calls ({@link #JUDGE_CALL_SCHEMA}, purpose evaluate-judge, {@link AnswerJudge#request})
   * of the scored rows still needing an LLM judge whose call was ok, with the item's facts.
   *
   * @param judge name of the judge model in {@code models}
   */
  static Dataset<Row> judgeCalls(Dataset<Row> scored, Dataset<Row> items, ModelsFile models, String judge) {
    Dataset<Row> free = scored.filter(col("score_reason").equalTo(ScoreReason.NEEDS_LLM_JUDGE.name())
        .and(col("call_status").equalTo(CallResult.OK))).join(items.select("qa_id", "facts"), "qa_id");
    MapFunction<Row, Row> fn = r -> {
      ChatCall c = AnswerJudge.request(models.model(judge), r.getAs("question"), r.getAs("reference_answer"),
          r.getAs("facts"), r.getAs("answer"));
      Row p = LlmFanout.plan(c, LlmFanout.EVALUATE_JUDGE, judge, r.getAs("window_id"), r.getAs("qa_id"));
      Object[] v = new Object[p.size() + 1];
      for (int i = 0; i < p.size(); i++) {
        v[i] = p.get(i);
      }
      v[p.size()] = r.getAs("model");
      return RowFactory.create(v);
    };
    return free.map(fn, Encoders.row(JUDGE_CALL_SCHEMA));
  }

  /**
   * The judge's verdict ({@link #VERDICT_SCHEMA}) per judge call answered ok in {@code llmCalls}
   * (call_id, status, content; {@link AnswerJudge#parse}).
   */
  static Dataset<Row> verdicts(Dataset<Row> judgeCalls, Dataset<Row> llmCalls) {
    MapFunction<Row, Row> fn = r -> RowFactory.create(r.getAs("j_model"), r.getAs("j_qa_id"),
        AnswerJudge.parse(r.getAs("content")).correct());
    return judgeCalls.select(col("call_id"), col("model").as("j_model"), col("qa_id").as("j_qa_id"))
        .join(llmCalls.filter(col("status").equalTo(CallResult.OK)).select("call_id", "content"), "call_id")
        .map(fn, Encoders.row(VERDICT_SCHEMA));
  }

  /**
   * The scored rows with the usable verdicts applied: correct from the judge, score_reason
   * {@value EvaluateStage#LLM_JUDGE}, judge_model {@code judge}; other rows unchanged
   * ({@code Tables.EVAL_RESULTS_SCHEMA} columns).
   */
  static Dataset<Row> withVerdicts(Dataset<Row> scored, Dataset<Row> verdicts, String judge) {
    String[] cols = Tables.EVAL_RESULTS_SCHEMA.fieldNames();
    Column judged = col("j_correct").isNotNull();
    return scored.join(verdicts, scored.col("model").equalTo(verdicts.col("j_model"))
            .and(scored.col("qa_id").equalTo(verdicts.col("j_qa_id"))), "left")
        .withColumn("correct", when(judged, col("j_correct")).otherwise(col("correct")))
        .withColumn("score_reason", when(judged, lit(EvaluateStage.LLM_JUDGE)).otherwise(col("score_reason")))
        .withColumn("judge_model", when(judged, lit(judge)).otherwise(col("judge_model")))
        .select(Arrays.stream(cols).map(c -> col(c)).toArray(Column[]::new));
  }

  /**
   * The eval_results rows as {@link EvalItem}s (for {@link EvalSummary#summarize}), and how many of
   * them are calls that did not end ok.
   */
  record ScoredItems(List<EvalItem> items, long failedCalls) {}

  /** The {@link ScoredItems} of eval_results rows. */
  static ScoredItems scoredItems(Dataset<Row> results) {
    List<EvalItem> evalItems = new ArrayList<>();
    long failed = 0;
    for (Row r : results.select("model", "category", "correct", "latency_ms", "tokens_in", "tokens_out",
        "call_status").collectAsList()) {
      evalItems.add(new EvalItem(r.getString(0), r.getString(1), r.isNullAt(2) ? null : r.getBoolean(2),
          r.isNullAt(3) ? 0 : r.getLong(3), r.isNullAt(4) ? 0 : r.getLong(4), r.isNullAt(5) ? 0 : r.getLong(5)));
      failed += CallResult.OK.equals(r.getString(6)) ? 0 : 1;
    }
    return new ScoredItems(evalItems, failed);
  }

  /**
   * The scored rows of {@code results} (eval_results columns) for {@link EvalExamples#select}, each
   * with the question as asked: {@link EvalExamples#question} of the item's user turn, or
   * eval_results.question when the prompt has no "Question:" line.
   */
  static List<EvalAnswer> answers(Dataset<Row> results, Dataset<Row> items) {
    Dataset<Row> asked = items.select("qa_id", "user").map(
        (MapFunction<Row, Row>) r -> RowFactory.create(r.getString(0), EvalExamples.question(r.getString(1))),
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

  /**
   * Per model, ok calls / seconds during which at least one of its calls was in flight (union of
   * the calls' [started_at, finished_at] intervals), from {@link #withCalls} rows.
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
}
