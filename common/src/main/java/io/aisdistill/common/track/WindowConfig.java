package io.aisdistill.common.track;

/**
 * Parameters of track segmentation and windowing.
 *
 * @param maxGapS a report more than this many seconds after the previous one of the same track
 *     starts a new segment (an AIS gap)
 * @param maxSpeedKn an implied speed above this between two consecutive reports, over a distance
 *     above {@code teleportMinNm}, is a position jump ("teleport"): the report cannot belong to the
 *     same track (GPS error, or two transmitters sharing one MMSI)
 * @param teleportMinNm legs shorter than this (nautical miles) are GPS-noise scale: never a
 *     teleport, and left out of leg-speed features
 * @param windowLengthS a window closes when a report comes this many seconds or more after the
 *     window's first report
 * @param minPoints windows with fewer reports are dropped (counted in the stage summary)
 * @param maxTrackPoints length of the downsampled track kept for prompts (first and last included)
 * @param stopSogKn SOG (knots) below which a report counts as stationary
 * @param minStopS a run of stationary reports lasting at least this many seconds is a stop
 * @param maxOpenTracks tracks kept open per MMSI at once (more than one when an MMSI is shared)
 */
public record WindowConfig(
    long maxGapS,
    double maxSpeedKn,
    double teleportMinNm,
    long windowLengthS,
    int minPoints,
    int maxTrackPoints,
    double stopSogKn,
    long minStopS,
    int maxOpenTracks) {

  /**
   * Defaults: 30 min gap, 50 kn jump speed (above any merchant or passenger vessel's top speed;
   * high-speed craft excepted), 0.25 nm noise floor, 1 h windows, 5 reports minimum, 24 track
   * points, 0.5 kn stationary threshold, 5 min stops, 4 open tracks per MMSI.
   */
  public static WindowConfig defaults() {
    return new WindowConfig(1800, 50.0, 0.25, 3600, 5, 24, 0.5, 300, 4);
  }

  /**
   * @throws IllegalArgumentException when a parameter is not positive (minPoints and
   *     maxTrackPoints must be at least 2)
   */
  public WindowConfig {
    if (maxGapS <= 0 || maxSpeedKn <= 0 || teleportMinNm < 0 || windowLengthS <= 0 || minPoints < 2
        || maxTrackPoints < 2 || stopSogKn < 0 || minStopS < 0 || maxOpenTracks < 1) {
      throw new IllegalArgumentException("invalid window configuration: " + this);
    }
  }
}
