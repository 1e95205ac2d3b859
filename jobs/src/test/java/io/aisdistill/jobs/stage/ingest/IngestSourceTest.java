package io.aisdistill.jobs.stage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.ingest.IngestSource.FileVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IngestSource#read} on real files: the cached rows carry only the key of a position, the
 * positions parsed again carry every column, and a file that changes between the two reads fails
 * the run instead of writing rows the counts do not describe.
 */
class IngestSourceTest {
  private static final Configuration CONF = new Configuration();
  private final SparkSession spark = SparkTestSession.get();

  @TempDir
  Path tmp;

  private Path csv(String name, int rows) throws IOException {
    StringBuilder b = new StringBuilder(IngestTransformsTest.HEADER).append('\n');
    for (int i = 0; i < rows; i++) {
      b.append(IngestTransformsTest.GOOD.replace("2022-01-03T00:00:08", String.format("2022-01-03T00:%02d:08", i)))
          .append('\n');
    }
    b.append("not,a,row\n");
    Path f = tmp.resolve(name);
    Files.writeString(f, b.toString(), StandardCharsets.UTF_8);
    return f;
  }

  private IngestSource.Plan plan(Path file) {
    return IngestSource.plan(CONF, List.of(file.toString()), null, new PipelineConfig.IngestSection(), Instant.now());
  }

  @Test
  void cachedRowsCarryThePositionKeyAndTheSecondReadEveryColumn() throws IOException {
    Path f = csv("a.csv", 5);
    try (IngestSource.Parsed parsed = IngestSource.read(spark, CONF, plan(f))) {
      assertEquals(Rows.NARROW_SCHEMA, parsed.cache().schema());
      assertEquals(Rows.PARSED_SCHEMA, parsed.rows().schema(), "the cache widened to the parser's columns");
      assertTrue(parsed.cache().storageLevel().useMemory(), "cached: " + parsed.cache().storageLevel());
      List<Row> rows = parsed.rows().collectAsList();
      // 5 positions, 1 reject; the header is a skipped line
      assertEquals(7, rows.size(), rows.toString());
      List<Row> rejects = rows.stream().filter(r -> r.getString(0).equals(Rows.KIND_REJECT)).toList();
      assertEquals(1, rejects.size(), rows.toString());
      Row rej = rejects.get(0);
      assertEquals("not,a,row", rej.getString(rej.fieldIndex("raw")), "a reject keeps its text: " + rej);
      assertNotNull(rej.getString(rej.fieldIndex("reason")), rej.toString());
      assertNotNull(rej.getString(rej.fieldIndex("detail")), rej.toString());
      Map<Long, Row> cached = new java.util.HashMap<>();
      for (Row r : rows) {
        if (Rows.isPosition(r)) {
          assertNull(r.get(r.fieldIndex("vessel_name")), "a cached position keeps only its key: " + r);
          assertNull(r.get(r.fieldIndex("callsign")), r.toString());
          cached.put(r.getLong(r.fieldIndex("source_record")), r);
        }
      }
      assertEquals(5, cached.size());
      List<Row> positions = parsed.positions().collectAsList();
      assertEquals(5, positions.size());
      Set<Long> fullRecords = new HashSet<>();
      for (Row p : positions) {
        assertEquals("EBONY", p.getString(p.fieldIndex("vessel_name")));
        assertEquals("WDB4553", p.getString(p.fieldIndex("callsign")));
        long record = p.getLong(p.fieldIndex("source_record"));
        fullRecords.add(record);
        Row c = cached.get(record);
        assertNotNull(c, "record " + record + " of the second read is cached");
        for (String k : Tables.POSITION_KEY) {
          assertEquals(p.get(p.fieldIndex(k)), c.get(c.fieldIndex(k)), k + " of record " + record);
        }
        assertEquals(p.getInt(p.fieldIndex("source_id")), c.getInt(c.fieldIndex("source_id")));
      }
      Set<Long> cachedRecords = cached.keySet();
      assertEquals(cachedRecords, fullRecords, "both reads see the same records");
    }
  }

