package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dk.dma.ais.message.AisMessage1;
import dk.dma.ais.message.AisPosition;
import dk.dma.ais.sentence.Vdm;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.ingest.IngestResult;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 7 through the real ingest stage (local Spark): NMEA logs whose tag blocks carry a
 * placeholder checksum ({@code *00}, as some national AIS feeds write them), and AIS already
 * decoded as JSON lines (Global Fishing Watch gpsdio messages, AISHub vessel objects).
 */
class FeedsIngestTest {
  static final long MMSI = 366940480L;
  static final long T0 = Instant.parse("2015-01-01T12:00:00Z").getEpochSecond();

  @TempDir Path tmp;

  /** A config with the test Spark settings plus {@code extra} overrides. */
  static PipelineConfig config(String... extra) {
    List<String> sets = new ArrayList<>(List.of("spark.master=local[2]", "spark.shuffle_partitions=4"));
    sets.addAll(List.of(extra));
    return PipelineConfig.load(null, sets);
  }

  static IngestResult ingest(Path input, Path lakehouse, PipelineConfig cfg) {
    SparkSession spark = SparkTestSession.get();
    return new IngestStage(List.of(input.toString()), null)
        .run(new StageContext(spark, new Lakehouse(spark, lakehouse.toString()), cfg, "feeds"));
  }

  /** A type-1 sentence (AisLib-encoded, own checksum right) of one vessel moving north-east. */
  static String type1(int i) throws Exception {
    AisMessage1 m = new AisMessage1();
    m.setUserId((int) MMSI);
    AisPosition p = new AisPosition();
    p.setLatitude(Math.round((30.0 + i * 0.001) * 600_000));
    p.setLongitude(Math.round((-88.5 + i * 0.001) * 600_000));
    m.setPos(p);
    m.setSog(95);
    m.setCog(450);
    m.setTrueHeading(44);
    m.setNavStatus(0);
    String[] s = Vdm.createSentences(m, 0);
    assertEquals(1, s.length);
    return s[0].strip();
  }

  /** IEC 61162-1 checksum of {@code body}. */
  static String checksum(String body) {
    int x = 0;
    for (char c : body.toCharArray()) {
      x ^= c;
    }
    return String.format(Locale.ROOT, "%02X", x);
  }

  /** A timestamp column value (java.sql.Timestamp, or Instant under the Java 8 time API). */
  static Instant instant(Object v) {
    return v instanceof Timestamp t ? t.toInstant() : (Instant) v;
  }

  static String src(Path f) {
    return f.toUri().toString().replace("file:///", "file:/");
  }

  /** Files of {@link #placeholderTagBlockChecksumsAreNotedAndTheirTimesUsed} and {@link #gpsdioAndAishubJsonLinesIngestAndBrokenLinesAreRejects}. */
  @TempDir static Path shared;
  static final int NATIONAL = 30;
  static final int GFW = 36;
  static Path national;
  static Path gfw;
  static Path aishub;
  static Path lhDefault;
  static IngestResult defaults;

  /**
   * Writes nmea/national_feed.nmea and json/ (gpsdio, AISHub) and ingests them in one run with the
   * default configuration (Spark start-up and the Delta commits dominate a run, not its rows), in
   * small Hadoop splits (1 KiB): a JSON-lines file is read by several tasks, like a CSV, and so is
   * the NMEA file. Each test asserts its own files' counts.
   */
  @BeforeAll
  static void ingestDefaultsOnce() throws Exception {
    national = Files.createDirectories(shared.resolve("in/nmea")).resolve("national_feed.nmea");
    Files.write(national, nationalFeed(NATIONAL));
    Path in = Files.createDirectories(shared.resolve("in/json"));
    gfw = in.resolve("gfw_messages.json");
    Files.write(gfw, gpsdioTrack(GFW));
    aishub = in.resolve("aishub.jsonl");
    Files.write(aishub, aishubLines());
    lhDefault = shared.resolve("lh");
    SparkSession spark = SparkTestSession.get();
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    String before = hconf.get(FileInputFormat.SPLIT_MAXSIZE);
    try {
      hconf.setLong(FileInputFormat.SPLIT_MAXSIZE, 1024);
      defaults = ingest(shared.resolve("in"), lhDefault, config());
    } finally {
      if (before == null) {
        hconf.unset(FileInputFormat.SPLIT_MAXSIZE);
      } else {
        hconf.set(FileInputFormat.SPLIT_MAXSIZE, before);
      }
    }
  }

