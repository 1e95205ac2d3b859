package io.aisdistill.common.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.PositionReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmenterTest {
  static final long T0 = 1_717_200_000_000L; // 2024-06-01T00:00:00Z
  static final WindowConfig CFG = WindowConfig.defaults();

  static PositionReport pos(long mmsi, long tsMillis, double lat, double lon, Double sog, Integer status) {
    return new PositionReport(mmsi, tsMillis, lat, lon, sog, sog == null ? null : 90.0, null, status, 1, "A",
        "TEST", null, null, 70, 100.0, 20.0, null, "test", 0, null);
  }

  /** A vessel steaming east along the equator at {@code kn} knots, one report a minute. */
  static List<PositionReport> eastbound(long mmsi, long start, int minutes, double kn) {
    List<PositionReport> out = new ArrayList<>();
    for (int i = 0; i < minutes; i++) {
      double lon = i * kn / 60.0 / 60.0; // ~1 nm per arc-minute of longitude at the equator
      out.add(pos(mmsi, start + i * 60_000L, 0.0, lon, kn, 0));
    }
    return out;
  }

  static List<TrackWindow> run(WindowConfig cfg, List<PositionReport> in) {
    List<TrackWindow> w = new ArrayList<>();
    Segmenter s = new Segmenter(cfg, m -> "Testland", w::add);
    in.forEach(s::accept);
    s.finish();
    return w;
  }

  @Test
  void cutsWindowsOfConfiguredLengthWithFeatures() {
    List<TrackWindow> w = run(CFG, eastbound(366_000_001L, T0, 150, 12.0));
    // 150 one-minute reports -> windows [0,59], [60,119], [120,149]
    assertEquals(3, w.size());
    TrackWindow first = w.get(0);
    assertEquals(60, first.nPoints());
    assertEquals(59 * 60, first.durationS());
    assertEquals(12.0, first.sogMeanKn(), 1e-9);
    // 59 minutes at 12 kn = 11.8 nm (longitude degrees at the equator are 60.04 nm on WGS84)
    assertEquals(11.8, first.distanceNm(), 0.05);
    assertEquals(first.distanceNm(), first.displacementNm(), 1e-6);
    assertEquals(90.0, first.bearingDeg(), 0.01);
    assertEquals(12.0, first.impliedSpeedKn(), 0.05);
    assertEquals(60, first.maxGapS());
    assertEquals(60, first.medianIntervalS());
    assertEquals(List.of(0), first.navStatuses());
    assertEquals("Testland", first.vessel().flagState());
    assertEquals(CFG.maxTrackPoints(), first.track().size());
    assertEquals(first.startTsMillis(), first.track().get(0).tsMillis());
    assertEquals(first.endTsMillis(), first.track().get(first.track().size() - 1).tsMillis());
    assertEquals("2024-06-01", first.date());
    // all windows in one segment, consecutive indices, distinct deterministic ids
    assertEquals(first.segmentId(), w.get(2).segmentId());
    assertEquals(2, w.get(2).windowIndex());
    assertNotEquals(first.windowId(), w.get(1).windowId());
    assertEquals(first.windowId(), run(CFG, eastbound(366_000_001L, T0, 150, 12.0)).get(0).windowId());
  }

  @Test
  void splitsOnGapLongerThanLimit() {
    List<PositionReport> in = new ArrayList<>(eastbound(366_000_002L, T0, 20, 10.0));
    long resume = T0 + 19 * 60_000L + (CFG.maxGapS() + 60) * 1000;
    for (PositionReport p : eastbound(366_000_002L, resume, 20, 10.0)) {
      in.add(pos(p.mmsi(), p.tsMillis(), p.lat(), p.lon() + 0.1, p.sog(), 0));
    }
    List<TrackWindow> w = run(CFG, in);
    assertEquals(2, w.size());
    assertNotEquals(w.get(0).segmentId(), w.get(1).segmentId());
    for (TrackWindow x : w) {
      assertTrue(x.maxGapS() <= CFG.maxGapS());
    }
  }

  @Test
  void sharedMmsiTransmittersFormSeparateSegmentsNotTeleports() {
    // two transmitters with one MMSI, 300 nm apart, reporting alternately every 30 s
    List<PositionReport> in = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long t = T0 + i * 30_000L;
      in.add(i % 2 == 0 ? pos(366_000_003L, t, 0.0, i * 0.001, 5.0, 0) : pos(366_000_003L, t, 5.0, i * 0.001, 5.0, 0));
    }
    List<TrackWindow> w = run(CFG, in);
    assertEquals(2, w.size());
    for (TrackWindow x : w) {
      assertEquals(20, x.nPoints());
      assertTrue(x.maxLegSpeedKn() <= CFG.maxSpeedKn(), "window spans a jump: " + x.maxLegSpeedKn());
      assertTrue(x.maxLat() - x.minLat() < 0.01);
    }
  }

  @Test
  void singleJumpStartsNewSegment() {
    List<PositionReport> in = new ArrayList<>(eastbound(366_000_004L, T0, 10, 10.0));
    // one report 100 nm away one minute later (6000 kn implied), then the track continues there
    for (int i = 10; i < 20; i++) {
      in.add(pos(366_000_004L, T0 + i * 60_000L, 1.7, i * 10.0 / 3600, 10.0, 0));
    }
    List<TrackWindow> w = run(CFG, in);
    assertEquals(2, w.size());
    assertNotEquals(w.get(0).segmentId(), w.get(1).segmentId());
  }

  @Test
  void sameTimeRepeatsAreSkippedAndCounted() {
    List<PositionReport> in = new ArrayList<>();
    for (PositionReport p : eastbound(366_000_005L, T0, 10, 10.0)) {
      in.add(p);
      in.add(pos(p.mmsi(), p.tsMillis(), p.lat() + 0.0001, p.lon(), p.sog(), 0));
    }
    List<TrackWindow> w = new ArrayList<>();
    Segmenter s = new Segmenter(CFG, m -> null, w::add);
    in.forEach(s::accept);
    s.finish();
    assertEquals(1, w.size());
    assertEquals(10, w.get(0).nPoints());
    assertEquals(10, s.stats().sameTimeRepeats);
    assertNull(w.get(0).vessel().flagState());
  }

  @Test
  void shortWindowsAreDroppedAndCounted() {
    List<TrackWindow> w = new ArrayList<>();
    Segmenter s = new Segmenter(CFG, m -> null, w::add);
    eastbound(366_000_006L, T0, CFG.minPoints() - 1, 10.0).forEach(s::accept);
    s.finish();
    assertEquals(0, w.size());
    assertEquals(1, s.stats().shortWindows);
    assertEquals(CFG.minPoints() - 1, s.stats().pointsInShortWindows);
  }

  @Test
  void stopsAndStationaryShare() {
    List<PositionReport> in = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      double sog = i < 10 || i >= 20 ? 8.0 : 0.1; // 10 minutes stopped in the middle
      in.add(pos(366_000_007L, T0 + i * 60_000L, 0.0, 0.001 * Math.min(i, 10) + (i >= 20 ? 0.002 * (i - 19) : 0), sog, 0));
    }
    TrackWindow w = run(CFG, in).get(0);
    assertEquals(1, w.stopCount());
    assertEquals(9 * 60, w.stoppedS());
    assertEquals(10 / 30.0, w.stationaryFraction(), 1e-9);
    assertEquals(0.1, w.sogMinKn(), 1e-9);
    assertEquals(8.0, w.sogMaxKn(), 1e-9);
  }

  @Test
  void rejectsUnsortedInput() {
    Segmenter s = new Segmenter(CFG, m -> null, w -> {});
    s.accept(pos(366_000_009L, T0 + 60_000, 0, 0, 1.0, 0));
    assertThrows(IllegalArgumentException.class, () -> s.accept(pos(366_000_009L, T0, 0, 0, 1.0, 0)));
    assertThrows(IllegalArgumentException.class, () -> s.accept(pos(366_000_001L, T0 + 120_000, 0, 0, 1.0, 0)));
  }

  @Test
  void headingCogDisagreementAndMissingCounts() {
    List<PositionReport> in = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Integer heading = i < 3 ? Integer.valueOf(180) : i < 5 ? null : Integer.valueOf(92); // COG is 90 in pos()
      in.add(new PositionReport(366_000_010L, T0 + i * 60_000L, 0.0, i * 0.003, i == 9 ? null : 10.0,
          i == 9 ? null : 90.0, heading, 0, 1, "A", null, null, null, null, null, null, null, "t", i, null));
    }
    TrackWindow w = run(CFG, in).get(0);
    assertEquals(3, w.headingCogDisagreements());
    assertEquals(90.0, w.headingCogMaxDiffDeg(), 1e-9);
    assertEquals(2, w.headingMissing());
    assertEquals(1, w.sogMissing());
    assertEquals(1, w.cogMissing());
  }

  @Test
  void gpsNoiseUnderTheFloorStaysInTheTrackButCountsForTheFastestLeg() {
    List<PositionReport> in = new ArrayList<>(eastbound(366_000_011L, T0, 10, 10.0));
    // 5 s after the fifth report, one 0.1 nm ahead of it: 72 kn, but under the 0.25 nm noise floor
    PositionReport fifth = in.get(4);
    in.add(5, pos(fifth.mmsi(), fifth.tsMillis() + 5_000L, 0.0, fifth.lon() + 0.1 / 60.0, 10.0, 0));
    List<TrackWindow> w = run(CFG, in);
    assertEquals(1, w.size());
    assertEquals(11, w.get(0).nPoints());
    assertEquals(72.0, w.get(0).maxLegSpeedKn(), 0.5); // every leg that takes time counts
  }

  @Test
  void aFirstReportWithoutSogCanStartAStop() {
    List<PositionReport> in = new ArrayList<>();
    for (int i = 0; i < 6; i++) { // no SOG, not moving: five minutes from the first report
      in.add(pos(366_000_012L, T0 + i * 60_000L, 10.0, 20.0, null, 5));
    }
    TrackWindow w = run(CFG, in).get(0);
    assertEquals(1, w.stopCount());
    assertEquals(300, w.stoppedS());
    assertNull(w.sogMeanKn());
    assertEquals(6, w.sogMissing());
  }

  @Test
  void sog102Point2IsNoSpeed() {
    List<PositionReport> in = new ArrayList<>(eastbound(366_000_013L, T0, 6, 10.0));
    PositionReport third = in.get(2);
    in.set(2, pos(third.mmsi(), third.tsMillis(), third.lat(), third.lon(), 102.2, 0));
    TrackWindow w = run(CFG, in).get(0);
    assertEquals(10.0, w.sogMaxKn(), 1e-9);
    assertEquals(10.0, w.sogMeanKn(), 1e-9);
    assertEquals(1, w.sogMissing());
    assertEquals(0.0, w.stationaryFraction(), 0.0);
    assertEquals(102.2, w.track().get(2).sog(), 0.0); // the row still shows it
  }
}
