package io.aisdistill.common.sim;

import java.util.List;

/**
 * A real port used by {@link AisSimulator}: its terminal position, the region whose ports are
 * linked by voyages, and its seaward approach (bearing and distance from the terminal to the sea
 * buoy / open water), used to route voyages out of rivers and bays before the open-sea leg.
 *
 * @param name port name
 * @param lat terminal latitude, WGS84 degrees
 * @param lon terminal longitude, WGS84 degrees
 * @param region voyage region; cargo/tanker/cruise voyages stay within one region
 * @param seawardDeg bearing from the terminal to open water, degrees true
 * @param approachKm distance from the terminal to the approach point, kilometres
 */
public record Port(String name, double lat, double lon, String region, double seawardDeg,
    double approachKm) {

  /**
   * Twenty-nine US ports (MarineCadastre covers US waters). Terminal positions are approximate
   * (about 1 km), as listed for these ports in the NGA World Port Index (Pub. 150) and on NOAA
   * nautical charts, entered by hand; the approach bearings and distances are hand estimates of the
   * main ship channels (e.g. Baltimore down the Chesapeake, New Orleans down the Mississippi). They
   * are good enough for plausible synthetic tracks, not for navigation.
   */
  public static final List<Port> ALL = List.of(
      new Port("Boston", 42.353, -71.045, "atlantic", 95, 20),
      new Port("New York", 40.668, -74.045, "atlantic", 155, 28),
      new Port("Philadelphia", 39.905, -75.135, "atlantic", 165, 130),
      new Port("Baltimore", 39.255, -76.575, "atlantic", 175, 230),
      new Port("Norfolk", 36.920, -76.330, "atlantic", 75, 40),
      new Port("Wilmington NC", 34.195, -77.955, "atlantic", 185, 45),
      new Port("Charleston", 32.785, -79.925, "atlantic", 120, 22),
      new Port("Savannah", 32.120, -81.130, "atlantic", 100, 35),
      new Port("Jacksonville", 30.400, -81.520, "atlantic", 85, 25),
      new Port("Port Everglades", 26.090, -80.120, "atlantic", 90, 10),
      new Port("Miami", 25.775, -80.165, "atlantic", 100, 12),
      new Port("Tampa", 27.915, -82.440, "gulf", 230, 60),
      new Port("Mobile", 30.690, -88.035, "gulf", 180, 55),
      new Port("New Orleans", 29.935, -90.060, "gulf", 135, 160),
      new Port("Houston", 29.685, -95.005, "gulf", 150, 55),
      new Port("Galveston", 29.310, -94.795, "gulf", 135, 15),
      new Port("Corpus Christi", 27.810, -97.395, "gulf", 110, 35),
      new Port("San Diego", 32.700, -117.165, "pacific", 220, 15),
      new Port("Los Angeles", 33.740, -118.265, "pacific", 190, 12),
      new Port("Long Beach", 33.755, -118.215, "pacific", 185, 12),
      new Port("Oakland", 37.800, -122.310, "pacific", 255, 25),
      new Port("Seattle", 47.590, -122.350, "puget", 330, 60),
      new Port("Tacoma", 47.270, -122.415, "puget", 0, 45),
      new Port("Honolulu", 21.310, -157.870, "hawaii", 190, 8),
      new Port("Anchorage", 61.235, -149.890, "alaska", 225, 80),
      new Port("San Juan", 18.460, -66.100, "caribbean", 355, 6),
      new Port("Chicago", 41.880, -87.600, "lake michigan", 90, 12),
      new Port("Cleveland", 41.505, -81.700, "lake erie", 0, 10),
      new Port("Duluth", 46.775, -92.095, "lake superior", 60, 12));
}
