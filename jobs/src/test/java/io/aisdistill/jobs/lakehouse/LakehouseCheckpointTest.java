package io.aisdistill.jobs.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.SparkTestSession;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Lakehouse#writeWithCheckpoint}: a write that commits (a changed row, or creating the
 * table, even empty) carries the checkpoint in its own commit; a write that commits nothing is
 * followed by one metadata-only commit carrying it (or by none when not asked); the rows are never
 * touched by the checkpoint. And {@link TableChecksums#digest}
 * in its stored "rows:content" form, checked against a count and sum computed here.
 */
class LakehouseCheckpointTest {
  @TempDir Path tmp;

  private static final String T = "checkpointed";
  private static final String PROP = "aisdistill.test.checkpoint";

  private static Dataset<Row> rows(SparkSession spark, String... names) {
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      values.append(i == 0 ? "" : ", ").append("(").append(i).append(", '").append(names[i]).append("')");
    }
    return spark.sql("SELECT CAST(col1 AS BIGINT) AS id, col2 AS name FROM VALUES " + values);
  }

  private static Lakehouse.Synced sync(Lakehouse lh, Dataset<Row> rows) {
    return lh.sync(rows, T, List.of("id"), null, List.of());
  }

  @Test
  void theCheckpointAdvancesWithOrWithoutARowChange() {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh").toString());
    Dataset<Row> two = rows(spark, "a", "b");

    // a write that commits: one commit, carrying the checkpoint
    lh.writeWithCheckpoint(T, PROP, "{\"v\":1}", true, () -> sync(lh, two));
    assertEquals(0, lh.version(T));
    assertEquals("{\"v\":1}", lh.lastUserMetadata(T, 1));

    // nothing to change, asked to record: one metadata-only commit, the rows as they were
    Lakehouse.Synced s = lh.writeWithCheckpoint(T, PROP, "{\"v\":2}", true, () -> sync(lh, two));
    assertEquals(new Lakehouse.Synced(0, 0, 0), s);
    assertEquals(1, lh.version(T));
    assertEquals("{\"v\":2}", lh.lastUserMetadata(T, 1));
    assertEquals(two.collectAsList(), lh.read(T).orderBy("id").collectAsList());

    // nothing to change, not asked: no commit, the last checkpoint stays
    lh.writeWithCheckpoint(T, PROP, "{\"v\":3}", false, () -> sync(lh, two));
    assertEquals(1, lh.version(T));
    assertEquals("{\"v\":2}", lh.lastUserMetadata(T, 1));

    // a row changes: one commit with the checkpoint, no extra metadata-only commit
    Dataset<Row> changed = rows(spark, "a", "c");
    s = lh.writeWithCheckpoint(T, PROP, "{\"v\":4}", true, () -> sync(lh, changed));
    assertEquals(new Lakehouse.Synced(0, 1, 0), s);
    assertEquals(2, lh.version(T));
    assertEquals("{\"v\":4}", lh.lastUserMetadata(T, 1));
    assertNull(spark.conf().getOption("spark.databricks.delta.commitInfo.userMetadata").getOrElse(() -> null),
        "session setting restored");

    // a table created with no rows: the create is the commit that carries the checkpoint, none follows
    String empty = "checkpointed_empty";
    s = lh.writeWithCheckpoint(empty, PROP, "{\"v\":5}", true,
        () -> lh.sync(two.limit(0), empty, List.of("id"), null, List.of()));
    assertEquals(new Lakehouse.Synced(0, 0, 0, true), s);
    assertEquals(0, lh.version(empty));
    assertEquals("{\"v\":5}", lh.lastUserMetadata(empty, 1));
  }

  /**
   * A relative local root (README's default {@code lakehouse}): the SQL statements on a table (change
   * data feed, metadata commit) find it, resolved against the working directory.
   */
  @Test
  void aRelativeRootWorksForTheSqlStatements() throws Exception {
    SparkSession spark = SparkTestSession.get();
    java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(cwd.resolve("target"), "relative-lh");
    String relative = cwd.relativize(dir).toString();
    assertFalse(relative.startsWith("/"), relative);
    Lakehouse lh = new Lakehouse(spark, relative);
    sync(lh, rows(spark, "x", "y"));
    lh.enableChangeFeed(T);
    assertTrue(lh.changeFeedEnabled(T));
    lh.recordUserMetadata(T, PROP, "{\"a\":1}");
    assertEquals("{\"a\":1}", lh.lastUserMetadata(T, 1));
    assertTrue(java.nio.file.Files.isDirectory(dir.resolve(T).resolve("_delta_log")), "written under the relative root");
  }

  /**
   * A sync within a scope that names some partitions: the rows inside it become the desired ones
   * (an update, an insert, a delete), the rows outside it stay, and neither the comparison nor the
   * MERGE reads a file outside it (the scope is part of the MERGE condition): the other partitions'
   * files are moved away during the sync, which would fail reading them.
   */
  @Test
  void aScopedSyncReadsOnlyTheFilesOfItsScope() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.toString());
    String t = "scoped";
    String q = "SELECT CAST(col1 AS BIGINT) AS id, col2 AS name, CAST(col3 AS DATE) AS date FROM VALUES ";
    lh.sync(spark.sql(q + "(1, 'a', '2024-01-01'), (2, 'b', '2024-01-02'), (3, 'c', '2024-01-02'), (4, 'd', '2024-01-03')"),
        t, List.of("id"), null, List.of("date"));
    // the 2nd: 2 changed, 3 gone, 5 new; the other dates' files away meanwhile
    Path table = Path.of(lh.path(t));
    Path away = tmp.resolve("away");
    java.nio.file.Files.createDirectories(away);
    for (String d : List.of("date=2024-01-01", "date=2024-01-03")) {
      java.nio.file.Files.move(table.resolve(d), away.resolve(d));
    }
    Lakehouse.Synced s = lh.sync(spark.sql(q + "(2, 'b2', '2024-01-02'), (5, 'e', '2024-01-02')"), t, List.of("id"),
        "date IN (DATE'2024-01-02')", List.of("date"));
    for (String d : List.of("date=2024-01-01", "date=2024-01-03")) {
      java.nio.file.Files.move(away.resolve(d), table.resolve(d));
    }
    assertEquals(List.of(1L, 1L, 1L), List.of(s.inserted(), s.updated(), s.deleted()));
    assertEquals(List.of("1 a", "2 b2", "4 d", "5 e"), lh.read(t).orderBy("id").collectAsList().stream()
        .map(r -> r.getLong(0) + " " + r.getString(1)).toList());
  }

  @Test
  void digestIsTheRowCountAndThePlainContentSum() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> three = rows(spark, "x", "y", "z");
    // the sum of the per-row hashes, computed here with BigDecimal from the hashes Spark gives
    BigDecimal sum = BigDecimal.ZERO;
    for (Row r : three.selectExpr(TableChecksums.rowHash(three)).collectAsList()) {
      sum = sum.add(BigDecimal.valueOf(r.getLong(0)));
    }
    assertEquals("3:" + sum.toPlainString(), TableChecksums.digest(three));
    assertEquals("0:0", TableChecksums.digest(three.limit(0)));
    // plain digits, never the exponent form BigDecimal.toString can give
    assertEquals("2:1000", TableChecksums.digest(2, new BigDecimal("1E+3")));
  }
}
