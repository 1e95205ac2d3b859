package io.aisdistill.common.track;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aisdistill.common.ais.VesselStatic;
import java.util.List;

/**
 * What the {@link Segmenter} knows about one vessel after its last report: enough to continue
 * with later reports and emit exactly what one pass over all reports would (a row of the
 * {@code track_state} table, as JSON).
 *
 * @param mmsi ship-station MMSI
 * @param lastTsMillis UTC epoch milliseconds of the vessel's last report
 * @param tracks the open tracks (at most {@link WindowConfig#maxOpenTracks()}), in segment start order
 */
public record VesselState(long mmsi, long lastTsMillis, List<TrackState> tracks) {
  /** Version of the JSON form; a stored state of another version is not resumed. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One open track: its identity, last report, and its current (not yet closed) window.
   *
   * @param segmentStartMillis UTC epoch milliseconds of the segment's first report
   * @param windowIndex index of the current window inside the segment
   * @param lastTsMillis time of the track's last report
   * @param lastLat WGS84 degrees of the track's last report
   * @param lastLon WGS84 degrees of the track's last report
   * @param points the current window's reports, in time order
   * @param legsNm per point, the geodesic leg from the previous report of the track (nautical
   *     miles; 0 for the window's first point)
   * @param vessel static identity so far (last known value of each field)
   * @param aisClass last reported transponder class (A or B), or null
   */
  public record TrackState(long segmentStartMillis, int windowIndex, long lastTsMillis, double lastLat,
      double lastLon, List<TrackPoint> points, double[] legsNm, VesselStatic vessel, String aisClass) {}

  /** This state as JSON (doubles in their shortest exact form, so {@link #fromJson} restores them bit for bit). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the state of MMSI " + mmsi, e);
    }
  }

  /**
   * The state written by {@link #toJson}.
   *
   * @throws IllegalArgumentException when {@code json} is not such a state
   */
  public static VesselState fromJson(String json) {
    try {
      return JSON.readValue(json, VesselState.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a vessel state: " + e.getOriginalMessage(), e);
    }
  }
}
