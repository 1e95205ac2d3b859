package io.aisdistill.jobs.stage.judge;

import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.report.StageReport;

import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aisdistill.common.judge.GroundedJudge;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.judge.Verdict;
import io.aisdistill.common.qa.Category;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.teacher.JudgeRubric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 4, judge: {@code qa_candidates} (+ {@code track_windows}) to {@code qa_judged}.
 *
 * <p>Three checks, in order; a pair is accepted only when it passes all:
 * <ol>
 *   <li>grounded: {@link GroundedJudge} re-computes the answer's claim from the window facts and
 *       compares it with the value read from the answer text within the fact's tolerance, plus
 *       format and length checks (reason codes of {@code judge.ReasonCode});</li>
 *   <li>exact duplicates: pairs of the same vessel whose normalized question + answer text
 *       (lower case, collapsed white space) is identical: the smallest qa_id is kept, the others
 *       get {@code DUPLICATE_EXACT} and {@code duplicate_of};</li>
 *   <li>near duplicates: Spark ML {@link MinHashLSH} over word 3-gram shingles of the normalized
 *       text; a pair whose Jaccard similarity with a pair of the same vessel and smaller qa_id is
 *       at least {@code judge.near_duplicate_similarity} gets {@code NEAR_DUPLICATE} and
 *       {@code duplicate_of} = that smallest qa_id (a greedy, order-based rule).</li>
 * </ol>
 * Duplicates are scoped to one vessel: the student sees each question with its window's context,
 * so the same templated question about two different vessels is two different examples, while
 * the same question and answer about the same vessel in several windows teaches one fact twice.
 * Duplicate detection runs over the pairs that passed the grounded checks. The table is a pure
 * function of its inputs and is rewritten whole (one atomic commit): reruns give the same rows.
 */
public final class JudgeStage implements Stage<JudgeResult> {
  private final TeacherConfig teachers;

  /**
   * The judge stage with its options.
   *
   * @param teachers the teacher file (its judge-role model), or null for the grounded judge alone
   */
  public JudgeStage(TeacherConfig teachers) {
    this.teachers = teachers;
  }

  @Override
  public String name() {
    return "judge";
  }

  @Override
  public List<String> reads() {
    return List.of(Tables.QA_CANDIDATES, Tables.WINDOWS, Tables.LLM_CALLS);
  }

  @Override
  public List<String> writes() {
    return List.of(Tables.QA_JUDGED, Tables.LLM_CALLS);
  }

  @Override
  public JudgeResult run(StageContext ctx) {
    return JudgeResult.of(execute(ctx.spark(), ctx.lakehouse(), ctx.config(), teachers, ctx.runId()));
  }


  /** Reads qa_candidates.facts (a JSON object). */
  private static final com.fasterxml.jackson.databind.ObjectMapper FACTS_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** Judge model name recorded for the grounded checks. */
  public static final String GROUNDED_JUDGE = "grounded-v1";

  static final StructType GROUNDED_SCHEMA = new StructType()
      .add("qa_id", DataTypes.StringType).add("window_id", DataTypes.StringType).add("mmsi", DataTypes.LongType)
      .add("category", DataTypes.StringType).add("teacher", DataTypes.StringType)
      .add("question", DataTypes.StringType).add("answer", DataTypes.StringType)
      .add("grounded_reasons", DataTypes.createArrayType(DataTypes.StringType))
      .add("grounded_ok", DataTypes.BooleanType).add("grounded_expected", DataTypes.StringType)
      .add("grounded_found", DataTypes.StringType)
      .add("trace_unsupported", DataTypes.createArrayType(DataTypes.StringType))
      .add("template_id", DataTypes.StringType).add("claim", DataTypes.StringType)
      .add("date", DataTypes.DateType);


