package io.aisdistill.jobs;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.ingest.IngestResult;
import io.aisdistill.jobs.stage.ingest.IngestStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 3 and 4: compressed and zipped input is read like the plain file, a NUL byte
 * rejects a line and not its file, and a directory with a symbolic link cycle is read once.
 * Real Spark, real files in a temp dir; the MarineCadastre lines are copied from ../shared at test
 * time.
 */
class InputContainersTest {
  /** Lines (header included) copied from the real MarineCadastre sample. */
  static final int LINES = 300;

  @TempDir Path tmp;

  /** The first {@code n} lines of the real MarineCadastre 2022 sample, each ending in '\n'. */
  static String marineCadastre(int from, int n) throws IOException {
    Path f = SparkTestSession.sharedAis().resolve("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv");
    try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
      List<String> all = lines.limit(from + n).toList();
      StringBuilder b = new StringBuilder(all.get(0)).append('\n');
      for (String l : all.subList(Math.max(from, 1), from + n)) {
        b.append(l).append('\n');
      }
      return b.toString();
    }
  }

  static IngestResult ingest(Path lakehouse, String runId, String... inputs) {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, lakehouse.toString());
    return new IngestStage(List.of(inputs), null).run(new StageContext(spark, lh, SparkTestSession.config(), runId));
  }

  /** Rows of a table from one source (suffix), every column except source and run_id, sorted. */
  static List<String> rows(Path lakehouse, String table, String sourceSuffix) {
    Dataset<Row> df = new Lakehouse(SparkTestSession.get(), lakehouse.toString()).read(table);
    List<String> out = new ArrayList<>();
    for (Row r : df.filter(df.col("source").endsWith(sourceSuffix)).drop("source", "run_id").collectAsList()) {
      out.add(r.toString());
    }
    out.sort(null);
    return out;
  }

  /** Per-file report row by short name: lines = positions + static + rejected + duplicates + skipped. */
  static List<Object> accounted(IngestResult r, String shortName, long expectedLines) {
    Map<String, List<Object>> perFile = PipelineAssertions.perFile(r.report());
    List<Object> row = perFile.get(shortName);
    assertTrue(row != null, shortName + " not in " + perFile.keySet());
    long lines = (long) row.get(2);
    assertEquals(expectedLines, lines, "lines read of " + shortName);
    assertEquals(lines, (long) row.get(3) + (long) row.get(4) + (long) row.get(5) + (long) row.get(6)
        + (long) row.get(7), "lines = positions + static + rejected + duplicates + skipped for " + shortName);
    return row;
  }

  @Test
  void gzipBzip2AndZipGiveThePlainRows() throws IOException {
    String csv = marineCadastre(0, LINES);
    String more = marineCadastre(LINES, 100);
    byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    Files.write(plain.resolve("ais.csv"), bytes);
    Path gz = Files.createDirectories(tmp.resolve("gz"));
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz.resolve("ais.csv.gz")))) {
      o.write(bytes);
    }
    Path bz = Files.createDirectories(tmp.resolve("bz2"));
    BZip2Codec bzip2 = new BZip2Codec();
    bzip2.setConf(new Configuration());
    try (OutputStream o = bzip2.createOutputStream(Files.newOutputStream(bz.resolve("ais.csv.bz2")))) {
      o.write(bytes);
    }
    Path zipDir = Files.createDirectories(tmp.resolve("zip"));
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zipDir.resolve("ais.zip")))) {
      z.putNextEntry(new ZipEntry("d/"));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("d/ais.csv"));
      z.write(bytes);
      z.closeEntry();
      z.putNextEntry(new ZipEntry("more.csv"));
      z.write(more.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("logo.png"));
      z.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 1});
      z.closeEntry();
    }
    // the raw compressed bytes really hold NUL bytes (what used to make them BINARY_CONTENT)
    assertTrue(indexOfNul(Files.readAllBytes(gz.resolve("ais.csv.gz"))) >= 0);

    IngestResult p = ingest(tmp.resolve("lh-plain"), "plain", plain.toString());
    IngestResult g = ingest(tmp.resolve("lh-gz"), "gz", gz.toString());
    IngestResult b = ingest(tmp.resolve("lh-bz2"), "bz2", bz.toString());
    IngestResult z = ingest(tmp.resolve("lh-zip"), "zip", zipDir.toString());

    long plainLines = LINES;
    List<Object> plainRow = accounted(p, "plain/ais.csv", plainLines);
    assertTrue(p.positionsAccepted() > 250, "positions of the plain file: " + p.positionsAccepted());
    for (var c : List.of(new Object[] {g, "gz/ais.csv.gz"}, new Object[] {b, "bz2/ais.csv.bz2"},
        new Object[] {z, "zip/ais.zip!/d/ais.csv"})) {
      List<Object> row = accounted((IngestResult) c[0], (String) c[1], plainLines);
      assertEquals("MARINECADASTRE_CSV", row.get(1), c[1] + " format");
      assertEquals(plainRow.subList(2, 8), row.subList(2, 8), c[1] + " counts equal the plain file's");
    }
    assertEquals(1, g.files());
    assertEquals(1, b.files());
    Map<String, List<Object>> zipFiles = PipelineAssertions.perFile(z.report());
    assertEquals(3, z.files(), "zip entries d/ais.csv, more.csv, logo.png (the directory is no source): "
        + zipFiles.keySet());
    accounted(z, "zip/ais.zip!/more.csv", 101);
    assertEquals("rejected: BINARY_CONTENT", zipFiles.get("zip/ais.zip!/logo.png").get(1));

    List<String> plainPos = rows(tmp.resolve("lh-plain"), Tables.POSITIONS, "/plain/ais.csv");
    List<String> plainRej = rows(tmp.resolve("lh-plain"), Tables.REJECTS, "/plain/ais.csv");
    assertEquals(p.positionsAccepted(), plainPos.size());
    assertEquals(plainPos, rows(tmp.resolve("lh-gz"), Tables.POSITIONS, "/gz/ais.csv.gz"), ".gz rows");
    assertEquals(plainRej, rows(tmp.resolve("lh-gz"), Tables.REJECTS, "/gz/ais.csv.gz"), ".gz rejects");
    assertEquals(plainPos, rows(tmp.resolve("lh-bz2"), Tables.POSITIONS, "/bz2/ais.csv.bz2"), ".bz2 rows");
    assertEquals(plainRej, rows(tmp.resolve("lh-bz2"), Tables.REJECTS, "/bz2/ais.csv.bz2"), ".bz2 rejects");
    assertEquals(plainPos, rows(tmp.resolve("lh-zip"), Tables.POSITIONS, "/zip/ais.zip!/d/ais.csv"), ".zip entry rows");
    assertEquals(plainRej, rows(tmp.resolve("lh-zip"), Tables.REJECTS, "/zip/ais.zip!/d/ais.csv"), ".zip entry rejects");

    // the second entry's offsets are its own, and its rows are those of the same text as a plain file
    Path morePlain = Files.createDirectories(tmp.resolve("more"));
    Files.writeString(morePlain.resolve("more.csv"), more);
    ingest(tmp.resolve("lh-more"), "more", morePlain.toString());
    assertEquals(rows(tmp.resolve("lh-more"), Tables.POSITIONS, "/more/more.csv"),
        rows(tmp.resolve("lh-zip"), Tables.POSITIONS, "/zip/ais.zip!/more.csv"), "second zip entry rows");
  }

  @Test
  void aNulByteRejectsItsLineNotItsFile() throws IOException {
    String csv = marineCadastre(0, 40);
    String[] lines = csv.split("\n");
    int bad = 17;
    lines[bad] = lines[bad].substring(0, 12) + "\0\0\0" + lines[bad].substring(12);
    Path in = Files.createDirectories(tmp.resolve("nul"));
    Path f = in.resolve("nul.csv");
    Files.writeString(f, String.join("\n", lines) + "\n");
    String tag = "s:station,c:1635731887";
    String sentence = "AIVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0";
    Path nmea = in.resolve("nul.nmea");
    Files.writeString(nmea, BadInputTest.tagged(tag, sentence) + "\n\0\0\0\0garbage\n"
        + BadInputTest.tagged("s:station,c:1635731890", "AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0") + "\n");

    // a corrupt .gz (gzip magic, garbage after) is one whole-file reject, and the run goes on
    Path broken = in.resolve("broken.csv.gz");
    byte[] junk = new byte[512];
    new java.util.Random(5).nextBytes(junk);
    junk[0] = 0x1f;
    junk[1] = (byte) 0x8b;
    junk[2] = 8;
    junk[3] = 0;
    Files.write(broken, junk);

    // a truncated .gz (the end cut off): its lines up to the cut are read, the rest is one reject
    Path cut = in.resolve("cut.csv.gz");
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(gz)) {
      o.write(marineCadastre(100, 400).getBytes(StandardCharsets.UTF_8));
    }
    byte[] whole = gz.toByteArray();
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 200));

    Path lhDir = tmp.resolve("lh-nul");
    IngestResult r = ingest(lhDir, "nul", in.toString());
    Map<String, List<Object>> perFile = PipelineAssertions.perFile(r.report());
    assertEquals("MARINECADASTRE_CSV", perFile.get("nul/nul.csv").get(1));
    assertEquals("NMEA", perFile.get("nul/nul.nmea").get(1));
    assertEquals("rejected: UNSUPPORTED_FORMAT", perFile.get("nul/broken.csv.gz").get(1));
    Lakehouse lh = new Lakehouse(SparkTestSession.get(), lhDir.toString());
    List<Row> rejects = lh.read(Tables.REJECTS).filter("reason = 'BINARY_CONTENT'").orderBy("source").collectAsList();
    assertEquals(2, rejects.size(), rejects.toString());
    long offset = 0;
    for (int i = 0; i < bad; i++) {
      offset += lines[i].getBytes(StandardCharsets.UTF_8).length + 1;
    }
    assertEquals(offset, rejects.get(0).getLong(1), "the NUL line's byte offset");
    assertTrue(rejects.get(0).getString(0).endsWith("/nul.csv"));
    assertTrue(rejects.get(1).getString(0).endsWith("/nul.nmea"));
    PipelineAssertions.assertAccounting(lh, r.report(), List.of(f, nmea, broken));
    List<Object> cutRow = perFile.get("nul/cut.csv.gz");
    assertEquals("MARINECADASTRE_CSV", cutRow.get(1));
    List<Row> truncated = lh.read(Tables.REJECTS).filter("reason = 'TRUNCATED_RECORD' AND source LIKE '%cut.csv.gz'")
        .collectAsList();
    assertEquals(1, truncated.size(), truncated.toString());
    assertTrue(truncated.get(0).getString(4).contains("EOFException"), truncated.get(0).getString(4));
    long cutLines = (long) cutRow.get(2);
    assertTrue(cutLines > 300 && cutLines < 401, "lines read up to the cut, plus the reject: " + cutRow);
    assertEquals(cutLines, (long) cutRow.get(3) + (long) cutRow.get(4) + (long) cutRow.get(5) + (long) cutRow.get(6)
        + (long) cutRow.get(7), "lines = positions + static + rejected + duplicates + skipped for cut.csv.gz");
    assertEquals((long) cutRow.get(5), PipelineAssertions.countBySource(lh.read(Tables.REJECTS))
        .get(cut.toUri().toString().replace("file:///", "file:/")), "ais_rejects rows of cut.csv.gz");
    List<Object> row = perFile.get("nul/nul.csv");
    assertTrue((long) row.get(3) >= 35, "the other rows of nul.csv are kept: " + row);
    assertEquals(2L, PipelineAssertions.countBySource(lh.read(Tables.POSITIONS))
        .get(nmea.toUri().toString().replace("file:///", "file:/")), "both NMEA positions kept");
  }

  @Test
  void aSymlinkLoopAndASecondLinkAreReadOnce() throws IOException {
    String csv = marineCadastre(0, 30);
    Path in = Files.createDirectories(tmp.resolve("links"));
    Path f = in.resolve("a.csv");
    Files.writeString(f, csv);
    Files.createSymbolicLink(in.resolve("loop"), Path.of("."));
    Files.createSymbolicLink(in.resolve("alias.csv"), Path.of("a.csv"));
    Path sub = Files.createDirectories(in.resolve("sub"));
    Files.createSymbolicLink(sub.resolve("up"), Path.of(".."));

    Path lhDir = tmp.resolve("lh-links");
    IngestResult r = ingest(lhDir, "links", in.toString(), f.toString());
    assertEquals(1, r.files(), PipelineAssertions.perFile(r.report()).keySet().toString());
    assertEquals(0, r.duplicatesDropped(), "no copy of the file was read");
    assertEquals(2L, r.report().get("inputs_skipped.symlink_cycle"), "loop -> . and sub/up -> ..");
    assertEquals(2L, r.report().get("inputs_skipped.same_file"), "alias.csv and the second input a.csv");
    assertNull(r.report().get("inputs_skipped.same_dir"));
    Lakehouse lh = new Lakehouse(SparkTestSession.get(), lhDir.toString());
    PipelineAssertions.assertAccounting(lh, r.report(), List.of(f));
    assertEquals(r.positionsAccepted(), lh.read(Tables.POSITIONS).count());
  }

  private static int indexOfNul(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return -1;
  }
}
