package io.aisdistill.jobs;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.ingest.IngestResult;
import io.aisdistill.jobs.stage.ingest.IngestStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, "Encodings" and "Headers": Latin-1 vessel names arrive intact (no U+FFFD), and a CSV
 * header with unknown names is rejected naming them, then read with {@code ingest.columns}. The
 * files of both are ingested together, once per configuration ({@link #ingestOnce}).
 */
class EncodingHeaderIngestTest {
  static final Charset CP1252 = Charset.forName("windows-1252");
  /** The header of the DMA aisdk sample (../shared/data/ais/dma_denmark/trajectools_ais_dk_cpa_2017-07-05.csv). */
  static final String DMA_HEADER = "# Timestamp,MMSI,Latitude,Longitude,Navigational status,SOG,COG,Name,Ship type";
  static final String MC_HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
      + "Length,Width,Draft,Cargo,TransceiverClass";

  @TempDir Path tmp;

  private static String dmaRow(int second, long mmsi, String name) {
    return String.format("05/07/2017 19:%02d:%02d,%d,55.%04d,10.%04d,Under way using engine,8.3,254.1,%s,Passenger",
        second / 60, second % 60, mmsi, 4000 + second, 5000 + second, name);
  }

  /** The format column of the ingest report's per-file table, by short file name. */
  private static Map<String, String> formats(StageReport r) {
    Map<String, String> m = new TreeMap<>();
    for (List<Object> row : r.tables().get(0).rows()) {
      m.put((String) row.get(0), (String) row.get(1));
    }
    return m;
  }

  /**
   * The input files of both tests, written once: {@code dk/} holds a Windows-1252 DMA file and a
   * UTF-8 MarineCadastre file whose last line is Latin-1, {@code feed/} a CSV whose header names
   * no known column. Ingested in two runs shared by the tests (Spark start-up and the Delta
   * commits dominate a run, not its rows): {@link #detected} with the defaults (encodings detected,
   * the feed rejected), {@link #configured} with {@code ingest.encoding=UTF-8} and the feed's
   * columns mapped by {@code ingest.columns} (the mapping names columns the DMA header lacks, so
   * the DMA file keeps its built-in names). Every assertion is per file.
   */
  @TempDir static Path shared;
  static Path dk;
  static Path mixed;
  static Path feed;
  static IngestResult detected;
  static Lakehouse lhDetected;
  static IngestResult configured;
  static Lakehouse lhConfigured;

  @BeforeAll
  static void ingestOnce() throws IOException {
    Path in = Files.createDirectories(shared.resolve("in").resolve("dk"));
    List<String> lines = new ArrayList<>(List.of(DMA_HEADER));
    for (int s = 0; s < 20; s++) {
      lines.add(dmaRow(s, 219000001L, "SØNDERBORG"));
      lines.add(dmaRow(s, 219000002L, "MÅGEN"));
      lines.add(dmaRow(s, 219000003L, "ÆRØSKØBING"));
    }
    dk = in.resolve("aisdk_2017-07-05.csv");
    Files.write(dk, (String.join("\r\n", lines) + "\r\n").getBytes(CP1252));

    // a UTF-8 file longer than the 64 KiB head whose last line is Latin-1 (a name typed elsewhere)
    List<String> mc = new ArrayList<>(List.of(MC_HEADER));
    for (int i = 0; i < 800; i++) {
      mc.add(String.format("219000004,2022-01-03T%02d:%02d:%02d,55.%04d,10.5,5.0,90.0,90,MÅGEN,IMO9000001,OXAB,30,0,20,6,2.0,30,A",
          i / 3600, i / 60 % 60, i % 60, i));
    }
    byte[] utf8Part = (String.join("\n", mc) + "\n").getBytes(StandardCharsets.UTF_8);
    assertTrue(utf8Part.length > 64 * 1024, "the Latin-1 line must lie beyond the detection head");
    byte[] latinLine = "219000005,2022-01-03T01:00:00,55.9,10.9,5.0,90.0,90,SØNDERBORG,IMO9000002,OXCD,30,0,20,6,2.0,30,A\n"
        .getBytes(CP1252);
    mixed = in.resolve("mixed_utf8.csv");
    Files.write(mixed, concat(utf8Part, latinLine));

    // unknown header names; MMSIs 2191000xx, apart from the DMA file's 2190000xx
    Path feedDir = Files.createDirectories(shared.resolve("in").resolve("feed"));
    List<String> feedLines = new ArrayList<>(List.of("ship_id,ts_utc,latitude,longitude,sog,cog,vessel_label"));
    for (int i = 0; i < 25; i++) {
      feedLines.add(String.format("2191000%02d,2024-06-01T12:%02d:00Z,55.%03d,10.%03d,7.5,180.0,NAME %d", i, i, i, i, i));
    }
    feed = feedDir.resolve("partner_feed.csv");
    Files.writeString(feed, String.join("\n", feedLines) + "\n", StandardCharsets.UTF_8);

    SparkSession spark = SparkTestSession.get();
    lhDetected = new Lakehouse(spark, shared.resolve("lh-detected").toString());
    detected = new IngestStage(List.of(shared.resolve("in").toString()), null)
        .run(new StageContext(spark, lhDetected, SparkTestSession.config(), "enc-1"));
    lhConfigured = new Lakehouse(spark, shared.resolve("lh-configured").toString());
    PipelineConfig cfg = PipelineConfig.load(null, List.of("spark.master=local[2]", "spark.shuffle_partitions=4",
        "ingest.encoding=UTF-8",
        "ingest.columns.mmsi=ship_id", "ingest.columns.time=ts_utc", "ingest.columns.name=vessel_label"));
    configured = new IngestStage(List.of(dk.toString(), feed.toString()), null)
        .run(new StageContext(spark, lhConfigured, cfg, "enc-2"));
  }

  /** The per-file report row of {@code f} (short name: parent directory / file name). */
  private static List<Object> row(IngestResult r, Path f) {
    String shortName = f.getParent().getFileName() + "/" + f.getFileName();
    List<Object> row = PipelineAssertions.perFile(r.report()).get(shortName);
    assertTrue(row != null, shortName + " not in the ingest report");
    return row;
  }

  /** Vessel names by MMSI of the positions from {@code f}. */
  private static Map<Long, String> namesByMmsi(Lakehouse lh, Path... files) {
    List<String> sources = new ArrayList<>();
    for (Path f : files) {
      sources.add("'" + f.toUri().toString().replace("file:///", "file:/") + "'");
    }
    Map<Long, String> m = new TreeMap<>();
    for (Row r : lh.read(Tables.POSITIONS).filter("source IN (" + String.join(",", sources) + ")")
        .select("mmsi", "vessel_name").distinct().collectAsList()) {
      m.merge(r.getLong(0), r.getString(1), (a, b) -> a + "|" + b);
    }
    return m;
  }

  @Test
  void latin1DmaFileKeepsItsVesselNames() throws IOException {
    assertFalse(new String(Files.readAllBytes(dk), StandardCharsets.UTF_8).contains("SØNDERBORG"),
        "the file really is not UTF-8");
    Map<String, String> formats = formats(detected.report());
    assertEquals("DMA_CSV (windows-1252)", formats.get("dk/aisdk_2017-07-05.csv"));
    assertEquals("MARINECADASTRE_CSV", formats.get("dk/mixed_utf8.csv"));
    assertEquals(Map.of(219000001L, "SØNDERBORG", 219000002L, "MÅGEN", 219000003L, "ÆRØSKØBING",
        219000004L, "MÅGEN", 219000005L, "SØNDERBORG"), namesByMmsi(lhDetected, dk, mixed));
    assertEquals(0L, lhDetected.read(Tables.POSITIONS).filter("vessel_name like '%\uFFFD%'").count(), "no U+FFFD");
    assertEquals(60L, (long) row(detected, dk).get(3), "positions of the DMA file");
    assertEquals(801L, (long) row(detected, mixed).get(3), "positions of the mixed file");
    assertEquals(60L + 801L, detected.positionsAccepted(), "the feed file, rejected whole, adds none");
    assertEquals(1L, detected.report().getLong("noted.decoded_windows_1252"),
        "the one Latin-1 line of the UTF-8 file, and no line of the Windows-1252 file (nor of the ASCII feed)");
    assertEquals(0L, (long) row(detected, dk).get(5), "rejected lines of the DMA file");
    assertEquals(0L, (long) row(detected, mixed).get(5), "rejected lines of the mixed file");
    PipelineAssertions.assertAccounting(lhDetected, detected.report(), List.of(dk, mixed));

    // a configured charset is used for every file: UTF-8 turns the Latin-1 names into U+FFFD
    assertEquals("DMA_CSV", formats(configured.report()).get("dk/aisdk_2017-07-05.csv"));
    assertEquals("S\uFFFDNDERBORG", namesByMmsi(lhConfigured, dk).get(219000001L));
    assertEquals(60L, configured.report().getLong("noted.undecodable_bytes_replaced"),
        "the 60 Latin-1 names of the DMA file (the feed file is ASCII)");
    assertEquals(60L, (long) row(configured, dk).get(3), "positions of the DMA file under ingest.encoding=UTF-8");
    PipelineAssertions.assertAccounting(lhConfigured, configured.report(), List.of(dk));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void unknownHeaderIsRejectedNamingItsColumnsThenMappedByConfiguration() throws IOException {
    assertEquals("rejected: UNKNOWN_CSV_HEADER", formats(detected.report()).get("feed/partner_feed.csv"));
    String feedSource = feed.toUri().toString().replace("file:///", "file:/");
    List<Row> rej = lhDetected.read(Tables.REJECTS).collectAsList();
    assertEquals(1, rej.size(), "the feed's whole-file reject, and no line of the dk/ files: " + rej);
    assertEquals(feedSource, rej.get(0).getString(0));
    String detail = rej.get(0).getString(4);
    assertTrue(detail.startsWith("CSV header lacks mmsi, time (needs mmsi, time, lat, lon); could not map: "
        + "ship_id, ts_utc, vessel_label; map them with --columns mmsi=<name>,time=<name>"), detail);
    assertEquals(0L, (long) row(detected, feed).get(3), "positions of the rejected feed file");
    assertEquals(Map.of(), namesByMmsi(lhDetected, feed));

    assertEquals("MARINECADASTRE_CSV", formats(configured.report()).get("feed/partner_feed.csv"));
    assertEquals(25L, (long) row(configured, feed).get(3), "positions of the mapped feed file");
    assertEquals(0L, (long) row(configured, feed).get(5), "rejected lines of the mapped feed file");
    assertEquals(60L + 25L, configured.positionsAccepted(), "the DMA file's 60 and the feed's 25");
    assertEquals("NAME 7", namesByMmsi(lhConfigured, feed).get(219100007L));
    assertEquals(25, namesByMmsi(lhConfigured, feed).size());
    PipelineAssertions.assertAccounting(lhConfigured, configured.report(), List.of(feed));

    // the same through the CLI's --columns (sugar over ingest.columns)
    SparkSession spark = SparkTestSession.get();
    String lh3 = tmp.resolve("lh3").toString();
    assertEquals(0, Cli.execute("ingest", "--input", feed.toString(), "--lakehouse", lh3, "--set", "spark.shuffle_partitions=4",
        "--columns", "mmsi=ship_id,time=ts_utc"));
    assertEquals(25L, new Lakehouse(spark, lh3).read(Tables.POSITIONS).count());
  }

  @Test
  void anUnknownCanonicalColumnOrCharsetIsAConfigurationError() throws IOException {
    Path f = tmp.resolve("x.csv");
    Files.writeString(f, MC_HEADER + "\n");
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh").toString());
    PipelineConfig badColumn = PipelineConfig.load(null, List.of("ingest.columns.shipid=ship_id"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new IngestStage(List.of(f.toString()), null).run(new StageContext(spark, lh, badColumn, "bad")));
    assertTrue(e.getMessage().startsWith("ingest.columns: unknown column 'shipid'; the columns are mmsi, time,"),
        e.getMessage());
    PipelineConfig badCharset = PipelineConfig.load(null, List.of("ingest.encoding=UTF-16"));
    IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
        () -> new IngestStage(List.of(f.toString()), null).run(new StageContext(spark, lh, badCharset, "bad")));
    assertTrue(c.getMessage().contains("does not encode ASCII as single bytes"), c.getMessage());

    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = Cli.execute("ingest", "--input", f.toString(), "--lakehouse", tmp.resolve("lh4").toString(),
          "--columns", "shipid=ship_id");
    } finally {
      System.setErr(err);
    }
    assertEquals(1, rc);
    String msg = buf.toString(StandardCharsets.UTF_8).strip();
    assertTrue(msg.startsWith("ais-distill ingest: error: ingest.columns: unknown column 'shipid'"), msg);
  }
}
