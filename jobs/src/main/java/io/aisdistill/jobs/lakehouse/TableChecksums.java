package io.aisdistill.jobs.lakehouse;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.SparkSessions;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;

import io.aisdistill.common.text.Sha256;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Row counts and checksums of every lakehouse table, to compare two runs (local mode against a
 * cluster or an S3 lakehouse) and Spark against an independent Delta reader.
 *
 * <p>Per table it prints one line {@code table=T rows=N content=C keys=K}:
 *
 * <ul>
 *   <li>{@code content}: the sum (as a decimal, no overflow) of {@code xxhash64(to_json(row))} over
 *       all columns but {@code run_id}: equal iff the tables hold the same rows (order-free);
 *   <li>{@code keys}: SHA-256 of the sorted lines {@code k1|k2|...} of the table's
 *       {@link #KEY_COLUMNS} (integers and strings as text, null as {@code \N}), which another
 *       engine computes the same way (ci/interop_check.py with delta-rs).
 * </ul>
 *
 * Usage: {@code TableChecksums LAKEHOUSE} (also a spark-submit entry point).
 */
public final class TableChecksums {
  /** Integer and string columns digested per table, identical for any engine. */
  public static final Map<String, List<String>> KEY_COLUMNS = new LinkedHashMap<>();

  static {
    KEY_COLUMNS.put(Tables.POSITIONS, List.of("mmsi", "source", "source_record", "msg_type"));
    KEY_COLUMNS.put(Tables.STATIC, List.of("mmsi", "source", "source_record", "msg_type"));
    KEY_COLUMNS.put(Tables.REJECTS, List.of("source", "source_record", "reason"));
    KEY_COLUMNS.put(Tables.WINDOWS, List.of("window_id", "mmsi", "n_points"));
    KEY_COLUMNS.put(Tables.TRACK_STATE, List.of("mmsi", "state_format"));
    KEY_COLUMNS.put(Tables.WINDOW_SELECTION, List.of("window_id", "reason", "rank"));
    KEY_COLUMNS.put(Tables.PROMPTS, List.of("window_id", "prompt_version"));
    KEY_COLUMNS.put(Tables.QA_CANDIDATES, List.of("qa_id", "window_id", "category"));
    KEY_COLUMNS.put(Tables.QA_JUDGED, List.of("qa_id", "verdict"));
  }

  private TableChecksums() {}

  /** One line per existing table, in {@link #KEY_COLUMNS} order. */
  public static List<String> lines(SparkSession spark, Lakehouse lh) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> t : KEY_COLUMNS.entrySet()) {
      if (!lh.exists(t.getKey())) {
        continue;
      }
      Dataset<Row> df = lh.read(t.getKey());
      Row agg = countAndContent(df);
      Column[] keyCols = t.getValue().stream()
          .map(c -> coalesce(col(c).cast("string"), lit("\\N"))).toArray(Column[]::new);
      out.add("table=" + t.getKey() + " rows=" + agg.getLong(0) + " content=" + agg.get(1)
          + " keys=" + sortedKeysDigest(df.select(concat_ws("|", keyCols).as("k")), agg.getLong(0)));
    }
    return out;
  }

  /** Key lines per range partition that {@link #sortedKeysDigest} streams to the driver at a time. */
  static final long KEY_LINES_PER_PARTITION = 1_000_000;

  /**
   * SHA-256 (lower-case hex) of the lines of {@code keys} in ascending order (UTF-8 byte order, i.e.
   * Unicode code point order, as Python's {@code sorted} orders str), joined with {@code \n}. The
   * lines are range-partitioned, sorted on the executors and streamed to the driver one partition
   * at a time ({@code toLocalIterator}), so the driver holds at most about
   * {@link #KEY_LINES_PER_PARTITION} lines whatever the table's size (collecting them all exhausted
   * a 2 GiB driver at 9.5 M positions).
   *
   * @param keys one string column {@code k}
   * @param rows its row count (sizes the partitions)
   */
  static String sortedKeysDigest(Dataset<Row> keys, long rows) {
    return sortedKeysDigest(keys, rows, KEY_LINES_PER_PARTITION);
  }

  /** {@link #sortedKeysDigest(Dataset, long)} with {@code linesPerPartition} lines per range partition. */
  static String sortedKeysDigest(Dataset<Row> keys, long rows, long linesPerPartition) {
    int parts = (int) Math.max(1, Math.min(10_000, (rows + linesPerPartition - 1) / linesPerPartition));
    java.util.Iterator<String> it = keys.repartitionByRange(parts, col("k")).sortWithinPartitions("k")
        .as(org.apache.spark.sql.Encoders.STRING()).toLocalIterator();
    java.security.MessageDigest md = Sha256.newDigest();
    boolean first = true;
    while (it.hasNext()) {
      if (!first) {
        md.update((byte) '\n');
      }
      md.update(it.next().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      first = false;
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  /**
   * Rows of {@code df} and the sum (decimal, no overflow) of {@code xxhash64(to_json(row))} over
   * all columns but {@code run_id}: equal for two tables iff they hold the same rows (order-free).
   *
   * @return a row (count BIGINT, content DECIMAL(38,0))
   */
  public static Row countAndContent(Dataset<Row> df) {
    return df.selectExpr(rowHash(df) + " AS h").selectExpr("count(*)", CONTENT_SUM).first();
  }

  /**
   * The digest form of {@link #countAndContent} that stages store and compare ("rows:content",
   * for example {@code 42:-1234567890123}): equal for two row sets iff their count and content sum are.
   */
  public static String digest(Dataset<Row> df) {
    Row r = countAndContent(df);
    return digest(r.getLong(0), r.getDecimal(1));
  }

  /** {@link #digest(Dataset)} of a row count and a content sum (DECIMAL(38,0), plain digits). */
  public static String digest(long rows, java.math.BigDecimal content) {
    return rows + ":" + content.toPlainString();
  }

  /** SQL of the content sum over a column {@code h} of {@link #rowHash} values (DECIMAL(38,0), 0 for no rows). */
  public static final String CONTENT_SUM = "coalesce(sum(cast(h AS decimal(38,0))), 0)";

  /** SQL of one row's hash as {@link #countAndContent} sums it: {@code xxhash64(to_json(...))} of every column but run_id. */
  public static String rowHash(Dataset<Row> df) {
    List<String> content = new ArrayList<>();
    for (String c : df.columns()) {
      if (!c.equals("run_id")) {
        content.add("`" + c + "`");
      }
    }
    return "xxhash64(to_json(struct(" + String.join(", ", content) + ")))";
  }

  /** Prints the lines for the lakehouse given as the only argument. */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: TableChecksums LAKEHOUSE");
      System.exit(2);
    }
    SparkSession spark = SparkSessions.getOrCreate(PipelineConfig.load(null, List.of()), "ais-distill checksums");
    try {
      for (String l : lines(spark, new Lakehouse(spark, args[0]))) {
        System.out.println(l);
      }
    } finally {
      spark.stop();
    }
  }
}
