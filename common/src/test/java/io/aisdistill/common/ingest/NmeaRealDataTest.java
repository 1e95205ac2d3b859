package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.Plausibility;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.SharedData;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.StaticReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link NmeaLineParser} on the real raw-NMEA samples of {@code shared/data/ais} (see SOURCES.md). */
@Tag("shared-data")
class NmeaRealDataTest {
  private static final String GPSD_SAMPLE = "nmea_raw/gpsd_sample.aivdm";
  private static final long FALLBACK = Instant.parse("2010-01-01T00:00:00Z").toEpochMilli();
  /** A decoded-field dump line of gpsd's sample file: {@code #   Key name : value}. */
  private static final Pattern DUMP_LINE = Pattern.compile("^#\\s+([A-Za-z][A-Za-z0-9 _-]*?)\\s*:\\s*(.*?)\\s*$");

  private static CollectingSink parseFile(String relative, Long fallback) throws IOException {
    CollectingSink sink = new CollectingSink();
    int lines = CollectingSink.feed(
        Plausibility.defaults(java.time.Instant.now()).guard(new NmeaLineParser(relative, fallback)), sink,
        SharedData.ais(relative));
    sink.assertAccounting(lines);
    return sink;
  }

  /**
   * The decoded-field dumps of gpsd's {@code sample.aivdm}, keyed by the byte offset of the first
   * line of the sentence run they follow; keys normalised (lower case, letters and digits only).
   */
  private static Map<Long, Map<String, String>> gpsdDumps() throws IOException {
    byte[] b = Files.readAllBytes(SharedData.ais(GPSD_SAMPLE));
    Map<Long, Map<String, String>> dumps = new LinkedHashMap<>();
    long runStart = -1;
    boolean open = false;
    boolean previousWasSentence = false;
    int start = 0;
    while (start < b.length) {
      int end = start;
      while (end < b.length && b[end] != '\n') {
        end++;
      }
      String line = new String(b, start, end - start, StandardCharsets.UTF_8);
      Matcher m = DUMP_LINE.matcher(line);
      if (line.startsWith("!")) {
        if (!previousWasSentence) {
          runStart = start;
        }
        open = true;
        previousWasSentence = true;
      } else {
        previousWasSentence = false;
        if (open && m.matches()) {
          String key = m.group(1).toLowerCase().replaceAll("[^a-z0-9]", "");
          dumps.computeIfAbsent(runStart, k -> new HashMap<>()).put(key, m.group(2));
        } else {
          open = false;
        }
      }
      start = end + 1;
    }
    return dumps;
  }

  private static String field(Map<String, String> dump, String... keys) {
    for (String k : keys) {
      if (dump.containsKey(k)) {
        return dump.get(k);
      }
    }
    return null;
  }

  private static int intField(Map<String, String> dump, String... keys) {
    return Integer.parseInt(field(dump, keys).replaceAll("[^0-9-]", ""));
  }

  @Test
  void decodesLikeTheGpsdSampleDumps() throws IOException {
    CollectingSink s = parseFile(GPSD_SAMPLE, FALLBACK);
    Map<Long, PositionReport> positions = new HashMap<>();
    s.positions.forEach(p -> positions.put(p.sourceRecord(), p));
    Map<Long, StaticReport> statics = new HashMap<>();
    s.statics.forEach(r -> statics.put(r.sourceRecord(), r));
    Set<Integer> checkedTypes = new TreeSet<>();
    int checked = 0;
    for (Map.Entry<Long, Map<String, String>> e : gpsdDumps().entrySet()) {
      Map<String, String> d = e.getValue();
      String typeText = field(d, "messageid", "messagetype");
      if (typeText == null) {
        continue;
      }
      int type = Integer.parseInt(typeText.trim());
      String where = "dump after offset " + e.getKey() + " " + d;
      switch (type) {
        case 1, 2, 3, 18, 19 -> {
          PositionReport p = positions.get(e.getKey());
          assertNotNull(p, "no position for " + where);
          checkPosition(p, type, d, where);
        }
        case 5, 24 -> {
          StaticReport r = statics.get(e.getKey());
          assertNotNull(r, "no static report for " + where);
          checkStatic(r, type, d, where);
        }
        default -> {
          continue;
        }
      }
      checkedTypes.add(type);
      checked++;
    }
    assertEquals(Set.of(1, 2, 3, 5, 18, 19, 24), checkedTypes);
    assertEquals(11, checked, "dumps: type 1 x2, 2, 3, 5, 18 x3, 19, 24 A and B");
  }

  private static void checkPosition(PositionReport p, int type, Map<String, String> d, String where) {
    assertEquals(type, p.msgType(), where);
    assertEquals(Long.parseLong(field(d, "userid", "mmsi")), p.mmsi(), where);
    assertEquals(Double.parseDouble(field(d, "latitude")), p.lat(), 1e-5, where);
    assertEquals(Double.parseDouble(field(d, "longitude")), p.lon(), 1e-5, where);
    double sog = Double.parseDouble(field(d, "sog", "speedoverground"));
    double cog = Double.parseDouble(field(d, "cog", "courseoverground"));
    if (d.containsKey("speedoverground")) {
      // the "Message Type:" style dump gives SOG and COG in raw tenths
      sog /= 10;
      cog /= 10;
    }
    assertEquals(sog, p.sog(), 1e-9, where);
    assertEquals(cog, p.cog(), 1e-9, where);
    int heading = intField(d, "trueheading");
    if (heading == 511) {
      assertNull(p.heading(), where);
    } else {
      assertEquals(heading, p.heading(), where);
    }
    if (type <= 3) {
      assertEquals(intField(d, "navigationstatus"), p.navStatus(), where);
      assertEquals("A", p.aisClass(), where);
    } else {
      assertNull(p.navStatus(), where);
      assertEquals("B", p.aisClass(), where);
    }
    if (type == 19) {
      assertEquals(field(d, "name"), p.vesselName(), where);
      assertEquals(intField(d, "shipandcargo"), p.shipType(), where);
      assertEquals(intField(d, "dima") + intField(d, "dimb"), p.lengthM(), 1e-9, where);
      assertEquals(intField(d, "dimc") + intField(d, "dimd"), p.widthM(), 1e-9, where);
    }
  }

