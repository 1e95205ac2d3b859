package io.aisdistill.common.qa;

import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import java.util.ArrayList;
import java.util.List;

/** Hand-built, realistic windows for the qa / judge tests. */
public final class TestWindows {
  private TestWindows() {}

  static final long T0 = 1_717_228_800_000L; // 2024-06-01T08:00:00Z

  /** Mutable builder with neutral defaults. */
  public static final class B {
    String id = "w";
    long mmsi = 219000001L;
    long start = T0;
    long end = T0 + 3_600_000L;
    int n = 60;
    double dist = 0;
    double disp = 0;
    Double bearing;
    Double sogMean;
    Double sogMax;
    Double sogMin;
    Double implied;
    double maxLeg = 0;
    double turn = 0;
    int stops = 0;
    long stoppedS = 0;
    Double stationary;
    long maxGap = 60;
    long median = 60;
    List<Integer> statuses = List.of();
    Integer dom;
    int sogMissing = 0;
    int cogMissing = 0;
    int headingMissing = 0;
    Double hcMax;
    int hcDis = 0;
    VesselInfo vessel;
    List<TrackPoint> track = new ArrayList<>();

    public TrackWindow build() {
      return new TrackWindow(id, mmsi, mmsi + "-" + start, 0, start, end, n, dist, disp, bearing, sogMean,
          sogMax, sogMin, implied, maxLeg, turn, stops, stoppedS, stationary, maxGap, median, statuses, dom,
          55.60, 55.70, 12.50, 12.70, 55.60, 12.50, 55.70, 12.70, sogMissing, cogMissing, headingMissing,
          hcMax, hcDis, vessel, track, "2024-06-01");
    }
  }

