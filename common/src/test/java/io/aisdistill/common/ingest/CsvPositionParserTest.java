package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.Plausibility;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CsvPositionParserTest {
  static final String MC = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
      + "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass";
  static final String MC2014 = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,ROT,Status,VoyageID,BroadcastID";
  static final String DMA = "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,"
      + "ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,"
      + "Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D";

  private static CollectingSink parse(String header, InputFormat f, String... lines) {
    // as the ingest stage runs it: behind the plausibility guard
    var p = Plausibility.defaults(Instant.now()).guard(new CsvPositionParser("test.csv", header, f));
    CollectingSink sink = new CollectingSink();
    long off = 0;
    for (String l : lines) {
      p.line(off, l, sink);
      off += l.length() + 1;
    }
    p.finish(sink);
    assertEquals(lines.length, sink.total(), "every line accounted for exactly once");
    return sink;
  }

  private static PositionReport one(String header, InputFormat f, String line) {
    CollectingSink s = parse(header, f, line);
    assertEquals(1, s.positions.size(), () -> "rejects: " + s.rejects);
    return s.positions.get(0);
  }

  private static RejectRecord rejected(String header, String line, RejectReason reason) {
    CollectingSink s = parse(header, InputFormat.MARINECADASTRE_CSV, line);
    assertEquals(1, s.rejects.size(), () -> "expected a reject, got " + s.positions);
    RejectRecord r = s.rejects.get(0);
    assertEquals(reason, r.reason(), r.detail());
    if (reason != RejectReason.BINARY_CONTENT) {
      assertEquals(line, r.raw(), "raw keeps the line");
    }
    assertTrue(r.detail() != null && !r.detail().isBlank());
    return r;
  }

  @Test
  void marineCadastre2022Row() {
    PositionReport p = one(MC, InputFormat.MARINECADASTRE_CSV,
        "367379190,2022-01-03T00:00:00,30.3706,-88.56408,0.0,336.2,511,EAGLE,IMO8207721,WTD4583,31,0,28,11,3.3,52,A");
    assertEquals(367379190L, p.mmsi());
    assertEquals(Instant.parse("2022-01-03T00:00:00Z").toEpochMilli(), p.tsMillis());
    assertEquals(30.3706, p.lat());
    assertEquals(-88.56408, p.lon());
    assertEquals(0.0, p.sog());
    assertEquals(336.2, p.cog());
    assertNull(p.heading(), "511 = not available");
    assertEquals("EAGLE", p.vesselName());
    assertEquals("8207721", p.imo());
    assertEquals("WTD4583", p.callsign());
    assertEquals(31, p.shipType());
    assertEquals(0, p.navStatus());
    assertEquals(28.0, p.lengthM());
    assertEquals(11.0, p.widthM());
    assertEquals(3.3, p.draftM());
    assertEquals("A", p.aisClass());
    assertEquals(0, p.msgType());
    assertEquals("test.csv", p.source());
    assertEquals(0L, p.sourceRecord());
  }

  @Test
  void classBEmptyFieldsAreNull() {
    PositionReport p = one(MC, InputFormat.MARINECADASTRE_CSV,
        "338148873,2022-01-03T00:00:00,33.60716,-117.91483,0.0,280.0,511,CAZADOR,,,37,,14,,,,B");
    assertEquals("B", p.aisClass());
    assertNull(p.imo());
    assertNull(p.callsign());
    assertNull(p.navStatus());
    assertNull(p.widthM());
    assertNull(p.draftM());
    assertEquals(14.0, p.lengthM());
  }

  @Test
  void floatsAsIntegersSentinelsAndZeroDimensions() {
    PositionReport p = one(MC, InputFormat.MARINECADASTRE_CSV,
        "367752440,2023-01-11T00:00:00,43.07917,-70.75733,102.3,360.0,95.0,SAN JOSE,IMO0,WDI9818,31.0,8.0,0.0,199.0,,52.0,A");
    assertNull(p.sog(), "102.3 = n/a");
    assertNull(p.cog(), "360 = n/a");
    assertEquals(95, p.heading());
    assertEquals(8, p.navStatus());
    assertEquals(31, p.shipType());
    assertNull(p.lengthM(), "0 = n/a");
    assertEquals(199.0, p.widthM());
    assertNull(p.imo(), "IMO 0 = none");
    PositionReport q = one(MC, InputFormat.MARINECADASTRE_CSV,
        "367752440,2023-01-11T00:00:00,43.07917,-70.75733,102.2,359.9,360,X,9307839,,0,15,1,1,1,,A");
    assertEquals(102.2, q.sog());
    assertEquals(359.9, q.cog());
    assertNull(q.heading(), "360 is not a heading");
    assertNull(q.shipType(), "type 0 = not available");
    assertEquals("9307839", q.imo());
    assertEquals(15, q.navStatus());
  }

  @Test
  void quotedFieldsAndCrlf() {
    PositionReport p = one(MC, InputFormat.MARINECADASTRE_CSV,
        "367704390,2022-01-03T00:00:24,30.22025,-93.26768,0.2,275.4,197,\"RAY \"\"CHIEF\"\", TONEY\",,WDI5024,31,12,25,,,57,A\r");
    assertEquals("RAY \"CHIEF\", TONEY", p.vesselName());
    assertEquals("WDI5024", p.callsign());
    assertEquals(197, p.heading());
    assertEquals("A", p.aisClass());
    PositionReport q = one(MC, InputFormat.MARINECADASTRE_CSV,
        "\"367704390\",\"2022-01-03 00:00:24\",\"30.5\",\"-93.5\",,,,\"\",,,,,,,,,\"B\"\r");
    assertEquals(30.5, q.lat());
    assertNull(q.vesselName());
    assertEquals("B", q.aisClass());
  }

  @Test
  void headerBlankAndCommentLinesAreSkippedAnywhere() {
    CollectingSink s = parse(MC, InputFormat.MARINECADASTRE_CSV, MC + "\r", "", "# note",
        "\uFEFF" + MC);
    assertEquals(java.util.List.of("header", "blank", "comment", "header"), s.skippedKinds);
  }

  @Test
  void year2014BroadcastLayoutWithZuluTimes() {
    PositionReport p = one(MC2014, InputFormat.MARINECADASTRE_CSV,
        "215020081,2014-01-05T09:48:32Z,42.396000,-70.806500,9.1,253.0,252,251,0,608,543325");
    assertEquals(Instant.parse("2014-01-05T09:48:32Z").toEpochMilli(), p.tsMillis());
    assertEquals(252, p.heading());
    assertEquals(0, p.navStatus());
    assertNull(p.aisClass());
    PositionReport q = one(MC2014, InputFormat.MARINECADASTRE_CSV,
        "215020081,2014-01-01 04:43:53,42.396,-70.8065,9.1,253.0,252,251,0,608,543325");
    assertEquals(Instant.parse("2014-01-01T04:43:53Z").toEpochMilli(), q.tsMillis());
  }

  @Test
  void tracktablePointsColumnsInAnyOrder() {
    PositionReport p = one("traj_uuid,MMSI,BaseDateTime,LON,LAT", InputFormat.MARINECADASTRE_CSV,
        "92d181d1-0745-445a-8432-f432a5982a1c,367448070,2020-12-08T02:21:44,-74.0649,40.61758");
    assertEquals(40.61758, p.lat());
    assertEquals(-74.0649, p.lon());
    assertNull(p.sog());
  }

  @Test
  void dmaAisdkRowTextCodes() {
    PositionReport p = one(DMA, InputFormat.DMA_CSV,
        "05/07/2017 19:00:01,Class A,265410000,57.687893,11.883765,Moored,0.0,0.1,254.1,511,"
            + "IMO7907659,SKPH,STENA JUTLANDICA,Passenger,,28,183,GPS,6.2,GOTEBORG,,AIS,1,2,3,4");
    assertEquals(Instant.parse("2017-07-05T19:00:01Z").toEpochMilli(), p.tsMillis());
    assertEquals(5, p.navStatus());
    assertEquals(60, p.shipType());
    assertEquals("A", p.aisClass());
    assertEquals("7907659", p.imo());
    assertEquals(183.0, p.lengthM());
    assertEquals(28.0, p.widthM());
    assertEquals(6.2, p.draftM());
    assertNull(p.heading());
    PositionReport q = one("# Timestamp,MMSI,Latitude,Longitude,Navigational status,SOG,COG,Name,Ship type",
        InputFormat.DMA_CSV, "05/07/2017 19:00:01,265410000,57.6,11.8,Unknown value,8.3,254.1,X,Undefined");
    assertEquals(15, q.navStatus());
    assertNull(q.shipType());
  }

  @Test
  void dmaShipTypeTable() {
    assertEquals(70, DmaCodes.shipType("Cargo"));
    assertEquals(80, DmaCodes.shipType("tanker"));
    assertEquals(30, DmaCodes.shipType("Fishing"));
    assertEquals(52, DmaCodes.shipType("Tug"));
    assertEquals(55, DmaCodes.shipType("Law enforcement"));
    assertEquals(54, DmaCodes.shipType("Anti-pollution"));
    assertEquals(90, DmaCodes.shipType("Other"));
    assertNull(DmaCodes.shipType("Undefined"));
    assertEquals(0, DmaCodes.navStatus("Under way using engine"));
    assertEquals(7, DmaCodes.navStatus("Engaged in fishing"));
  }

  @Test
  void rejects() {
    String ok = ",2022-01-03T00:00:00,30.1,-88.5,1.0,10.0,10,N,,,70,0,100,20,5.0,70,A";
    assertTrue(rejected(MC, "abc" + ok, RejectReason.BAD_MMSI).detail().contains("abc"));
    rejected(MC, ok, RejectReason.BAD_MMSI);
    rejected(MC, "3669999" + ok, RejectReason.NON_VESSEL_MMSI);
    rejected(MC, "993669999" + ok, RejectReason.NON_VESSEL_MMSI);
    rejected(MC, "367379190,,30.1,-88.5,1,10,10,N,,,70,0,100,20,5,70,A", RejectReason.NO_TIMESTAMP);
    rejected(MC, "367379190,2022-13-03T00:00:00,30.1,-88.5,1,10,10,N,,,70,0,100,20,5,70,A", RejectReason.BAD_TIMESTAMP);
    rejected(MC, "367379190,2022-02-30T00:00:00,30.1,-88.5,1,10,10,N,,,70,0,100,20,5,70,A", RejectReason.BAD_TIMESTAMP);
    rejected(MC, "367379190,yesterday,30.1,-88.5,1,10,10,N,,,70,0,100,20,5,70,A", RejectReason.BAD_TIMESTAMP);
    assertTrue(rejected(MC, "367379190,2022-01-03T00:00:00,91,-88.5,1,10,10,N,,,70,0,100,20,5,70,A",
        RejectReason.LAT_OUT_OF_RANGE).detail().contains("not available"));
    rejected(MC, "367379190,2022-01-03T00:00:00,,-88.5,1,10,10,N,,,70,0,100,20,5,70,A", RejectReason.LAT_OUT_OF_RANGE);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,181,1,10,10,N,,,70,0,100,20,5,70,A", RejectReason.LON_OUT_OF_RANGE);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-180.5,1,10,10,N,,,70,0,100,20,5,70,A", RejectReason.LON_OUT_OF_RANGE);
    rejected(MC, "367379190,2022-01-03T00:00:00,x,-88.5,1,10,10,N,,,70,0,100,20,5,70,A", RejectReason.BAD_FIELD);
    assertTrue(rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,fast,10,10,N,,,70,0,100,20,5,70,A",
        RejectReason.BAD_FIELD).detail().contains("SOG"));
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,1e,10,N,,,70,0,100,20,5,70,A", RejectReason.BAD_FIELD);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10.5,N,,,70,0,100,20,5,70,A", RejectReason.BAD_FIELD);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10,N,,,70,16,100,20,5,70,A", RejectReason.BAD_FIELD);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10,N,,,70,x,100,20,5,70,A", RejectReason.BAD_FIELD);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10,N,,,70,0,-3,20,5,70,A", RejectReason.BAD_FIELD);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10,N,,,70,0,100,wide,5,70,A", RejectReason.BAD_FIELD);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10,N,,,70,0,100,20", RejectReason.TRUNCATED_RECORD);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10,N,,,70,0,100,20,5,70,A,extra", RejectReason.UNPARSEABLE);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10,\"N,,,70,0,100,20,5,70,A", RejectReason.UNPARSEABLE);
    rejected(MC, "367379190,2022-01-03T00:00:00,30.1,-88.5,1,10,10,\"N\"x,,,70,0,100,20,5,70,A", RejectReason.UNPARSEABLE);
    rejected(MC, "garbage", RejectReason.UNPARSEABLE);
    rejected(MC, "367379190,2022-01-03T00:0", RejectReason.TRUNCATED_RECORD);
    RejectRecord bin = rejected(MC, "3673\0\u000179190" + ok, RejectReason.BINARY_CONTENT);
    assertTrue(!bin.raw().contains("\0"), "raw of a binary reject is printable");
  }

  @Test
  void constructorRefusesNmeaAndIncompleteHeaders() {
    assertThrows(IllegalArgumentException.class, () -> new CsvPositionParser("x", MC, InputFormat.NMEA));
    assertThrows(IllegalArgumentException.class,
        () -> new CsvPositionParser("x", "MMSI,LAT,LON,SOG", InputFormat.MARINECADASTRE_CSV));
  }

  @Test
  void headerAliasesAndMisspellings() {
    CsvHeader h = CsvHeader.parse("mmsi,BASEDATETIME,Lattitude,Longitude,TranscieverClass,Draught");
    assertTrue(h.missing().isEmpty());
    assertEquals(4, h.indexOf(CsvColumn.CLASS));
    assertEquals(5, h.indexOf(CsvColumn.DRAFT));
    assertEquals(java.util.List.of(CsvColumn.TIME, CsvColumn.LAT), CsvHeader.parse("MMSI,LON,SOG").missing()
        .subList(0, 2));
  }

  @Test
  void fastDoubleMatchesJdk() {
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 200_000; i++) {
      String s = String.format(java.util.Locale.ROOT, "%." + r.nextInt(8) + "f", (r.nextDouble() - 0.5) * 400);
      char[] b = s.toCharArray();
      assertEquals(Double.parseDouble(s), CsvValues.parseDouble(b, 0, b.length), s);
    }
    char[] e = "1.5e2".toCharArray();
    assertEquals(150.0, CsvValues.parseDouble(e, 0, e.length));
    char[] n = "-".toCharArray();
    assertTrue(Double.isNaN(CsvValues.parseDouble(n, 0, n.length)));
  }

  @Test
  void timeParserMatchesJavaTime() {
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < 20_000; i++) {
      long sec = (long) (r.nextDouble() * 4_000_000_000L) - 100_000_000L;
      Instant t = Instant.ofEpochSecond(sec);
      String iso = t.toString().replace("Z", "");
      char[] b = iso.toCharArray();
      assertEquals(sec * 1000, CsvValues.parseTimeMillis(b, 0, b.length, false), iso);
    }
    char[] f = "2022-01-03T00:00:00.25Z".toCharArray();
    assertEquals(Instant.parse("2022-01-03T00:00:00.250Z").toEpochMilli(), CsvValues.parseTimeMillis(f, 0, f.length, false));
    char[] leap = "29/02/2024 23:59:59".toCharArray();
    assertEquals(Instant.parse("2024-02-29T23:59:59Z").toEpochMilli(), CsvValues.parseTimeMillis(leap, 0, leap.length, true));
    // one layout per source: a MarineCadastre file never reads 01/03/2022 day-first, DMA never ISO
    char[] dmy = "01/03/2022 01:00:00".toCharArray();
    assertEquals(CsvValues.BAD_TIME, CsvValues.parseTimeMillis(dmy, 0, dmy.length, false));
    assertEquals(CsvValues.BAD_TIME, CsvValues.parseTimeMillis(f, 0, f.length, true));
  }
}
