package io.aisdistill.common.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Unit tests of {@link JsonLinesParser}: gpsdio (Global Fishing Watch) messages and AISHub vessel
 * objects in both AISHub encodings; the AISHub lines are the examples of aishub.net's data
 * description written as JSON objects.
 */
class JsonLinesParserTest {
  private static final String SRC = "test.jsonl";
  static final String GPSDIO = "{\"ssvid\": \"366940480\", \"timestamp\": \"2022-01-03T00:00:08.000000Z\", "
      + "\"lat\": 30.3706, \"lon\": -88.5617, \"speed\": 10.5, \"course\": 123.4, \"heading\": 120, "
      + "\"type\": 1, \"status\": 0}";
  /** aishub.net data description, human-readable example (format 1). */
  static final String AISHUB_HUMAN = "{\"MMSI\":413811000,\"TIME\":\"2011-04-12 10:40:27 GMT\","
      + "\"LONGITUDE\":118.44586666667,\"LATITUDE\":38.874833333333,\"COG\":356,\"SOG\":0.1,\"HEADING\":116,"
      + "\"NAVSTAT\":1,\"IMO\":9118824,\"NAME\":\"JIN HAI XIANG\",\"CALLSIGN\":\"BVKU\",\"TYPE\":70,\"A\":197,"
      + "\"B\":27,\"C\":20,\"D\":12,\"DRAUGHT\":7.5,\"DEST\":\"CAOFEIDIAN\",\"ETA\":\"04-10 07:00\"}";
  /** aishub.net data description, AIS-encoding example (format 0): raw ITU-R M.1371 units. */
  static final String AISHUB_RAW = "{\"MMSI\":235085131,\"TIME\":1302264927,\"LONGITUDE\":-818067,"
      + "\"LATITUDE\":30453520,\"COG\":2351,\"SOG\":59,\"HEADING\":511,\"NAVSTAT\":0,\"PAC\":0,\"ROT\":0,"
      + "\"IMO\":0,\"NAME\":\"ZAC V\",\"CALLSIGN\":\"ZIYX3\",\"TYPE\":36,\"DEVICE\":0,\"A\":8,\"B\":4,\"C\":2,"
      + "\"D\":2,\"DRAUGHT\":0,\"DEST\":\"\",\"ETA\":\"\",\"AISVER\":0}";

  @TempDir Path tmp;

  private static CollectingSink parse(String... lines) {
    CollectingSink sink = new CollectingSink();
    int n = CollectingSink.feed(
        io.aisdistill.common.ais.Plausibility.defaults(java.time.Instant.now()).guard(new JsonLinesParser(SRC)),
        sink, lines);   // as the ingest stage runs it: behind the plausibility guard
    sink.assertAccounting(n);
    assertEquals(n, sink.total(), "one line, one record or skipped line");
    return sink;
  }

  @Test
  void gpsdioMessage() {
    PositionReport p = parse(GPSDIO).onlyPosition();
    assertEquals(366940480L, p.mmsi());
    assertEquals(Instant.parse("2022-01-03T00:00:08Z").toEpochMilli(), p.tsMillis());
    assertEquals(30.3706, p.lat(), 1e-9);
    assertEquals(-88.5617, p.lon(), 1e-9);
    assertEquals(10.5, p.sog(), 1e-9);
    assertEquals(123.4, p.cog(), 1e-9);
    assertEquals(120, p.heading());
    assertEquals(0, p.navStatus());
    assertEquals(1, p.msgType());
    assertEquals("A", p.aisClass());
    assertEquals(SRC, p.source());
    assertEquals(0L, p.sourceRecord());
  }

