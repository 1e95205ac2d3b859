package io.aisdistill.common.ais;

/**
 * The seven static fields that identify and describe a vessel, as they travel together from
 * static reports and CSV records to positions ({@link PositionReport#enrichedWith}) and windows
 * ({@code io.aisdistill.common.track.VesselInfo}). Every field is null when unknown. Not a table
 * row of its own: the tables keep these as seven flat columns.
 *
 * @param vesselName name as broadcast (trimmed, '@' padding removed)
 * @param imo IMO number as text without prefix (e.g. "9176187")
 * @param callsign radio call sign
 * @param shipType ITU-R M.1371 "type of ship and cargo" code 1-99
 * @param lengthM overall length, metres
 * @param widthM beam, metres
 * @param draftM draught, metres
 */
public record VesselStatic(
    String vesselName,
    String imo,
    String callsign,
    Integer shipType,
    Double lengthM,
    Double widthM,
    Double draftM) {

  /** All seven fields unknown. */
  public static final VesselStatic UNKNOWN = new VesselStatic(null, null, null, null, null, null, null);

  /**
   * Field by field, this value where it is known, else {@code fallback}'s.
   *
   * @throws NullPointerException when {@code fallback} is null
   */
  public VesselStatic orElse(VesselStatic fallback) {
    return new VesselStatic(
        vesselName != null ? vesselName : fallback.vesselName,
        imo != null ? imo : fallback.imo,
        callsign != null ? callsign : fallback.callsign,
        shipType != null ? shipType : fallback.shipType,
        lengthM != null ? lengthM : fallback.lengthM,
        widthM != null ? widthM : fallback.widthM,
        draftM != null ? draftM : fallback.draftM);
  }
}
