package io.aisdistill.common.track;

import io.aisdistill.common.ais.VesselStatic;

/**
 * Static identity of a vessel as known in a window: the last non-null value of each field among
 * the positions of the window's segment up to the window's end (from the CSV record itself or
 * from type 5 / 24 static messages).
 *
 * @param mmsi ship-station MMSI
 * @param vesselName name as broadcast (trimmed, '@' padding removed), null when unknown
 * @param imo IMO number as text without prefix (e.g. "9176187"), null when unknown
 * @param callsign radio call sign, null when unknown
 * @param shipType ITU-R M.1371 "type of ship and cargo" code 1-99, null when unknown
 * @param lengthM overall length in metres, null when unknown
 * @param widthM beam in metres, null when unknown
 * @param draftM draught in metres, null when unknown
 * @param aisClass transceiver class "A" or "B", null when unknown
 * @param flagState flag state from the MID (ITU MARS table), e.g. "United States", null when unknown
 */
public record VesselInfo(
    long mmsi,
    String vesselName,
    String imo,
    String callsign,
    Integer shipType,
    Double lengthM,
    Double widthM,
    Double draftM,
    String aisClass,
    String flagState) {

  /**
   * The info of vessel {@code mmsi} from its static fields {@code s} (not null), transceiver class
   * and flag state (each null when unknown).
   */
  public VesselInfo(long mmsi, VesselStatic s, String aisClass, String flagState) {
    this(mmsi, s.vesselName(), s.imo(), s.callsign(), s.shipType(), s.lengthM(), s.widthM(), s.draftM(), aisClass,
        flagState);
  }
}