  private static void checkStatic(StaticReport r, int type, Map<String, String> d, String where) {
    assertEquals(type, r.msgType(), where);
    assertEquals(Long.parseLong(field(d, "userid", "mmsi")), r.mmsi(), where);
    if (d.containsKey("name")) {
      assertEquals(d.get("name"), r.vesselName(), where);
    }
    if (d.containsKey("callsign")) {
      assertEquals(d.get("callsign"), r.callsign(), where);
      assertEquals(intField(d, "shipandcargo"), r.shipType(), where);
      assertEquals(intField(d, "dima") + intField(d, "dimb"), r.lengthM(), 1e-9, where);
      assertEquals(intField(d, "dimc") + intField(d, "dimd"), r.widthM(), 1e-9, where);
    }
    if (type == 5) {
      assertEquals(field(d, "imonumber"), r.imo(), where);
      assertEquals(Double.parseDouble(field(d, "draught")), r.draftM(), 1e-9, where);
      assertEquals(field(d, "destination"), r.destination(), where);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "dma_denmark/aislib_stream_example.nmea",
      "nmea_raw/aisdb_test_data_20211101.nm4",
      "nmea_raw/gpsd_ais-nmea.log",
      "nmea_raw/gpsd_ais-nmea-type6-fid55.log",
      "nmea_raw/gpsd_sample.aivdm",
      "nmea_raw/pyais_nmea_data_sample.txt",
      "nmea_raw/pyais_timestamped.ais",
      "nmea_raw/ggencoder_AisHubSample.nmea",
      "uscg_nais/noaadata_test.ais",
      "uscg_nais/aisdb_test_data_201201.nmea",
  })
  void everyLineIsAccountedForAndNoSentinelIsAccepted(String file) throws IOException {
    CollectingSink s = parseFile(file, FALLBACK);
    assertFalse(s.positions.isEmpty(), file);
    for (PositionReport p : s.positions) {
      String what = file + " " + p;
      assertTrue(p.sog() == null || p.sog() < 102.3 - 1e-9, what);
      assertTrue(p.cog() == null || p.cog() < 360.0, what);
      assertTrue(p.heading() == null || p.heading() != 511, what);
      assertTrue(p.lat() >= -90 && p.lat() <= 90 && p.lat() != 91.0, what);
      assertTrue(p.lon() >= -180 && p.lon() <= 180 && p.lon() != 181.0, what);
      assertEquals(file, p.source());
    }
  }

  /** Files with their own times: many accepted positions, all in the year(s) SOURCES.md states. */
  @ParameterizedTest
  @CsvSource({
      "dma_denmark/aislib_stream_example.nmea, 2000, 2010, 2010",
      "nmea_raw/aisdb_test_data_20211101.nm4, 800, 2021, 2021",
      "nmea_raw/gpsd_ais-nmea.log, 120, 2020, 2020",
      "uscg_nais/noaadata_test.ais, 550, 2006, 2006",
      "uscg_nais/aisdb_test_data_201201.nmea, 3, 2012, 2012",
      "nmea_raw/pyais_timestamped.ais, 1, 2008, 2009",
  })
  void timestampedFilesYieldTimedPositions(String file, int minPositions, int firstYear, int lastYear)
      throws IOException {
    CollectingSink s = parseFile(file, null);
    assertTrue(s.positions.size() >= minPositions, file + ": " + s.positions.size() + " positions");
    for (PositionReport p : s.positions) {
      int year = Instant.ofEpochMilli(p.tsMillis()).atZone(ZoneOffset.UTC).getYear();
      assertTrue(year >= firstYear && year <= lastYear, file + " " + p);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "nmea_raw/gpsd_ais-nmea-type6-fid55.log",
      "nmea_raw/pyais_nmea_data_sample.txt",
      "nmea_raw/ggencoder_AisHubSample.nmea",
  })
  void filesWithoutTimesRejectPositionsWithoutFallback(String file) throws IOException {
    CollectingSink s = parseFile(file, null);
    assertTrue(s.positions.isEmpty(), file);
    assertTrue(s.rejects(RejectReason.NO_TIMESTAMP) > 0, file);
  }

  @Test
  void pyaisSampleEmptyPayloadsAndFragments() throws IOException {
    CollectingSink s = parseFile("nmea_raw/pyais_nmea_data_sample.txt", FALLBACK);
    assertEquals(100, s.rejects(RejectReason.BAD_PAYLOAD), "SOURCES.md: 100 empty payloads");
    assertTrue(s.positions.size() > 600, s.positions.size() + " positions");
  }

  @Test
  void dmaStreamDecodesItsTwoPartMessages() throws IOException {
    CollectingSink s = parseFile("dma_denmark/aislib_stream_example.nmea", null);
    assertEquals(449, s.skipped.get("fragment"), "SOURCES.md: 449 two-part messages");
    assertEquals(4051, s.skipped.get("nmea_other"), "the $PGHP lines");
    assertTrue(s.statics.size() > 400, s.statics.size() + " static reports");
  }
}
