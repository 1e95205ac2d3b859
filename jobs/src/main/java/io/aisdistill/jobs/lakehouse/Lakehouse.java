package io.aisdistill.jobs.lakehouse;


import io.aisdistill.jobs.config.SparkSessions;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The lakehouse holding every Delta table, in one of two forms:
 *
 * <ul>
 *   <li>a root directory or Hadoop file system URI ({@code ./lakehouse} by default,
 *       {@code s3a://bucket/prefix}): table {@code t} lives at {@code <root>/<t>};
 *   <li>{@code catalog:CATALOG.SCHEMA} (or {@code catalog:SCHEMA}): catalog tables
 *       {@code CATALOG.SCHEMA.t} (Unity Catalog on Databricks, or Spark's session catalog). Text
 *       files (run reports, the LLM call journal) then go under the Spark setting
 *       {@value #FILES_ROOT_CONF}, by default the Unity Catalog volume
 *       {@code /Volumes/CATALOG/SCHEMA/ais_distill}.
 * </ul>
 *
 * Every Delta access of the jobs goes through this class (read, read at a version, version,
 * insertNew, upsert, merge, overwrite), so that both forms work: {@link #path} is a file path only
 * in the first form, and text files belong under {@link #filesRoot}, never under {@link #root}.
 *
 * <p>All writes are idempotent: MERGE that inserts only rows whose key is new, or a full overwrite of
 * a table that is a pure function of its inputs.
 */
public final class Lakehouse {
  /** Prefix of a catalog lakehouse: {@code catalog:main.ais_distill}. */
  public static final String CATALOG_PREFIX = "catalog:";
  /** Spark setting: where a catalog lakehouse writes its text files. */
  public static final String FILES_ROOT_CONF = "spark.aisdistill.files_root";

  private final SparkSession spark;
  private final String root;
  /** {@code CATALOG.SCHEMA} of a catalog lakehouse, else null. */
  private final String namespace;

  /**
   * @param spark the session
   * @param root lakehouse root path or URI (a trailing slash is ignored), or
   *     {@code catalog:CATALOG.SCHEMA}
   * @throws IllegalArgumentException on a malformed catalog name
   */
  public Lakehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    if (this.root.startsWith(CATALOG_PREFIX)) {
      String ns = this.root.substring(CATALOG_PREFIX.length());
      if (!ns.matches("[A-Za-z0-9_`-]+(\\.[A-Za-z0-9_`-]+)?")) {
        throw new IllegalArgumentException("catalog lakehouse must be catalog:CATALOG.SCHEMA or catalog:SCHEMA, got " + root);
      }
      this.namespace = ns;
    } else {
      this.namespace = null;
    }
  }

  /** The root as given (without a trailing slash). */
  public String root() {
    return root;
  }

  /** True when the tables are catalog tables ({@code catalog:CATALOG.SCHEMA}). */
  public boolean isCatalog() {
    return namespace != null;
  }

  /**
   * Where table {@code name} lives: its path under the root, or its qualified name
   * {@code CATALOG.SCHEMA.name} in a catalog lakehouse.
   */
  public String path(String name) {
    return isCatalog() ? namespace + "." + name : root + "/" + name;
  }

  /** True when table {@code name} exists as a Delta table. */
  public boolean exists(String name) {
    if (isCatalog()) {
      return spark.catalog().tableExists(path(name));
    }
    return DeltaTable.isDeltaTable(spark, path(name));
  }

  /**
   * Table {@code name} as Spark SQL names it: the catalog name, or {@code delta.`<path>`} with the
   * path qualified (scheme and absolute path). Delta's SQL path references need an absolute path, so
   * a relative local root (the default {@code lakehouse}) is resolved against the working directory.
   *
   * @throws UncheckedIOException when the path's file system cannot be loaded
   */
  private String sqlRef(String name) {
    if (isCatalog()) {
      return path(name);
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path(name));
    try {
      return "delta.`" + p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p) + "`";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private DeltaTable delta(String name) {
    return isCatalog() ? DeltaTable.forName(spark, path(name)) : DeltaTable.forPath(spark, path(name));
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
    return isCatalog() ? spark.read().table(path(name)) : spark.read().format("delta").load(path(name));
  }

  /**
   * Reads table {@code name} as it was at Delta version {@code version} (time travel): {@code
   * VERSION AS OF} on the catalog table, or {@code versionAsOf} on the path. The rows have the
   * table's schema at that version.
   *
   * @param version a version in the table's history, e.g. one returned by {@link #version}
   * @throws IllegalStateException when the table does not exist (names the stage to run first)
   * @throws org.apache.spark.sql.AnalysisException (or another Delta error) when the version is
   *     not in the table's history, or its files were vacuumed
   */
  public Dataset<Row> readAt(String name, long version) {
    if (!exists(name)) {
      throw new IllegalStateException("table " + name + " not found under " + root
          + ": run the stage that writes it first");
    }
    if (isCatalog()) {
      return spark.sql("SELECT * FROM " + path(name) + " VERSION AS OF " + version);
    }
    return spark.read().format("delta").option("versionAsOf", version).load(path(name));
  }

  /** Current version of table {@code name}, or -1 when it does not exist. */
  public long version(String name) {
    if (!exists(name)) {
      return -1;
    }
    return delta(name).history(1).select("version").first().getLong(0);
  }

  /**
   * True when table {@code name} records its changes (Delta change data feed, table property
   * {@code delta.enableChangeDataFeed}).
   *
   * @throws IllegalStateException when the table does not exist
   */
  public boolean changeFeedEnabled(String name) {
    if (!exists(name)) {
      throw new IllegalStateException("table " + name + " not found under " + root);
    }
    Map<String, String> props = delta(name).detail().select("properties").first().getJavaMap(0);
    return props != null && "true".equalsIgnoreCase(props.get("delta.enableChangeDataFeed"));
  }

  /**
   * Turns on the Delta change data feed of table {@code name} (one metadata commit); changes are
   * recorded from the next version on.
   */
  public void enableChangeFeed(String name) {
    String ref = sqlRef(name);
    spark.sql("ALTER TABLE " + ref + " SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
  }

  /**
   * The rows that commits {@code fromVersion} to {@code toVersion} (inclusive) of table
   * {@code name} inserted, updated or deleted (Delta change data feed): the table's columns plus
   * {@code _change_type} ({@code insert}, {@code update_preimage}, {@code update_postimage},
   * {@code delete}), {@code _commit_version} and {@code _commit_timestamp}.
   *
   * @throws org.apache.spark.sql.AnalysisException (or another Delta error), when the action
   *     runs or earlier, if the feed was not on for the whole range or its files were vacuumed
   */
  public Dataset<Row> readChanges(String name, long fromVersion, long toVersion) {
    var r = spark.read().format("delta").option("readChangeFeed", "true")
        .option("startingVersion", fromVersion).option("endingVersion", toVersion);
    return isCatalog() ? r.table(path(name)) : r.load(path(name));
  }

  /**
   * The user metadata of the newest commit of table {@code name} that has some (Delta
   * {@code commitInfo.userMetadata}), searched over its last {@code depth} commits; null when none.
   */
  public String lastUserMetadata(String name, int depth) {
    if (!exists(name)) {
      return null;
    }
    for (Row r : delta(name).history(depth).select("userMetadata").collectAsList()) {
      if (!r.isNullAt(0)) {
        return r.getString(0);
      }
    }
    return null;
  }

  /**
   * Records {@code metadata} on table {@code name} without touching its rows: one metadata-only
   * commit (table property {@code property} set to the hash code of {@code metadata}) whose Delta user metadata is
   * {@code metadata}, so that {@link #lastUserMetadata} returns it. For a stage whose write found
   * nothing to change but whose checkpoint must still advance.
   *
   * @throws IllegalStateException when the table does not exist
   */
  public void recordUserMetadata(String name, String property, String metadata) {
    if (!exists(name)) {
      throw new IllegalStateException("table " + name + " not found under " + root);
    }
    String ref = sqlRef(name);
    withUserMetadata(metadata, () -> spark.sql("ALTER TABLE " + ref + " SET TBLPROPERTIES ('" + property + "' = '"
        + Integer.toHexString(metadata.hashCode()) + "')"));
  }

  /**
   * Runs {@code write} with {@code metadata} as the user metadata of the Delta commits it makes
   * (session setting {@code spark.databricks.delta.commitInfo.userMetadata}, restored after).
   */
  public void withUserMetadata(String metadata, Runnable write) {
    withUserMetadata(metadata, () -> {
      write.run();
      return null;
    });
  }

  /**
   * As {@link #withUserMetadata(String, Runnable)}, returning what {@code write} returns (for example
   * the {@link Synced} counts of a sync).
   *
   * @param <T> the result type of {@code write}
   */
  public <T> T withUserMetadata(String metadata, Supplier<T> write) {
    return SparkSessions.withSessionConf(spark, "spark.databricks.delta.commitInfo.userMetadata", metadata, write);
  }

  /**
   * Syncs table {@code name} with a stage's checkpoint: runs {@code sync} (a {@link #sync} call)
   * with {@code checkpoint} as the user metadata of its commit ({@link #withUserMetadata(String, Supplier)});
   * when the sync made no commit ({@link Synced#committed()} false: no row to change) and
   * {@code recordWithoutCommit}, records {@code checkpoint} with a metadata-only commit
   * ({@link #recordUserMetadata}, table property {@code property}), so that the checkpoint advances
   * although no row changed. Whether a commit was made is taken from the sync's result, so this
   * reads no table history of its own.
   *
   * @return what {@code sync} returns
   */
  public Synced writeWithCheckpoint(String name, String property, String checkpoint, boolean recordWithoutCommit,
      Supplier<Synced> sync) {
    Synced out = withUserMetadata(checkpoint, sync);
    if (recordWithoutCommit && !out.committed()) {
      recordUserMetadata(name, property, checkpoint);
    }
    return out;
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
      save(w, name);
      return lastMetric(name, "numOutputRows");
    }
    String cond = java.util.stream.Stream.concat(
            partitionBy.stream().map(c -> "t.`" + c + "` = s.`" + c + "`"),
            key.stream().map(c -> "t.`" + c + "` <=> s.`" + c + "`"))
        .collect(Collectors.joining(" AND "));
    var m = delta(name).as("t").merge(df.as("s"), cond).whenNotMatched().insertAll();
    writing(name, m::execute);
    return lastMetric(name, "numTargetRowsInserted");
  }

  /**
   * MERGEs {@code df} into table {@code name} on {@code key} (creating the table on first use):
   * matched rows are replaced, new rows inserted, and rows of the table that match {@code scope}
   * (a SQL condition on the table's columns, alias {@code t}) but are not in {@code df} deleted. So
   * {@code df} becomes the table's content within {@code scope}, in one atomic commit.
   * {@code df} must hold at most one row per key.
   *
   * @param scope e.g. {@code "t.eval_id = 'abc'"}; null = delete nothing
   */
  public void upsert(Dataset<Row> df, String name, List<String> key, String scope) {
    upsert(df, name, key, scope, null);
  }

  /**
   * {@link #upsert(Dataset, String, List, String)} with a condition on the table's rows
   * ({@code prune}, alias {@code t}, e.g. {@code t.date IN (DATE'2024-06-01')}) added to the match
   * condition, so that Delta reads only the files that can match (partition pruning). Rows outside
   * {@code prune} are never matched: {@code df} must lie inside it.
   *
   * @param prune null = the whole table
   */
  public void upsert(Dataset<Row> df, String name, List<String> key, String scope, String prune) {
    if (!exists(name)) {
      save(df.write().format("delta").mode("append"), name);
      return;
    }
    String cond = key.stream().map(c -> "t.`" + c + "` <=> s.`" + c + "`").collect(Collectors.joining(" AND "));
    if (prune != null) {
      cond = "(" + prune + ") AND " + cond;
    }
    var m = delta(name).as("t").merge(df.as("s"), cond).whenMatched().updateAll().whenNotMatched().insertAll();
    if (scope != null) {
      m = m.whenNotMatchedBySource(scope).delete();
    }
    writing(name, m::execute);
  }

  /**
   * MERGEs {@code df} (alias {@code s}) into table {@code name} (alias {@code t}) on the SQL
   * condition {@code on}: unmatched rows of {@code df} are inserted; a matched table row is replaced
   * by its {@code df} row when {@code updateWhen} holds, else kept. When the table does not exist
   * it is created holding {@code df} as is (not partitioned). {@code df} must hold at most one row
   * per match of {@code on}, and have the table's columns.
   *
   * @param on e.g. {@code "t.call_id = s.call_id"}
   * @param updateWhen e.g. {@code "t.status <> 'ok'"}; null = never replace a matched row
   * @throws org.apache.spark.sql.AnalysisException (or another Delta error) on a condition that
   *     does not resolve, a schema mismatch, or several {@code df} rows matching one table row
   */
  public void merge(Dataset<Row> df, String name, String on, String updateWhen) {
    if (!exists(name)) {
      save(df.write().format("delta").mode("append"), name);
      return;
    }
    var m = delta(name).as("t").merge(df.as("s"), on);
    if (updateWhen != null) {
      m = m.whenMatched(updateWhen).updateAll();
    }
    var insert = m.whenNotMatched().insertAll();
    writing(name, insert::execute);
  }

  /**
   * Rows {@link #sync} inserted, updated and deleted, and whether it made a commit: a MERGE commits
   * exactly when it has a row to change; creating the table always commits, even with no rows.
   */
  public record Synced(long inserted, long updated, long deleted, boolean committed) {
    /** The counts of a MERGE, which commits when any of them is not zero. */
    public Synced(long inserted, long updated, long deleted) {
      this(inserted, updated, deleted, inserted + updated + deleted > 0);
    }
  }

  /**
   * Makes the rows of table {@code name} within {@code scope} equal {@code desired}, writing only
   * the difference: rows whose key is new are inserted, rows whose content (every column but
   * {@code run_id}, compared as {@code xxhash64(to_json(...))}) changed are replaced, and rows of
   * the scope whose key {@code desired} lacks are deleted, in one MERGE (one atomic commit; none
   * when nothing differs, so a rerun leaves the table's version as it is). A table that does not
   * exist is created holding {@code desired}, partitioned by {@code partitionBy}.
   *
   * @param desired the rows the scope must hold, with the table's columns, at most one per key
   * @param key columns compared with null-safe equality: a key is unique in the whole table
   * @param scope SQL condition on the table's columns (no alias) that {@code desired} covers,
   *     e.g. {@code "prompt_version = 'window-v2'"}; null = the whole table. No key of
   *     {@code desired} may be in the table outside it: only rows inside it are read, and the MERGE
   *     matches only them (its condition includes the scope, so that Delta skips the files outside it)
   * @param partitionBy partition columns of a new table; may be empty
   * @return rows inserted, updated and deleted
   */
  public Synced sync(Dataset<Row> desired, String name, List<String> key, String scope, List<String> partitionBy) {
    return sync(desired, name, key, scope, null, partitionBy);
  }

  /**
   * {@link #sync(Dataset, String, List, String, List)} within a narrower scope: the rows of the
   * table that match {@code scope} and whose values in the columns of {@code within} equal one of
   * its rows (a left semi join), e.g. the rows of the windows an incremental run recomputed.
   * Rows outside it are neither read for comparison nor deleted; {@code desired} must lie inside it.
   *
   * @param within rows of some of the table's columns (e.g. {@code window_id}); null = no narrowing
   */
  public Synced sync(Dataset<Row> desired, String name, List<String> key, String scope, Dataset<Row> within,
      List<String> partitionBy) {
    if (!exists(name)) {
      var w = desired.write().format("delta").mode("append");
      if (!partitionBy.isEmpty()) {
        w = w.partitionBy(partitionBy.toArray(String[]::new));
      }
      save(w, name);
      return new Synced(lastMetric(name, "numOutputRows"), 0, 0, true);
    }
    Dataset<Row> scoped = scope == null ? read(name) : read(name).where(scope);
    Dataset<Row> current = within == null ? scoped : scoped.join(within,
        ScalaSeqs.of(within.columns()), "left_semi");
    String[] cols = current.columns();
    String hash = TableChecksums.rowHash(current);
    Dataset<Row> want = desired.selectExpr(java.util.stream.Stream.concat(
        java.util.Arrays.stream(cols).map(c -> "`" + c + "`"), java.util.stream.Stream.of(hash + " AS `_want`"))
        .toArray(String[]::new));
    Dataset<Row> have = current.selectExpr(java.util.stream.Stream.concat(
        key.stream().map(c -> "`" + c + "` AS `_k_" + c + "`"), java.util.stream.Stream.of(hash + " AS `_have`"))
        .toArray(String[]::new));
    org.apache.spark.sql.Column on = key.stream()
        .map(c -> want.col(c).eqNullSafe(have.col("_k_" + c)))
        .reduce(org.apache.spark.sql.Column::and).orElseThrow();
    Dataset<Row> upserts = want.join(have, on, "left")
        .where("`_have` IS NULL OR `_have` <> `_want`")
        .selectExpr(java.util.stream.Stream.concat(java.util.Arrays.stream(cols).map(c -> "`" + c + "`"),
            java.util.stream.Stream.of("false AS `_delete`")).toArray(String[]::new));
    Dataset<Row> deletes = have.join(want, on, "left_anti")
        .selectExpr(java.util.stream.Stream.concat(java.util.Arrays.stream(cols).map(c -> key.contains(c)
            ? "`_k_" + c + "` AS `" + c + "`" : "CAST(NULL AS " + current.schema().apply(c).dataType().sql() + ") AS `" + c + "`"),
            java.util.stream.Stream.of("true AS `_delete`")).toArray(String[]::new));
    Dataset<Row> source = upserts.unionByName(deletes).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    try {
      if (source.isEmpty()) {
        return new Synced(0, 0, 0);
      }
      // the source's columns renamed (_s_ prefix), so that the scope's unqualified columns name the target's: with
      // the scope in the condition Delta reads and rewrites only the target files inside it (e.g. the partitions of
      // the dates named), which is exact because desired lies inside the scope
      String cond = key.stream().map(c -> "t.`" + c + "` <=> s.`_s_" + c + "`").collect(Collectors.joining(" AND "));
      if (scope != null) {
        cond = "(" + scope + ") AND " + cond;
      }
      Map<String, String> set = new java.util.LinkedHashMap<>();
      for (String c : cols) {
        set.put("`" + c + "`", "s.`_s_" + c + "`");
      }
      Dataset<Row> renamed = source.toDF(java.util.Arrays.stream(source.columns())
          .map(c -> c.equals("_delete") ? c : "_s_" + c).toArray(String[]::new));
      var merge = delta(name).as("t").merge(renamed.as("s"), cond)
          .whenMatched("s.`_delete`").delete()
          .whenMatched().updateExpr(set)
          .whenNotMatched("NOT s.`_delete`").insertExpr(set);
      writing(name, merge::execute);
      Row h = delta(name).history(1).select("operationMetrics").first();
      Map<String, String> m = h.getJavaMap(0);
      return new Synced(metric(m, "numTargetRowsInserted"), metric(m, "numTargetRowsUpdated"),
          metric(m, "numTargetRowsDeleted"));
    } finally {
      source.unpersist();
    }
  }

  private static long metric(Map<String, String> m, String k) {
    String v = m == null ? null : m.get(k);
    return v == null ? 0 : Long.parseLong(v);
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
    save(w, name);
    return lastMetric(name, "numOutputRows");
  }

  /** Runs the write {@code w} of table {@code name} ({@link #writing}). */
  private void save(org.apache.spark.sql.DataFrameWriter<Row> w, String name) {
    writing(name, () -> {
      if (isCatalog()) {
        w.saveAsTable(path(name));
      } else {
        w.save(path(name));
      }
    });
  }

  /**
   * Runs {@code write}, a write of table {@code name}, with the table's write settings in the
   * session, restored after: a table it creates gets the statistics columns of
   * {@link Tables#STATS_COLUMNS} (session default {@value #STATS_COLUMNS_DEFAULT}, so that path and
   * catalog tables get the same table property), and the columns of
   * {@link Tables#PLAIN_ENCODED_COLUMNS} are written without Parquet dictionary
   * ({@value #DICTIONARY_PREFIX}{@code <column>} = false; Spark copies session settings into the
   * Hadoop configuration of the Parquet writer).
   */
  private void writing(String name, Runnable write) {
    Map<String, String> settings = new java.util.LinkedHashMap<>();
    List<String> stats = Tables.STATS_COLUMNS.get(name);
    if (stats != null) {
      settings.put(STATS_COLUMNS_DEFAULT, String.join(",", stats));
    }
    for (String c : Tables.PLAIN_ENCODED_COLUMNS.getOrDefault(name, List.of())) {
      settings.put(DICTIONARY_PREFIX + c, "false");
    }
    SparkSessions.withSessionConf(spark, settings, () -> {
      write.run();
      return null;
    });
  }

  /** Parquet's per-column switch of dictionary encoding, followed by the column's name. */
  static final String DICTIONARY_PREFIX = "parquet.enable.dictionary#";

  /** Session default of the table property {@code delta.dataSkippingStatsColumns} of new tables. */
  static final String STATS_COLUMNS_DEFAULT = "spark.databricks.delta.properties.defaults.dataSkippingStatsColumns";

  /**
   * Root of the text files (run reports, the LLM call journal): the lakehouse root, or the files
   * root of a catalog lakehouse ({@value #FILES_ROOT_CONF}, by default
   * {@code /Volumes/CATALOG/SCHEMA/ais_distill}). A path or Hadoop file system URI.
   */
  public String filesRoot() {
    if (!isCatalog()) {
      return root;
    }
    String conf = spark.conf().get(FILES_ROOT_CONF, "");
    return conf.isEmpty() ? "/Volumes/" + namespace.replace('.', '/').replace("`", "") + "/ais_distill" : conf;
  }

  private long lastMetric(String name, String metric) {
    Map<String, String> m = delta(name).history(1).select("operationMetrics").first().getJavaMap(0);
    return metric(m, metric);
  }

  /**
   * Writes a text file under the {@link #filesRoot files root} (e.g. {@code _reports/run-<id>.md}),
   * overwriting.
   *
   * @throws IllegalStateException on an I/O error
   */
  public String writeText(String relative, String text) {
    Path p = new Path(filesRoot() + "/" + relative);
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
