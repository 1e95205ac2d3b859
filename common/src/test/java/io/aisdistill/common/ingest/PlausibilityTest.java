package io.aisdistill.common.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.Plausibility;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.StaticReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hostile values of issue 13, each through a real parser behind {@link Plausibility#guard}:
 * every one is rejected with its reason, or nulled/cut and flagged; accepted rows are inside the
 * rules (checked here with plain range tests, not with Plausibility's own code).
 */
class PlausibilityTest {
  private static final Instant RUN = Instant.parse("2026-11-30T12:00:00Z");
  private static final Plausibility RULES = Plausibility.defaults(RUN);
  private static final String MC = CsvPositionParserTest.MC;

  /** One MarineCadastre row with the given time, lat, SOG, COG, heading, name. */
  private static String row(String time, String lat, String sog, String cog, String heading, String name) {
    return "367005001," + time + "," + lat + ",-88.5," + sog + "," + cog + "," + heading + "," + name
        + ",,,70,0,100,20,5.0,70,A";
  }

  private static CollectingSink parse(InputFormat f, String header, String... lines) {
    CollectingSink sink = new CollectingSink();
    int n = CollectingSink.feed(RULES.guard(new CsvPositionParser("h.csv", header, f)), sink, lines);
    sink.assertAccounting(n);
    return sink;
  }

  private static CollectingSink mc(String... lines) {
    return parse(InputFormat.MARINECADASTRE_CSV, MC, lines);
  }

  private static void rejected(RejectReason reason, String line) {
    CollectingSink s = mc(line);
    assertEquals(0, s.positions.size(), line);
    assertEquals(reason, s.rejects.get(0).reason(), line + ": " + s.rejects.get(0).detail());
  }

  @Test
  void theIssuesSmallestCaseIsRejected() {
    CollectingSink s = mc("367005001,2099-01-01T00:00:00,30.5,-88.5,102.25,90.0,90,T1,,,70,0,100,20,5.0,70,A");
    assertEquals(RejectReason.TIME_OUT_OF_RANGE, s.rejects.get(0).reason());
    assertTrue(s.rejects.get(0).detail().contains("2099-01-01T00:00:00Z"), s.rejects.get(0).detail());
  }

  @Test
  void timesOutsideTheRangeAreRejected() {
    for (String t : List.of("1970-01-01T00:00:00", "1999-12-31T23:59:59", "2099-01-01T00:00:00",
        "2026-12-01T12:00:01")) {
      rejected(RejectReason.TIME_OUT_OF_RANGE, row(t, "30.5", "5.0", "90.0", "90", "T"));
    }
    assertEquals(1, mc(row("2000-01-01T00:00:00", "30.5", "5.0", "90.0", "90", "T")).positions.size());
    assertEquals(1, mc(row("2026-12-01T12:00:00", "30.5", "5.0", "90.0", "90", "T")).positions.size());
    // the range is configured
    Plausibility narrow = Plausibility.of("2022-01-01T00:00:00Z", 0, Instant.parse("2022-12-31T00:00:00Z"));
    assertTrue(narrow.timeProblem(Instant.parse("2021-12-31T23:59:59Z").toEpochMilli()).contains("ingest.min_time"));
    assertNull(narrow.timeProblem(Instant.parse("2022-06-01T00:00:00Z").toEpochMilli()));
    assertThrows(IllegalArgumentException.class, () -> Plausibility.of("yesterday", 0, RUN));
  }

  @Test
  void dayFirstDatesOnlyInDmaFiles() {
    rejected(RejectReason.BAD_TIMESTAMP, row("01/03/2022 01:00:00", "30.5", "5.0", "90.0", "90", "T"));
    String dmaLine = "01/03/2022 01:00:00,Class A,219000001,55.5,11.5,Under way using engine,0,5.0,90.0,90,"
        + "Unknown,OXAB2,NAME,Cargo,,20,100,GPS,5.0,AARHUS,,AIS,,,,";
    CollectingSink d = parse(InputFormat.DMA_CSV, CsvPositionParserTest.DMA, dmaLine);
    assertEquals(Instant.parse("2022-03-01T01:00:00Z").toEpochMilli(), d.positions.get(0).tsMillis());
    String isoInDma = dmaLine.replace("01/03/2022 01:00:00", "2022-03-01T01:00:00");
    assertEquals(RejectReason.BAD_TIMESTAMP,
        parse(InputFormat.DMA_CSV, CsvPositionParserTest.DMA, isoInDma).rejects.get(0).reason());
  }

  @Test
  void onlyDecimalNumbers() {
    for (String lat : List.of("0x1p4", "NaN", "Infinity", "16d", "1e", "--1", "1.2.3")) {
      rejected(RejectReason.BAD_FIELD, row("2022-01-01T00:00:00", lat, "5.0", "90.0", "90", "T"));
    }
    rejected(RejectReason.BAD_FIELD, row("2022-01-01T00:00:00", "30.5", "0x1p3", "90.0", "90", "T"));
    assertEquals(16.0, mc(row("2022-01-01T00:00:00", "1.6e1", "5.0", "90.0", "90", "T")).positions.get(0).lat());
  }

  @Test
  void sogRules() {
    PositionReport limit = mc(row("2022-01-01T00:00:00", "30.5", "102.2", "90.0", "90", "T")).positions.get(0);
    assertEquals(102.2, limit.sog());
    assertEquals(List.of("SOG_AT_LIMIT"), limit.qualityFlags());
    PositionReport na = mc(row("2022-01-01T00:00:00", "30.5", "102.3", "90.0", "90", "T")).positions.get(0);
    assertNull(na.sog());
    assertNull(na.qualityFlags());
    for (String sog : List.of("102.25", "-1", "1e9", "102.4")) {
      CollectingSink s = mc(row("2022-01-01T00:00:00", "30.5", sog, "90.0", "90", "T"));
      PositionReport p = s.positions.get(0);
      assertNull(p.sog(), sog);
      assertEquals(List.of("SOG_OUT_OF_RANGE=" + Double.parseDouble(sog)), p.qualityFlags());
      assertEquals(1, s.notes.get("quality.SOG_OUT_OF_RANGE"));
    }
  }

  @Test
  void cogAndHeadingRules() {
    for (String cog : List.of("-5", "400", "1e9", "360.5")) {
      PositionReport p = mc(row("2022-01-01T00:00:00", "30.5", "5", cog, "90", "T")).positions.get(0);
      assertNull(p.cog(), cog);
      assertEquals(List.of("COG_OUT_OF_RANGE=" + Double.parseDouble(cog)), p.qualityFlags());
    }
    PositionReport na = mc(row("2022-01-01T00:00:00", "30.5", "5", "360.0", "511", "T")).positions.get(0);
    assertNull(na.cog());
    assertNull(na.heading());
    assertNull(na.qualityFlags());
    for (String h : List.of("600", "-1", "360")) {
      PositionReport p = mc(row("2022-01-01T00:00:00", "30.5", "5", "90", h, "T")).positions.get(0);
      assertNull(p.heading(), h);
      assertEquals(List.of("HEADING_OUT_OF_RANGE=" + h), p.qualityFlags());
    }
    PositionReport both = mc(row("2022-01-01T00:00:00", "30.5", "-1", "400", "600", "T")).positions.get(0);
    assertEquals(List.of("SOG_OUT_OF_RANGE=-1.0", "COG_OUT_OF_RANGE=400.0", "HEADING_OUT_OF_RANGE=600"),
        both.qualityFlags());
  }

  @Test
  void negativeZeroIsNormalised() {
    PositionReport p = mc("367005001,2022-01-01T00:00:00,-0.0,-0.0,-0.0,-0.0,0,T,,,70,0,100,20,5.0,70,A")
        .positions.get(0);
    for (double v : new double[] {p.lat(), p.lon(), p.sog(), p.cog()}) {
      assertEquals(0L, Double.doubleToRawLongBits(v), "raw bits of " + v);
    }
  }

  @Test
  void textIsCappedWithTheOriginalLength() {
    String huge = "A".repeat(5 * 1024 * 1024);
    CollectingSink s = mc(row("2022-01-01T00:00:00", "30.5", "5", "90", "90", huge));
    PositionReport p = s.positions.get(0);
    assertEquals(Plausibility.MAX_NAME_CHARS, p.vesselName().length());
    assertEquals(List.of("VESSEL_NAME_TRUNCATED=" + huge.length()), p.qualityFlags());
    // a surrogate pair at the cap is not cut in two
    String emoji = "B".repeat(Plausibility.MAX_NAME_CHARS - 1) + "\uD83D\uDEA2" + "C";
    String kept = mc(row("2022-01-01T00:00:00", "30.5", "5", "90", "90", emoji)).positions.get(0).vesselName();
    assertEquals(Plausibility.MAX_NAME_CHARS - 1, kept.length());
    List<String> notes = new ArrayList<>();
    StaticReport st = RULES.check(new StaticReport(367005001L, null, 5, "N", null, "C".repeat(40), null, null,
        null, null, "D".repeat(100), "f", 0), notes);
    assertEquals(Plausibility.MAX_CALLSIGN_CHARS, st.callsign().length());
    assertEquals(Plausibility.MAX_NAME_CHARS, st.destination().length());
    assertEquals(List.of("CALLSIGN_TRUNCATED=40", "DESTINATION_TRUNCATED=100"), notes);
  }

  @Test
  void nmeaTimesAndRawValuesPassTheSameRules() {
    // a type 1 report timed by its NMEA 4.0 tag block: 2022-01-03 accepted, 1970 rejected
    CollectingSink s = new CollectingSink();
    var p = RULES.guard(new NmeaLineParser("n.nmea", null));
    p.line(0, "\\c:1641168000*54\\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24", s);
    // the same sentence with a 1970 tag-block time
    p.line(80, "\\c:1000*58\\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24", s);
    p.finish(s);
    assertEquals(1, s.positions.size(), s.rejects.toString());
    assertEquals(RejectReason.TIME_OUT_OF_RANGE, s.rejects.get(0).reason());
  }
}
