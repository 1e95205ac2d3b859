package io.aisdistill.jobs;

import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aisdistill.common.judge.GroundedJudge;
import io.aisdistill.common.judge.Verdict;
import io.aisdistill.common.qa.Category;
import io.aisdistill.common.qa.QaPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Window;
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
 *   <li>exact duplicates: pairs whose normalized question + answer text (lower case, collapsed
 *       white space) is identical: the smallest qa_id is kept, the others get
 *       {@code DUPLICATE_EXACT} and {@code duplicate_of};</li>
 *   <li>near duplicates: Spark ML {@link MinHashLSH} over word 3-gram shingles of the normalized
 *       text; a pair whose Jaccard similarity with a pair of smaller qa_id is at least
 *       {@code judge.near_duplicate_similarity} gets {@code NEAR_DUPLICATE} and
 *       {@code duplicate_of} = that smallest qa_id (a greedy, order-based rule).</li>
 * </ol>
 * Duplicate detection runs over the pairs that passed the grounded checks. The table is a pure
 * function of its inputs and is rewritten whole (one atomic commit): reruns give the same rows.
 */
public final class JudgeJob {
  private JudgeJob() {}

  /** Judge model name recorded for the grounded checks. */
  public static final String GROUNDED_JUDGE = "grounded-v1";

  static final StructType GROUNDED_SCHEMA = new StructType()
      .add("qa_id", DataTypes.StringType).add("window_id", DataTypes.StringType).add("mmsi", DataTypes.LongType)
      .add("category", DataTypes.StringType).add("teacher", DataTypes.StringType)
      .add("question", DataTypes.StringType).add("answer", DataTypes.StringType)
      .add("grounded_reasons", DataTypes.createArrayType(DataTypes.StringType))
      .add("grounded_ok", DataTypes.BooleanType).add("grounded_expected", DataTypes.StringType)
      .add("grounded_found", DataTypes.StringType).add("date", DataTypes.DateType);

  /**
   * Runs the stage.
   *
   * @throws IllegalStateException when qa_candidates or track_windows do not exist
   */
  public static StageReport run(SparkSession spark, Lakehouse lh, PipelineConfig cfg) {
    long t0 = System.currentTimeMillis();
    Dataset<Row> cands = lh.read(Tables.QA_CANDIDATES);
    Dataset<Row> windows = lh.read(Tables.WINDOWS).drop("date", "mmsi");
    long candidates = cands.count();
    Dataset<Row> joined = cands.join(windows, "window_id");
    MapFunction<Row, Row> ground = r -> {
      QaPair q = pair(r);
      Verdict v = new GroundedJudge().judge(q, Rows.window(r));
      return RowFactory.create(q.qaId(), q.windowId(), q.mmsi(), q.category().label(), q.teacher(), q.question(),
          q.answer(), scala.jdk.javaapi.CollectionConverters.asScala(v.reasonCodes()).toSeq(), v.groundedOk(),
          v.recomputed() == null ? null : String.valueOf(v.recomputed()),
          v.extracted() == null ? null : String.valueOf(v.extracted()), r.get(r.fieldIndex("date")));
    };
    Dataset<Row> g = joined.map(ground, Encoders.row(GROUNDED_SCHEMA))
        .withColumn("norm", trim(regexp_replace(lower(concat_ws(" || ", col("question"), col("answer"))), "\\s+", " ")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> passed = g.filter(size(col("grounded_reasons")).equalTo(0));
      // exact duplicates: keep the smallest qa_id per normalized text
      Dataset<Row> exact = passed
          .withColumn("rn", row_number().over(Window.partitionBy("norm").orderBy("qa_id")))
          .withColumn("first", min("qa_id").over(Window.partitionBy("norm")));
      Dataset<Row> exactDup = exact.filter(col("rn").gt(1))
          .select(col("qa_id").as("d_qa_id"), col("first").as("exact_of"));
      Dataset<Row> unique = exact.filter(col("rn").equalTo(1)).select("qa_id", "norm");
      Dataset<Row> nearDup = nearDuplicates(unique, cfg.judge.nearDuplicateSimilarity, cfg.judge.minhashTables);

      Dataset<Row> judged = g
          .join(exactDup, col("qa_id").equalTo(col("d_qa_id")), "left").drop("d_qa_id")
          .join(nearDup, col("qa_id").equalTo(col("n_qa_id")), "left").drop("n_qa_id")
          .withColumn("duplicate_of", coalesce(col("exact_of"), col("near_of")))
          .withColumn("reasons", array_union(col("grounded_reasons"),
              when(col("exact_of").isNotNull(), org.apache.spark.sql.functions.array(lit("DUPLICATE_EXACT")))
                  .when(col("near_of").isNotNull(), org.apache.spark.sql.functions.array(lit("NEAR_DUPLICATE")))
                  .otherwise(org.apache.spark.sql.functions.array().cast("array<string>"))))
          .withColumn("verdict", when(size(col("reasons")).equalTo(0), lit("accepted")).otherwise(lit("rejected")))
          .withColumn("judge_scores", lit(null).cast("map<string,double>"))
          .withColumn("judge_model", lit(GROUNDED_JUDGE))
          .select(java.util.Arrays.stream(Tables.QA_JUDGED_SCHEMA.fieldNames()).map(c -> col(c))
              .toArray(org.apache.spark.sql.Column[]::new));
      long written = lh.overwrite(judged, Tables.QA_JUDGED, List.of("date"));
      return report(lh, candidates, written).elapsedMs(System.currentTimeMillis() - t0);
    } finally {
      g.unpersist();
    }
  }

  /**
   * Near duplicates among {@code df} (columns qa_id, norm): rows (n_qa_id, near_of) for every pair
   * with a near neighbour of smaller qa_id.
   */
  static Dataset<Row> nearDuplicates(Dataset<Row> df, double similarity, int tables) {
    Dataset<Row> tokens = new RegexTokenizer().setInputCol("norm").setOutputCol("tokens").setPattern("[^\\p{L}\\p{N}.]+")
        .transform(df);
    Dataset<Row> grams = new NGram().setN(3).setInputCol("tokens").setOutputCol("shingles").transform(tokens);
    Dataset<Row> feats = new HashingTF().setBinary(true).setNumFeatures(1 << 20).setInputCol("shingles")
        .setOutputCol("features").transform(grams);
    UDF1<Vector, Integer> nnz = v -> ((SparseVector) v.toSparse()).numNonzeros();
    feats = feats.filter(org.apache.spark.sql.functions.udf(nnz, DataTypes.IntegerType).apply(col("features")).gt(0))
        .select("qa_id", "features");
    MinHashLSHModel model = new MinHashLSH().setNumHashTables(tables).setSeed(20250917L)
        .setInputCol("features").setOutputCol("hashes").fit(feats);
    Dataset<Row> pairs = model.approxSimilarityJoin(feats, feats, 1.0 - similarity, "jaccard_distance")
        .select(col("datasetA.qa_id").as("a"), col("datasetB.qa_id").as("b"))
        .filter(col("a").lt(col("b")));
    return pairs.groupBy(col("b").as("n_qa_id")).agg(min("a").as("near_of"));
  }

  /** The candidate row (joined with its window) as a pair. */
  static QaPair pair(Row r) throws java.io.IOException {
    Map<String, Object> facts = r.isNullAt(r.fieldIndex("facts")) ? Map.of()
        : GenerateJob.JSON.readValue(r.getString(r.fieldIndex("facts")), new TypeReference<Map<String, Object>>() {});
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
    return rep;
  }
}
