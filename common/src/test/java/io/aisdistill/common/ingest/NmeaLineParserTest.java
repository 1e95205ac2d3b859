package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.Plausibility;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dk.dma.ais.message.AisMessage;
import dk.dma.ais.message.AisMessage1;
import dk.dma.ais.message.AisMessage18;
import dk.dma.ais.message.AisMessage27;
import dk.dma.ais.message.AisPosition;
import dk.dma.ais.sentence.Vdm;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unit tests of {@link NmeaLineParser} on inline sentences: published examples (gpsd
 * {@code sample.aivdm}, Kurt Schwehr / AISHub) and payloads encoded with AisLib for edge values.
 */
class NmeaLineParserTest {
  private static final String SRC = "test.nmea";
  private static final long T0 = Instant.parse("2020-01-02T03:04:05Z").toEpochMilli();

  /** Type 1, MMSI 371798000, 48.38163333 N 123.39538333 W, SOG 12.3, COG 224, heading 215. */
  private static final String TYPE1 = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
  private static final String TYPE1_PAYLOAD = "15RTgt0PAso;90TKcjM8h6g208CQ";
  /** Type 5 in two fragments: EVER DIADEM, IMO 9134270, 3FOF8, type 70, 225+70 x 1+31 m, 12.2 m, NEW YORK. */
  private static final String TYPE5_1 =
      "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C";
  private static final String TYPE5_2 = "!AIVDM,2,2,1,A,88888888880,2*25";

  private static CollectingSink parse(Long fallback, String... lines) {
    CollectingSink sink = new CollectingSink();
    int n = CollectingSink.feed(
        Plausibility.defaults(java.time.Instant.now()).guard(new NmeaLineParser(SRC, fallback)), sink, lines);
    sink.assertAccounting(n);
    return sink;
  }

  /** {@code !} + body + {@code *hh} with the IEC 61162-1 checksum. */
  private static String sentence(String body) {
    return String.format("!%s*%02X", body, NmeaSentence.checksum(body));
  }

