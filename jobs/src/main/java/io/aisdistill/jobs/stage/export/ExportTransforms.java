package io.aisdistill.jobs.stage.export;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;

import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.text.TokenCounter;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.jobs.lakehouse.Rows;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The export stage's Spark transforms and the pure helpers they need; no Lakehouse, no files.
 *
 * <ul>
 *   <li>{@link #accepted}: qa_judged (verdict, qa_id, window_id, mmsi, category, question, answer),
 *       qa_candidates (qa_id, reasoning) and track_windows ({@code Tables.WINDOWS_SCHEMA}) to the
 *       accepted pairs with their reasoning and window: window_id, qa_id, mmsi, category, question,
 *       answer, reasoning, then the track_windows columns but mmsi.</li>
 *   <li>{@link #examples}: those rows to chat examples ({@link #EXAMPLE_SCHEMA}: qa_id, window_id, mmsi,
 *       category, user, assistant, n_tokens).</li>
 *   <li>{@link #tooLongByCategory} / {@link #withinLength}: examples over / within {@code train.max_length}
 *       tokens (counts per category / the kept rows).</li>
 *   <li>{@link #vesselCategories} and {@link #assignSplits}: categories per MMSI, then the split of
 *       each MMSI (vessel-disjoint, stratified by category).</li>
 *   <li>{@link #exported}: the kept examples with their split and messages, the rows of the files
 *       (columns {@link ExportStage#COLUMNS}: split, qa_id, window_id, mmsi, category,
 *       messages array&lt;struct&lt;role, content&gt;&gt;, n_tokens).</li>
 *   <li>{@link #countsBySplitAndCategory}: exported rows per split and category.</li>
 *   <li>{@link #cardExamples} and {@link #sourceFiles}: what the dataset card ({@link DatasetCard})
 *       shows of the exported rows.</li>
 * </ul>
 */
public final class ExportTransforms {
  private ExportTransforms() {}

  /** Columns of an example: the chat turns as text and its token count. */
  static final StructType EXAMPLE_SCHEMA = new StructType()
      .add("qa_id", DataTypes.StringType).add("window_id", DataTypes.StringType).add("mmsi", DataTypes.LongType)
      .add("category", DataTypes.StringType).add("user", DataTypes.StringType)
      .add("assistant", DataTypes.StringType).add("n_tokens", DataTypes.IntegerType);

  /**
   * The accepted pairs of {@code judged} with the reasoning of {@code candidates} and the window
   * of {@code windows} (inner joins on qa_id, then window_id; the window's mmsi is dropped).
   */
  static Dataset<Row> accepted(Dataset<Row> judged, Dataset<Row> candidates, Dataset<Row> windows) {
    Dataset<Row> acc = judged.filter(col("verdict").equalTo("accepted"))
        .select("qa_id", "window_id", "mmsi", "category", "question", "answer");
    Dataset<Row> reasons = candidates.select("qa_id", "reasoning");
    return acc.join(reasons, "qa_id").join(windows.drop("mmsi"), "window_id");
  }

  /**
   * One chat example per row of {@link #accepted}: the user turn is {@link WindowPrompt#studentPrompt},
   * the assistant turn {@link #assistantTurn}; n_tokens is the whole chat in ChatML
   * ({@link ExportStage.ChatLength}, with the system prompt when not empty). Rows are sorted by
   * window within each partition, so each window context is tokenized once.
   *
   * @param tokenizer the student's tokenizer.json content
   * @param system the system prompt, "" for none
   * @return rows of {@link #EXAMPLE_SCHEMA}
   */
  static Dataset<Row> examples(Dataset<Row> joined, Broadcast<byte[]> tokenizer, String system,
      boolean withReasoning) {
    MapPartitionsFunction<Row, Row> toExample = it -> {
      ExportStage.ChatLength len = new ExportStage.ChatLength(counter(tokenizer.value()), system);
      List<Row> res = new ArrayList<>();
      while (it.hasNext()) {
        Row r = it.next();
        TrackWindow w = Rows.window(r);
        String context = WindowPrompt.studentContext(w);
        String user = WindowPrompt.studentPrompt(w, r.getAs("question"));
        String assistant = assistantTurn(r.getAs("answer"), r.getAs("reasoning"), withReasoning);
        res.add(RowFactory.create(r.getAs("qa_id"), r.getAs("window_id"), r.getAs("mmsi"), r.getAs("category"),
            user, assistant, len.count(context, user, assistant)));
      }
      return res.iterator();
    };
    return joined.sortWithinPartitions("window_id").mapPartitions(toExample, Encoders.row(EXAMPLE_SCHEMA));
  }

  /** Examples longer than {@code maxLength} tokens, per category (sorted by category). */
  static Map<String, Long> tooLongByCategory(Dataset<Row> examples, int maxLength) {
    Map<String, Long> tooLong = new TreeMap<>();
    for (Row r : examples.filter(col("n_tokens").gt(maxLength)).groupBy("category").count().collectAsList()) {
      tooLong.put(r.getString(0), r.getLong(1));
    }
    return tooLong;
  }

  /** The examples of at most {@code maxLength} tokens. */
  static Dataset<Row> withinLength(Dataset<Row> examples, int maxLength) {
    return examples.filter(col("n_tokens").leq(maxLength));
  }

  /** The categories of each vessel's examples (columns mmsi, category), per MMSI. */
  static Map<Long, Set<String>> vesselCategories(Dataset<Row> examples) {
    Map<Long, Set<String>> vesselCats = new HashMap<>();
    for (Row r : examples.select("mmsi", "category").distinct().collectAsList()) {
      vesselCats.computeIfAbsent(r.getLong(0), k -> new TreeSet<>()).add(r.getString(1));
    }
    return vesselCats;
  }

  /**
   * Assigns every vessel to one split, stratified by category.
   *
   * <p>Vessels are ordered by {@link #unitHash} of {@code salt:mmsi} (a fixed pseudo-random order).
   * First, for each category from the rarest (fewest vessels) to the most common, and for each of
   * test, validation, train that has no vessel with that category yet, the first unassigned vessel
   * in that order having the category goes to that split: every category carried by at least three
   * vessels thus reaches every split. Then each remaining vessel goes to train when its hash is
   * below {@code trainFraction}, to validation when below {@code trainFraction +
   * validationFraction}, else to test. The result depends only on the input set and the salt.
   *
   * @param vesselCategories categories of each vessel's examples
   * @return split name per MMSI
   */
  public static Map<Long, String> assignSplits(Map<Long, Set<String>> vesselCategories, double trainFraction,
      double validationFraction, String salt) {
    List<Long> order = new ArrayList<>(vesselCategories.keySet());
    Map<Long, Double> h = new HashMap<>();
    order.forEach(m -> h.put(m, unitHash(salt + ":" + m)));
    order.sort(Comparator.<Long, Double>comparing(h::get).thenComparing(Comparator.<Long>naturalOrder()));
    Map<String, Integer> vesselsPerCat = new TreeMap<>();
    vesselCategories.values().forEach(cs -> cs.forEach(c -> vesselsPerCat.merge(c, 1, Integer::sum)));
    List<String> cats = new ArrayList<>(vesselsPerCat.keySet());
    cats.sort(Comparator.<String, Integer>comparing(vesselsPerCat::get).thenComparing(Comparator.<String>naturalOrder()));
    Map<Long, String> split = new LinkedHashMap<>();
    for (String c : cats) {
      for (String s : List.of("test", "validation", "train")) {
        boolean has = split.entrySet().stream()
            .anyMatch(e -> e.getValue().equals(s) && vesselCategories.get(e.getKey()).contains(c));
        if (!has) {
          order.stream().filter(m -> !split.containsKey(m) && vesselCategories.get(m).contains(c)).findFirst()
              .ifPresent(m -> split.put(m, s));
        }
      }
    }
    for (Long m : order) {
      double u = h.get(m);
      split.putIfAbsent(m, u < trainFraction ? "train" : u < trainFraction + validationFraction ? "validation" : "test");
    }
    return split;
  }

  /** A uniform value in [0, 1) from the first 8 bytes of SHA-256 of {@code s}. */
  static double unitHash(String s) {
    byte[] d = Sha256.digest(s.getBytes(StandardCharsets.UTF_8));
    long v = ByteBuffer.wrap(d).getLong() >>> 11;
    return v / (double) (1L << 53);
  }

  /**
   * The exported rows: {@code kept} examples (inner join on mmsi with {@code split}: a vessel
   * without a split is left out) with their split and messages (system turn only when
   * {@code system} is not empty), columns {@link ExportStage#COLUMNS}.
   */
  static Dataset<Row> exported(Dataset<Row> kept, Map<Long, String> split, String system) {
    List<Row> assignRows = new ArrayList<>();
    split.forEach((m, s) -> assignRows.add(RowFactory.create(m, s)));
    Dataset<Row> assign = kept.sparkSession().createDataFrame(assignRows,
        new StructType().add("mmsi", DataTypes.LongType).add("split", DataTypes.StringType));
    Column messages = system.isEmpty() ? array(turn("user", col("user")), turn("assistant", col("assistant")))
        : array(turn("system", lit(system)), turn("user", col("user")), turn("assistant", col("assistant")));
    return kept.join(assign, "mmsi")
        .select(col("split"), col("qa_id"), col("window_id"), col("mmsi"), col("category"),
            messages.as("messages"), col("n_tokens"));
  }

  /**
   * Exported rows per split and category: every split of {@link ExportStage#SPLITS}, in that order,
   * with its categories sorted (a split without rows maps to an empty map).
   */
  static Map<String, Map<String, Long>> countsBySplitAndCategory(Dataset<Row> exported) {
    Map<String, Map<String, Long>> byCat = new LinkedHashMap<>();
    ExportStage.SPLITS.forEach(s -> byCat.put(s, new TreeMap<>()));
    for (Row r : exported.groupBy("split", "category").count().collectAsList()) {
      byCat.get(r.getString(0)).put(r.getString(1), r.getLong(2));
    }
    return byCat;
  }

  /**
   * The dataset card's view of the exported rows: per row its split, window, category, the
   * candidate's template_id, fact_key, claim and teacher, n_tokens, whether it is trivial or a copy,
   * and its stratum.
   *
   * @param exported the exported rows ({@link #exported})
   * @param candidates qa_candidates (qa_id, teacher, template_id, fact_key, claim); inner join
   * @param windows track_windows (window_id, sog_max_kn, distance_nm); left join
   * @param selection window_selection (window_id, stratum; the smallest stratum per window is
   *     taken; left join), or null when there is none: every stratum is then null
   */
  static List<DatasetCard.Example> cardExamples(Dataset<Row> exported, Dataset<Row> candidates,
      Dataset<Row> windows, Dataset<Row> selection) {
    Dataset<Row> cands = candidates.select("qa_id", "teacher", "template_id", "fact_key", "claim");
    Dataset<Row> wins = windows.select("window_id", "sog_max_kn", "distance_nm");
    Dataset<Row> rows = exported.select(col("split"), col("qa_id"), col("window_id"), col("mmsi"), col("category"),
            col("n_tokens"), expr("filter(messages, m -> m.role = 'user')[0].content").as("user"))
        .join(cands, "qa_id").join(wins, "window_id", "left");
    if (selection != null) {
      Dataset<Row> sel = selection.groupBy("window_id").agg(min(col("stratum").cast("string")).as("stratum"));
      rows = rows.join(sel, "window_id", "left");
    } else {
      rows = rows.withColumn("stratum", lit(null).cast("string"));
    }
    UDF2<String, String, Boolean> copy = DatasetCard::copied;
    List<DatasetCard.Example> examples = new ArrayList<>();
    for (Row r : rows.withColumn("copy", udf(copy, DataTypes.BooleanType).apply(col("user"), col("claim")))
        .withColumn("trivial", coalesce(col("sog_max_kn"), lit(0.0)).lt(DatasetCard.TRIVIAL_SOG_KN)
            .and(coalesce(col("distance_nm"), lit(0.0)).lt(DatasetCard.TRIVIAL_DISTANCE_NM)))
        .select("split", "window_id", "category", "template_id", "fact_key", "claim", "teacher", "n_tokens", "trivial",
            "copy", "stratum")
        .collectAsList()) {
      examples.add(new DatasetCard.Example(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
          r.getString(4), r.getString(5), r.getString(6), r.getInt(7), r.getBoolean(8), r.getBoolean(9),
          r.getString(10)));
    }
    return examples;
  }

  /**
   * The input files of the exported vessels: per distinct {@code positions.source} holding an
   * exported MMSI, the number of such vessels (in no particular order).
   *
   * @param positions ais_positions (mmsi, source)
   */
  static List<DatasetCard.SourceFile> sourceFiles(Dataset<Row> exported, Dataset<Row> positions) {
    List<DatasetCard.SourceFile> sources = new ArrayList<>();
    Dataset<Row> vessels = exported.select("mmsi").distinct();
    for (Row r : positions.select("mmsi", "source").distinct().join(vessels, "mmsi")
        .groupBy("source").agg(countDistinct("mmsi")).collectAsList()) {
      String src = r.getString(0);
      sources.add(new DatasetCard.SourceFile(DatasetCard.shortName(src), DatasetCard.Source.of(src), r.getLong(1)));
    }
    return sources;
  }

  /**
   * The assistant turn: the answer, or "Reasoning: ...\n\nAnswer: ..." when {@code withReasoning}
   * and the pair has a reasoning trace.
   */
  static String assistantTurn(String answer, String reasoning, boolean withReasoning) {
    if (withReasoning && reasoning != null && !reasoning.isBlank()) {
      return "Reasoning: " + reasoning.strip() + "\n\nAnswer: " + answer;
    }
    return answer;
  }

  private static Column turn(String role, Column content) {
    return struct(lit(role).as("role"), content.as("content"));
  }

  private static final Map<String, TokenCounter> COUNTERS = new ConcurrentHashMap<>();

  /** One TokenCounter per executor JVM and tokenizer content (loaded from the broadcast bytes). */
  private static TokenCounter counter(byte[] tokenizerJson) {
    return COUNTERS.computeIfAbsent(Sha256.hexBytes(tokenizerJson), k -> TokenCounter.fromJson(tokenizerJson));
  }
}
