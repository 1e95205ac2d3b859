package io.aisdistill.jobs;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The lakehouse root holding every Delta table: a local directory ({@code ./lakehouse} by
 * default) or any Hadoop file system URI ({@code s3a://bucket/prefix}). Table {@code t} lives at
 * {@code <root>/<t>}. All writes are idempotent: MERGE that inserts only rows whose key is new,
 * or a full overwrite of a table that is a pure function of its inputs.
 */
public final class Lakehouse {
  private final SparkSession spark;
  private final String root;

  /**
   * @param spark the session
   * @param root lakehouse root path or URI (a trailing slash is ignored)
   */
  public Lakehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** The root as given (without a trailing slash). */
  public String root() {
    return root;
  }

  /** Path of table {@code name}. */
  public String path(String name) {
    return root + "/" + name;
  }

  /** True when table {@code name} exists as a Delta table. */
  public boolean exists(String name) {
    return DeltaTable.isDeltaTable(spark, path(name));
  }

  /**
   * Reads table {@code name}.
   *
   * @throws IllegalStateException when it does not exist (names the stage to run first)
   */
  public Dataset<Row> read(String name) {
    if (!exists(name)) {
      throw new IllegalStateException("table " + name + " not found under " + root
          + ": run the stage that writes it first");
    }
    return spark.read().format("delta").load(path(name));
  }

  /** Current version of table {@code name}, or -1 when it does not exist. */
  public long version(String name) {
    if (!exists(name)) {
      return -1;
    }
    return DeltaTable.forPath(spark, path(name)).history(1).select("version").first().getLong(0);
  }

  /**
   * Inserts the rows of {@code df} whose key is not in table {@code name} yet (creating the table
   * on first use). {@code df} must hold at most one row per key.
   *
   * @param key columns compared with null-safe equality
   * @param partitionBy partition columns ({@code date}), also used to prune the MERGE; may be empty
   * @return rows inserted
   */
  public long insertNew(Dataset<Row> df, String name, List<String> key, List<String> partitionBy) {
    if (!exists(name)) {
      var w = df.write().format("delta").mode("append");
      if (!partitionBy.isEmpty()) {
        w = w.partitionBy(partitionBy.toArray(String[]::new));
      }
      w.save(path(name));
      return lastMetric(name, "numOutputRows");
    }
    String cond = java.util.stream.Stream.concat(
            partitionBy.stream().map(c -> "t.`" + c + "` = s.`" + c + "`"),
            key.stream().map(c -> "t.`" + c + "` <=> s.`" + c + "`"))
        .collect(Collectors.joining(" AND "));
    DeltaTable.forPath(spark, path(name)).as("t")
        .merge(df.as("s"), cond)
        .whenNotMatched().insertAll()
        .execute();
    return lastMetric(name, "numTargetRowsInserted");
  }

  /**
   * Replaces the whole content of table {@code name} with {@code df} (one atomic Delta commit;
   * earlier versions stay readable by time travel).
   *
   * @return rows written
   */
  public long overwrite(Dataset<Row> df, String name, List<String> partitionBy) {
    var w = df.write().format("delta").mode("overwrite").option("overwriteSchema", "true");
    if (!partitionBy.isEmpty()) {
      w = w.partitionBy(partitionBy.toArray(String[]::new));
    }
    w.save(path(name));
    return lastMetric(name, "numOutputRows");
  }

  private long lastMetric(String name, String metric) {
    Row h = DeltaTable.forPath(spark, path(name)).history(1).select("operationMetrics").first();
    Map<String, String> m = h.getJavaMap(0);
    String v = m == null ? null : m.get(metric);
    return v == null ? 0 : Long.parseLong(v);
  }

  /**
   * Writes a text file under the root (e.g. {@code _reports/run-<id>.md}), overwriting.
   *
   * @throws IllegalStateException on an I/O error
   */
  public String writeText(String relative, String text) {
    Path p = new Path(root + "/" + relative);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream o = fs.create(p, true)) {
        o.write(text.getBytes(StandardCharsets.UTF_8));
      }
      return p.toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + p + ": " + e.getMessage(), e);
    }
  }
}
