package io.aisdistill.common.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceCheckerTest {
  static final long T0 = 1_717_200_000_000L; // 2024-06-01T00:00:00Z

  static TrackWindow window(List<TrackPoint> rows) {
    return new TrackWindow("w1", 219000001L, "s", 0, rows.get(0).tsMillis(), rows.get(rows.size() - 1).tsMillis(),
        rows.size(), 0, 0, null, null, null, null, null, 0, 0, 0, 0, null, 0, 0, List.of(), null, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, null, 0, new VesselInfo(219000001L, null, null, null, 70, 100.0, null, null, "A", "Denmark"),
        rows, "2024-06-01");
  }

  static TrackPoint p(long s, double lat, double lon, Double sog) {
    return new TrackPoint(T0 + s * 1000, lat, lon, sog, 90.0, 90, 0);
  }

  static TraceChecker.Result check(TrackWindow w, String trace) {
    return TraceChecker.check(trace, WindowPrompt.studentPrompt(w, "How fast?"), w);
  }

  @Test
  void derivedNumbersPassAndInventedOnesDoNot() {
    TrackWindow w = window(List.of(p(0, 55.0, 12.0, 10.0), p(360, 55.01, 12.0, 10.2), p(720, 55.02, 12.0, 10.4)));
    // 0.01 degree of latitude at 55 N is 0.601 nm (WGS84 meridian arc)
    String leg1 = String.format(java.util.Locale.ROOT, "%.3f", Geo.distanceNm(55.0, 12.0, 55.01, 12.0));
    String leg2 = String.format(java.util.Locale.ROOT, "%.3f", Geo.distanceNm(55.01, 12.0, 55.02, 12.0));
    assertEquals("0.601", leg1);
    double sum = Double.parseDouble(leg1) + Double.parseDouble(leg2);
    String total = String.format(java.util.Locale.ROOT, "%.3f", sum);
    String speed = String.format(java.util.Locale.ROOT, "%.2f", sum / 0.2);
    String ok = "Legs (nm) from 00:00:00 to 00:12:00: " + leg1 + " + " + leg2 + " = " + total + " nm. First row 00:00:00, "
        + "last row 00:12:00: 00:12:00 - 00:00:00 = 720 s; 720 / 60 = 12.00 min. Speed: " + total + " / (720 / 3600) = "
        + speed + " kn.";
    assertEquals(List.of(), check(w, ok).unsupported());
    String wrongSum = ok.replace("= " + total + " nm", "= 1.500 nm");
    assertTrue(check(w, wrongSum).unsupported().contains("1.500"), check(w, wrongSum).unsupported().toString());
    String invented = ok + " The vessel was doing 14.5 kn earlier.";
    assertEquals(List.of("14.5"), check(w, invented).unsupported());
    String wrongLeg = ok.replace(leg1 + " + " + leg2, "0.700 + 0.500");
    assertTrue(!check(w, wrongLeg).ok());
  }

  @Test
  void roundedOperandsCarryTheirRoundingError() {
    TrackWindow w = window(List.of(p(0, 48.12513, -123.44100, 0.0), p(20, 48.12513, -123.44099, 0.0),
        p(40, 48.12513, -123.44099, 0.0)));
    String t = "Fastest leg: 00:00:00 -> 00:00:20, geodesic (48.12513, -123.44100) -> (48.12513, -123.44099): 0.000 nm; "
        + "time 00:00:20 - 00:00:00 = 20 s; speed 0.000 / (20 / 3600) = 0.1 kn.";
    assertEquals(List.of(), check(w, t).unsupported());
    assertEquals(List.of("0.3"), check(w, t.replace("= 0.1 kn", "= 0.3 kn")).unsupported());
  }

  @Test
  void timesAcrossMidnightAndNegativeResults() {
    TrackWindow w = window(List.of(p(-600, 55.0, 12.0, 10.0), p(0, 55.0, 12.0, 9.0), p(600, 55.0, 12.0, 12.0)));
    String t = "23:50:00 to 00:10:00: 00:10:00 - 23:50:00 = 1200 s; 1200 / 60 = 20.00 min. Difference: 9.0 - 12.0 = -3.0 kn.";
    assertEquals(List.of(), check(w, t).unsupported());
  }
}
