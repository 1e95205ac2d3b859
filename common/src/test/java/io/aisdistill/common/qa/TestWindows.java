package io.aisdistill.common.qa;

import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import io.aisdistill.common.track.WindowConfig;
import io.aisdistill.common.track.WindowFeatures;
import java.util.ArrayList;
import java.util.List;
import net.sf.geographiclib.Geodesic;
import net.sf.geographiclib.GeodesicData;

/**
 * Hand-built, realistic windows for the qa / judge / eval tests (prompt version window-v2): every
 * window is built from its reports by {@link WindowFeatures#build}, as the windows stage builds
 * it, so its {@code track} holds the observed rows (TD-TR, rounded) every fact is computed from.
 * Positions follow geodesics ({@link Track#sail}), so leg lengths and bearings are what a
 * vessel sailing the reported SOG and COG would produce.
 */
public final class TestWindows {
  private TestWindows() {}

  /** 2024-06-01T08:00:00Z. */
  public static final long T0 = 1_717_228_800_000L;

  /** Reports of a track, built step by step: a report at the current time and place, then a move. */
  public static final class Track {
    private final List<TrackPoint> pts = new ArrayList<>();
    private long t;
    private double lat;
    private double lon;

    /** A track starting at {@code t0Millis} at (lat, lon). */
    public Track(long t0Millis, double lat, double lon) {
      this.t = t0Millis;
      this.lat = lat;
      this.lon = lon;
    }

    /** A report here and now. */
    public Track report(Double sog, Double cog, Integer heading, Integer nav) {
      pts.add(new TrackPoint(t, lat, lon, sog, cog, heading, nav));
      return this;
    }

    /** Moves {@code nm} nautical miles along {@code courseDeg} (geodesic) in {@code dtS} seconds. */
    public Track move(long dtS, double courseDeg, double nm) {
      GeodesicData g = Geodesic.WGS84.Direct(lat, lon, courseDeg, nm * Geo.METRES_PER_NM);
      lat = g.lat2;
      lon = Geo.normalizeDeg(g.lon2 + 180.0) - 180.0;
      t += dtS * 1000L;
      return this;
    }

    /** Sails {@code dtS} seconds at {@code kn} knots along {@code courseDeg}. */
    public Track sail(long dtS, double courseDeg, double kn) {
      return move(dtS, courseDeg, kn * dtS / 3600.0);
    }

    /** Lets {@code dtS} seconds pass without moving. */
    public Track stay(long dtS) {
      t += dtS * 1000L;
      return this;
    }

    /** The reports so far. */
    public List<TrackPoint> points() {
      return List.copyOf(pts);
    }
  }

  /** A report {@code s} seconds after {@link #T0}. */
  public static TrackPoint p(long s, double lat, double lon, Double sog, Double cog, Integer heading, Integer nav) {
    return new TrackPoint(T0 + s * 1000L, lat, lon, sog, cog, heading, nav);
  }

  /**
   * The window of {@code points} (time order, at least 2) as the windows stage builds it (default
   * configuration: at most 24 observed rows), with window id {@code id}.
   */
  public static TrackWindow window(String id, long mmsi, VesselInfo vessel, List<TrackPoint> points) {
    double[] legs = new double[points.size()];
    for (int i = 1; i < points.size(); i++) {
      TrackPoint a = points.get(i - 1);
      TrackPoint b = points.get(i);
      legs[i] = Geo.distanceNm(a.lat(), a.lon(), b.lat(), b.lon());
    }
    TrackWindow w = WindowFeatures.build(WindowConfig.defaults(), mmsi, points.get(0).tsMillis(), 0, points, legs, vessel);
    return new TrackWindow(id, w.mmsi(), w.segmentId(), w.windowIndex(), w.startTsMillis(), w.endTsMillis(), w.nPoints(),
        w.distanceNm(), w.displacementNm(), w.bearingDeg(), w.sogMeanKn(), w.sogMaxKn(), w.sogMinKn(),
        w.impliedSpeedKn(), w.maxLegSpeedKn(), w.totalTurnDeg(), w.stopCount(), w.stoppedS(), w.stationaryFraction(),
        w.maxGapS(), w.medianIntervalS(), w.navStatuses(), w.dominantNavStatus(), w.minLat(), w.maxLat(), w.minLon(),
        w.maxLon(), w.startLat(), w.startLon(), w.endLat(), w.endLon(), w.sogMissing(), w.cogMissing(),
        w.headingMissing(), w.headingCogMaxDiffDeg(), w.headingCogDisagreements(), w.vessel(), w.track(), w.date());
  }

  /** A window of hand-written rows (at most 24, so they are the observed rows as given, rounded as shown). */
  public static TrackWindow rows(TrackPoint... rows) {
    return window("rows", 219000001L, null, List.of(rows));
  }

