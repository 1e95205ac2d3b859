package io.aisdistill.common.track;

import java.util.List;

/**
 * One window of one vessel's track segment with its kinematic features: a row of
 * {@code track_windows}. Everything the grounded teacher asks and the grounded judge checks is
 * computed from these fields, so they are the "window facts".
 *
 * <p>Units: distances in nautical miles (1852 m), speeds in knots, angles in degrees true,
 * durations in seconds, times in UTC epoch milliseconds. Distances and bearings are geodesics on
 * the WGS84 ellipsoid (GeographicLib, Karney 2013).
 *
 * @param windowId deterministic id: hex SHA-256 prefix of (mmsi, segment start, window start)
 * @param mmsi ship-station MMSI
 * @param segmentId deterministic id of the segment the window belongs to ("mmsi-startMillis")
 * @param windowIndex 0-based index of the window inside its segment
 * @param startTsMillis time of the first point
 * @param endTsMillis time of the last point
 * @param nPoints number of position reports in the window
 * @param distanceNm sum of geodesic legs between consecutive points
 * @param displacementNm geodesic distance first point to last point
 * @param bearingDeg initial geodesic bearing first point to last point (null when displacement < 0.05 nm)
 * @param sogMeanKn mean of reported SOG (null when no point reports SOG)
 * @param sogMaxKn max reported SOG (null when none)
 * @param sogMinKn min reported SOG (null when none)
 * @param impliedSpeedKn distanceNm / duration in hours (null when duration is 0)
 * @param maxLegSpeedKn highest implied speed between two consecutive points, over every leg that
 *     takes time (legs under the noise floor included: it is what the reports imply)
 * @param totalTurnDeg sum of absolute changes of reported COG between consecutive points (SOG >= 1 kn)
 * @param stopCount number of stop periods (SOG < stop threshold, or no movement, for at least the
 *     minimum stop duration)
 * @param stoppedS total seconds in stop periods
 * @param stationaryFraction share of points with SOG below the stop threshold (0-1, null without SOG)
 * @param maxGapS longest interval between consecutive reports
 * @param medianIntervalS median interval between consecutive reports
 * @param navStatuses distinct navigational statuses reported, ascending
 * @param dominantNavStatus most frequent navigational status (null when none reported)
 * @param minLat bounding box south edge
 * @param maxLat bounding box north edge
 * @param minLon bounding box west edge (no antimeridian handling: [-180, 180])
 * @param maxLon bounding box east edge
 * @param startLat first point latitude
 * @param startLon first point longitude
 * @param endLat last point latitude
 * @param endLon last point longitude
 * @param sogMissing points without a usable SOG (not available, not reported, or 102.2 = "102.2
 *     knots or more", which is no speed; SOG statistics leave these out)
 * @param cogMissing points without COG
 * @param headingMissing points without true heading (511)
 * @param headingCogMaxDiffDeg largest |heading - COG| (circular) over points moving >= 2 kn with both
 * @param headingCogDisagreements points moving >= 2 kn whose heading and COG differ by more than 45 degrees
 * @param vessel static identity
 * @param track the observed rows: at most the configured number of reports, chosen by TD-TR and
 *     rounded as prompts show them ({@link ObservedRows}); every window-v2 QA fact is computed
 *     from these rows
 * @param date UTC date of the window start, ISO "yyyy-MM-dd" (partition column)
 */
public record TrackWindow(
    String windowId,
    long mmsi,
    String segmentId,
    int windowIndex,
    long startTsMillis,
    long endTsMillis,
    int nPoints,
    double distanceNm,
    double displacementNm,
    Double bearingDeg,
    Double sogMeanKn,
    Double sogMaxKn,
    Double sogMinKn,
    Double impliedSpeedKn,
    double maxLegSpeedKn,
    double totalTurnDeg,
    int stopCount,
    long stoppedS,
    Double stationaryFraction,
    long maxGapS,
    long medianIntervalS,
    List<Integer> navStatuses,
    Integer dominantNavStatus,
    double minLat,
    double maxLat,
    double minLon,
    double maxLon,
    double startLat,
    double startLon,
    double endLat,
    double endLon,
    int sogMissing,
    int cogMissing,
    int headingMissing,
    Double headingCogMaxDiffDeg,
    int headingCogDisagreements,
    VesselInfo vessel,
    List<TrackPoint> track,
    String date) {

  /** Duration of the window in seconds. */
  public long durationS() {
    return (endTsMillis - startTsMillis) / 1000L;
  }
}
