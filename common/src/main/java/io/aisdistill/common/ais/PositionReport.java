package io.aisdistill.common.ais;

/**
 * One accepted AIS position report: a row of the {@code ais_positions} Delta table.
 *
 * <p>Units and conventions (ITU-R M.1371-5; NOAA MarineCadastre field descriptions):
 * <ul>
 *   <li>{@code mmsi}: 9-digit Maritime Mobile Service Identity of a vessel (first digit 2-7).</li>
 *   <li>{@code tsMillis}: time of the report, UTC, milliseconds since the Unix epoch.</li>
 *   <li>{@code lat}, {@code lon}: WGS84 degrees; never the "not available" values 91 / 181.</li>
 *   <li>{@code sog}: speed over ground in knots, null when not available (raw 1023 = 102.3 kn).</li>
 *   <li>{@code cog}: course over ground in degrees true [0, 360), null when not available (raw 3600).</li>
 *   <li>{@code heading}: true heading in whole degrees [0, 359], null when not available (511).</li>
 *   <li>{@code navStatus}: navigational status 0-15 (15 = not defined), null when absent (class B).</li>
 *   <li>{@code msgType}: ITU-R M.1371 message type (1, 2, 3, 18, 19, 27); 0 for CSV sources that
 *       do not carry the message type.</li>
 *   <li>{@code aisClass}: transceiver class "A" or "B", null when unknown.</li>
 *   <li>static fields ({@code vesselName} ... {@code draftM}): from the record itself (CSV) or from
 *       static/voyage messages (types 5, 24) of the same vessel; metres for dimensions.</li>
 *   <li>{@code source}: the input file path; {@code sourceRecord}: byte offset of the record's first
 *       line in that file.</li>
 *   <li>{@code qualityFlags}: the {@link Plausibility} flags of fields nulled or cut
 *       ({@code CODE} or {@code CODE=original}, e.g. {@code SOG_OUT_OF_RANGE=1.0E9}), null when
 *       none.</li>
 * </ul>
 */
public record PositionReport(
    long mmsi,
    long tsMillis,
    double lat,
    double lon,
    Double sog,
    Double cog,
    Integer heading,
    Integer navStatus,
    int msgType,
    String aisClass,
    String vesselName,
    String imo,
    String callsign,
    Integer shipType,
    Double lengthM,
    Double widthM,
    Double draftM,
    String source,
    long sourceRecord,
    java.util.List<String> qualityFlags) {

  /** The seven static vessel fields of this report. */
  public VesselStatic vesselStatic() {
    return new VesselStatic(vesselName, imo, callsign, shipType, lengthM, widthM, draftM);
  }

  /** A copy with the seven static vessel fields replaced by {@code v}'s. */
  public PositionReport withVesselStatic(VesselStatic v) {
    return new PositionReport(mmsi, tsMillis, lat, lon, sog, cog, heading, navStatus, msgType, aisClass,
        v.vesselName(), v.imo(), v.callsign(), v.shipType(), v.lengthM(), v.widthM(), v.draftM(), source,
        sourceRecord, qualityFlags);
  }

  /** Returns a copy whose null static fields are filled from {@code s} (fields already set win). */
  public PositionReport enrichedWith(StaticReport s) {
    if (s == null) {
      return this;
    }
    return withVesselStatic(vesselStatic().orElse(s.vesselStatic()));
  }
}
