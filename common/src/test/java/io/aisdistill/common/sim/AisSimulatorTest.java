package io.aisdistill.common.sim;

import io.aisdistill.common.ais.Plausibility;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ingest.CollectingSink;
import io.aisdistill.common.ingest.CsvPositionParser;
import io.aisdistill.common.ingest.Detection;
import io.aisdistill.common.ingest.FormatDetector;
import io.aisdistill.common.ingest.InputFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import net.sf.geographiclib.Geodesic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AisSimulatorTest {
  static final AisSimulator.Config CFG =
      new AisSimulator.Config(60, 24, Instant.parse("2024-06-01T00:00:00Z"), 42L);
  static String csv;
  static long rows;
  static List<String> lines;
  static CollectingSink parsed;

  @BeforeAll
  static void generate() throws IOException {
    StringWriter w = new StringWriter();
    rows = AisSimulator.write(CFG, w);
    csv = w.toString();
    lines = csv.lines().toList();
    var p = Plausibility.defaults(java.time.Instant.now())
        .guard(new CsvPositionParser("sim.csv", lines.get(0), InputFormat.MARINECADASTRE_CSV));
    parsed = new CollectingSink();
    long off = 0;
    for (String l : lines) {
      p.line(off, l, parsed);
      off += l.length() + 1;
    }
  }

  @Test
  void deterministicForASeed() throws IOException {
    StringWriter again = new StringWriter();
    assertEquals(rows, AisSimulator.write(CFG, again));
    assertEquals(csv, again.toString());
    StringWriter other = new StringWriter();
    AisSimulator.write(new AisSimulator.Config(60, 24, CFG.start(), 43L), other);
    assertNotEquals(csv, other.toString());
  }

  /**
   * A fixed report interval: one vessel every 2 s (ITU-R M.1371-5 Annex 1 Table 1's densest class A
   * rate) gives consecutive reports 2 s apart except across dropouts (10-60 min) and exact
   * duplicates (0 s), one MMSI, and day for day about 43,200 rows; a negative interval is refused.
   */
  @Test
  void fixedReportInterval() throws IOException {
    StringWriter w = new StringWriter();
    long n = AisSimulator.write(new AisSimulator.Config(1, 48, CFG.start(), 33L), w, 2);
    List<String> rowsOut = w.toString().lines().skip(1).toList();
    assertEquals(n, rowsOut.size());
    assertTrue(n > 2 * 40_000 && n <= 2 * 43_200 * (1 + 2 * AisSimulator.DUPLICATE_RATE), "rows: " + n);
    Set<String> mmsis = new HashSet<>();
    Map<Long, Integer> gaps = new HashMap<>();
    long prev = -1;
    for (String r : rowsOut) {
      String[] f = r.split(",", -1);
      mmsis.add(f[0]);
      long t = Instant.parse(f[1] + "Z").getEpochSecond();
      if (prev >= 0) {
        long d = t - prev;
        gaps.merge(d == 0 || d == 2 ? d : d >= 600 && d <= 3602 ? -1L : d, 1, Integer::sum);
      }
      prev = t;
    }
    assertEquals(1, mmsis.size());
    assertEquals(Set.of(0L, 2L, -1L), gaps.keySet(), "steps between reports (-1 = a dropout): " + gaps);
    assertTrue(gaps.get(2L) > 0.99 * n, "2 s steps: " + gaps);
    assertThrows(IllegalArgumentException.class, () -> AisSimulator.write(CFG, new StringWriter(), -1));
  }

  @Test
  void headerAndDetection() {
    assertEquals(AisSimulator.HEADER, lines.get(0));
    assertEquals(rows + 1, lines.size());
    byte[] head = csv.substring(0, 4096).getBytes(StandardCharsets.UTF_8);
    Detection d = FormatDetector.detect("sim.csv", head, head.length);
    assertEquals(InputFormat.MARINECADASTRE_CSV, d.format());
  }

  @Test
  void parsesBackWithoutRejects() {
    List<RejectRecord> rej = parsed.rejects;
    assertEquals(List.of(), rej.subList(0, Math.min(3, rej.size())));
    assertEquals(rows, parsed.positions.size());
    assertEquals(List.of("header"), parsed.skippedKinds);
  }

  @Test
  void timesNonDecreasingAndInRange() {
    long start = CFG.start().toEpochMilli();
    long end = start + 24 * 3_600_000L;
    long prev = Long.MIN_VALUE;
    for (PositionReport p : parsed.positions) {
      assertTrue(p.tsMillis() >= prev, "time order");
      assertTrue(p.tsMillis() >= start && p.tsMillis() < end);
      prev = p.tsMillis();
    }
  }

  @Test
  void speedsPlausiblePerTypeAndMovementConsistent() {
    Map<Integer, Double> maxSog = new HashMap<>();
    for (PositionReport p : parsed.positions) {
      if (p.sog() != null) {
        maxSog.merge(p.shipType(), p.sog(), Math::max);
      }
    }
    assertTrue(maxSog.getOrDefault(30, 0.0) <= 12, "fishing " + maxSog);
    assertTrue(maxSog.getOrDefault(52, 0.0) <= 13, "tug " + maxSog);
    assertTrue(maxSog.getOrDefault(70, 0.0) <= 22 && maxSog.getOrDefault(70, 0.0) >= 10, "cargo " + maxSog);
    // moored (5) and anchored (1) vessels barely move
    for (PositionReport p : parsed.positions) {
      if (p.navStatus() != null && (p.navStatus() == 5 || p.navStatus() == 1) && p.sog() != null) {
        assertTrue(p.sog() <= 0.5, "stationary SOG " + p.sog());
      }
    }
    // implied speed between consecutive reports of one transmitter stays plausible (teleport aside)
    Map<String, PositionReport> last = new HashMap<>();
    int implausible = 0;
    for (PositionReport p : parsed.positions) {
      String key = p.mmsi() + "/" + p.vesselName();
      PositionReport q = last.put(key, p);
      if (q != null && p.tsMillis() > q.tsMillis()) {
        double m = Geodesic.WGS84.Inverse(q.lat(), q.lon(), p.lat(), p.lon()).s12;
        double kn = m / ((p.tsMillis() - q.tsMillis()) / 1000.0) / 0.514444;
        if (kn > 30) {
          implausible++;
        }
      }
    }
    assertEquals(0, implausible, "jumps per (mmsi, name) track");
  }

  @Test
  void dirtAtRoughlyConfiguredRates() {
    int dup = 0;
    for (int i = 2; i < lines.size(); i++) {
      if (lines.get(i).equals(lines.get(i - 1))) {
        dup++;
      }
    }
    double dupRate = dup / (double) rows;
    assertTrue(dupRate > AisSimulator.DUPLICATE_RATE / 3 && dupRate < AisSimulator.DUPLICATE_RATE * 3,
        "duplicates " + dupRate);
    long h511 = lines.stream().skip(1).filter(l -> l.split(",")[6].equals("511")).count();
    long cog360 = lines.stream().skip(1).filter(l -> l.split(",")[5].equals("360.0")).count();
    long sog1023 = lines.stream().skip(1).filter(l -> l.split(",")[4].equals("102.3")).count();
    assertTrue(h511 > rows / 20, "heading 511 rows " + h511);
    assertTrue(cog360 > rows / 50, "COG 360 rows " + cog360);
    assertTrue(sog1023 > 0 && sog1023 < rows * AisSimulator.SOG_UNAVAILABLE_RATE * 3, "SOG 102.3 rows " + sog1023);
    // sentinels never survive parsing
    assertTrue(parsed.positions.stream().noneMatch(p -> p.heading() != null && p.heading() > 359));
    // dropouts: gaps of >= 10 min within a track, about GAPS_PER_VESSEL_HOUR per vessel-hour
    Map<Long, Long> lastT = new HashMap<>();
    int gaps = 0;
    for (PositionReport p : parsed.positions) {
      Long q = lastT.put(p.mmsi(), p.tsMillis());
      if (q != null && p.tsMillis() - q >= 600_000) {
        gaps++;
      }
    }
    double expected = AisSimulator.GAPS_PER_VESSEL_HOUR * CFG.vessels() * CFG.hours();
    assertTrue(gaps > expected / 3 && gaps < expected * 3, "gaps " + gaps + " vs ~" + expected);
  }

  @Test
  void oneTeleportVesselSharesAnMmsi() {
    Map<Long, Set<String>> names = new HashMap<>();
    for (PositionReport p : parsed.positions) {
      names.computeIfAbsent(p.mmsi(), k -> new HashSet<>()).add(p.vesselName());
    }
    long shared = names.values().stream().filter(s -> s.size() > 1).count();
    assertEquals(1, shared, "exactly one shared MMSI");
    assertEquals(CFG.vessels() - 1, names.size());
  }

  @Test
  void staticDataRealistic() {
    Set<Long> seen = new HashSet<>();
    for (PositionReport p : parsed.positions) {
      if (!seen.add(p.mmsi())) {
        continue;
      }
      int mid = (int) (p.mmsi() / 1_000_000);
      assertTrue(List.of(366, 367, 368, 369, 338, 636, 538, 351, 352, 353, 354, 355, 356, 357, 370, 371,
          372, 373, 563, 564, 565, 566, 215, 229, 248, 249, 256, 311, 477, 240, 241).contains(mid), "MID " + mid);
      if (p.imo() != null) {
        assertTrue(StaticData.validImo(p.imo()), "IMO check digit " + p.imo());
      }
      if ("B".equals(p.aisClass())) {
        assertEquals(null, p.navStatus());
        assertEquals(null, p.heading());
        assertEquals(null, p.imo());
      } else {
        assertTrue(p.callsign() != null && p.lengthM() != null);
      }
    }
    assertTrue(seen.size() >= 50);
  }

  /** The committed sample is exactly what its README's config generates. */
  @Test
  void committedSampleMatchesItsReadme() throws IOException {
    java.nio.file.Path repo = java.nio.file.Path.of(System.getProperty("ais.repo.dir", ".."));
    java.nio.file.Path f = repo.resolve("data-samples/simulated_marinecadastre_2024-06-01.csv");
    StringWriter w = new StringWriter();
    long n = AisSimulator.write(
        new AisSimulator.Config(25, 12, Instant.parse("2024-06-01T00:00:00Z"), 20240601L), w);
    assertEquals(w.toString(), java.nio.file.Files.readString(f, StandardCharsets.UTF_8),
        "regenerate data-samples/ (see its _README.md) after changing the simulator");
    String readme = java.nio.file.Files.readString(repo.resolve("data-samples/_README.md"));
    assertTrue(readme.contains(String.format(Locale.ROOT, "%,d data rows", n)), "README row count " + n);
    assertTrue(java.nio.file.Files.size(f) < 1_500_000);
  }

  @Test
  void rejectsBadConfig() {
    assertThrows(IllegalArgumentException.class, () -> new AisSimulator.Config(0, 1, Instant.EPOCH, 1));
    assertThrows(IllegalArgumentException.class, () -> new AisSimulator.Config(1, 0, Instant.EPOCH, 1));
  }

  @Test
  void streamsManyRowsFast() throws IOException {
    long t0 = System.nanoTime();
    long[] chars = new long[1];
    java.io.Writer sink = new java.io.Writer() {
      @Override
      public void write(char[] c, int o, int n) {
        chars[0] += n;
      }

      @Override
      public void write(String s) {
        chars[0] += s.length();
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    long n = AisSimulator.write(new AisSimulator.Config(2000, 6, CFG.start(), 7), sink);
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "AisSimulator: %d rows (%d MB) in %.2f s = %.2f M rows/s%n", n,
        chars[0] >> 20, s, n / s / 1e6);
    assertTrue(n > 2000 * 6 * 20, "rows " + n);
  }
}
