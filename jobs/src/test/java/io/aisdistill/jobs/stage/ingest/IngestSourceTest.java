package io.aisdistill.jobs.stage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Rows;
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
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IngestSource#read} on real files: the rows are parsed once into persisted blocks that the
 * views of every row, the positions and the other kinds read with every column, and a file that
 * changes after the listing fails the run instead of writing rows the counts do not describe.
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
  void rowsAreParsedOnceIntoBlocksThatEveryViewReads() throws IOException {
    Path f = csv("a.csv", 5);
    try (IngestSource.Parsed parsed = IngestSource.read(spark, CONF, plan(f))) {
      assertEquals(Rows.PARSED_SCHEMA, parsed.positions().schema());
      assertEquals(Rows.PARSED_SCHEMA, parsed.others().schema());
      assertTrue(parsed.blocks().getStorageLevel().useMemory() && parsed.blocks().getStorageLevel().useDisk(),
          "persisted in memory and on disk: " + parsed.blocks().getStorageLevel());
      List<Row> rows = parsed.positions().union(parsed.others()).collectAsList();
      // 5 positions, 1 reject; the header is a skipped line
      assertEquals(7, rows.size(), rows.toString());
      List<Row> rejects = rows.stream().filter(r -> r.getString(0).equals(Rows.KIND_REJECT)).toList();
      assertEquals(1, rejects.size(), rows.toString());
      Row rej = rejects.get(0);
      assertEquals("not,a,row", rej.getString(rej.fieldIndex("raw")), "a reject keeps its text: " + rej);
      assertNotNull(rej.getString(rej.fieldIndex("reason")), rej.toString());
      assertNotNull(rej.getString(rej.fieldIndex("detail")), rej.toString());

      // the file is gone: a view that parsed it again would fail (requireUnchanged), the blocks answer
      Files.delete(f);
      List<Row> positions = parsed.positions().collectAsList();
      assertEquals(5, positions.size());
      Set<Long> records = new HashSet<>();
      for (Row p : positions) {
        assertEquals(Rows.KIND_POSITION, p.getString(0));
        assertEquals("EBONY", p.getString(p.fieldIndex("vessel_name")), "a position keeps every column: " + p);
        assertEquals("WDB4553", p.getString(p.fieldIndex("callsign")));
        records.add(p.getLong(p.fieldIndex("source_record")));
      }
      assertEquals(5, records.size());
      Set<Long> fromRows = new HashSet<>();
      rows.stream().filter(Rows::isPosition).forEach(r -> fromRows.add(r.getLong(r.fieldIndex("source_record"))));
      assertEquals(fromRows, records, "the positions' view read before and after the file was gone holds the same records");
      List<Row> others = parsed.others().collectAsList();
      assertEquals(2, others.size(), others.toString());
      assertTrue(others.stream().noneMatch(Rows::isPosition), others.toString());
      assertEquals(7, parsed.positions().count() + parsed.others().count());
    }
  }

  @Test
  void aFileThatChangesAfterTheListingFailsTheParse() throws IOException {
    Path f = csv("b.csv", 3);
    try (IngestSource.Parsed parsed = IngestSource.read(spark, CONF, plan(f))) {
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
}