  /** Schema of the LLM judge's outcome per pair. */
  static final StructType LLM_SCHEMA = new StructType()
      .add("l_qa_id", DataTypes.StringType)
      .add("llm_scores", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
      .add("llm_reason", DataTypes.StringType).add("llm_model", DataTypes.StringType);

  /**
   * Runs the stage; with a teacher file whose models include the judge role, every pair that
   * passed the grounded checks is also scored by an LLM judge ({@link JudgeRubric}; one judge per
   * pair, picked by share from a hash of qa_id) through {@link LlmFanout}. Such a pair is accepted
   * only when every rubric score is at least {@code judge_min_score}; else it gets
   * {@code LLM_JUDGE_LOW_SCORE}, {@code LLM_JUDGE_UNPARSEABLE} (malformed reply) or
   * {@code LLM_JUDGE_FAILED} (no answer). judge_scores holds the rubric scores, judge_model
   * "grounded-v1+MODEL".
   *
   * @param teachers the teacher file, or null for the grounded checks only
   * @param runId recorded in llm_calls.run_id
   * @throws IllegalStateException when qa_candidates or track_windows do not exist
   */
  static StageReport execute(SparkSession spark, Lakehouse lh, PipelineConfig cfg, TeacherConfig teachers,
      String runId) {
    long t0 = System.currentTimeMillis();
    List<ModelSpec> judges = teachers == null ? List.of() : teachers.byRole(ModelSpec.Role.JUDGE);
    Dataset<Row> cands = lh.read(Tables.QA_CANDIDATES);
    if (lh.exists(Tables.WINDOW_SELECTION)) {
      // only the pairs of the windows selected now: a window a later selection leaves out keeps its
      // candidates in qa_candidates (paid LLM calls are never thrown away) but is not judged
      cands = cands.join(lh.read(Tables.WINDOW_SELECTION).filter(col("selected")).select("window_id"), "window_id",
          "left_semi");
    }
    Dataset<Row> windows = lh.read(Tables.WINDOWS).drop("date", "mmsi");
    long candidates = cands.count();
    Dataset<Row> joined = cands.join(windows, "window_id");
    MapFunction<Row, Row> ground = r -> {
      QaPair q = pair(r);
      Verdict v = new GroundedJudge().judge(q, Rows.window(r));
      return RowFactory.create(q.qaId(), q.windowId(), q.mmsi(), q.category().label(), q.teacher(), q.question(),
          q.answer(), scala.jdk.javaapi.CollectionConverters.asScala(v.reasonCodes()).toSeq(), v.groundedOk(),
          v.recomputed() == null ? null : String.valueOf(v.recomputed()),
          v.extracted() == null ? null : String.valueOf(v.extracted()),
          scala.jdk.javaapi.CollectionConverters.asScala(v.traceUnsupported()).toSeq(), q.templateId(), q.claim(),
          r.get(r.fieldIndex("date")));
    };
    Dataset<Row> g = joined.map(ground, Encoders.row(GROUNDED_SCHEMA))
        .withColumn("norm", trim(regexp_replace(lower(concat_ws(" || ", col("question"), col("answer"))), "\\s+", " ")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> passed = g.filter(size(col("grounded_reasons")).equalTo(0));
      // exact duplicates: keep the smallest qa_id per vessel and normalized text
      Dataset<Row> exact = passed
          .withColumn("rn", row_number().over(Window.partitionBy("mmsi", "norm").orderBy("qa_id")))
          .withColumn("first", min("qa_id").over(Window.partitionBy("mmsi", "norm")));
      Dataset<Row> exactDup = exact.filter(col("rn").gt(1))
          .select(col("qa_id").as("d_qa_id"), col("first").as("exact_of"));
      Dataset<Row> unique = exact.filter(col("rn").equalTo(1)).select("qa_id", "mmsi", "norm");
      Dataset<Row> nearDup = nearDuplicates(unique, cfg.judge.nearDuplicateSimilarity, cfg.judge.minhashTables);

      Dataset<Row> llm = null;
      LlmFanout.Result fan = null;
      if (!judges.isEmpty()) {
        Dataset<Row> plan = joined.join(passed.select("qa_id"), "qa_id")
            .flatMap(judgePlan(judges), Encoders.row(LlmFanout.PLAN_SCHEMA));
        fan = LlmFanout.run(spark, lh, plan, teachers, "judge", runId);
        llm = llmVerdicts(lh, plan, teachers.judgeMinScore);
      }
      Dataset<Row> base = g;
      if (llm != null) {
        base = g.join(llm, col("qa_id").equalTo(col("l_qa_id")), "left").drop("l_qa_id")
            .withColumn("grounded_reasons", array_union(col("grounded_reasons"),
                when(col("llm_reason").isNotNull(), org.apache.spark.sql.functions.array(col("llm_reason")))
                    .otherwise(org.apache.spark.sql.functions.array().cast("array<string>"))));
      } else {
        base = g.withColumn("llm_scores", lit(null).cast("map<string,double>"))
            .withColumn("llm_model", lit(null).cast("string"));
      }
      Dataset<Row> judged = base
          .join(exactDup, col("qa_id").equalTo(col("d_qa_id")), "left").drop("d_qa_id")
          .join(nearDup, col("qa_id").equalTo(col("n_qa_id")), "left").drop("n_qa_id")
          .withColumn("duplicate_of", coalesce(col("exact_of"), col("near_of")))
          .withColumn("reasons", array_union(col("grounded_reasons"),
              when(col("exact_of").isNotNull(), org.apache.spark.sql.functions.array(lit("DUPLICATE_EXACT")))
                  .when(col("near_of").isNotNull(), org.apache.spark.sql.functions.array(lit("NEAR_DUPLICATE")))
                  .otherwise(org.apache.spark.sql.functions.array().cast("array<string>"))))
          ;
      judged = balance(judged, cfg.judge.maxAnswerShare)
          .withColumn("verdict", when(size(col("reasons")).equalTo(0), lit("accepted")).otherwise(lit("rejected")))
          .withColumn("judge_scores", col("llm_scores"))
          .withColumn("judge_model", when(col("llm_model").isNotNull(),
              org.apache.spark.sql.functions.concat(lit(GROUNDED_JUDGE + "+"), col("llm_model")))
              .otherwise(lit(GROUNDED_JUDGE)))
          .select(java.util.Arrays.stream(Tables.QA_JUDGED_SCHEMA.fieldNames()).map(c -> col(c))
              .toArray(org.apache.spark.sql.Column[]::new));
      long written = lh.overwrite(judged, Tables.QA_JUDGED, List.of("date"));
      StageReport rep = report(lh, candidates, written);
      if (fan != null) {
        rep.put("judge_model", GROUNDED_JUDGE + "+" + String.join(",", judges.stream().map(m -> m.model).toList()));
        LlmFanout.report(rep, fan, "judge");
      }
      return rep.elapsedMs(System.currentTimeMillis() - t0);
    } finally {
      g.unpersist();
    }
  }

  /**
   * Answer balance: per template, when one answer (the pair's claim, normalized) is more than
   * {@code maxShare} of the pairs that passed every other check, only the first K of it by
   * SHA-256 of qa_id are kept, K = floor(maxShare x (others) / (1 - maxShare)), so that answer
   * is at most {@code maxShare} of what is accepted; the rest get {@code ANSWER_BALANCE}. A
   * question type with a single answer therefore keeps nothing: it teaches no reasoning.
   * Deterministic (no sampling), so a rerun judges the same.
   *
   * @param df rows with qa_id, template_id, claim and reasons (empty = passed so far)
   * @param maxShare the cap, in (0, 1); 1 or more disables balancing
   */
  public static Dataset<Row> balance(Dataset<Row> df, double maxShare) {
    if (maxShare >= 1.0) {
      return df;
    }
    org.apache.spark.sql.Column passed = size(col("reasons")).equalTo(0);
    org.apache.spark.sql.Column answer = lower(trim(coalesce(col("claim"), lit(""))));
    WindowSpec byTemplate = Window.partitionBy("_tpl");
    Dataset<Row> p = df.withColumn("_tpl", when(passed, coalesce(col("template_id"), lit(""))))
        .withColumn("_ans", when(passed, answer))
        .withColumn("_c", when(passed, count(lit(1)).over(Window.partitionBy("_tpl", "_ans"))))
        .withColumn("_n", when(passed, count(lit(1)).over(byTemplate)))
        .withColumn("_top", max("_c").over(byTemplate));
    p = p.withColumn("_top_ans", min(when(col("_c").equalTo(col("_top")), col("_ans"))).over(byTemplate))
        .withColumn("_k", org.apache.spark.sql.functions.floor(
            lit(maxShare).multiply(col("_n").minus(col("_top"))).divide(lit(1.0 - maxShare))))
        .withColumn("_rank", row_number().over(Window.partitionBy("_tpl", "_ans").orderBy(sha2(col("qa_id"), 256))));
    org.apache.spark.sql.Column cut = passed.and(col("_ans").equalTo(col("_top_ans")))
        .and(col("_top").gt(lit(maxShare).multiply(col("_n")))).and(col("_rank").gt(col("_k")));
    return p.withColumn("reasons", when(cut, org.apache.spark.sql.functions.array(lit("ANSWER_BALANCE")))
            .otherwise(col("reasons")))
        .drop("_tpl", "_ans", "_c", "_n", "_top", "_top_ans", "_k", "_rank");
  }

  /** Plan rows: the judge request for each candidate row (joined with its window). */
  static FlatMapFunction<Row, Row> judgePlan(List<ModelSpec> judges) {
    return r -> {
      QaPair q = pair(r);
      ModelSpec m = TeacherConfig.pickByShare(judges, "judge|" + q.qaId());
      return List.of(LlmFanout.plan(JudgeRubric.request(m, q, Rows.window(r)), "judge", m.name, q.windowId(),
          q.qaId())).iterator();
    };
  }

  /** Per planned pair: rubric scores, the LLM reason code (null = passed) and the judge model. */
  static Dataset<Row> llmVerdicts(Lakehouse lh, Dataset<Row> plan, double minScore) {
    Dataset<Row> p = plan.select("call_id", "qa_id");
    Dataset<Row> joinedCalls;
    if (lh.exists(Tables.LLM_CALLS)) {
      Dataset<Row> c = lh.read(Tables.LLM_CALLS).select(col("call_id").as("c_id"), col("status"), col("content"),
          col("model"));
      joinedCalls = p.join(c, p.col("call_id").equalTo(c.col("c_id")), "left");
    } else {
      joinedCalls = p.withColumn("status", lit(null).cast("string")).withColumn("content", lit(null).cast("string"))
          .withColumn("model", lit(null).cast("string"));
    }
    MapFunction<Row, Row> verdict = r -> {
      String qa = r.getString(r.fieldIndex("qa_id"));
      String model = r.getString(r.fieldIndex("model"));
      if (!"ok".equals(r.getString(r.fieldIndex("status")))) {
        return RowFactory.create(qa, null, "LLM_JUDGE_FAILED", model);
      }
      JudgeRubric.Scores s = JudgeRubric.parse(r.getString(r.fieldIndex("content")));
      String reason = s.problem() != null ? "LLM_JUDGE_UNPARSEABLE" : s.passes(minScore) ? null : "LLM_JUDGE_LOW_SCORE";
      return RowFactory.create(qa, scala.jdk.javaapi.CollectionConverters.asScala(s.scores()), reason, model);
    };
    return joinedCalls.map(verdict, Encoders.row(LLM_SCHEMA));
  }

  /**
   * Near duplicates among {@code df} (columns qa_id, mmsi, norm): rows (n_qa_id, near_of) for
   * every pair that has a near neighbour of the same vessel with a smaller qa_id.
   *
   * <p>Spark ML's {@link MinHashLSH} computes the signatures; candidate pairs are the pairs of one
   * vessel sharing a bucket in any hash table (the MMSI is part of the bucket key, so templated
   * text of different vessels never forms candidate pairs and the join stays linear in the number
   * of vessels); each candidate is then confirmed by its exact Jaccard similarity.
   */
  static Dataset<Row> nearDuplicates(Dataset<Row> df, double similarity, int tables) {
    Dataset<Row> tokens = new RegexTokenizer().setInputCol("norm").setOutputCol("tokens").setPattern("[^\\p{L}\\p{N}.]+")
        .transform(df);
    Dataset<Row> grams = new NGram().setN(3).setInputCol("tokens").setOutputCol("shingles").transform(tokens);
    Dataset<Row> feats = new HashingTF().setBinary(true).setNumFeatures(1 << 20).setInputCol("shingles")
        .setOutputCol("features").transform(grams);
    UDF1<Vector, Integer> nnz = v -> v.numNonzeros();
    feats = feats.filter(udf(nnz, DataTypes.IntegerType).apply(col("features")).gt(0))
        .select("qa_id", "mmsi", "features");
    MinHashLSHModel model = new MinHashLSH().setNumHashTables(tables).setSeed(20250917L)
        .setInputCol("features").setOutputCol("hashes").fit(feats);
    Dataset<Row> buckets = model.transform(feats)
        .select(col("qa_id"), col("mmsi"), posexplode(col("hashes")).as(new String[] {"table", "h"}))
        .withColumn("bucket", vector_to_array(col("h"), "float64").getItem(0)).drop("h");
    Dataset<Row> a = buckets.toDF("a", "mmsi", "table", "bucket");
    Dataset<Row> b = buckets.toDF("b", "mmsi", "table", "bucket");
    UDF2<Vector, Vector, Double> jaccard = JudgeStage::jaccard;
    Dataset<Row> f = feats.select("qa_id", "features");
    Dataset<Row> pairs = a.join(b, scala.jdk.javaapi.CollectionConverters.asScala(List.of("mmsi", "table", "bucket")).toSeq())
        .filter(col("a").lt(col("b"))).select("a", "b").distinct()
        .join(f.toDF("a", "fa"), "a").join(f.toDF("b", "fb"), "b")
        .filter(udf(jaccard, DataTypes.DoubleType).apply(col("fa"), col("fb")).geq(similarity));
    return pairs.groupBy(col("b").as("n_qa_id")).agg(min("a").as("near_of"));
  }

  /** Jaccard similarity of the non-zero index sets of two binary vectors. */
  static double jaccard(Vector x, Vector y) {
    int[] a = x.toSparse().indices();
    int[] b = y.toSparse().indices();
    int i = 0, j = 0, inter = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        inter++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    int union = a.length + b.length - inter;
    return union == 0 ? 0.0 : inter / (double) union;
  }

  /** The candidate row (joined with its window) as a pair. */
  public static QaPair pair(Row r) throws java.io.IOException {
    Map<String, Object> facts = r.isNullAt(r.fieldIndex("facts")) ? Map.of()
        : FACTS_JSON.readValue(r.getString(r.fieldIndex("facts")), new TypeReference<Map<String, Object>>() {});
    return new QaPair(s(r, "qa_id"), s(r, "window_id"), r.getLong(r.fieldIndex("mmsi")),
        Category.valueOf(s(r, "category").toUpperCase(Locale.ROOT)), s(r, "question"), s(r, "answer"),
        s(r, "reasoning"), s(r, "teacher"), s(r, "prompt_version"), s(r, "template_id"), s(r, "claim_kind"),
        s(r, "claim"), s(r, "unit"), facts, s(r, "fact_key"));
  }

  private static String s(Row r, String c) {
    int i = r.fieldIndex(c);
    return r.isNullAt(i) ? null : r.getString(i);
  }

  private static StageReport report(Lakehouse lh, long candidates, long written) {
    Dataset<Row> j = lh.read(Tables.QA_JUDGED);
    StageReport rep = new StageReport("judge").put("judge_model", GROUNDED_JUDGE).put("candidates", candidates)
        .put("judged", written);
    Map<String, long[]> byCat = new TreeMap<>();
    for (Row r : j.groupBy("category", "verdict").count().collectAsList()) {
      long[] c = byCat.computeIfAbsent(r.getString(0), k -> new long[2]);
      c[r.getString(1).equals("accepted") ? 0 : 1] += r.getLong(2);
    }
    long acc = byCat.values().stream().mapToLong(c -> c[0]).sum();
    rep.put("accepted", acc).put("rejected", written - acc);
    for (Row r : j.selectExpr("explode(reasons) as reason").groupBy("reason").count().orderBy("reason").collectAsList()) {
      rep.put("reason." + r.getString(0), r.getLong(1));
    }
    List<List<Object>> rows = new ArrayList<>();
    byCat.forEach((k, c) -> rows.add(List.of(k, c[0], c[1])));
    rep.table("QA by category and verdict", List.of("category", "accepted", "rejected"), rows);
    rep.table("QA by teacher (hallucination rate = numeric answers failing recomputation / numeric answers)",
        List.of("teacher", "pairs", "accepted", "acceptance_rate", "numeric", "numeric_failed", "hallucination_rate"),
        byTeacher(lh));
    return rep;
  }

  /** Per teacher: pairs, accepted, acceptance rate, numeric answers, those failing recomputation, their share. */
  static List<List<Object>> byTeacher(Lakehouse lh) {
    Dataset<Row> kinds = lh.read(Tables.QA_CANDIDATES).select(col("qa_id").as("k_qa_id"), col("claim_kind"));
    Dataset<Row> j = lh.read(Tables.QA_JUDGED);
    List<List<Object>> out = new ArrayList<>();
    for (Row r : j.join(kinds, j.col("qa_id").equalTo(kinds.col("k_qa_id")), "left")
        .groupBy("teacher")
        .agg(org.apache.spark.sql.functions.count("*"),
            org.apache.spark.sql.functions.sum(when(col("verdict").equalTo("accepted"), 1).otherwise(0)),
            org.apache.spark.sql.functions.sum(when(col("claim_kind").equalTo("number"), 1).otherwise(0)),
            org.apache.spark.sql.functions.sum(when(col("claim_kind").equalTo("number")
                .and(org.apache.spark.sql.functions.array_contains(col("reasons"), "CLAIM_MISMATCH")), 1).otherwise(0)))
        .orderBy("teacher").collectAsList()) {
      long n = r.getLong(1);
      long acc = r.getLong(2);
      long num = r.getLong(3);
      long bad = r.getLong(4);
      out.add(List.of(r.getString(0), n, acc, n == 0 ? 0.0 : acc / (double) n, num, bad,
          num == 0 ? 0.0 : bad / (double) num));
    }
    return out;
  }
}