  /** A single-sentence VDM of an AisLib-encoded message. */
  private static String encode(AisMessage msg) {
    try {
      String[] s = Vdm.createSentences(msg, 0);
      assertEquals(1, s.length);
      return s[0];
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static AisMessage1 type1(int mmsi, double lat, double lon) {
    AisMessage1 m = new AisMessage1();
    m.setUserId(mmsi);
    m.setPos(position(lat, lon));
    m.setSog(55);
    m.setCog(1234);
    m.setTrueHeading(120);
    m.setNavStatus(0);
    return m;
  }

  /** A position at AisLib's 1/10000-minute resolution (types 1-3, 18, 19). */
  private static AisPosition position(double lat, double lon) {
    AisPosition p = new AisPosition();
    p.setLatitude(Math.round(lat * 600_000));
    p.setLongitude(Math.round(lon * 600_000));
    return p;
  }

  /** SOG 102.3, COG 360 and heading 511 (ITU-R M.1371-5 "not available") all became null. */
  private static void assertMotionNotAvailable(PositionReport p) {
    assertNull(p.sog(), "SOG 1023 = not available");
    assertNull(p.cog(), "COG 3600 = not available");
    assertNull(p.heading(), "heading 511 = not available");
  }

  private static void assertReject(RejectReason reason, String detailPart, CollectingSink s) {
    RejectRecord r = s.onlyReject();
    assertEquals(reason, r.reason(), r.detail());
    assertTrue(r.detail().contains(detailPart), () -> "detail '" + r.detail() + "' lacks '" + detailPart + "'");
    assertEquals(SRC, r.source());
  }

  @Test
  void decodesPublishedType1() {
    PositionReport p = parse(T0, TYPE1).onlyPosition();
    assertEquals(371798000L, p.mmsi());
    assertEquals(T0, p.tsMillis());
    assertEquals(48.38163333, p.lat(), 1e-6);
    assertEquals(-123.39538333, p.lon(), 1e-6);
    assertEquals(12.3, p.sog(), 1e-9);
    assertEquals(224.0, p.cog(), 1e-9);
    assertEquals(215, p.heading());
    assertEquals(0, p.navStatus());
    assertEquals(1, p.msgType());
    assertEquals("A", p.aisClass());
    assertEquals(SRC, p.source());
    assertEquals(0L, p.sourceRecord());
    assertNull(p.vesselName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"AIVDM", "BSVDM", "ABVDM", "AIVDO", "SSVDM", "BYVDM"})
  void acceptsAnyTalkerOfVdmAndVdo(String address) {
    PositionReport p = parse(T0, sentence(address + ",1,1,,A," + TYPE1_PAYLOAD + ",0")).onlyPosition();
    assertEquals(371798000L, p.mmsi());
  }

  @Test
  void sourceRecordIsTheLineOffsetAndCrlfIsAccepted() {
    CollectingSink s = parse(T0, "# header", TYPE1 + "\r");
    assertEquals(9L, s.onlyPosition().sourceRecord());
    assertEquals(1, s.skipped.get("comment"));
  }

  /** Published sentences, each rejected for one reason whose detail names the cause. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "BAD_CHECKSUM | *4B | !AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B",
      "BAD_PAYLOAD | empty payload | !AIVDM,1,1,,B,,0*25",
      "UNSUPPORTED_MSG_TYPE | message type 4 | !AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D",
      "UNSUPPORTED_MSG_TYPE | message type 9 | !AIVDM,1,1,,A,91b77=h3h00nHt0Q3r@@07000<0b,0*69",
  })
  void singleSentenceRejects(RejectReason reason, String detailPart, String line) {
    assertReject(reason, detailPart, parse(T0, line));
  }

  @Test
  void nonSixbitPayloadCharacterIsBadPayload() {
    assertReject(RejectReason.BAD_PAYLOAD, "not 6-bit", parse(T0, sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g2{8CQ,0")));
  }

  @Test
  void truncatedPayloadIsBadPayload() {
    assertReject(RejectReason.BAD_PAYLOAD, "undecodable", parse(T0, sentence("AIVDM,1,1,,A,15RTgt0PAso;90TK,0")));
  }

  @Test
  void blankCommentAndOtherNmeaAreSkipped() {
    CollectingSink s = parse(T0, "", "   ", "# a comment",
        "$GPGGA,213950.00,5250.53669,N,00542.34920,E,1,09,1.03,-6.0,M,45.8,M,,*7B",
        "$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17");
    assertEquals(0, s.records());
    assertEquals(2, s.skipped.get("blank"));
    assertEquals(1, s.skipped.get("comment"));
    assertEquals(2, s.skipped.get("nmea_other"));
  }

  @Test
  void controlBytesAreBinaryContent() {
    CollectingSink s = parse(T0, "!AIVDM,1,1,,A,15RT\u0000gt0PAso");
    assertReject(RejectReason.BINARY_CONTENT, "U+0000", s);
    assertEquals("!AIVDM,1,1,,A,15RT?gt0PAso", s.rejects.get(0).raw());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "hello world",
      "AIVDM,2,2,1,B,00000000000,2*26",
      "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0",
      "\\s:2573,c:1635731889*XX",
  })
  void nonSentencesAreUnparseable(String line) {
    assertEquals(RejectReason.UNPARSEABLE, parse(T0, line).onlyReject().reason());
  }

  @Test
  void malformedVdmFieldsAreUnparseable() {
    assertReject(RejectReason.UNPARSEABLE, "fragment number '3'",
        parse(T0, sentence("AIVDM,2,3,1,A," + TYPE1_PAYLOAD + ",0")));
    assertReject(RejectReason.UNPARSEABLE, "fill bits", parse(T0, sentence("AIVDM,1,1,,A," + TYPE1_PAYLOAD + ",7")));
    assertReject(RejectReason.UNPARSEABLE, "needs 7", parse(T0, sentence("AIVDM,1,1,,A")));
  }

  @Test
  void reassemblesTwoFragmentType5() {
    CollectingSink s = parse(null, "# x", TYPE5_1, TYPE5_2);
    StaticReport r = s.onlyStatic();
    assertEquals(351759000L, r.mmsi());
    assertEquals(5, r.msgType());
    assertEquals("EVER DIADEM", r.vesselName());
    assertEquals("9134270", r.imo());
    assertEquals("3FOF8", r.callsign());
    assertEquals(70, r.shipType());
    assertEquals(295.0, r.lengthM());
    assertEquals(32.0, r.widthM());
    assertEquals(12.2, r.draftM(), 1e-9);
    assertEquals("NEW YORK", r.destination());
    assertNull(r.tsMillis(), "a static report without any time keeps a null time");
    assertEquals(4L, r.sourceRecord(), "offset of fragment 1");
    assertEquals(1, s.skipped.get("fragment"));
    assertEquals(java.util.List.of(2), s.linesPerRecord);
  }

  @Test
  void reassemblesInterleavedGroupsByChannelAndSequenceId() {
    CollectingSink s = parse(T0,
        "!AIVDM,2,1,6,B,542M92h00001@<7;?G0PD4i@R0<tqA8tj37>220o0h:2240Ht50000000000,0*3B",
        "!AIVDM,2,1,2,A,542M92h00001@<7;?G0PD4i@R0<tqA8tj37>220o0h:2240Ht500000000000000,0*3C",
        "!AIVDM,2,2,2,A,0000002,2*24",
        "!AIVDM,2,2,6,B,00000000000,2*21");
    assertEquals(2, s.statics.size());
    assertEquals(0, s.rejects.size());
    assertEquals(2, s.skipped.get("fragment"));
  }

  @Test
  void fragmentsThatNeverCompleteAreRejectedAtFinish() {
    CollectingSink s = parse(T0, TYPE5_1);
    assertReject(RejectReason.INCOMPLETE_MULTIPART, "never completed", s);
    assertEquals(0L, s.rejects.get(0).sourceRecord());
    assertEquals(TYPE5_1, s.rejects.get(0).raw());
  }

  @Test
  void orphanFragmentIsRejectedAndSupersededGroupIsAbandoned() {
    CollectingSink s = parse(T0, TYPE5_2, TYPE5_1, TYPE5_1, TYPE5_2);
    assertEquals(1, s.statics.size());
    assertEquals(2, s.rejects(RejectReason.INCOMPLETE_MULTIPART));
    assertTrue(s.rejects.get(0).detail().contains("without its preceding"));
    assertTrue(s.rejects.get(1).detail().contains("superseded"));
    assertEquals(s.rejects.get(1).sourceRecord(), TYPE5_2.length() + 1L);
  }

  @Test
  void rejectedMultipartMessageConsumesAllItsFragments() {
    // two fragments of a type 8 (binary broadcast): one reject for the message, the other line a fragment
    CollectingSink s = parse(T0, "!AIVDM,2,1,6,A,8>qc9wiKf>d=Cq5r0mdew:?DLq>1LmhHrsqmBCKnJ50,0*30",
        "!AIVDM,2,2,6,A,3OLc=UCRp,0*4A,b003660465");
    assertReject(RejectReason.UNSUPPORTED_MSG_TYPE, "message type 8", s);
    assertTrue(s.rejects.get(0).raw().contains("\n!AIVDM,2,2"));
    assertEquals(java.util.List.of(2), s.linesPerRecord);
  }

  @Test
  void tagBlockTimeInSecondsOrMillis() {
    String line = "\\s:42809,c:1635731889,t:1635731965*6A\\" + TYPE1;
    assertEquals(1635731889000L, parse(null, line).onlyPosition().tsMillis());
    String millis = "s:1,c:1635731889123";
    String line2 = String.format("\\%s*%02X\\%s", millis, NmeaSentence.checksum(millis), TYPE1);
    assertEquals(1635731889123L, parse(null, line2).onlyPosition().tsMillis());
  }

  @Test
  void tagBlockChecksumAndTimeAreVerified() {
    CollectingSink strict = new CollectingSink();
    CollectingSink.feed(new NmeaLineParser(SRC, null, true), strict,
        "\\s:42809,c:1635731889,t:1635731965*6B\\" + TYPE1);
    assertReject(RejectReason.BAD_CHECKSUM, "tag block", strict);
    assertTrue(strict.notes.isEmpty(), strict.notes.toString());
    String bad = "c:yesterday";
    assertReject(RejectReason.BAD_TIMESTAMP, "yesterday",
        parse(null, String.format("\\%s*%02X\\%s", bad, NmeaSentence.checksum(bad), TYPE1)));
  }

  /**
   * Issue 13 item 7: national feeds write NMEA 4.0 tag blocks with a placeholder checksum
   * ({@code *00}). By default the sentence is read when its own checksum holds, its tag-block time
   * is used, and each such line is noted; strict mode rejects it; a wrong sentence checksum is
   * rejected in both modes.
   */
  @Test
  void placeholderTagBlockChecksumIsNotedNotRejectedUnlessStrict() {
    String placeholder = "\\c:1420030798*00\\" + TYPE1;
    String wrongTag = "\\s:42809,c:1635731889*6B\\" + TYPE1;
    String bothWrong = "\\c:1420030798*00\\" + TYPE1.replace("*4A", "*4B");
    String fine = "\\s:42809,c:1635731889,t:1635731965*6A\\" + TYPE1;
    // two fragments of a type 5, each behind a placeholder tag block
    String frag1 = "\\c:1420030799*00\\" + TYPE5_1;
    String frag2 = "\\c:1420030799*00\\" + TYPE5_2;
    CollectingSink lenient = parse(null, placeholder, wrongTag, bothWrong, fine, frag1, frag2);
    assertEquals(3, lenient.positions.size());
    assertEquals(1420030798000L, lenient.positions.get(0).tsMillis(), "time from the *00 tag block is used");
    assertEquals(1635731889000L, lenient.positions.get(1).tsMillis());
    assertEquals(1, lenient.statics.size());
    assertEquals(1420030799000L, lenient.statics.get(0).tsMillis());
    assertEquals(1, lenient.rejects(RejectReason.BAD_CHECKSUM));
    assertTrue(lenient.rejects.get(0).detail().startsWith("sentence checksum"), lenient.rejects.get(0).detail());
    assertEquals(java.util.Map.of("tag_block_checksum_bad", 4), lenient.notes,
        "every line read behind a wrong tag-block checksum, fragments included; not the rejected one");

    CollectingSink strict = new CollectingSink();
    int n = CollectingSink.feed(new NmeaLineParser(SRC, null, true), strict,
        placeholder, wrongTag, bothWrong, fine, frag1, frag2);
    strict.assertAccounting(n);
    assertEquals(1, strict.positions.size(), "only the line with a right tag-block checksum");
    assertEquals(5, strict.rejects(RejectReason.BAD_CHECKSUM));
    assertTrue(strict.notes.isEmpty());
  }

  @Test
  void pghpTimesOnlyTheNextSentence() {
    CollectingSink s = parse(null, "$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B", TYPE1, TYPE1);
    assertEquals(Instant.parse("2010-06-11T11:46:11.390Z").toEpochMilli(), s.positions.get(0).tsMillis());
    assertEquals(1, s.rejects(RejectReason.NO_TIMESTAMP));
  }

  @Test
  void naisTrailerTimes() {
    assertEquals(1152921693000L, parse(null, sentence("AIVDM,1,1,,A," + TYPE1_PAYLOAD + ",0")
        + ",r003669987,1152921693").onlyPosition().tsMillis());
    assertEquals(1325394060000L, parse(null, sentence("AIVDM,1,1,,A," + TYPE1_PAYLOAD + ",0")
        + ",d-109,S2105,t050056.00,T56.13718694,r003669946,1325394060,1325394001").onlyPosition().tsMillis());
    assertEquals(1325394060000L, parse(null, sentence("AIVDM,1,1,,A," + TYPE1_PAYLOAD + ",0")
        + ",1325394060,1325394001").onlyPosition().tsMillis());
  }

  @Test
  void latestRmcTimesLaterSentences() {
    CollectingSink s = parse(null, TYPE1,
        "$GPRMC,213950.00,A,5250.53669,N,00542.34920,E,0.020,,070420,,,A*7D", TYPE1,
        "$GPRMC,213951.00,A,5250.53675,N,00542.34923,E,0.014,,070420,,,A*75", TYPE1);
    assertEquals(1, s.rejects(RejectReason.NO_TIMESTAMP), "no RMC seen yet");
    assertEquals(Instant.parse("2020-04-07T21:39:50Z").toEpochMilli(), s.positions.get(0).tsMillis());
    assertEquals(Instant.parse("2020-04-07T21:39:51Z").toEpochMilli(), s.positions.get(1).tsMillis());
  }

  @Test
  void timePrecedenceTagBlockThenPghpThenTrailerThenRmc() {
    String rmc = "$GPRMC,213950.00,A,5250.53669,N,00542.34920,E,0.020,,070420,,,A*7D";
    String pghp = "$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B";
    String withTrailer = TYPE1 + ",r003669987,1152921693";
    String tagged = "\\s:42809,c:1635731889,t:1635731965*6A\\" + withTrailer;
    CollectingSink s = parse(null, rmc, pghp, tagged, pghp, withTrailer, withTrailer, TYPE1);
    assertEquals(1635731889000L, s.positions.get(0).tsMillis(), "tag block beats PGHP, trailer, RMC");
    assertEquals(Instant.parse("2010-06-11T11:46:11.390Z").toEpochMilli(), s.positions.get(1).tsMillis(),
        "PGHP beats trailer and RMC");
    assertEquals(1152921693000L, s.positions.get(2).tsMillis(), "trailer beats RMC");
    assertEquals(Instant.parse("2020-04-07T21:39:50Z").toEpochMilli(), s.positions.get(3).tsMillis());
  }

  @Test
  void noTimeAtAllIsRejectedUnlessFallback() {
    assertReject(RejectReason.NO_TIMESTAMP, "no tag block", parse(null, TYPE1));
    assertEquals(T0, parse(T0, TYPE1).onlyPosition().tsMillis());
  }

  @Test
  void nonVesselMmsiIsRejected() {
    assertReject(RejectReason.NON_VESSEL_MMSI, "MMSI 2300061", parse(T0, encode(type1(2300061, 55.0, 12.0))));
    assertReject(RejectReason.NON_VESSEL_MMSI, "MMSI 992190934", parse(T0, encode(type1(992190934, 55.0, 12.0))));
  }

  @Test
  void positionNotAvailableIsRejected() {
    assertReject(RejectReason.LAT_OUT_OF_RANGE, "91", parse(T0, encode(type1(219000001, 91.0, 181.0))));
    assertReject(RejectReason.LON_OUT_OF_RANGE, "181", parse(T0, encode(type1(219000001, 55.0, 181.0))));
    assertReject(RejectReason.LAT_OUT_OF_RANGE, "outside", parse(T0, encode(type1(219000001, -95.0, 12.0))));
  }

  @Test
  void encodedValuesRoundTrip() {
    PositionReport p = parse(T0, encode(type1(219000001, -33.5, -70.25))).onlyPosition();
    assertEquals(219000001L, p.mmsi());
    assertEquals(-33.5, p.lat(), 1e-6);
    assertEquals(-70.25, p.lon(), 1e-6);
    assertEquals(5.5, p.sog(), 1e-9);
    assertEquals(123.4, p.cog(), 1e-9);
    assertEquals(120, p.heading());
  }

  @Test
  void sentinelsBecomeNull() {
    AisMessage1 m = type1(219000001, 55.0, 12.0);
    m.setSog(1023);
    m.setCog(3600);
    m.setTrueHeading(511);
    assertMotionNotAvailable(parse(T0, encode(m)).onlyPosition());
    m.setSog(1022);
    assertEquals(102.2, parse(T0, encode(m)).onlyPosition().sog(), 1e-9, "102.2 kn is a value");
  }

  @Test
  void classBType18() {
    PositionReport p = parse(T0, "!AIVDM,1,1,,A,B52K>;h00Fc>jpUlNV@ikwpUoP06,0*4C").onlyPosition();
    assertEquals(338087471L, p.mmsi());
    assertEquals(18, p.msgType());
    assertEquals("B", p.aisClass());
    assertEquals(0.1, p.sog(), 1e-9);
    assertEquals(79.6, p.cog(), 1e-9);
    assertNull(p.heading());
    assertNull(p.navStatus());
    assertEquals(40.68454, p.lat(), 1e-5);
    assertEquals(-74.07213166, p.lon(), 1e-6);
  }

  @Test
  void classBType19CarriesStaticFields() {
    PositionReport p = parse(T0,
        "!AIVDM,1,1,,B,C5N3SRgPEnJGEBT>NhWAwwo862PaLELTBJ:V00000000S0D:R220,0*0B").onlyPosition();
    assertEquals(367059850L, p.mmsi());
    assertEquals(19, p.msgType());
    assertEquals("B", p.aisClass());
    assertEquals(8.7, p.sog(), 1e-9);
    assertEquals(335.9, p.cog(), 1e-9);
    assertEquals("CAPT.J.RIMES", p.vesselName());
    assertEquals(70, p.shipType());
    assertEquals(26.0, p.lengthM());
    assertEquals(8.0, p.widthM());
  }

  @Test
  void type24PartsAAndB() {
    CollectingSink s = parse(null, "!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D",
        "!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40");
    assertEquals(2, s.statics.size());
    StaticReport a = s.statics.get(0);
    StaticReport b = s.statics.get(1);
    assertEquals(271041815L, a.mmsi());
    assertEquals(24, a.msgType());
    assertEquals("PROGUY", a.vesselName());
    assertNull(a.callsign());
    assertNull(b.vesselName());
    assertEquals("TC6163", b.callsign());
    assertEquals(60, b.shipType());
    assertEquals(15.0, b.lengthM());
    assertEquals(5.0, b.widthM());
    assertNull(b.draftM());
  }

  @Test
  void type27LongRangeUsesItsOwnResolutionAndSentinels() {
    PositionReport p = parse(T0, "!AIVDM,1,1,,A,KCQ9r=hrFUnH7P00,0*41").onlyPosition();
    assertEquals(236091959L, p.mmsi());
    assertEquals(27, p.msgType());
    assertEquals("A", p.aisClass());
    assertEquals(3, p.navStatus());
    assertEquals(52239 / 600.0, p.lat(), 1e-9);
    assertEquals(-92521 / 600.0, p.lon(), 1e-9);
    assertNull(p.heading());

    AisMessage27 m = new AisMessage27();
    m.setUserId(219000002);
    AisPosition pos = new AisPosition();
    pos.set1817();
    pos.setLatitude(Math.round(55.5 * 600));
    pos.setLongitude(Math.round(-12.25 * 600));
    m.setPos(pos);
    m.setSog(63);
    m.setCog(511);
    PositionReport na = parse(T0, encode(m)).onlyPosition();
    assertNull(na.sog(), "SOG 63 = not available");
    assertNull(na.cog(), "COG 511 = not available");
    assertEquals(55.5, na.lat(), 1e-9);
    assertEquals(-12.25, na.lon(), 1e-9);
    m.setSog(62);
    m.setCog(359);
    PositionReport v = parse(T0, encode(m)).onlyPosition();
    assertEquals(62.0, v.sog());
    assertEquals(359.0, v.cog());
  }

  @Test
  void type27FillingTheSlotIsCutTo96Bits() {
    PositionReport p = parse(T0, "!AIVDM,1,1,,B,KC5E2b@U19PFdLbMuc5=ROv62<7m,0*16").onlyPosition();
    assertEquals(27, p.msgType());
  }

  @Test
  void shortRadioStatusIsTolerated() {
    // gpsd sample "type=1 length=163": the last 5 bits of the radio status are missing
    PositionReport p = parse(T0, "!AIVDM,1,1,,A,13aIkM@P00PJ@qPNL=e@0?wJ28JO,5*63").onlyPosition();
    PositionReport full = parse(T0, "!AIVDM,1,1,,A,13aIkM@P00PJ@qPNL=e@0?wJ28JO,0*66").onlyPosition();
    assertEquals(full.mmsi(), p.mmsi());
    assertEquals(full.lat(), p.lat());
    assertEquals(full.lon(), p.lon());
  }

  @Test
  void type18SentinelsBecomeNullAndClassBHasNoStatus() {
    AisMessage18 m = new AisMessage18();
    m.setUserId(338000001);
    m.setPos(position(40.0, -74.0));
    m.setSog(1023);
    m.setCog(3600);
    m.setTrueHeading(511);
    PositionReport p = parse(T0, encode(m)).onlyPosition();
    assertMotionNotAvailable(p);
    assertNull(p.navStatus());
  }

  @Test
  void accountingHoldsOnAMixedFile() {
    CollectingSink s = parse(null, "# log", "", "$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B",
        TYPE1, TYPE5_1, TYPE5_2, TYPE5_1, "garbage", "!AIVDM,1,1,,B,,0*25",
        "!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D", TYPE1, TYPE5_2, TYPE5_2);
    // the assertion that matters runs in parse(); spot-check the split
    assertEquals(1, s.positions.size());
    assertEquals(2, s.statics.size());
    assertEquals(2, s.skipped.get("fragment"));
  }


  /**
   * The context bound: an open message whose fragment 1 is more than the bound before the next
   * line is abandoned (both fragments rejected, detail names the bound), and a $GPRMC time further
   * back is not used; within the bound both work as before.
   */
  @Test
  void contextExpiresAfterTheByteBound() {
    String rmc = "$GPRMC,213950.00,A,5250.53669,N,00542.34920,E,0.020,,070420,,,A*7D";
    // TYPE5_1 is 80 bytes + LF: fragment 2 starts 81 bytes after fragment 1; the RMC line is 66
    // bytes + LF, so the position after it is 67 bytes after it
    CollectingSink near = new CollectingSink();
    int n = CollectingSink.feed(new NmeaLineParser(SRC, null, false, 81), near, TYPE5_1, TYPE5_2, rmc, TYPE1);
    near.assertAccounting(n);
    assertEquals(1, near.statics.size());
    assertEquals(1, near.positions.size(), near.rejects.toString());
    CollectingSink far = new CollectingSink();
    n = CollectingSink.feed(new NmeaLineParser(SRC, null, false, 80), far, TYPE5_1, TYPE5_2, rmc, TYPE1);
    far.assertAccounting(n);
    assertEquals(0, far.statics.size());
    assertEquals(1, far.positions.size(), far.rejects.toString());
    // fragment 1 abandoned before fragment 2 is read, which then has no predecessor
    assertEquals(2, far.rejects.size(), far.rejects.toString());
    assertEquals(RejectReason.INCOMPLETE_MULTIPART, far.rejects.get(0).reason());
    assertTrue(far.rejects.get(0).detail().contains("not completed within 80 bytes"), far.rejects.toString());
    assertEquals(0L, far.rejects.get(0).sourceRecord());
    assertEquals(RejectReason.INCOMPLETE_MULTIPART, far.rejects.get(1).reason());
    CollectingSink tight = new CollectingSink();
    n = CollectingSink.feed(new NmeaLineParser(SRC, null, false, 66), tight, TYPE5_1, TYPE5_2, rmc, TYPE1);
    tight.assertAccounting(n);
    assertEquals(0, tight.positions.size());
    assertEquals(RejectReason.NO_TIMESTAMP, tight.rejects.get(2).reason(), tight.rejects.toString());
  }

  /**
   * Owned range: a message is reported by the range of its fragment 1, with the skipped line of
   * fragment 2; the range of fragment 2 alone reports nothing; lines outside the range report
   * nothing.
   */
  @Test
  void ownedRangeReportsWholeMessagesByFragmentOne() {
    long f2 = TYPE5_1.length() + 1;
    long end = f2 + TYPE5_2.length() + 1;
    CollectingSink first = new CollectingSink();
    NmeaLineParser p = new NmeaLineParser(SRC, T0, false, 1 << 20);
    p.own(0, f2);
    p.line(0, TYPE5_1, first);
    assertTrue(p.awaitingOwned());
    p.line(f2, TYPE5_2, first);
    assertTrue(!p.awaitingOwned());
    p.line(end, TYPE1, first);
    p.finish(first);
    first.assertAccounting(2);
    assertEquals(1, first.statics.size());
    assertEquals(0, first.positions.size());
    CollectingSink second = new CollectingSink();
    NmeaLineParser q = new NmeaLineParser(SRC, T0, false, 1 << 20);
    q.own(f2, end);
    q.line(0, TYPE5_1, second);
    q.line(f2, TYPE5_2, second);
    q.finish(second);
    second.assertAccounting(0);
  }
}