  @Test
  void aFileThatChangesBetweenTheReadsFailsTheSecond() throws IOException {
    Path f = csv("b.csv", 3);
    try (IngestSource.Parsed parsed = IngestSource.read(spark, CONF, plan(f))) {
      assertEquals(5, parsed.rows().count());
      Files.writeString(f, IngestTransformsTest.GOOD + "\n", StandardOpenOption.APPEND);
      Exception e = assertThrows(Exception.class, () -> parsed.positions().count());
      String all = messages(e);
      assertTrue(all.contains("changed while ingest ran") && all.contains("b.csv"), all);
    }
  }

  @Test
  void requireUnchangedComparesLengthAndModificationTime() throws IOException {
    Path f = csv("c.csv", 2);
    org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(f.toUri());
    long len = Files.size(f);
    long mtime = Files.getLastModifiedTime(f).toMillis();
    String key = IngestTransforms.key(hp);
    IngestSource.requireUnchanged(hp, CONF, Map.of(key, new FileVersion(len, mtime)));
    IngestSource.requireUnchanged(hp, CONF, Map.of()); // not planned: nothing to compare
    IllegalStateException longer = assertThrows(IllegalStateException.class,
        () -> IngestSource.requireUnchanged(hp, CONF, Map.of(key, new FileVersion(len - 1, mtime))));
    assertTrue(longer.getMessage().contains("listed: " + (len - 1) + " bytes"), longer.getMessage());
    assertThrows(IllegalStateException.class,
        () -> IngestSource.requireUnchanged(hp, CONF, Map.of(key, new FileVersion(len, mtime - 1000))));
    Files.delete(f);
    assertThrows(java.io.UncheckedIOException.class,
        () -> IngestSource.requireUnchanged(hp, CONF, Map.of(key, new FileVersion(len, mtime))));
  }

  private static String messages(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append(" | ");
    }
    return b.toString();
  }

  /**
   * The parsed rows' cache is built without Spark's column encodings unless the session chooses:
   * 200,000 equal longs take 8 bytes each without them and a few bytes in all with run-length
   * encoding (the session's own setting, which the stage leaves alone and restores).
   */
  @Test
  void parsedRowsAreCachedWithoutColumnEncodingsUnlessTheSessionSetsThem() {
    Dataset<Row> plain = IngestSource.persistUncompressed(spark, spark.range(200_000).selectExpr("7L AS v_plain"));
    plain.count();
    assertTrue(!spark.conf().contains(IngestSource.CACHE_COMPRESSED), "the session's setting is restored");
    long plainBytes = cachedBytes("v_plain");
    plain.unpersist(true);
    spark.conf().set(IngestSource.CACHE_COMPRESSED, "true");
    try {
      Dataset<Row> encoded = IngestSource.persistUncompressed(spark, spark.range(200_000).selectExpr("7L AS v_encoded"));
      encoded.count();
      assertEquals("true", spark.conf().get(IngestSource.CACHE_COMPRESSED));
      long encodedBytes = cachedBytes("v_encoded");
      encoded.unpersist(true);
      assertTrue(plainBytes >= 8L * 200_000, "plain cache " + plainBytes + " bytes");
      assertTrue(encodedBytes * 20 < plainBytes, "encoded " + encodedBytes + " vs plain " + plainBytes + " bytes");
    } finally {
      spark.conf().unset(IngestSource.CACHE_COMPRESSED);
    }
  }

  /**
   * Bytes in memory or on disk of the cached RDDs whose name (Spark names a Dataset's cache after
   * its plan) holds {@code column}; other tests' caches in this JVM's session are not counted.
   */
  private long cachedBytes(String column) {
    long n = 0;
    for (RDDInfo i : spark.sparkContext().getRDDStorageInfo()) {
      if (i.name().contains(column)) {
        n += i.memSize() + i.diskSize();
      }
    }
    return n;
  }
}
