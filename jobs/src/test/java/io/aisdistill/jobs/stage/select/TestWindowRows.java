package io.aisdistill.jobs.stage.select;

import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;

import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import io.aisdistill.common.track.WindowConfig;
import io.aisdistill.common.track.WindowFeatures;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Small hand-made windows for the transform tests of the select, generate and judge stages, built
 * from their reports by {@link WindowFeatures#build} as the windows stage builds them (so every
 * fact the teachers and judges compute is consistent), and their {@code track_windows} rows.
 */
public final class TestWindowRows {
  private TestWindowRows() {}

  /** 2024-06-01T08:00:00Z. */
  public static final long T0 = 1_717_228_800_000L;

  /** A cargo ship underway due east at 10 knots for 50 minutes: 11 reports 5 minutes apart. */
  public static TrackWindow underway(long mmsi, long t0, double lat, double lon) {
    List<TrackPoint> pts = new ArrayList<>();
    double dLon = 10.0 * 300 / 3600.0 / 60.0 / Math.cos(Math.toRadians(lat));
    for (int i = 0; i < 11; i++) {
      pts.add(new TrackPoint(t0 + i * 300_000L, lat, lon + i * dLon, 10.0, 90.0, 91, 0));
    }
    return window(mmsi, pts, 70);
  }

  /** A ship moored for an hour: 13 reports 5 minutes apart within a few metres, SOG 0, status 5. */
  public static TrackWindow moored(long mmsi, long t0, double lat, double lon) {
    List<TrackPoint> pts = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      pts.add(new TrackPoint(t0 + i * 300_000L, lat + (i % 3) * 0.00001, lon + (i % 2) * 0.00001, 0.0, 212.0, 212, 5));
    }
    return window(mmsi, pts, 60);
  }

  private static TrackWindow window(long mmsi, List<TrackPoint> pts, int shipType) {
    double[] legs = new double[pts.size()];
    for (int i = 1; i < pts.size(); i++) {
      legs[i] = Geo.distanceNm(pts.get(i - 1).lat(), pts.get(i - 1).lon(), pts.get(i).lat(), pts.get(i).lon());
    }
    VesselInfo v = new VesselInfo(mmsi, "TEST " + mmsi, null, null, shipType, 120.0, 20.0, 6.0, "A", null);
    return WindowFeatures.build(WindowConfig.defaults(), mmsi, pts.get(0).tsMillis(), 0, pts, legs, v);
  }

  /** The windows as {@code track_windows} rows ({@link Tables#WINDOWS_SCHEMA}). */
  public static Dataset<Row> rows(TrackWindow... windows) {
    List<Row> rows = new ArrayList<>();
    for (TrackWindow w : windows) {
      rows.add(Rows.window(w));
    }
    return SparkTestSession.get().createDataFrame(rows, Tables.WINDOWS_SCHEMA);
  }
}
