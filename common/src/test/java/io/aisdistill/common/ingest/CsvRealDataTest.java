package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.Plausibility;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.SharedData;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The CSV parser on every real CSV sample of shared/data/ais (figures from SOURCES.md). */
@Tag("shared-data")
public class CsvRealDataTest {

  /** Parses a whole file the way the ingester will: detect, then every line with its byte offset. */
  public static CollectingSink parseFile(String rel, InputFormat expected) throws IOException {
    Path f = SharedData.ais(rel);
    byte[] h = FormatDetectorTest.head(f);
    Detection d = FormatDetector.detect(f.toString(), h, h.length);
    assertEquals(expected, d.format(), d.detail());
    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
    var p = Plausibility.defaults(java.time.Instant.now()).guard(new CsvPositionParser(rel, lines.get(0), d.format()));
    CollectingSink sink = new CollectingSink();
    long off = 0;
    for (String l : lines) {
      p.line(off, l, sink);
      off += l.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    p.finish(sink);
    assertEquals(lines.size(), sink.total(), "every line is one position, reject or skip");
    assertEquals(List.of("header"), sink.skippedKinds, "only the header is skipped");
    assertEquals(lines.size(), 1 + sink.positions.size() + sink.rejects.size());
    for (PositionReport r : sink.positions) {
      assertTrue(r.sog() == null || r.sog() < 102.3, "no SOG sentinel");
      assertTrue(r.cog() == null || r.cog() < 360.0, "no COG sentinel");
      assertTrue(r.heading() == null || r.heading() <= 359, "no heading sentinel");
      assertTrue(r.lat() >= -90 && r.lat() <= 90 && r.lon() >= -180 && r.lon() <= 180);
      assertTrue(r.imo() == null || r.imo().chars().allMatch(Character::isDigit), r.imo());
      assertTrue(r.navStatus() == null || (r.navStatus() >= 0 && r.navStatus() <= 15));
      assertEquals(0, r.msgType());
    }
    return sink;
  }

  private static Set<Long> mmsis(CollectingSink s) {
    Set<Long> m = new HashSet<>();
    s.positions.forEach(p -> m.add(p.mmsi()));
    return m;
  }

  @Test
  void marineCadastre2022() throws IOException {
    CollectingSink s = parseFile("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv",
        InputFormat.MARINECADASTRE_CSV);
    // 99,999 rows; the only rejects are non-vessel MMSIs (base stations, AtoN, 7-digit ids)
    assertEquals(99_999, s.positions.size() + s.rejects.size());
    for (RejectRecord r : s.rejects) {
      assertEquals(RejectReason.NON_VESSEL_MMSI, r.reason(), r.detail() + " " + r.raw());
    }
    assertTrue(s.rejects.size() < 1500, "rejects: " + s.rejects.size());
    Set<Long> all = mmsis(s);
    s.rejects.forEach(r -> all.add(Long.parseLong(r.raw().substring(0, r.raw().indexOf(',')))));
    assertEquals(10_631, all.size(), "MMSIs per SOURCES.md");
    long classA = s.positions.stream().filter(p -> "A".equals(p.aisClass())).count();
    long classB = s.positions.stream().filter(p -> "B".equals(p.aisClass())).count();
    assertEquals(s.positions.size(), classA + classB);
    assertTrue(classB > 20_000 && classA > 70_000, classA + " / " + classB);
    assertTrue(s.positions.stream().anyMatch(p -> "8207721".equals(p.imo())));
    assertTrue(s.positions.stream().anyMatch(p -> "RAY \"CHIEF\" TONEY".equals(p.vesselName())),
        "quoted names unescaped");
    // 52,249 rows with heading 511 -> null
    long nullHeading = s.positions.stream().filter(p -> p.heading() == null).count();
    assertTrue(nullHeading > 50_000, "null headings " + nullHeading);
  }

  @Test
  void boston2014() throws IOException {
    CollectingSink s = parseFile("noaa_marinecadastre/trajectools_ais_boston_2014-01-01_to_07.csv",
        InputFormat.MARINECADASTRE_CSV);
    assertEquals(972, s.positions.size());
    assertEquals(4, mmsis(s).size());
  }

  @Test
  void aisdb2023FloatIntegers() throws IOException {
    CollectingSink s = parseFile("noaa_marinecadastre/aisdb_test_data_noaa_20230101.csv",
        InputFormat.MARINECADASTRE_CSV);
    assertEquals(1000, s.positions.size() + s.rejects.size());
    assertTrue(s.positions.size() > 950);
    s.rejects.forEach(r -> assertEquals(RejectReason.NON_VESSEL_MMSI, r.reason(), r.raw()));
    assertTrue(s.positions.stream().anyMatch(p -> p.lengthM() != null && p.lengthM() == 199.0));
    assertTrue(s.positions.stream().allMatch(p -> p.tsMillis() >= 1_673_395_200_000L
        && p.tsMillis() < 1_673_481_600_000L), "all on 2023-01-11");
  }

  @Test
  void metabase() throws IOException {
    CollectingSink s = parseFile("noaa_marinecadastre/metabase_small-sample.csv", InputFormat.MARINECADASTRE_CSV);
    assertEquals(51, s.positions.size() + s.rejects.size());
    assertTrue(s.positions.size() >= 48);
  }

  @Test
  void tracktablePoints() throws IOException {
    CollectingSink vb = parseFile("noaa_tracktable_traj/VirginiaBeach_2020_06_04_to_06_filtered.points.csv",
        InputFormat.MARINECADASTRE_CSV);
    assertEquals(39_822, vb.positions.size() + vb.rejects.size());
    Set<Long> vbAll = mmsis(vb);
    assertTrue(vbAll.size() <= 84 && vbAll.size() >= 80, "vessels " + vbAll.size());
    CollectingSink ny = parseFile("noaa_tracktable_traj/NYHarbor_2020_12_08.points.csv",
        InputFormat.MARINECADASTRE_CSV);
    assertEquals(9_091, ny.positions.size() + ny.rejects.size());
    assertTrue(mmsis(ny).size() <= 37 && mmsis(ny).size() >= 35);
  }

  @Test
  void dma2017() throws IOException {
    CollectingSink s = parseFile("dma_denmark/trajectools_ais_dk_cpa_2017-07-05.csv", InputFormat.DMA_CSV);
    assertEquals(255, s.positions.size());
    assertEquals(Set.of(265410000L, mmsis(s).stream().filter(m -> m != 265410000L).findFirst().get()), mmsis(s));
    PositionReport stena = s.positions.stream().filter(p -> "STENA JUTLANDICA".equals(p.vesselName()))
        .findFirst().orElseThrow();
    assertEquals(0, stena.navStatus());
    assertEquals(60, stena.shipType());
    PositionReport tank = s.positions.stream().filter(p -> "TANKSKAR".equals(p.vesselName())).findFirst()
        .orElseThrow();
    assertEquals(15, tank.navStatus());
    assertEquals(80, tank.shipType());
  }

  /** Micro-benchmark: parse the 2022 file's lines repeatedly, print rows/s (one thread). */
  @Test
  void throughput2022() throws IOException {
    Path f = SharedData.ais("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv");
    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
    CsvPositionParser p = new CsvPositionParser("bench", lines.get(0), InputFormat.MARINECADASTRE_CSV);
    long[] count = new long[1];
    RecordSink sink = new RecordSink() {
      @Override
      public void position(PositionReport r) {
        count[0] += r.mmsi() & 1;
      }

      @Override
      public void staticReport(StaticReport s) {}

      @Override
      public void reject(RejectRecord r) {
        count[0]++;
      }
    };
    double best = 0;
    for (int round = 0; round < 15; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < lines.size(); i++) {
        p.line(i, lines.get(i), sink);
      }
      double rate = lines.size() / ((System.nanoTime() - t0) / 1e9);
      best = Math.max(best, rate);
    }
    assertNotNull(count);
    System.out.printf(Locale.ROOT, "CsvPositionParser throughput (2022 file, %d lines, best of 15 rounds, 1 thread): %.2f M rows/s%n",
        lines.size(), best / 1e6);
    assertTrue(best > 500_000, "at least 0.5 M rows/s");
  }
}