  /**
   * Mutable builder of a plain window: a Danish cargo ship (MMSI 219000001) underway due east at
   * 10 knots for 50 minutes (11 reports, 5 minutes apart, status 0); change the fields to vary it.
   */
  public static final class B {
    public String id = "w";
    public long mmsi = 219000001L;
    public VesselInfo vessel = new VesselInfo(219000001L, null, null, null, 70, 120.0, 20.0, 6.0, "A", null);
    public Double sog = 10.0;
    public Integer nav = 0;
    public List<TrackPoint> points;

    public TrackWindow build() {
      List<TrackPoint> pts = points;
      if (pts == null) {
        Track t = new Track(T0, 55.50, 11.00);
        for (int i = 0; i < 11; i++) {
          t.report(sog, 90.0, 91, nav);
          if (i < 10) {
            t.sail(300, 90.0, sog == null ? 10.0 : sog);
          }
        }
        pts = t.points();
      }
      return window(id, mmsi, vessel, pts);
    }
  }

  /**
   * A ro-ro passenger ferry moored in Helsingør for an hour: 13 reports 5 minutes apart, all
   * within a few metres, SOG 0.0-0.2 with a wandering COG, heading 212, status 5, Danish flag.
   */
  public static TrackWindow mooredFerry() {
    double[] dLat = {0, 0.00002, -0.00001, 0.00003, 0.00001, 0, -0.00002, 0.00001, 0.00002, -0.00001, 0, 0.00001, 0.00002};
    double[] dLon = {0, 0.00003, 0.00001, -0.00002, 0.00004, 0.00002, 0, -0.00001, 0.00003, 0.00002, 0.00001, 0, 0.00003};
    double[] sog = {0.0, 0.1, 0.0, 0.2, 0.0, 0.1, 0.0, 0.0, 0.1, 0.0, 0.2, 0.0, 0.1};
    double[] cog = {212.0, 35.4, 181.0, 300.2, 97.0, 212.0, 5.0, 140.6, 260.0, 75.0, 330.0, 18.0, 201.0};
    List<TrackPoint> pts = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      pts.add(p(300L * i, 56.0384 + dLat[i], 12.6138 + dLon[i], sog[i], cog[i], 212, 5));
    }
    return window("a1f0c0ffee000001", 219012345L,
        new VesselInfo(219012345L, "HAMLET", "9002283", "OXRA6", 60, 111.0, 28.0, 5.3, "A", "Denmark"), pts);
  }

  /**
   * A container ship underway in the Kattegat for 1 h 35 min (20 reports, 5 minutes apart, status
   * 0), heading north-east at 13.8-15.4 knots, altering course 32 degrees to starboard (47 -> 79)
   * in three steps half way; Liberian flag from MID 636 (the identity carries no flag).
   */
  public static TrackWindow cargoUnderway() {
    double[] sog = {14.6, 14.8, 14.4, 13.8, 14.2, 14.6, 15.0, 15.4, 14.9, 14.6, 14.5, 14.7, 14.3, 14.4, 14.6, 14.8,
        14.7, 14.5, 14.6, 14.4};
    double[] cog = {47.0, 47.3, 46.6, 47.2, 47.0, 46.5, 47.4, 47.0, 46.8, 47.2, 47.0, 47.1, 47.0, 57.0, 69.0, 79.0,
        79.2, 78.6, 79.0, 79.4};
    Track t = new Track(T0, 56.10, 11.60);
    for (int i = 0; i < 20; i++) {
      t.report(sog[i], cog[i], (int) Math.round(cog[i]) - 2, 0);
      if (i < 19) {
        t.sail(300, cog[i], (sog[i] + sog[i + 1]) / 2.0);
      }
    }
    return window("b2e1c0ffee000002", 636019825L,
        new VesselInfo(636019825L, "MAERSK KOBE", "9235658", "A8BZ4", 71, 294.0, 32.0, 12.1, "A", null), t.points());
  }

  /**
   * A small trawler off Skagen for 1 h 55 min (24 reports, 5 minutes apart, status 7): it trawls
   * at about 3.5 knots, turning 60 degrees to starboard, stops for 10 minutes, trawls on turning
   * 110 degrees to port, stops again for 10 minutes and trawls back; Danish flag.
   */
  public static TrackWindow fishingLoitering() {
    Track t = new Track(T0, 57.80, 10.70);
    double[] course = {200, 200, 230, 260, 260, 260};
    for (double c : course) { // rows 0-5 trawling, turning +60 to starboard
      t.report(3.5, c, (int) c + 3, 7).sail(300, c, 3.5);
    }
    t.report(0.2, 260.0, 262, 7).move(300, 10, 0.004); // rows 6-8: first stop, 10 min
    t.report(0.1, 12.0, 262, 7).move(300, 190, 0.006);
    t.report(0.3, 190.0, 262, 7).sail(300, 260, 3.0);
    double[] back = {260, 220, 180, 150, 150, 150}; // rows 9-14: trawling, turning -110 to port
    for (double c : back) {
      t.report(3.4, c, (int) c - 4, 7).sail(300, c, 3.4);
    }
    t.report(0.2, 150.0, 148, 7).move(300, 45, 0.005); // rows 15-17: second stop, 10 min
    t.report(0.0, 45.0, 148, 7).move(300, 225, 0.003);
    t.report(0.1, 225.0, 148, 7).sail(300, 20, 3.6);
    double[] home = {20, 20, 22, 21, 20, 20}; // rows 18-23: trawling back north
    for (int i = 0; i < home.length; i++) {
      t.report(3.6, home[i], (int) home[i] + 2, 7);
      if (i < home.length - 1) {
        t.sail(300, home[i], 3.6);
      }
    }
    return window("c3d2c0ffee000003", 219004321L,
        new VesselInfo(219004321L, "S 123 ISBJORN", null, "OUXY", 30, 24.0, 7.0, 3.5, "A", "Denmark"), t.points());
  }

  /**
   * A tug towing crabwise due east at about 7 knots for 45 minutes, with one GPS jump (a report 2
   * nautical miles north of the track, 30 s after the previous one), a 21-minute reporting gap,
   * heading 150 against COG 90 on most rows (more than 45 degrees apart), heading missing on two
   * rows, status 3 (restricted manoeuvrability) mostly and 0 on three rows; Panama flag via MID 351.
   */
  public static TrackWindow teleportTug() {
    Track t = new Track(T0, 55.68, 12.60);
    t.report(7.2, 90.0, 150, 0).sail(150, 90, 7.2); // row 0
    t.report(7.0, 90.0, 150, 0).sail(150, 90, 7.0); // row 1
    t.report(7.1, 91.0, 148, 3); // row 2
    List<TrackPoint> pts = new ArrayList<>(t.points());
    TrackPoint r2 = pts.get(2);
    GeodesicData jump = Geodesic.WGS84.Direct(r2.lat(), r2.lon(), 0.0, 2.0 * Geo.METRES_PER_NM);
    pts.add(new TrackPoint(r2.tsMillis() + 30_000L, jump.lat2, jump.lon2, 7.1, 91.0, 148, 3)); // row 3: the jump
    Track rest = new Track(r2.tsMillis(), r2.lat(), r2.lon()).sail(150, 90, 7.0);
    rest.report(6.8, 89.0, null, 3).sail(150, 90, 6.9); // row 4, 150 s after row 2
    rest.report(6.9, 90.0, 151, 3).sail(150, 90, 7.0); // row 5
    rest.report(7.0, 92.0, 149, 3).sail(1260, 90, 7.1); // row 6, then the 21-minute gap
    rest.report(7.2, 90.0, 100, 3).sail(150, 90, 7.3); // row 7
    rest.report(8.0, 88.0, null, 3).sail(150, 90, 7.4); // row 8
    rest.report(6.1, 90.0, 152, 3).sail(150, 90, 7.0); // row 9
    rest.report(7.5, 90.0, 150, 0).sail(90, 90, 7.4); // row 10
    rest.report(7.3, 91.0, 150, 3); // row 11
    pts.addAll(rest.points());
    return window("d4c3c0ffee000004", 351234000L,
        new VesselInfo(351234000L, "SVITZER TROLL", "9510890", "3FTT4", 52, 32.0, 12.0, 5.0, "A", null), pts);
  }

  /**
   * A class B yacht off New York for 44 minutes (14 reports, mostly 3 minutes apart, one 7-minute
   * gap) sailing north-west at about 4.7 knots, reporting COG but no SOG, no heading and no
   * navigational status; ship type code 0 (not available), no dimensions; US flag via MID 366.
   */
  public static TrackWindow classBNoSog() {
    long[] dt = {180, 180, 180, 180, 420, 180, 180, 180, 180, 180, 180, 180, 240};
    Track t = new Track(T0, 40.60, -73.90);
    for (int i = 0; i < 14; i++) {
      t.report(null, 315.0, null, null);
      if (i < dt.length) {
        t.sail(dt[i], 315, 4.7);
      }
    }
    return window("e5b4c0ffee000005", 366998877L,
        new VesselInfo(366998877L, "SEA DREAM", null, null, 0, null, null, null, "B", null), t.points());
  }

  /** All five windows. */
  public static List<TrackWindow> all() {
    return List.of(mooredFerry(), cargoUnderway(), fishingLoitering(), teleportTug(), classBNoSog());
  }
}
