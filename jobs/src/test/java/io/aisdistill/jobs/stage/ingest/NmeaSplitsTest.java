package io.aisdistill.jobs.stage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.Plausibility;
import io.aisdistill.common.ingest.InputFormat;
import io.aisdistill.common.ingest.NmeaLineParser;
import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.FileSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link NmeaSplits} without Spark: excerpts of the real NMEA samples (whole lines, as in the
 * file, and one also with CRLF and with CR line ends) cut into two splits at every byte offset give, together, exactly the rows of a one-task
 * read (the path compressed files take: {@link IngestTransforms#parse(FileSpec, Iterator,
 * PipelineConfig.IngestSection, Plausibility)} over every line), and every line is counted once.
 * Each cut is tried with the default context bound (1 MiB: the whole excerpt is context) and with
 * 64 bytes, under which multi-sentence messages expire and $PGHP / RMC times fall out of reach.
 */
@Tag("shared-data")
class NmeaSplitsTest {
  private static final Plausibility RULES = Plausibility.defaults(Instant.parse("2026-12-01T00:00:00Z"));
  private static final Configuration CONF = new Configuration();

  @TempDir
  Path tmp;

  /** Lines {@code from..to} (1-based, inclusive) of a real sample, with their terminators. */
  private static byte[] excerpt(String relative, int from, int to) throws IOException {
    byte[] b = Files.readAllBytes(SparkTestSession.sharedAis().resolve(relative));
    int line = 1;
    int start = -1;
    int end = b.length;
    for (int i = 0; i <= b.length; i++) {
      if (line == from && start < 0) {
        start = i;
      }
      if (line > to) {
        end = i;
        break;
      }
      if (i < b.length && b[i] == '\n') {
        line++;
      }
    }
    return Arrays.copyOfRange(b, start, end);
  }

  private static PipelineConfig.IngestSection settings(long lookback) {
    PipelineConfig.IngestSection s = new PipelineConfig.IngestSection();
    s.nmea.lookbackBytes = lookback;
    return s;
  }

  private static Map<Row, Long> count(Iterator<Row> rows, Map<Row, Long> into) {
    rows.forEachRemaining(r -> into.merge(r, 1L, Long::sum));
    return into;
  }

  /** Rows that count a line (all but notes). */
  private static long lineRows(Map<Row, Long> rows) {
    return rows.entrySet().stream().filter(e -> !e.getKey().getString(0).equals(Rows.KIND_NOTE))
        .mapToLong(Map.Entry::getValue).sum();
  }

  private static long kind(Map<Row, Long> rows, String kind, String reason) {
    return rows.entrySet().stream().filter(e -> e.getKey().getString(0).equals(kind)
        && (reason == null || reason.equals(e.getKey().getString(22)))).mapToLong(Map.Entry::getValue).sum();
  }

