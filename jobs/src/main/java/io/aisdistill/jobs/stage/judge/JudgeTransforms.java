package io.aisdistill.jobs.stage.judge;

import io.aisdistill.jobs.lakehouse.DatePartitions;
import io.aisdistill.jobs.lakehouse.TableChecksums;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.ScalaSeqs;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;

import static org.apache.spark.sql.functions.array_intersect;
import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
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
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The judge stage's transforms: no lakehouse, no LLM calls, no report.
 *
 * <ul>
 *   <li>{@link #selectedOnly}: qa_candidates rows and window_selection rows to the candidates of
 *       the selected windows (qa_candidates columns);</li>
 *   <li>{@link #withWindows}: qa_candidates rows joined with their track_windows row (window_id,
 *       the candidate's columns, then the window's columns but date and mmsi);</li>
 *   <li>{@link #grounded}: those joined rows to the grounded verdicts ({@link #GROUNDED_SCHEMA}:
 *       qa_id, window_id, mmsi, category, teacher, question, answer, grounded_reasons, grounded_ok,
 *       grounded_expected, grounded_found, trace_unsupported, template_id, claim, date) plus
 *       {@code norm}, the normalized question + answer text;</li>
 *   <li>{@link #passed}: grounded rows with no grounded reason;</li>
 *   <li>{@link #dupInput}: per-pair rows and their windows to (qa_id, scope, start_ts, norm),
 *       scope = the vessel's MMSI, or with a duplicate horizon its MMSI and period ({@link #scope});
 *       {@link #exactDuplicates}: those rows to (d_qa_id, exact_of) for every pair whose vessel
 *       and normalized text repeat an older pair (window start, then qa_id); {@link #firstOfEach}:
 *       to (qa_id, scope, start_ts, norm), the oldest of each such group;</li>
 *   <li>{@link #nearDuplicates}: (qa_id, scope, start_ts, norm) rows to (n_qa_id, near_of);</li>
 *   <li>{@link #plan}: joined rows of the passed pairs to the LLM judges' plan
 *       ({@link LlmFanout#PLAN_SCHEMA}); {@link #llmVerdicts}: the plan and llm_calls rows to the
 *       LLM outcome per pair ({@link #LLM_SCHEMA}: l_qa_id, llm_scores, llm_reason, llm_model);
 *       {@link #withLlm}: grounded rows with llm_scores and llm_model, LLM reasons added to
 *       grounded_reasons;</li>
 *   <li>{@link #judged}: those rows, the exact and near duplicates to {@code qa_judged} rows
 *       ({@link Tables#QA_JUDGED_SCHEMA}, its column order), with the answer {@link #balance};</li>
 *   <li>report figures of qa_judged rows: {@link #reportCounts}.</li>
 * </ul>
 */
public final class JudgeTransforms {
  private JudgeTransforms() {}

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
   * The candidates of the windows {@code selection} (window_selection rows) selects now: a window a
   * later selection leaves out keeps its candidates in qa_candidates (paid LLM calls are never
   * thrown away) but is not judged.
   */
  static Dataset<Row> selectedOnly(Dataset<Row> cands, Dataset<Row> selection) {
    return cands.join(selection.filter(col("selected")).select("window_id"), "window_id", "left_semi");
  }

  /**
   * A digest of the windows {@code selection} selects (window_selection rows): their number and the
   * sum of xxhash64 of their window_id, or {@code none} when {@code selection} is null (no table).
   */
  static String selectionDigest(Dataset<Row> selection) {
    if (selection == null) {
      return "none";
    }
    Row r = selection.filter(col("selected")).agg(count(lit(1)),
        org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.xxhash64(col("window_id"))
            .cast("decimal(38,0)"))).first();
    return TableChecksums.digest(r.getLong(0), r.isNullAt(1) ? java.math.BigDecimal.ZERO : r.getDecimal(1));
  }

  /** True when a qa_judged row has {@code LLM_JUDGE_FAILED} (a full run would send its call again). */
  static boolean anyLlmFailed(Dataset<Row> judged) {
    return !judged.where("array_contains(reasons, 'LLM_JUDGE_FAILED')").isEmpty();
  }

  /** Each candidate joined with its window (track_windows rows; their date and mmsi are dropped). */
  static Dataset<Row> withWindows(Dataset<Row> cands, Dataset<Row> windows) {
    return cands.join(windows.drop("date", "mmsi"), "window_id");
  }

  /**
   * The grounded checks ({@link GroundedJudge}) of each candidate joined with its window:
   * {@link #GROUNDED_SCHEMA} plus {@code norm} (question + " || " + answer, lower case, white
   * space collapsed, trimmed).
   */
  static Dataset<Row> grounded(Dataset<Row> joined) {
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
    return joined.map(ground, Encoders.row(GROUNDED_SCHEMA)).withColumn("norm", norm());
  }

  /** The normalized text of a pair: question + " || " + answer, lower case, white space collapsed, trimmed. */
  private static org.apache.spark.sql.Column norm() {
    return trim(regexp_replace(lower(concat_ws(" || ", col("question"), col("answer"))), "\\s+", " "));
  }

  /** The grounded rows that passed every grounded check. */
  static Dataset<Row> passed(Dataset<Row> grounded) {
    return grounded.filter(size(col("grounded_reasons")).equalTo(0));
  }

  /**
   * The order of a vessel's pairs for duplicates: the pair of the older window first (start_ts, UTC),
   * then the smaller qa_id. Of two duplicates the older one is kept, so a later pair never changes the
   * verdict of an older one and an increment compares its new pairs with the existing ones only.
   */
  private static WindowSpec olderFirst() {
    return Window.partitionBy("scope", "norm").orderBy("start_ts", "qa_id");
  }

  /**
   * Per duplicate scope ({@link #scope}: the vessel, or the vessel and period) and normalized text,
   * {@code passed} (qa_id, scope, start_ts, norm) ranked older first:
   * those columns plus {@code rn} (1 = the oldest) and {@code first} (the oldest qa_id). One sort;
   * {@link #exactDuplicates(Dataset)} and {@link #firstOfEach(Dataset)} are filters of it, so a
   * caller that needs both can rank once ({@link #exactOfRanked}, {@link #firstOfRanked}).
   */
  static Dataset<Row> exactRanked(Dataset<Row> passed) {
    WindowSpec w = olderFirst();
    return passed
        .withColumn("rn", row_number().over(w))
        .withColumn("first", first("qa_id").over(w));
  }

  /**
   * Exact duplicates among {@code passed} (qa_id, scope, start_ts, norm): (d_qa_id, exact_of = the
   * oldest pair of the same vessel and text, by window start then qa_id).
   */
  static Dataset<Row> exactDuplicates(Dataset<Row> passed) {
    return exactOfRanked(exactRanked(passed));
  }

  /** {@link #exactDuplicates(Dataset)} of rows already {@link #exactRanked}. */
  static Dataset<Row> exactOfRanked(Dataset<Row> ranked) {
    return ranked.filter(col("rn").gt(1)).select(col("qa_id").as("d_qa_id"), col("first").as("exact_of"));
  }

  /** The oldest of each vessel and normalized text of {@code passed}: (qa_id, scope, start_ts, norm). */
  static Dataset<Row> firstOfEach(Dataset<Row> passed) {
    return firstOfRanked(exactRanked(passed));
  }

  /** {@link #firstOfEach(Dataset)} of rows already {@link #exactRanked}. */
  static Dataset<Row> firstOfRanked(Dataset<Row> ranked) {
    return ranked.filter(col("rn").equalTo(1)).select("qa_id", "scope", "start_ts", "norm");
  }

  /**
   * Near duplicates among {@code df} (columns qa_id, scope, start_ts, norm): rows (n_qa_id, near_of)
   * for every pair that has a near neighbour of the same vessel that is older (window start, then
   * qa_id); near_of is the oldest such neighbour.
   *
   * <p>Spark ML's {@link MinHashLSH} computes the signatures; candidate pairs are the pairs of one
   * vessel sharing a bucket in any hash table (the MMSI is part of the bucket key, so templated
   * text of different vessels never forms candidate pairs and the join stays linear in the number
   * of vessels); each candidate is then confirmed by its exact Jaccard similarity.
   *
   * @param checked (qa_id) of the pairs to check, or null for all (a full run); the other pairs
   *     are only compared with
   */
  static Dataset<Row> nearDuplicates(Dataset<Row> df, double similarity, int tables, Dataset<Row> checked) {
    return nearDuplicates(minHashed(df, tables), similarity, checked, false);
  }

  /**
   * {@link #nearDuplicates(Dataset, double, int, Dataset)} on signatures already computed ({@link #minHashed}).
   *
   * @param small the checked pairs are few (an increment's, at most {@link #BROADCAST_PAIRS_MAX}): their
   *     buckets are broadcast to the join with every pair's buckets, which is then not shuffled; same rows
   */
  static Dataset<Row> nearDuplicates(MinHashed m, double similarity, Dataset<Row> checked, boolean small) {
    Dataset<Row> b = checked == null ? m.buckets() : m.bucketsOf(checked, small);
    return m.similarOlder(m.buckets(), b, similarity).groupBy(col("b").as("n_qa_id"))
        .agg(min(org.apache.spark.sql.functions.struct(col("a_ts"), col("a"))).getField("a").as("near_of"));
  }

  /** Near duplicates of every pair of {@code df} ({@link #nearDuplicates(Dataset, double, int, Dataset)}, a full run). */
  static Dataset<Row> nearDuplicates(Dataset<Row> df, double similarity, int tables) {
    return nearDuplicates(df, similarity, tables, null);
  }

  /**
   * The pairs of {@code df} (columns qa_id, scope, start_ts, norm) whose duplicate verdict a change
   * of the {@code changed} pairs can alter, besides those pairs themselves and the pairs recorded
   * as a changed pair's duplicate: (qa_id) of every pair of the same vessel that is younger
   * (window start, then qa_id) than a changed pair and has its normalized text or is a candidate
   * near neighbour of it as {@link #nearDuplicates} finds them (a shared MinHash bucket and the
   * Jaccard similarity). A pair is a duplicate when an older pair of its vessel repeats it, so a
   * changed pair can only alter the verdicts of younger pairs like it.
   *
   * <p>Near neighbours are looked for among the oldest pair of each text ({@link #firstOfEach}),
   * as {@link #nearDuplicates} does: a younger pair of a text is an exact duplicate whatever its
   * neighbours, and a changed pair that is not the oldest of its text has an older twin that
   * stands for it.
   *
   * @param df the pairs (qa_id, scope, start_ts, norm)
   * @param first {@link #minHashed} signatures of {@link #firstOfEach}({@code df})
   * @param changed (qa_id) of the changed pairs, in their new state
   * @param small the changed pairs are few (at most {@link #BROADCAST_PAIRS_MAX}): their rows and buckets
   *     are broadcast to the joins with every pair's, which are then not shuffled; same rows
   */
  static Dataset<Row> affected(Dataset<Row> df, MinHashed first, Dataset<Row> changed, double similarity,
      boolean small) {
    Dataset<Row> c = df.join(broadcastIf(changed.select("qa_id"), small), "qa_id", "left_semi")
        .toDF("a", "scope", "a_ts", "norm");
    Dataset<Row> sameText = broadcastIf(c, small).join(df.toDF("b", "scope", "b_ts", "norm"),
        ScalaSeqs.of("scope", "norm"))
        .filter(olderThan())
        .select(col("b").as("qa_id"));
    Dataset<Row> near = first.similarOlder(first.bucketsOf(changed, small), first.buckets(), similarity)
        .select(col("b").as("qa_id"));
    return sameText.unionByName(near).distinct();
  }

  /** {@code df} hinted for a broadcast join when {@code small}, else as it is. */
  private static Dataset<Row> broadcastIf(Dataset<Row> df, boolean small) {
    return small ? broadcast(df) : df;
  }

  /**
   * The most pairs an incremental run broadcasts to the duplicate joins with the whole history (their
   * MinHash buckets with their 3-gram indices, {@code minhash_tables} rows per pair, estimated at about
   * 250 bytes each, not measured: about 60 MB at this many pairs and 5 tables); above it the joins
   * shuffle both sides.
   */
  static final long BROADCAST_PAIRS_MAX = 50_000;

  /** (a, a_ts) is older than (b, b_ts): the earlier window start, then the smaller qa_id. */
  private static org.apache.spark.sql.Column olderThan() {
    return col("a_ts").lt(col("b_ts")).or(col("a_ts").equalTo(col("b_ts")).and(col("a").lt(col("b"))));
  }

  /**
   * MinHash signatures of pairs, one row per pair: {@code signatures} (qa_id, scope, start_ts, grams:
   * the distinct indices of the pair's hashed word 3-grams in ascending order, array&lt;int&gt;; hashes:
   * the pair's MinHash value in each hash table, array&lt;double&gt;). A candidate pair's Jaccard
   * similarity is computed from the grams that travel with its buckets ({@link #buckets}), in the
   * join that finds it: no candidate is shuffled again to fetch its features.
   */
  record MinHashed(Dataset<Row> signatures) {

    /** (qa_id, scope, start_ts, table, bucket, grams), one row per pair and hash table. */
    Dataset<Row> buckets() {
      return signatures.select(col("qa_id"), col("scope"), col("start_ts"), col("grams"),
              posexplode(col("hashes")).as(new String[] {"table", "bucket"}))
          .select("qa_id", "scope", "start_ts", "table", "bucket", "grams");
    }

    /**
     * The {@link #buckets} of the pairs {@code ids} (qa_id); with {@code small} (few ids), both the ids
     * and the result are hinted for a broadcast join.
     */
    Dataset<Row> bucketsOf(Dataset<Row> ids, boolean small) {
      return broadcastIf(buckets().join(broadcastIf(ids.select("qa_id"), small), "qa_id", "left_semi"), small);
    }

    /**
     * (a, a_ts, b): pairs a of {@code as} and b of {@code bs} ({@link #buckets} rows) of one vessel
     * sharing a bucket, a older than b, with a Jaccard similarity of their grams of at least
     * {@code similarity} (|A ∩ B| / |A ∪ B|, in double precision); one row per bucket they share (the
     * callers group or de-duplicate anyway, so no shuffle is spent on a distinct here).
     */
    Dataset<Row> similarOlder(Dataset<Row> as, Dataset<Row> bs, double similarity) {
      Dataset<Row> a = as.toDF("a", "scope", "a_ts", "table", "bucket", "ga");
      Dataset<Row> b = bs.toDF("b", "scope", "b_ts", "table", "bucket", "gb");
      org.apache.spark.sql.Column inter = size(array_intersect(col("ga"), col("gb")));
      org.apache.spark.sql.Column union = size(col("ga")).plus(size(col("gb"))).minus(inter);
      return a.join(b, ScalaSeqs.of("scope", "table", "bucket"))
          .filter(olderThan())
          .filter(inter.cast(DataTypes.DoubleType).divide(union).geq(similarity))
          .select("a", "a_ts", "b");
    }
  }

  /** The {@link MinHashed} signatures of {@code df} (qa_id, scope, start_ts, norm); pairs without 3-grams are left out. */
  static MinHashed minHashed(Dataset<Row> df, int tables) {
    return minHashed(df, tables, false);
  }

  /**
   * {@link #minHashed(Dataset, int)}, with {@code materialized}: computed once and kept without
   * their lineage ({@code localCheckpoint}), for several joins whose plans would otherwise nest
   * this one's.
   */
  static MinHashed minHashed(Dataset<Row> df, int tables, boolean materialized) {
    Dataset<Row> tokens = new RegexTokenizer().setInputCol("norm").setOutputCol("tokens").setPattern("[^\\p{L}\\p{N}.]+")
        .transform(df);
    Dataset<Row> grams = new NGram().setN(3).setInputCol("tokens").setOutputCol("shingles").transform(tokens);
    Dataset<Row> feats = new HashingTF().setBinary(true).setNumFeatures(1 << 20).setInputCol("shingles")
        .setOutputCol("features").transform(grams);
    UDF1<Vector, int[]> indices = v -> v.toSparse().indices();
    feats = feats.withColumn("grams", udf(indices, DataTypes.createArrayType(DataTypes.IntegerType, false))
            .apply(col("features")))
        .filter(size(col("grams")).gt(0));
    MinHashLSHModel model = new MinHashLSH().setNumHashTables(tables).setSeed(20250917L)
        .setInputCol("features").setOutputCol("hashes").fit(feats);
    Dataset<Row> sigs = model.transform(feats).select(col("qa_id"), col("scope"), col("start_ts"), col("grams"),
        org.apache.spark.sql.functions.transform(col("hashes"), h -> vector_to_array(h, "float64").getItem(0))
            .as("hashes"));
    return new MinHashed(materialized ? sigs.localCheckpoint() : sigs);
  }

  /** The LLM judges' plan ({@link LlmFanout#PLAN_SCHEMA}): one request per joined candidate that passed. */
  static Dataset<Row> plan(Dataset<Row> joined, Dataset<Row> passed, List<ModelSpec> judges) {
    return joined.join(passed.select("qa_id"), "qa_id").flatMap(judgePlan(judges), Encoders.row(LlmFanout.PLAN_SCHEMA));
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

  /**
   * Per planned pair ({@link #LLM_SCHEMA}): rubric scores, the LLM reason code (null = passed) and
   * the judge model.
   *
   * @param llmCalls the llm_calls rows (call_id, status, content, model used), or null when the
   *     table does not exist (every pair {@code LLM_JUDGE_FAILED})
   * @param plan the plan (call_id, qa_id used)
   * @param minScore the least rubric score that passes
   */
  static Dataset<Row> llmVerdicts(Dataset<Row> llmCalls, Dataset<Row> plan, double minScore) {
    Dataset<Row> p = plan.select("call_id", "qa_id");
    Dataset<Row> joinedCalls;
    if (llmCalls != null) {
      Dataset<Row> c = llmCalls.select(col("call_id").as("c_id"), col("status"), col("content"), col("model"));
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
   * The grounded rows with {@code llm_scores} and {@code llm_model}: from {@code llm}
   * ({@link #LLM_SCHEMA}, left join on qa_id; its reason added to grounded_reasons), or null
   * columns when {@code llm} is null (no LLM judge).
   */
  static Dataset<Row> withLlm(Dataset<Row> grounded, Dataset<Row> llm) {
    if (llm != null) {
      return grounded.join(llm, col("qa_id").equalTo(col("l_qa_id")), "left").drop("l_qa_id")
          .withColumn("grounded_reasons", array_union(col("grounded_reasons"),
              when(col("llm_reason").isNotNull(), org.apache.spark.sql.functions.array(col("llm_reason")))
                  .otherwise(org.apache.spark.sql.functions.array().cast("array<string>"))));
    }
    return grounded.withColumn("llm_scores", lit(null).cast("map<string,double>"))
        .withColumn("llm_model", lit(null).cast("string"));
  }

  /**
   * The {@code qa_judged} rows ({@link Tables#QA_JUDGED_SCHEMA}, its columns in its order): the
   * duplicate reasons ({@code DUPLICATE_EXACT} before {@code NEAR_DUPLICATE}) and duplicate_of
   * added, the answer {@link #balance} applied, verdict {@code accepted} when no reason is left,
   * judge_scores = llm_scores, judge_model {@value #GROUNDED_JUDGE} (+ "+" + llm_model). The
   * composition {@link #balanced}({@link #withDuplicates}({@link #perPair}(base), ...)).
   *
   * @param base {@link #withLlm} rows
   * @param exactDup {@link #exactDuplicates} rows
   * @param nearDup {@link #nearDuplicates} rows
   * @param maxAnswerShare the balance cap (1 or more: no balancing)
   */
  static Dataset<Row> judged(Dataset<Row> base, Dataset<Row> exactDup, Dataset<Row> nearDup, double maxAnswerShare) {
    return balanced(withDuplicates(perPair(base), exactDup, nearDup), maxAnswerShare);
  }

  /** Reason codes of the LLM judge ({@link #llmVerdicts}); they do not exclude a pair from duplicate detection. */
  static final List<String> LLM_REASONS = List.of("LLM_JUDGE_LOW_SCORE", "LLM_JUDGE_UNPARSEABLE", "LLM_JUDGE_FAILED");
  /** Reason codes that depend on other pairs: duplicates (per vessel) and answer balance (global). */
  static final List<String> SET_REASONS = List.of("DUPLICATE_EXACT", "NEAR_DUPLICATE", "ANSWER_BALANCE");

  /**
   * Columns of the per-pair verdicts ({@link #perPair}, {@link #perPairFromJudged}): qa_judged's
   * columns but verdict and duplicate_of, reasons = the grounded and LLM reasons only, plus
   * template_id, claim (for the balance) and dup_ok (no grounded reason: the pair takes part in
   * duplicate detection).
   */
  static final List<String> PER_PAIR_COLUMNS = List.of("qa_id", "window_id", "mmsi", "category", "teacher",
      "question", "answer", "reasons", "grounded_ok", "grounded_expected", "grounded_found", "trace_unsupported",
      "judge_scores", "judge_model", "date", "template_id", "claim", "dup_ok");

  /** dup_ok: no reason but the LLM judge's (duplicates run over the pairs that passed the grounded checks). */
  private static org.apache.spark.sql.Column dupOk() {
    return size(org.apache.spark.sql.functions.array_except(col("reasons"), codes(LLM_REASONS))).equalTo(0);
  }

  /** The reason codes as an array<string> literal column. */
  private static org.apache.spark.sql.Column codes(List<String> codes) {
    return org.apache.spark.sql.functions.array(codes.stream().map(org.apache.spark.sql.functions::lit)
        .toArray(org.apache.spark.sql.Column[]::new));
  }

  private static org.apache.spark.sql.Column[] cols(List<String> names) {
    return names.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new);
  }

  /**
   * The verdicts that depend on the pair alone (its candidate row, its window and its LLM call),
   * {@link #PER_PAIR_COLUMNS}, from {@link #withLlm} rows: reasons = grounded_reasons (with the
   * LLM reason), judge_scores = llm_scores, judge_model {@value #GROUNDED_JUDGE} (+ "+" + llm_model).
   */
  static Dataset<Row> perPair(Dataset<Row> withLlm) {
    return withLlm.withColumn("reasons", col("grounded_reasons"))
        .withColumn("judge_scores", col("llm_scores"))
        .withColumn("judge_model", when(col("llm_model").isNotNull(),
            org.apache.spark.sql.functions.concat(lit(GROUNDED_JUDGE + "+"), col("llm_model")))
            .otherwise(lit(GROUNDED_JUDGE)))
        .withColumn("dup_ok", dupOk())
        .select(cols(PER_PAIR_COLUMNS));
  }

  /**
   * {@link #perPair} rows recovered from qa_judged rows, without re-judging: the reasons that
   * depend on other pairs ({@link #SET_REASONS}) removed, template_id and claim from
   * {@code candidates} (qa_candidates rows, joined on qa_id). Exact because the per-pair reasons
   * are written first and a set reason is only ever appended ({@code array_union}), or, for
   * ANSWER_BALANCE, put on a pair that had no reason at all ({@link #balance}).
   */
  static Dataset<Row> perPairFromJudged(Dataset<Row> judged, Dataset<Row> candidates) {
    return withoutReasons(judged, SET_REASONS, candidates).withColumn("dup_ok", dupOk()).select(cols(PER_PAIR_COLUMNS));
  }

  /**
   * {@link #dupInput}({@link #perPairFromJudged}({@code judged}, candidates), windows, horizonDays) without
   * the join with qa_candidates and on narrow columns: (qa_id, scope, start_ts, norm) of the
   * qa_judged rows whose reasons, less {@link #SET_REASONS}, are LLM reasons only (dup_ok). Equal
   * to it for qa_judged rows that have a qa_candidates row (perPairFromJudged's inner join drops
   * the others): reads only the columns duplicates need, for a scope's whole history.
   */
  static Dataset<Row> dupInputFromJudged(Dataset<Row> judged, Dataset<Row> windows, int horizonDays) {
    return judged.select(col("qa_id"), col("window_id"), col("mmsi"), col("date"), col("question"), col("answer"),
            org.apache.spark.sql.functions.array_except(col("reasons"), codes(SET_REASONS)).as("reasons"))
        .filter(dupOk())
        .join(windows.select("window_id", "start_ts"), "window_id")
        .select(col("qa_id"), scope(horizonDays), col("start_ts"), norm().as("norm"));
  }

  /**
   * {@link #withDuplicates} rows (before the balance) recovered from qa_judged rows: ANSWER_BALANCE
   * removed (it is only ever the single reason of a pair that passed every other check), template_id
   * and claim from {@code candidates} (qa_candidates rows, joined on qa_id).
   */
  static Dataset<Row> unbalancedFromJudged(Dataset<Row> judged, Dataset<Row> candidates) {
    return withoutReasons(judged, List.of("ANSWER_BALANCE"), candidates).drop("verdict");
  }

  private static Dataset<Row> withoutReasons(Dataset<Row> judged, List<String> drop, Dataset<Row> candidates) {
    Dataset<Row> tc = candidates.select(col("qa_id").as("c_qa_id"), col("template_id"), col("claim"));
    return judged.join(tc, col("qa_id").equalTo(col("c_qa_id"))).drop("c_qa_id")
        .withColumn("reasons", org.apache.spark.sql.functions.array_except(col("reasons"), codes(drop)));
  }

  /**
   * The (qa_id, scope, start_ts, norm) rows of {@link #perPair} rows that take part in duplicate
   * detection (dup_ok), start_ts from their window ({@code windows}: track_windows rows), scope as
   * {@link #scope} makes it.
   *
   * @param horizonDays {@code judge.duplicate_horizon_days}: 0 = the vessel's whole history
   */
  static Dataset<Row> dupInput(Dataset<Row> perPair, Dataset<Row> windows, int horizonDays) {
    return perPair.filter(col("dup_ok")).join(windows.select("window_id", "start_ts"), "window_id")
        .select(col("qa_id"), scope(horizonDays), col("start_ts"), norm().as("norm"));
  }

  /**
   * The duplicate scope of a pair, {@code scope} (bigint): pairs are duplicates of each other only
   * within one scope. With {@code horizonDays} 0 it is the vessel's MMSI (every pair of the vessel,
   * the rule). With N &gt; 0 it is the MMSI and the pair's N-day period together, MMSI x
   * 65,536 + ({@link #period}(date, N) mod 65,536): a pair is compared only with the pairs of its vessel
   * in the same N consecutive UTC dates, counted from 1970-01-01 (tumbling periods, as a streaming
   * engine's tumbling windows: a pair on a period's first date is not compared with the day before).
   * An MMSI is at most 30 bits (ITU-R M.1371), so the key neither overflows nor mixes vessels; two
   * periods 65,536 periods (at least 179 years) apart would share a key. Reads {@code mmsi} and
   * {@code date} (the window's UTC date).
   */
  static org.apache.spark.sql.Column scope(int horizonDays) {
    if (horizonDays <= 0) {
      return col("mmsi").as("scope");
    }
    return col("mmsi").multiply(lit(65_536L))
        .plus(org.apache.spark.sql.functions.pmod(period(col("date"), horizonDays), lit(65_536L)))
        .as("scope");
  }

  /**
   * The N-day period of a UTC date (bigint): floor(days since 1970-01-01 / N), so period p holds the
   * dates from 1970-01-01 + p x N days to N - 1 days later.
   *
   * @param date a date column
   * @param horizonDays N, at least 1
   */
  static org.apache.spark.sql.Column period(org.apache.spark.sql.Column date, int horizonDays) {
    return org.apache.spark.sql.functions.floor(
        org.apache.spark.sql.functions.datediff(date, lit(java.sql.Date.valueOf("1970-01-01")))
            .cast(DataTypes.LongType).divide(lit((double) horizonDays)));
  }

  /**
   * {@link #period} of one date on the driver (the same rule in plain Java, for the dates an increment
   * reads: JudgeStage.horizonPeriods): floor(days since 1970-01-01 / N).
   *
   * @param date a UTC date
   * @param horizonDays N, at least 1
   */
  static long periodOf(java.time.LocalDate date, int horizonDays) {
    return Math.floorDiv(date.toEpochDay(), (long) horizonDays);
  }

  /**
   * {@link #perPair} rows with the duplicate reasons ({@code DUPLICATE_EXACT} before
   * {@code NEAR_DUPLICATE}) appended and duplicate_of; dup_ok dropped.
   *
   * @param exactDup {@link #exactDuplicates} rows
   * @param nearDup {@link #nearDuplicates} rows
   */
  static Dataset<Row> withDuplicates(Dataset<Row> perPair, Dataset<Row> exactDup, Dataset<Row> nearDup) {
    return perPair
        .join(exactDup, col("qa_id").equalTo(col("d_qa_id")), "left").drop("d_qa_id")
        .join(nearDup, col("qa_id").equalTo(col("n_qa_id")), "left").drop("n_qa_id")
        .withColumn("duplicate_of", coalesce(col("exact_of"), col("near_of")))
        .withColumn("reasons", array_union(col("reasons"),
            when(col("exact_of").isNotNull(), org.apache.spark.sql.functions.array(lit("DUPLICATE_EXACT")))
                .when(col("near_of").isNotNull(), org.apache.spark.sql.functions.array(lit("NEAR_DUPLICATE")))
                .otherwise(org.apache.spark.sql.functions.array().cast("array<string>"))))
        .drop("exact_of", "near_of", "dup_ok");
  }

  /**
   * The {@code qa_judged} rows ({@link Tables#QA_JUDGED_SCHEMA}, its column order) of
   * {@link #withDuplicates} rows: the answer {@link #balance} applied over all of them (global per
   * template), verdict {@code accepted} when no reason is left.
   */
  static Dataset<Row> balanced(Dataset<Row> unbalanced, double maxAnswerShare) {
    return verdicted(balance(unbalanced, maxAnswerShare));
  }

  /** {@code rows} with verdict {@code accepted} when no reason is left, as qa_judged rows (its column order). */
  private static Dataset<Row> verdicted(Dataset<Row> rows) {
    return rows.withColumn("verdict", when(size(col("reasons")).equalTo(0), lit("accepted")).otherwise(lit("rejected")))
        .select(cols(java.util.Arrays.asList(Tables.QA_JUDGED_SCHEMA.fieldNames())));
  }

  /**
   * What an incremental run writes to qa_judged.
   *
   * @param rows qa_judged rows: the checked pairs, balanced, and the kept pairs whose ANSWER_BALANCE
   *     the balance adds or removes
   * @param ids (qa_id) of the rows of qa_judged they replace or delete: those of {@code rows} and the
   *     stored pairs that are neither checked nor kept (for {@code Lakehouse.sync}'s {@code within})
   * @param scope SQL condition on qa_judged's {@code date}: the dates the balance touched. Every row
   *     of {@code rows}, and every stored row of {@code ids}, lies on one of them (for
   *     {@code Lakehouse.sync}'s {@code scope}, so that the sync reads and rewrites those partitions
   *     only)
   */
  record Rebalanced(Dataset<Row> rows, Dataset<Row> ids, String scope) {}

  /**
   * {@link #balanced} of the checked pairs and the kept verdicts together, computed on narrow
   * columns: the balance runs over (qa_id, date, template_id, claim, reasons) of every pair of the
   * dates the change touches (those of the checked pairs, in their new and their stored state, and
   * of the stored pairs neither checked nor kept, which are deleted; the balance is per template
   * and date, so no other date's verdicts can change), and only the rows it changes are returned.
   * Equal, on {@link Rebalanced#ids}, to
   * {@code balanced(checked ∪ unbalancedFromJudged(kept))}, kept = the stored rows whose qa_id is not
   * in {@code notKept}; every other qa_judged row is already as that would write it (a kept row
   * differs from its stored row only when ANSWER_BALANCE, its only reason when set, comes or goes).
   * Reads only the touched dates' partitions of qa_judged and qa_candidates besides {@code notKept}:
   * a pair's date is its window's in both tables, as generate and {@link #grounded} write it.
   *
   * @param checked {@link #withDuplicates} rows of the pairs checked again
   * @param notKept (qa_id, date) of the stored rows whose verdicts are not kept as they are: the
   *     checked pairs in their stored state, and the pairs to delete; each a stored row, once
   * @param stored every qa_judged row
   * @param candidates qa_candidates rows (template_id, claim and date, joined on qa_id)
   */
  static Rebalanced rebalanced(Dataset<Row> checked, Dataset<Row> notKept, Dataset<Row> stored,
      Dataset<Row> candidates, double maxShare) {
    String ab = "ANSWER_BALANCE";
    java.util.function.Function<String, org.apache.spark.sql.Column> hasAb =
        c -> coalesce(org.apache.spark.sql.functions.array_contains(col(c), ab), lit(false));
    // the stored pairs that are not kept (the checked ones in their stored state, and the gone ones: neither
    // checked nor kept, deleted), with their dates; materialized, read twice below
    Dataset<Row> notKeptRows = notKept.select("qa_id", "date").localCheckpoint();
    Dataset<Row> gone = notKeptRows.join(checked.select("qa_id"), "qa_id", "left_anti");
    // the balance is per template and date: only the dates of the checked pairs (old and new) and of the
    // gone pairs can change; a kept pair of another date keeps its verdict as stored
    Dataset<Row> touched = checked.select("date").unionByName(notKeptRows.select("date"));
    List<Object> dates = touched.distinct().collectAsList().stream().map(r -> r.get(0)).toList();
    String scope = DatePartitions.in("date", dates);
    org.apache.spark.sql.Column onTouched = org.apache.spark.sql.functions.expr(scope);
    // the kept verdicts of those dates as unbalancedFromJudged makes them, on (qa_id, date, reasons) only,
    // with whether they had AB
    Dataset<Row> keptNarrow = withoutReasons(stored.where(onTouched).join(notKeptRows.select("qa_id"), "qa_id",
            "left_anti").select(col("qa_id"), col("date"), col("reasons"), hasAb.apply("reasons").as("_had")),
        List.of(ab), candidates.where(onTouched)).withColumn("_kept", lit(true));
    Dataset<Row> narrow = checked.select(col("qa_id"), col("date"), col("reasons"), col("template_id"), col("claim"),
        lit(false).as("_kept"), lit(false).as("_had")).unionByName(keptNarrow);
    // materialized without lineage, read twice below (see JudgeStage on localCheckpoint and MERGE)
    Dataset<Row> b = balance(narrow, maxShare)
        .select(col("qa_id"), col("_kept"), col("_had"), col("reasons").as("_reasons")).localCheckpoint();
    Dataset<Row> checkedOut = verdicted(checked.join(b.where(not(col("_kept"))).select("qa_id", "_reasons"), "qa_id")
        .withColumn("reasons", col("_reasons")));
    Dataset<Row> flips = b.where(col("_kept").and(col("_had").notEqual(hasAb.apply("_reasons"))))
        .select("qa_id", "_reasons");
    Dataset<Row> keptOut = verdicted(stored.where(onTouched).join(flips, "qa_id").withColumn("reasons", col("_reasons")));
    Dataset<Row> ids = b.where(not(col("_kept"))).select("qa_id").unionByName(flips.select("qa_id"))
        .unionByName(gone.select("qa_id"));
    return new Rebalanced(checkedOut.unionByName(keptOut), ids, scope);
  }

  /**
   * Answer balance: per template and date (the UTC date of the pair's window), when one answer
   * (the pair's claim, normalized) is more than {@code maxShare} of the pairs that passed every
   * other check, only the first K of it by SHA-256 of qa_id are kept, K = floor(maxShare x
   * (others) / (1 - maxShare)), so that answer is at most {@code maxShare} of what is accepted
   * that day; the rest get {@code ANSWER_BALANCE}. The cap then holds over any set of days too
   * (each answer's accepted count is at most {@code maxShare} of each day's, so of their sum),
   * and a later day never changes an earlier day's verdicts, so a daily run re-balances only the
   * days it touches. A question type with a single answer on a day keeps nothing of that day: it
   * teaches no reasoning. Deterministic (no sampling), so a rerun judges the same.
   *
   * @param df rows with qa_id, date, template_id, claim and reasons (empty = passed so far)
   * @param maxShare the cap, in (0, 1); 1 or more disables balancing
   */
  public static Dataset<Row> balance(Dataset<Row> df, double maxShare) {
    if (maxShare >= 1.0) {
      return df;
    }
    org.apache.spark.sql.Column passed = size(col("reasons")).equalTo(0);
    org.apache.spark.sql.Column answer = lower(trim(coalesce(col("claim"), lit(""))));
    WindowSpec byTemplate = Window.partitionBy("_tpl", "date");
    Dataset<Row> p = df.withColumn("_tpl", when(passed, coalesce(col("template_id"), lit(""))))
        .withColumn("_ans", when(passed, answer))
        .withColumn("_c", when(passed, count(lit(1)).over(Window.partitionBy("_tpl", "date", "_ans"))))
        .withColumn("_n", when(passed, count(lit(1)).over(byTemplate)))
        .withColumn("_top", max("_c").over(byTemplate));
    p = p.withColumn("_top_ans", min(when(col("_c").equalTo(col("_top")), col("_ans"))).over(byTemplate))
        .withColumn("_k", org.apache.spark.sql.functions.floor(
            lit(maxShare).multiply(col("_n").minus(col("_top"))).divide(lit(1.0 - maxShare))))
        .withColumn("_rank", row_number().over(Window.partitionBy("_tpl", "date", "_ans").orderBy(sha2(col("qa_id"), 256))));
    org.apache.spark.sql.Column cut = passed.and(col("_ans").equalTo(col("_top_ans")))
        .and(col("_top").gt(lit(maxShare).multiply(col("_n")))).and(col("_rank").gt(col("_k")));
    return p.withColumn("reasons", when(cut, org.apache.spark.sql.functions.array(lit("ANSWER_BALANCE")))
            .otherwise(col("reasons")))
        .drop("_tpl", "_ans", "_c", "_n", "_top", "_top_ans", "_k", "_rank");
  }

  /**
   * The judge report's figures of qa_judged rows.
   *
   * @param byCategory per category, in category order: {accepted, rejected} (every verdict but
   *     {@code accepted} counts as rejected)
   * @param byReason per reason code, in code order: rows with it
   * @param byTeacher per teacher, in teacher order: [teacher, pairs, accepted, acceptance rate,
   *     numeric answers (claim_kind {@code number}), those failing recomputation
   *     ({@code CLAIM_MISMATCH}), their share (the hallucination rate)]
   */
  record ReportCounts(Map<String, long[]> byCategory, Map<String, Long> byReason, List<List<Object>> byTeacher) {
    /** All rows: accepted plus rejected over the categories. */
    long total() {
      return byCategory.values().stream().mapToLong(c -> c[0] + c[1]).sum();
    }
  }

  /**
   * {@link ReportCounts} of {@code judged} (qa_judged rows) from one aggregation: the rows joined
   * with the claim_kind of {@code candidates} (qa_candidates rows, unique by qa_id) and counted by
   * (teacher, category, verdict, reasons, numeric); the few groups are summed up on the driver.
   * One scan of each table (before: four of qa_judged, one per figure).
   */
  static ReportCounts reportCounts(Dataset<Row> judged, Dataset<Row> candidates) {
    Dataset<Row> kinds = candidates.select(col("qa_id").as("k_qa_id"), col("claim_kind"));
    List<Row> groups = judged.join(kinds, judged.col("qa_id").equalTo(kinds.col("k_qa_id")), "left")
        .groupBy(col("teacher"), col("category"), col("verdict"), col("reasons"),
            coalesce(col("claim_kind").equalTo("number"), lit(false)).as("numeric"))
        .count().collectAsList();
    Map<String, long[]> byCat = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, long[]> teachers = new TreeMap<>();   // pairs, accepted, numeric, numeric failed
    for (Row g : groups) {
      long n = g.getLong(5);
      boolean accepted = "accepted".equals(g.getString(2));
      List<String> reasons = g.isNullAt(3) ? List.of() : g.getList(3);
      byCat.computeIfAbsent(g.getString(1), k -> new long[2])[accepted ? 0 : 1] += n;
      reasons.forEach(r -> byReason.merge(r, n, Long::sum));
      long[] t = teachers.computeIfAbsent(g.getString(0), k -> new long[4]);
      t[0] += n;
      t[1] += accepted ? n : 0;
      if (g.getBoolean(4)) {
        t[2] += n;
        t[3] += reasons.contains("CLAIM_MISMATCH") ? n : 0;
      }
    }
    List<List<Object>> byTeacher = new ArrayList<>();
    teachers.forEach((teacher, t) -> byTeacher.add(List.of(teacher, t[0], t[1], t[0] == 0 ? 0.0 : t[1] / (double) t[0],
        t[2], t[3], t[2] == 0 ? 0.0 : t[3] / (double) t[2])));
    return new ReportCounts(byCat, byReason, byTeacher);
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
}