  @Test
  void aishubHumanReadable() {
    PositionReport p = parse(AISHUB_HUMAN).onlyPosition();
    assertEquals(413811000L, p.mmsi());
    assertEquals(Instant.parse("2011-04-12T10:40:27Z").toEpochMilli(), p.tsMillis());
    assertEquals(38.874833333333, p.lat(), 1e-9);
    assertEquals(118.44586666667, p.lon(), 1e-9);
    assertEquals(356.0, p.cog(), 1e-9);
    assertEquals(0.1, p.sog(), 1e-9);
    assertEquals(116, p.heading());
    assertEquals(1, p.navStatus());
    assertEquals("9118824", p.imo());
    assertEquals("JIN HAI XIANG", p.vesselName());
    assertEquals("BVKU", p.callsign());
    assertEquals(70, p.shipType(), "AISHub TYPE is the ship type");
    assertEquals(0, p.msgType());
    assertEquals(224.0, p.lengthM(), 1e-9);
    assertEquals(32.0, p.widthM(), 1e-9);
    assertEquals(7.5, p.draftM(), 1e-9);
  }

  @Test
  void aishubAisEncodingIsScaled() {
    PositionReport p = parse(AISHUB_RAW).onlyPosition();
    assertEquals(1302264927000L, p.tsMillis());
    assertEquals(30453520 / 600000.0, p.lat(), 1e-9);
    assertEquals(-818067 / 600000.0, p.lon(), 1e-9);
    assertEquals(235.1, p.cog(), 1e-9);
    assertEquals(5.9, p.sog(), 1e-9);
    assertNull(p.heading(), "511 = not available");
    assertNull(p.imo(), "IMO 0 = not available");
    assertEquals(36, p.shipType());
    assertEquals(12.0, p.lengthM(), 1e-9);
    assertEquals(4.0, p.widthM(), 1e-9);
    assertNull(p.draftM(), "draught 0 = not available");
  }