  @ParameterizedTest(name = "{0} lines {1}-{2} {3}")
  @CsvSource({
      "dma_denmark/aislib_stream_example.nmea, 1, 20, LF",   // $PGHP before every sentence, a 2-part type 5
      "nmea_raw/aisdb_test_data_20211101.nm4, 54, 66, LF",   // tag blocks c:, a 2-part message with g: groups
      "nmea_raw/gpsd_ais-nmea.log, 1, 17, LF",               // comments, a 2-part type 5 before the first $GPRMC
      "nmea_raw/gpsd_ais-nmea.log, 189, 208, LF",            // $GPRMC times, a 2-part type 5 between them
      "uscg_nais/noaadata_test.ais, 1, 9, LF",               // NAIS trailers, a 2-part type 5
      "uscg_nais/noaadata_test.ais, 1, 9, CRLF",             // the same with CRLF line ends
      "uscg_nais/noaadata_test.ais, 1, 9, CR"})              // and with CR line ends (old Mac)
  void everyTwoWayCutGivesTheRowsOfOneTask(String relative, int from, int to, String eol) throws IOException {
    byte[] bytes = new String(excerpt(relative, from, to), StandardCharsets.ISO_8859_1)
        .replace("\n", eol.equals("LF") ? "\n" : eol.equals("CRLF") ? "\r\n" : "\r")
        .getBytes(StandardCharsets.ISO_8859_1);
    Path file = tmp.resolve(Path.of(relative).getFileName());
    Files.write(file, bytes);
    org.apache.hadoop.fs.Path hpath = new org.apache.hadoop.fs.Path(file.toUri());
    FileSpec spec = new FileSpec(0, hpath.toString(), InputFormat.NMEA, "", "UTF-8", true);
    Map<String, FileSpec> specs = Map.of(IngestTransforms.key(hpath), spec);
    long lines = new String(bytes, StandardCharsets.ISO_8859_1).lines().count();
    int len = bytes.length;
    long cuts = 0;
    for (long lookback : new long[] {NmeaLineParser.DEFAULT_CONTEXT_BYTES, 64}) {
      PipelineConfig.IngestSection settings = settings(lookback);
      Map<Row, Long> oneTask = count(IngestTransforms.parse(spec,
          new NmeaSplits.Lines(hpath, CONF, 0, Long.MAX_VALUE, () -> false), settings, RULES), new HashMap<>());
      assertEquals(lines, lineRows(oneTask), "lines = positions + static + rejected + skipped, one task");
      if (lookback == NmeaLineParser.DEFAULT_CONTEXT_BYTES) {
        // the excerpt has what the split must carry over: a 2-part message and timed positions
        assertTrue(kind(oneTask, Rows.KIND_SKIPPED, "fragment") >= 1, "a multi-sentence message");
        assertTrue(kind(oneTask, Rows.KIND_POSITION, null) >= 1, "positions (with a time)");
        assertEquals(0, kind(oneTask, Rows.KIND_REJECT, "INCOMPLETE_MULTIPART"), oneTask.toString());
      } else {
        // under 64 bytes every 2-part message expires (its fragment 1 is a longer line)
        assertEquals(2 * kind(oneTask, Rows.KIND_REJECT, "INCOMPLETE_MULTIPART"),
            2 * kind(oneTask, Rows.KIND_REJECT, "INCOMPLETE_MULTIPART") + kind(oneTask, Rows.KIND_SKIPPED, "fragment"),
            oneTask.toString());
        assertTrue(kind(oneTask, Rows.KIND_REJECT, "INCOMPLETE_MULTIPART") >= 2, oneTask.toString());
      }
      assertEquals(oneTask, count(NmeaSplits.parse(new FileSplit(hpath, 0, len, null), CONF, specs, settings,
          RULES), new HashMap<>()), "one split");
      for (int cut = 0; cut <= len; cut++) {
        Map<Row, Long> union = count(NmeaSplits.parse(new FileSplit(hpath, 0, cut, null), CONF, specs, settings,
            RULES), new HashMap<>());
        count(NmeaSplits.parse(new FileSplit(hpath, cut, len - cut, null), CONF, specs, settings, RULES), union);
        if (!union.equals(oneTask)) {
          assertEquals(oneTask.toString(), union.toString(), "cut at byte " + cut + " of " + len
              + ", lookback " + lookback);
        }
        cuts++;
      }
    }
    assertEquals(2L * (len + 1), cuts);
  }

  /** A three-way cut inside a message's fragments, and a leading fragment the split must not report. */
  @Test
  void leadingFragmentsBelongToTheSplitOfFragmentOne() throws IOException {
    // fragment 1 of a type 5 ends the first split, fragment 2 alone is the second
    String f1 = "!AIVDM,2,1,4,B,53:JiN02>=7T?@Pc:20hmb0p4I<Td6222222221@I0L?A5p10G0QCR@j,0*56,r003669708,1152921692\n";
    String f2 = "!AIVDM,2,2,4,B,@H8888888888880,2*2B,r003669708,1152921692\n";
    String p = "!AIVDM,1,1,,A,14`qQb0000o?u?DK>Smo2E`v0404,0*1A,r003669987,1152921693\n";
    byte[] bytes = (p + f1 + f2 + p).getBytes(StandardCharsets.US_ASCII);
    Path file = tmp.resolve("three.ais");
    Files.write(file, bytes);
    org.apache.hadoop.fs.Path hpath = new org.apache.hadoop.fs.Path(file.toUri());
    FileSpec spec = new FileSpec(0, hpath.toString(), InputFormat.NMEA, "", "UTF-8", true);
    Map<String, FileSpec> specs = Map.of(IngestTransforms.key(hpath), spec);
    PipelineConfig.IngestSection settings = settings(NmeaLineParser.DEFAULT_CONTEXT_BYTES);
    int a = p.length() + f1.length();
    int b = a + f2.length();
    Map<Row, Long> middle = count(NmeaSplits.parse(new FileSplit(hpath, a, b - a, null), CONF, specs, settings,
        RULES), new HashMap<>());
    assertEquals(Map.of(), middle, "the split of fragment 2 alone reports nothing");
    Map<Row, Long> first = count(NmeaSplits.parse(new FileSplit(hpath, 0, a, null), CONF, specs, settings,
        RULES), new HashMap<>());
    assertEquals(1, kind(first, Rows.KIND_STATIC, null), first.toString());
    assertEquals(1, kind(first, Rows.KIND_SKIPPED, "fragment"), "fragment 2, read ahead, counted here");
    assertEquals(3, lineRows(first));
  }

  /** The context bound must be positive: checked when the ingest is planned. */
  @Test
  void lookbackBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new NmeaLineParser("x", null, false, 0));
    PipelineConfig.IngestSection s = settings(0);
    assertThrows(IllegalArgumentException.class,
        () -> IngestSource.plan(CONF, List.of(tmp.toString()), null, s, Instant.now()));
  }
}
