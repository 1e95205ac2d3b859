package io.aisdistill.jobs.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aisdistill.jobs.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Lakehouse#sync} with {@code within} on a table partitioned by date: the rows it writes
 * are those of the unpruned sync (an update, a delete, an insert on a new date, and a row whose
 * date changes, so that its old partition must be found), and the comparison (the scan that reads
 * more than the key and the partition column) and the MERGE read only the files of the partitions
 * of the rows within and of the desired rows (the scan's {@code numFiles} and the MERGE's
 * {@code numTargetFilesAfterSkipping}, from the executed plans of the sync's queries).
 */
class LakehouseSyncPruneTest {
  @TempDir Path tmp;

  private static final String T = "pruned";

  /** Rows (id, date, v) from "id,yyyy-mm-dd,v" triples. */
  private static Dataset<Row> rows(SparkSession spark, String... rows) {
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < rows.length; i++) {
      String[] f = rows[i].split(",");
      values.append(i == 0 ? "" : ", ").append("('").append(f[0]).append("', DATE'").append(f[1]).append("', ")
          .append(f[2]).append(")");
    }
    return spark.sql("SELECT col1 AS id, col2 AS date, CAST(col3 AS INT) AS v FROM VALUES " + values);
  }

  private static List<Row> sorted(Dataset<Row> df) {
    return df.orderBy("id").collectAsList();
  }

  @Test
  void syncWithinReadsOnlyTheTouchedPartitionsAndWritesWhatAnUnprunedSyncWrites() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh").toString());
    // five dates, two rows each, one file per date
    String[] initial = new String[10];
    for (int d = 1; d <= 5; d++) {
      initial[2 * d - 2] = "a" + d + ",2024-06-0" + d + ",1";
      initial[2 * d - 1] = "b" + d + ",2024-06-0" + d + ",1";
    }
    lh.sync(rows(spark, initial).repartition(1), T, List.of("id"), null, List.of("date"));
    assertEquals(5, lh.read(T).inputFiles().length);

    // within: a2 (updated), b2 (deleted), a3 (moves to 2024-06-06), n1 (new, 2024-06-07)
    Dataset<Row> within = spark.sql("SELECT * FROM VALUES ('a2'), ('b2'), ('a3'), ('n1') AS w(id)");
    Dataset<Row> desired = rows(spark, "a2,2024-06-02,2", "a3,2024-06-06,3", "n1,2024-06-07,4");
    List<Long> files = wideScans(spark, () -> {
      Lakehouse.Synced s = lh.sync(desired, T, List.of("id"), null, within, List.of("date"));
      assertEquals(new Lakehouse.Synced(1, 2, 1), s);
    });
    // the files of 2024-06-02 and 2024-06-03, where the rows within are: not those of 1, 4 and 5
    assertEquals(List.of(-1L - 2), files.stream().filter(n -> n < 0).toList(), "the MERGE's files: " + files);
    assertEquals(false, files.stream().noneMatch(n -> n >= 0), "no comparison scan seen: " + files);
    files.forEach(n -> assertEquals(true, n <= 2, "the comparison read more files: " + files));

    List<Row> want = sorted(rows(spark, "a1,2024-06-01,1", "b1,2024-06-01,1", "a2,2024-06-02,2",
        "b3,2024-06-03,1", "a3,2024-06-06,3", "a4,2024-06-04,1", "b4,2024-06-04,1", "a5,2024-06-05,1",
        "b5,2024-06-05,1", "n1,2024-06-07,4"));
    assertEquals(want, sorted(lh.read(T).select("id", "date", "v")));
  }

  /**
   * Runs {@code sync} and returns the numFiles of every scan of the test table that reads column v
   * in the queries it ran (adaptive plans walked through their final plans, query stages and cached
   * plans; a cached plan counts once per scan of it), and, as -1 - n, the n files a MERGE scanned.
   */
  private static List<Long> wideScans(SparkSession spark, Runnable sync) throws Exception {
    List<Long> files = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    org.apache.spark.sql.util.QueryExecutionListener l = new org.apache.spark.sql.util.QueryExecutionListener() {
      @Override
      public void onSuccess(String funcName, org.apache.spark.sql.execution.QueryExecution qe, long durationNs) {
        walk(qe.executedPlan(), files);
      }

      @Override
      public void onFailure(String funcName, org.apache.spark.sql.execution.QueryExecution qe, Exception e) {}
    };
    spark.listenerManager().register(l);
    try {
      sync.run();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.listenerManager().unregister(l);
    }
    return new java.util.ArrayList<>(files);
  }

  private static void walk(org.apache.spark.sql.execution.SparkPlan p, List<Long> files) {
    if (p instanceof org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec a) {
      walk(a.executedPlan(), files);
    } else if (p instanceof org.apache.spark.sql.execution.adaptive.QueryStageExec q) {
      walk(q.plan(), files);
    } else if (p instanceof org.apache.spark.sql.execution.columnar.InMemoryTableScanExec m) {
      walk(m.relation().cachedPlan(), files);
    } else if (p instanceof org.apache.spark.sql.execution.FileSourceScanExec f) {
      boolean wide = f.output().exists(a -> a.name().equals("v"));
      if (wide && f.relation().location().rootPaths().mkString().contains(T)) {
        files.add(f.metrics().apply("numFiles").value());   // >= 0: a scan
      }
    } else if (p instanceof org.apache.spark.sql.execution.command.ExecutedCommandExec c
        && c.cmd().metrics().contains("numTargetFilesAfterSkipping")) {
      // Delta's MERGE: the target files it scans after skipping by the condition's target-only predicates
      files.add(-1 - c.cmd().metrics().apply("numTargetFilesAfterSkipping").value());   // < 0: the MERGE
    }
    scala.jdk.javaapi.CollectionConverters.asJava(p.children()).forEach(c -> walk(c, files));
    scala.jdk.javaapi.CollectionConverters.asJava(p.subqueries()).forEach(c -> walk(c, files));
  }

  @Test
  void aSyncWithinWhoseRowsAreAllNewReadsNoStoredPartition() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh2").toString());
    lh.sync(rows(spark, "a1,2024-06-01,1", "a2,2024-06-02,1").repartition(1), T, List.of("id"), null,
        List.of("date"));
    Dataset<Row> within = spark.sql("SELECT * FROM VALUES ('n1') AS w(id)");
    List<Long> files = wideScans(spark, () -> {
      Lakehouse.Synced s = lh.sync(rows(spark, "n1,2024-06-03,5"), T, List.of("id"), null, within, List.of("date"));
      assertEquals(new Lakehouse.Synced(1, 0, 0), s);
    });
    assertEquals(List.of(-1L), files.stream().filter(n -> n < 0).toList(), "the MERGE scanned no file: " + files);
    files.forEach(n -> assertEquals(true, n <= 0, "the comparison read a file: " + files));
    assertEquals(sorted(rows(spark, "a1,2024-06-01,1", "a2,2024-06-02,1", "n1,2024-06-03,5")),
        sorted(lh.read(T).select("id", "date", "v")));
  }
}