  @Test
  void notAvailableValuesBecomeNull() {
    CollectingSink s = parse(
        GPSDIO.replace("10.5", "1023").replace("123.4", "3600").replace("\"heading\": 120", "\"heading\": 511"),
        AISHUB_RAW.replace("\"SOG\":59", "\"SOG\":1023").replace("\"COG\":2351", "\"COG\":3600"),
        AISHUB_HUMAN.replace("\"SOG\":0.1", "\"SOG\":102.3").replace("\"COG\":356", "\"COG\":360")
            .replace("\"HEADING\":116", "\"HEADING\":511"));
    assertEquals(3, s.positions.size(), s.rejects.toString());
    for (PositionReport p : s.positions) {
      assertNull(p.sog(), p.toString());
      assertNull(p.cog(), p.toString());
      assertNull(p.heading(), p.toString());
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1641168008|2022-01-03T00:00:08Z",
      "1641168008123|2022-01-03T00:00:08.123Z",
      "\"1641168008\"|2022-01-03T00:00:08Z",
      "\"2022-01-03T00:00:08Z\"|2022-01-03T00:00:08Z",
      "\"2022-01-03 00:00:08\"|2022-01-03T00:00:08Z",
      "\"2022-01-03T02:00:08+02:00\"|2022-01-03T00:00:08Z",
      "\"2022-01-03T00:00:08+0000\"|2022-01-03T00:00:08Z",
      "\"2022-01-03 00:00:08 UTC\"|2022-01-03T00:00:08Z"})
  void timeLayouts(String json, String expected) {
    PositionReport p = parse("{\"mmsi\": 366940480, \"timestamp\": " + json + ", \"lat\": 1, \"lon\": 2}").onlyPosition();
    assertEquals(Instant.parse(expected).toEpochMilli(), p.tsMillis());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": 1|UNPARSEABLE|not JSON",
      "[366940480, 1641168008, 1, 2]|UNPARSEABLE|array",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": 1, \"lon\": 2} trailing|UNPARSEABLE|not JSON",
      "{\"mmsi\": 366940480, \"mmsi\": 1, \"timestamp\": 1641168008, \"lat\": 1, \"lon\": 2}|UNPARSEABLE|mmsi",
      "{\"timestamp\": 1641168008, \"lat\": 1, \"lon\": 2}|BAD_MMSI|no MMSI",
      "{\"mmsi\": \"abc\", \"timestamp\": 1641168008, \"lat\": 1, \"lon\": 2}|BAD_MMSI|not an integer",
      "{\"mmsi\": 3669404, \"timestamp\": 1641168008, \"lat\": 1, \"lon\": 2}|NON_VESSEL_MMSI|3669404",
      "{\"mmsi\": 366940480, \"lat\": 1, \"lon\": 2}|NO_TIMESTAMP|no time",
      "{\"mmsi\": 366940480, \"timestamp\": null, \"lat\": 1, \"lon\": 2}|NO_TIMESTAMP|no time",
      "{\"mmsi\": 366940480, \"timestamp\": \"yesterday\", \"lat\": 1, \"lon\": 2}|BAD_TIMESTAMP|yesterday",
      "{\"mmsi\": 366940480, \"timestamp\": \"2022-13-03T00:00:08Z\", \"lat\": 1, \"lon\": 2}|BAD_TIMESTAMP|2022-13",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": 91, \"lon\": 2}|LAT_OUT_OF_RANGE|not available",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lon\": 2}|LAT_OUT_OF_RANGE|absent",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": 1, \"lon\": 181}|LON_OUT_OF_RANGE|not available",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": 1, \"lon\": -200.5}|LON_OUT_OF_RANGE|-200.5",
      "{\"MMSI\": 366940480, \"TIME\": 1641168008, \"LATITUDE\": 54600000, \"LONGITUDE\": 0}|LAT_OUT_OF_RANGE|not available",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": \"north\", \"lon\": 2}|BAD_FIELD|north",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": 1, \"lon\": 2, \"speed\": \"fast\"}|BAD_FIELD|fast",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": 1, \"lon\": 2, \"heading\": 12.5}|BAD_FIELD|whole",
      "{\"mmsi\": 366940480, \"timestamp\": 1641168008, \"lat\": 1, \"lon\": 2, \"status\": 16}|BAD_FIELD|0-15",
      "{\"MMSI\": 366940480, \"TIME\": 1641168008, \"LATITUDE\": 1, \"LONGITUDE\": 2, \"A\": -3}|BAD_FIELD|negative"})
  void rejects(String line, RejectReason reason, String detailPart) {
    RejectRecord r = parse(line).onlyReject();
    assertEquals(reason, r.reason(), r.detail());
    assertTrue(r.detail().contains(detailPart), () -> "detail '" + r.detail() + "' lacks '" + detailPart + "'");
    assertEquals(line, r.raw());
    assertEquals(SRC, r.source());
  }

  @Test
  void controlCharacterIsBinaryContent() {
    RejectRecord r = parse("{\"mmsi\": 366940480,\u0001 \"lat\": 1}").onlyReject();
    assertEquals(RejectReason.BINARY_CONTENT, r.reason());
  }

  @Test
  void everyLineOfAFileIsAccounted() throws IOException {
    Path f = tmp.resolve("track.jsonl");
    Files.writeString(f, String.join("\n", GPSDIO, "", "# exported by gpsdio", "{broken", AISHUB_HUMAN,
        AISHUB_RAW + "\r", "{\"mmsi\": 366940480}") + "\n");
    CollectingSink s = new CollectingSink();
    int lines = CollectingSink.feed(
        io.aisdistill.common.ais.Plausibility.defaults(java.time.Instant.now()).guard(new JsonLinesParser(f.toString())),
        s, f);
    s.assertAccounting(lines);
    assertEquals(7, lines);
    assertEquals(3, s.positions.size());
    assertEquals(2, s.rejects.size());
    assertEquals(1, s.rejects(RejectReason.UNPARSEABLE));
    assertEquals(1, s.rejects(RejectReason.NO_TIMESTAMP));
    assertEquals(2, s.skippedKinds.size());
    long offset = (GPSDIO + "\n\n# exported by gpsdio\n{broken\n").length();
    assertEquals(offset, s.positions.get(1).sourceRecord(), "byte offset of the line");
  }
}
