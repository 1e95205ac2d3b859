package io.aisdistill.common.track;

/**
 * One time-ordered point of a vessel's track, as the windows stage sees it.
 *
 * @param tsMillis UTC epoch milliseconds
 * @param lat WGS84 degrees
 * @param lon WGS84 degrees
 * @param sog knots, null when not available
 * @param cog degrees true, null when not available
 * @param heading degrees true, null when not available
 * @param navStatus ITU-R M.1371 navigational status 0-15, null when absent
 */
public record TrackPoint(
    long tsMillis, double lat, double lon, Double sog, Double cog, Integer heading, Integer navStatus) {}