  private static List<TrackPoint> line(int k, double lat0, double lon0, double dLat, double dLon, Double sog,
      Double cog, Integer heading, Integer status, long stepMs) {
    List<TrackPoint> pts = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      pts.add(new TrackPoint(T0 + i * stepMs, lat0 + i * dLat, lon0 + i * dLon, sog, cog, heading, status));
    }
    return pts;
  }

  /** A ro-ro passenger ferry moored in Helsingør for an hour, status 5, Danish flag. */
  public static TrackWindow mooredFerry() {
    B b = new B();
    b.id = "a1f0c0ffee000001";
    b.mmsi = 219012345L;
    b.n = 360;
    b.end = T0 + 3_600_000L;
    b.dist = 0.031;
    b.disp = 0.004;
    b.bearing = null;
    b.sogMean = 0.04;
    b.sogMax = 0.2;
    b.sogMin = 0.0;
    b.implied = 0.031;
    b.maxLeg = 0.9;
    b.stops = 1;
    b.stoppedS = 3600;
    b.stationary = 1.0;
    b.maxGap = 30;
    b.median = 10;
    b.statuses = List.of(5);
    b.dom = 5;
    b.hcMax = null;
    b.vessel = new VesselInfo(b.mmsi, "HAMLET", "9002283", "OXRA6", 60, 111.0, 28.0, 5.3, "A", "Denmark");
    b.track = line(6, 56.0384, 12.6138, 0, 0, 0.0, 212.0, 212, 5, 720_000L);
    return b.build();
  }

  /** A container ship underway in the Kattegat at ~14.6 knots, heading north-east, Liberian flag. */
  public static TrackWindow cargoUnderway() {
    B b = new B();
    b.id = "b2e1c0ffee000002";
    b.mmsi = 636019825L;
    b.n = 180;
    b.end = T0 + 5_700_000L; // 1 h 35 min
    b.dist = 23.17;
    b.disp = 22.84;
    b.bearing = 47.3;
    b.sogMean = 14.63;
    b.sogMax = 15.4;
    b.sogMin = 13.8;
    b.implied = 14.63;
    b.maxLeg = 16.2;
    b.turn = 18.0;
    b.stationary = 0.0;
    b.maxGap = 260; // 4 min 20 s
    b.median = 31;
    b.statuses = List.of(0);
    b.dom = 0;
    b.hcMax = 6.0;
    b.hcDis = 0;
    b.vessel = new VesselInfo(b.mmsi, "MAERSK KOBE", "9235658", "A8BZ4", 71, 294.0, 32.0, 12.1, "A", null);
    b.track = line(8, 56.10, 11.60, 0.035, 0.055, 14.6, 47.0, 45, 0, 814_285L);
    return b.build();
  }

  /** A small trawler loitering at 2-4 knots off Skagen, status 7, turning a lot. */
  public static TrackWindow fishingLoitering() {
    B b = new B();
    b.id = "c3d2c0ffee000003";
    b.mmsi = 219004321L;
    b.n = 120;
    b.end = T0 + 7_200_000L; // 2 h
    b.dist = 6.4;
    b.disp = 0.8;
    b.bearing = 200.0;
    b.sogMean = 3.2;
    b.sogMax = 4.1;
    b.sogMin = 0.3;
    b.implied = 3.2;
    b.maxLeg = 4.6;
    b.turn = 1240.0;
    b.stops = 2;
    b.stoppedS = 1500; // 25 min
    b.stationary = 0.2;
    b.maxGap = 95;
    b.median = 60;
    b.statuses = List.of(7);
    b.dom = 7;
    b.hcMax = 22.0;
    b.vessel = new VesselInfo(b.mmsi, "S 123 ISBJORN", null, "OUXY", 30, 24.0, 7.0, 3.5, "A", "Denmark");
    b.track = line(6, 57.80, 10.70, -0.01, 0.004, 3.2, 200.0, 198, 7, 1_440_000L);
    return b.build();
  }

  /**
   * A tug underway with one GPS jump (412 knots between two reports) and heading/COG disagreements
   * (towing crabwise), Panama flag via MID 351.
   */
  public static TrackWindow teleportTug() {
    B b = new B();
    b.id = "d4c3c0ffee000004";
    b.mmsi = 351234000L;
    b.n = 90;
    b.end = T0 + 2_700_000L; // 45 min
    b.dist = 9.8;
    b.disp = 5.3;
    b.bearing = 91.0;
    b.sogMean = 7.2;
    b.sogMax = 8.0;
    b.sogMin = 6.1;
    b.implied = 13.07;
    b.maxLeg = 412.3;
    b.turn = 35.0;
    b.stationary = 0.0;
    b.maxGap = 1260; // 21 min
    b.median = 10;
    b.statuses = List.of(0, 3);
    b.dom = 3;
    b.headingMissing = 4;
    b.hcMax = 78.0;
    b.hcDis = 7;
    b.vessel = new VesselInfo(b.mmsi, "SVITZER TROLL", "9510890", "3FTT4", 52, 32.0, 12.0, 5.0, "A", null);
    b.track = line(5, 55.68, 12.60, 0.0, 0.03, 7.2, 90.0, 150, 3, 675_000L);
    return b.build();
  }

  /** A class B yacht transmitting no SOG (every report), unknown type code 0, no heading. */
  public static TrackWindow classBNoSog() {
    B b = new B();
    b.id = "e5b4c0ffee000005";
    b.mmsi = 366998877L;
    b.n = 20;
    b.end = T0 + 3_900_000L; // 65 min
    b.dist = 5.1;
    b.disp = 4.9;
    b.bearing = 315.0;
    b.sogMean = null;
    b.sogMax = null;
    b.sogMin = null;
    b.implied = 4.71;
    b.maxLeg = 6.0;
    b.stationary = null;
    b.maxGap = 420; // 7 min
    b.median = 180;
    b.statuses = List.of();
    b.dom = null;
    b.sogMissing = 20;
    b.headingMissing = 20;
    b.hcMax = null;
    b.vessel = new VesselInfo(b.mmsi, "SEA DREAM", null, null, 0, null, null, null, "B", null);
    b.track = line(5, 40.60, -73.90, 0.012, -0.012, null, 315.0, null, null, 975_000L);
    return b.build();
  }

  /** All five windows. */
  public static List<TrackWindow> all() {
    return List.of(mooredFerry(), cargoUnderway(), fishingLoitering(), teleportTug(), classBNoSog());
  }
}