  /** The per-file report row of {@code f}. */
  static List<Object> perFile(IngestResult r, Path f) {
    String shortName = f.getParent().getFileName() + "/" + f.getFileName();
    List<Object> row = PipelineAssertions.perFile(r.report()).get(shortName);
    assertTrue(row != null, shortName + " not in the ingest report");
    return row;
  }

  /**
   * {@code n} tag-block lines whose tag blocks carry the placeholder checksum {@code *00} (times
   * 10 s apart), then one whose sentence checksum is wrong too.
   */
  static List<String> nationalFeed(int n) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String tag = "s:2573305,c:" + (T0 + 10L * i);
      if (checksum(tag).equals("00")) {
        tag = "s:2573306,c:" + (T0 + 10L * i); // *00 would be this tag block's true checksum
      }
      assertTrue(!checksum(tag).equals("00"));
      lines.add("\\" + tag + "*00\\" + type1(i));
    }
    // a sentence whose own checksum is wrong stays a reject in both modes
    lines.add("\\s:2573305,c:" + T0 + "*00\\" + type1(99).replaceAll("\\*..$", "*00"));
    return lines;
  }

  @Test
  void placeholderTagBlockChecksumsAreNotedAndTheirTimesUsed() throws Exception {
    int n = NATIONAL;
    Path f = national;
    IngestResult rep = defaults;
    assertEquals((long) n, (long) perFile(rep, f).get(3), rep.report().metrics().toString());
    assertEquals(1L, (long) perFile(rep, f).get(5), "rejected lines of " + f.getFileName());
    assertEquals(n, rep.report().getLong("noted.tag_block_checksum_bad"), "(the JSON files have no tag blocks)");
    assertEquals(1, rep.report().getLong("rejected.BAD_CHECKSUM"), "(the JSON files have no checksums)");
    Lakehouse lh = new Lakehouse(SparkTestSession.get(), lhDefault.toString());
    List<Row> rows = lh.read(Tables.POSITIONS).filter(new Column("source").equalTo(src(f))).orderBy("ts")
        .select("ts", "lat", "mmsi").collectAsList();
    assertEquals(n, rows.size());
    for (int i = 0; i < n; i++) {
      assertEquals(Instant.ofEpochSecond(T0 + 10L * i), instant(rows.get(i).get(0)),
          "time from the tag block with the placeholder checksum");
      assertEquals(30.0 + i * 0.001, rows.get(i).getDouble(1), 1e-5);
    }
    PipelineAssertions.assertAccounting(lh, rep.report(), List.of(f));

    IngestResult strict = ingest(f, tmp.resolve("lh-strict"),
        config("ingest.nmea.strict_tag_block_checksum=true"));
    assertEquals(0, strict.positionsAccepted());
    assertEquals(n + 1, strict.report().getLong("rejected.BAD_CHECKSUM"));
    assertEquals(0, strict.report().getLong("noted.tag_block_checksum_bad"));
    Lakehouse lhs = new Lakehouse(SparkTestSession.get(), tmp.resolve("lh-strict").toString());
    PipelineAssertions.assertAccounting(lhs, strict.report(), List.of(f));
  }

  /**
   * The real tag-block log of the shared samples (AISdb test data, {@code \s:..,c:..,t:..*hh\}) with
   * every tag-block checksum replaced by {@code *00} (or {@code *01} where 00 is right), copied into a temp dir: the same positions and
   * static reports as the original, one note per tag-block line read.
   */
  @Test
  @Tag("shared-data")
  void realTagBlockLogWithPlaceholderChecksumsLosesNothing() throws IOException {
    Path orig = SparkTestSession.sharedAis().resolve("nmea_raw/aisdb_test_data_20211101.nm4");
    Pattern tag = Pattern.compile("^\\\\([^\\\\*]*)\\*[0-9A-Fa-f]{2}\\\\");
    List<String> out = new ArrayList<>();
    int tagged = 0;
    for (String l : Files.readAllLines(orig)) {
      Matcher m = tag.matcher(l);
      if (m.find()) {
        tagged++;
        // *00, or *01 where 00 is the block's true checksum: every tag-block checksum is wrong
        String wrong = checksum(m.group(1)).equals("00") ? "*01" : "*00";
        out.add("\\" + m.group(1) + wrong + "\\" + l.substring(m.end()));
      } else {
        out.add(l);
      }
    }
    assertTrue(tagged > 900, "tag-block lines: " + tagged);
    Path a = Files.createDirectories(tmp.resolve("orig")).resolve("feed.nm4");
    Path b = Files.createDirectories(tmp.resolve("placeholder")).resolve("feed.nm4");
    Files.copy(orig, a);
    Files.write(b, out);
    IngestResult ra = ingest(a, tmp.resolve("lh-a"), config());
    IngestResult rb = ingest(b, tmp.resolve("lh-b"), config());
    assertTrue(ra.positionsAccepted() > 500, ra.report().metrics().toString());
    assertEquals(ra.positionsAccepted(), rb.positionsAccepted());
    assertEquals(ra.staticAccepted(), rb.staticAccepted());
    assertEquals(ra.rejected(), rb.rejected());
    assertEquals(0, ra.report().getLong("noted.tag_block_checksum_bad"));
    // every tag-block line whose own sentence checksum holds is read and noted
    long badSentence = ra.report().getLong("rejected.BAD_CHECKSUM");
    assertEquals(tagged - badSentence, rb.report().getLong("noted.tag_block_checksum_bad"));
    IngestResult strict = ingest(b, tmp.resolve("lh-c"), config("ingest.nmea.strict_tag_block_checksum=true"));
    assertEquals(0, strict.positionsAccepted());
    assertEquals(tagged, strict.report().getLong("rejected.BAD_CHECKSUM"));
  }

  /** One gpsdio message (GFW layout: ssvid string, ISO timestamp with microseconds). */
  static String gpsdio(int i) {
    Instant t = Instant.ofEpochSecond(T0 + 30L * i);
    return String.format(Locale.ROOT, "{\"ssvid\": \"%d\", \"timestamp\": \"%s\", \"lat\": %.5f, \"lon\": %.5f, "
        + "\"speed\": 8.5, \"course\": 45.0, \"heading\": 44, \"type\": 1, \"status\": 0, \"shipname\": \"EBONY\"}",
        MMSI, t.toString().replace("Z", ".000000Z"), 30.0 + i * 0.001, -88.5 + i * 0.001);
  }

  /** {@code n} gpsdio messages with a cut line, a blank line, a non-JSON line and a latitude of 91 among them. */
  static List<String> gpsdioTrack(int n) {
    List<String> track = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      track.add(gpsdio(i));
      if (i == 10) {
        track.add("{\"ssvid\": \"366940480\", \"timestamp\": ");          // cut line
      }
      if (i == 20) {
        track.add("");
        track.add("not json at all");
      }
    }
    track.add(gpsdio(40).replace("\"lat\": 30.04000", "\"lat\": 91"));   // not available
    return track;
  }

  /** AISHub vessel objects, one per line: human-readable (format 1) and AIS encoding (format 0), and one with a key twice. */
  static List<String> aishubLines() {
    List<String> hub = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      hub.add(String.format(Locale.ROOT, "{\"MMSI\":413811000,\"TIME\":\"2011-04-12 10:%02d:27 GMT\","
          + "\"LONGITUDE\":%.5f,\"LATITUDE\":38.87483,\"COG\":90,\"SOG\":12.1,\"HEADING\":511,\"NAVSTAT\":0,"
          + "\"IMO\":9118824,\"NAME\":\"JIN HAI XIANG\",\"CALLSIGN\":\"BVKU\",\"TYPE\":70,\"A\":197,\"B\":27,"
          + "\"C\":20,\"D\":12,\"DRAUGHT\":7.5}", 40 + i, 118.4 + i * 0.004));
      hub.add(String.format(Locale.ROOT, "{\"MMSI\":235085131,\"TIME\":%d,\"LONGITUDE\":%d,\"LATITUDE\":30453520,"
          + "\"COG\":2351,\"SOG\":59,\"HEADING\":511,\"NAVSTAT\":0,\"IMO\":0,\"NAME\":\"ZAC V\",\"CALLSIGN\":\"ZIYX3\","
          + "\"TYPE\":36,\"A\":8,\"B\":4,\"C\":2,\"D\":2,\"DRAUGHT\":0}", 1302264927 + 60 * i, -818067 + 100 * i));
    }
    hub.add("{\"MMSI\":235085131,\"TIME\":1302264927,\"LONGITUDE\":-818067,\"LATITUDE\":30453520,\"MMSI\":1}");
    return hub;
  }

  @Test
  void gpsdioAndAishubJsonLinesIngestAndBrokenLinesAreRejects() throws IOException {
    int n = GFW;
    IngestResult rep = defaults;
    SparkSession spark = SparkTestSession.get();
    Map<String, String> formats = new TreeMap<>();
    for (List<Object> r : rep.report().tables().get(0).rows()) {
      formats.put((String) r.get(0), (String) r.get(1));
    }
    assertEquals("JSON_LINES", formats.get("json/gfw_messages.json"), formats.toString());
    assertEquals("JSON_LINES", formats.get("json/aishub.jsonl"), formats.toString());
    assertEquals((long) n, (long) perFile(rep, gfw).get(3), rep.report().metrics().toString());
    assertEquals(12L, (long) perFile(rep, aishub).get(3), rep.report().metrics().toString());
    assertEquals(2L + 1L, (long) perFile(rep, gfw).get(5), "the cut line, the non-JSON line, lat 91");
    assertEquals(1L, (long) perFile(rep, aishub).get(5), "the object with MMSI twice");
    assertEquals(1L, (long) perFile(rep, gfw).get(7), "the blank line");
    assertEquals(3, rep.report().getLong("rejected.UNPARSEABLE"), "(the NMEA file's reject is BAD_CHECKSUM)");
    assertEquals(1, rep.report().getLong("rejected.LAT_OUT_OF_RANGE"));
    assertEquals(1, rep.report().getLong("skipped.blank"));

    Lakehouse lh = new Lakehouse(spark, lhDefault.toString());
    PipelineAssertions.assertAccounting(lh, rep.report(), List.of(gfw, aishub));
    Map<String, Long> pos = PipelineAssertions.countBySource(lh.read(Tables.POSITIONS));
    assertEquals((long) n, pos.get(src(gfw)));
    assertEquals(12L, pos.get(src(aishub)));
    List<Row> gfwRows = lh.read(Tables.POSITIONS).filter(new Column("source").equalTo(src(gfw))).orderBy("ts")
        .select("ts", "lat", "lon", "sog", "cog", "heading", "vessel_name", "msg_type").collectAsList();
    assertEquals(n, gfwRows.size());
    for (int i = 0; i < n; i++) {
      Row r = gfwRows.get(i);
      assertEquals(Instant.ofEpochSecond(T0 + 30L * i), instant(r.get(0)));
      assertEquals(30.0 + i * 0.001, r.getDouble(1), 1e-9);
      assertEquals(-88.5 + i * 0.001, r.getDouble(2), 1e-9);
    }
    assertEquals(8.5, gfwRows.get(0).getDouble(3), 1e-9);
    assertEquals("EBONY", gfwRows.get(0).getString(6));
    assertEquals(1, gfwRows.get(0).getInt(7));
    Row raw = lh.read(Tables.POSITIONS).filter("mmsi = 235085131").orderBy("ts")
        .select("lat", "lon", "sog", "cog", "heading", "length_m", "draft_m").collectAsList().get(0);
    assertEquals(30453520 / 600000.0, raw.getDouble(0), 1e-9, "AISHub AIS encoding: 1/10000 minute");
    assertEquals(-818067 / 600000.0, raw.getDouble(1), 1e-9);
    assertEquals(5.9, raw.getDouble(2), 1e-9);
    assertEquals(235.1, raw.getDouble(3), 1e-9);
    assertNull(raw.get(4));
    assertEquals(12.0, raw.getDouble(5), 1e-9);
    assertNull(raw.get(6));
  }
}
