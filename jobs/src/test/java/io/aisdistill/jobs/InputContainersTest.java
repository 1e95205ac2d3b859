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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 3 and 4: compressed and zipped input is read like the plain file, a NUL byte
 * rejects a line and not its file, and a directory with a symbolic link cycle is read once.
 * Real Spark, real files in a temp dir; the MarineCadastre lines are copied from ../shared at test
 * time.
 *
 * <p>The files of all three tests are ingested in two runs shared by the tests ({@link #ingestOnce};
 * Spark start-up and the Delta commits dominate a run, not its rows): {@link #plainRun} reads
 * {@code plain/} (the reference texts), {@code nul/} and {@code links/}; {@link #containerRun} reads
 * {@code gz/}, {@code bz2/} and {@code zip/}, each holding one of the plain texts. Two runs because
 * a container and its plain text hold the same rows, which one run would drop as duplicates; the
 * slices of the real file are disjoint for the same reason. Every count is asserted per file.
 */
class InputContainersTest {
  /** Lines (header included) of the first slice copied from the real MarineCadastre sample. */
  static final int LINES = 300;

  @TempDir static Path shared;

  /** The texts in the containers: gz/ais.csv.gz, bz2/ais.csv.bz2, zip/ais.zip!/d/ais.csv, zip/ais.zip!/more.csv. */
  static String textGz;
  static String textBz2;
  static String textZip;
  static String textMore;
  static Path lhPlain;
  static Path lhContainers;
  static IngestResult plainRun;
  static IngestResult containerRun;
  // nul/ and links/ (in plainRun)
  static String[] nulLines;
  static final int BAD = 17;
  static Path nulCsv;
  static Path nulNmea;
  static Path broken;
  static Path cut;
  static Path linked;

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

  /** Lines of a text ending in '\n'. */
  static long lineCount(String text) {
    return text.chars().filter(c -> c == '\n').count();
  }

  /** The short names of the report's files under directory {@code dir} (the name's first part). */
  static List<String> filesUnder(IngestResult r, String dir) {
    return PipelineAssertions.perFile(r.report()).keySet().stream().filter(k -> k.startsWith(dir + "/")).sorted()
        .toList();
  }

  /** Writes the inputs of all tests and runs the two ingests. */
  @BeforeAll
  static void ingestOnce() throws IOException {
    textGz = marineCadastre(0, LINES);
    textBz2 = marineCadastre(300, 300);
    textZip = marineCadastre(600, 300);
    textMore = marineCadastre(900, 100);
    Path inPlain = Files.createDirectories(shared.resolve("in-plain"));
    Path plain = Files.createDirectories(inPlain.resolve("plain"));
    Files.writeString(plain.resolve("gz.csv"), textGz);
    Files.writeString(plain.resolve("bz2.csv"), textBz2);
    Files.writeString(plain.resolve("zip.csv"), textZip);
    Files.writeString(plain.resolve("more.csv"), textMore);

    Path inContainers = Files.createDirectories(shared.resolve("in-containers"));
    Path gz = Files.createDirectories(inContainers.resolve("gz"));
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz.resolve("ais.csv.gz")))) {
      o.write(textGz.getBytes(StandardCharsets.UTF_8));
    }
    Path bz = Files.createDirectories(inContainers.resolve("bz2"));
    BZip2Codec bzip2 = new BZip2Codec();
    bzip2.setConf(new Configuration());
    try (OutputStream o = bzip2.createOutputStream(Files.newOutputStream(bz.resolve("ais.csv.bz2")))) {
      o.write(textBz2.getBytes(StandardCharsets.UTF_8));
    }
    Path zipDir = Files.createDirectories(inContainers.resolve("zip"));
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zipDir.resolve("ais.zip")))) {
      z.putNextEntry(new ZipEntry("d/"));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("d/ais.csv"));
      z.write(textZip.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("more.csv"));
      z.write(textMore.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("logo.png"));
      z.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 1});
      z.closeEntry();
    }

    // nul/: a NUL byte in a CSV line and in an NMEA line, a corrupt .gz, a truncated .gz
    nulLines = marineCadastre(1000, 40).split("\n");
    nulLines[BAD] = nulLines[BAD].substring(0, 12) + "\0\0\0" + nulLines[BAD].substring(12);
    Path nul = Files.createDirectories(inPlain.resolve("nul"));
    nulCsv = nul.resolve("nul.csv");
    Files.writeString(nulCsv, String.join("\n", nulLines) + "\n");
    String tag = "s:station,c:1635731887";
    String sentence = "AIVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0";
    nulNmea = nul.resolve("nul.nmea");
    Files.writeString(nulNmea, BadInputTest.tagged(tag, sentence) + "\n\0\0\0\0garbage\n"
        + BadInputTest.tagged("s:station,c:1635731890", "AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0") + "\n");
    broken = nul.resolve("broken.csv.gz");
    byte[] junk = new byte[512];
    new java.util.Random(5).nextBytes(junk);
    junk[0] = 0x1f;
    junk[1] = (byte) 0x8b;
    junk[2] = 8;
    junk[3] = 0;
    Files.write(broken, junk);
    cut = nul.resolve("cut.csv.gz");
    java.io.ByteArrayOutputStream gzBytes = new java.io.ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(gzBytes)) {
      o.write(marineCadastre(1100, 400).getBytes(StandardCharsets.UTF_8));
    }
    byte[] whole = gzBytes.toByteArray();
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 200));

    // links/: a loop to itself, a second name of a.csv, a link up from a subdirectory
    Path links = Files.createDirectories(inPlain.resolve("links"));
    linked = links.resolve("a.csv");
    Files.writeString(linked, marineCadastre(1500, 30));
    Files.createSymbolicLink(links.resolve("loop"), Path.of("."));
    Files.createSymbolicLink(links.resolve("alias.csv"), Path.of("a.csv"));
    Path sub = Files.createDirectories(links.resolve("sub"));
    Files.createSymbolicLink(sub.resolve("up"), Path.of(".."));

    lhPlain = shared.resolve("lh-plain");
    lhContainers = shared.resolve("lh-containers");
    // a.csv is given a second time as its own input: read once
    plainRun = ingest(lhPlain, "plain", inPlain.toString(), linked.toString());
    containerRun = ingest(lhContainers, "containers", inContainers.toString());
  }

  @Test
  void gzipBzip2AndZipGiveThePlainRows() throws IOException {
    // the raw compressed bytes really hold NUL bytes (what used to make them BINARY_CONTENT)
    assertTrue(indexOfNul(Files.readAllBytes(shared.resolve("in-containers/gz/ais.csv.gz"))) >= 0);
    IngestResult p = plainRun;
    IngestResult c = containerRun;
    assertEquals(LINES, lineCount(textGz));
    assertTrue((long) accounted(p, "plain/gz.csv", LINES).get(3) > 250, "positions of the plain file");
    for (String[] pair : List.of(new String[] {"gz.csv", "gz/ais.csv.gz", textGz},
        new String[] {"bz2.csv", "bz2/ais.csv.bz2", textBz2}, new String[] {"zip.csv", "zip/ais.zip!/d/ais.csv", textZip},
        new String[] {"more.csv", "zip/ais.zip!/more.csv", textMore})) {
      long lines = lineCount(pair[2]);
      List<Object> plainRow = accounted(p, "plain/" + pair[0], lines);
      List<Object> row = accounted(c, pair[1], lines);
      assertEquals("MARINECADASTRE_CSV", row.get(1), pair[1] + " format");
      assertEquals(plainRow.subList(2, 8), row.subList(2, 8), pair[1] + " counts equal the plain file's");
      List<String> plainPos = rows(lhPlain, Tables.POSITIONS, "/plain/" + pair[0]);
      assertEquals((long) plainRow.get(3), plainPos.size(), "ais_positions rows of plain/" + pair[0]);
      assertEquals(plainPos, rows(lhContainers, Tables.POSITIONS, "/" + pair[1]), pair[1] + " rows");
      assertEquals(rows(lhPlain, Tables.REJECTS, "/plain/" + pair[0]), rows(lhContainers, Tables.REJECTS, "/" + pair[1]),
          pair[1] + " rejects");
    }
    assertEquals(List.of("gz/ais.csv.gz"), filesUnder(c, "gz"));
    assertEquals(List.of("bz2/ais.csv.bz2"), filesUnder(c, "bz2"));
    assertEquals(List.of("zip/ais.zip!/d/ais.csv", "zip/ais.zip!/logo.png", "zip/ais.zip!/more.csv"), filesUnder(c, "zip"),
        "zip entries d/ais.csv, more.csv, logo.png (the directory is no source)");
    assertEquals(5, c.files());
    assertEquals("rejected: BINARY_CONTENT", PipelineAssertions.perFile(c.report()).get("zip/ais.zip!/logo.png").get(1));
  }

  @Test
  void aNulByteRejectsItsLineNotItsFile() throws IOException {
    IngestResult r = plainRun;
    Map<String, List<Object>> perFile = PipelineAssertions.perFile(r.report());
    assertEquals("MARINECADASTRE_CSV", perFile.get("nul/nul.csv").get(1));
    assertEquals("NMEA", perFile.get("nul/nul.nmea").get(1));
    assertEquals("rejected: UNSUPPORTED_FORMAT", perFile.get("nul/broken.csv.gz").get(1));
    Lakehouse lh = new Lakehouse(SparkTestSession.get(), lhPlain.toString());
    List<Row> rejects = lh.read(Tables.REJECTS).filter("reason = 'BINARY_CONTENT'").orderBy("source").collectAsList();
    assertEquals(2, rejects.size(), rejects.toString());
    long offset = 0;
    for (int i = 0; i < BAD; i++) {
      offset += nulLines[i].getBytes(StandardCharsets.UTF_8).length + 1;
    }
    assertEquals(offset, rejects.get(0).getLong(1), "the NUL line's byte offset");
    assertTrue(rejects.get(0).getString(0).endsWith("/nul/nul.csv"));
    assertTrue(rejects.get(1).getString(0).endsWith("/nul/nul.nmea"));
    PipelineAssertions.assertAccounting(lh, r.report(), List.of(nulCsv, nulNmea, broken));
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
        .get(nulNmea.toUri().toString().replace("file:///", "file:/")), "both NMEA positions kept");
  }

  @Test
  void aSymlinkLoopAndASecondLinkAreReadOnce() throws IOException {
    IngestResult r = plainRun;
    List<String> names = new ArrayList<>(PipelineAssertions.perFile(r.report()).keySet());
    names.sort(null);
    assertEquals(List.of("links/a.csv"), filesUnder(r, "links"), names.toString());
    assertEquals(9, r.files(), "plain/ 4, nul/ 4, links/ 1 (a.csv once): " + names);
    assertEquals(0L, (long) PipelineAssertions.perFile(r.report()).get("links/a.csv").get(6),
        "no copy of a.csv was read (duplicates of links/a.csv)");
    assertEquals(2L, r.report().get("inputs_skipped.symlink_cycle"), "loop -> . and sub/up -> ..");
    assertEquals(2L, r.report().get("inputs_skipped.same_file"), "alias.csv and the second input a.csv");
    assertNull(r.report().get("inputs_skipped.same_dir"));
    Lakehouse lh = new Lakehouse(SparkTestSession.get(), lhPlain.toString());
    PipelineAssertions.assertAccounting(lh, r.report(), List.of(linked));
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
