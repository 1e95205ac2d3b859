package io.aisdistill.common.ais;

/**
 * One accepted static/voyage report: ITU-R M.1371 message type 5 (class A static and voyage
 * related data) or 24 (class B static data report, part A or B): a row of {@code ais_static}.
 *
 * <p>Fields not carried by the message (e.g. draught in type 24, name in type 24 part B) are null.
 * Dimensions are metres: length = A + B, width = C + D of the reference-point offsets; draught in
 * metres (type 5 carries decimetres). {@code tsMillis} is UTC epoch milliseconds, or null when the
 * input carries no time for the sentence. {@code shipType} is the ITU-R M.1371 "type of ship and
 * cargo" code (0-99), null when 0 (not available).
 */
public record StaticReport(
    long mmsi,
    Long tsMillis,
    int msgType,
    String vesselName,
    String imo,
    String callsign,
    Integer shipType,
    Double lengthM,
    Double widthM,
    Double draftM,
    String destination,
    String source,
    long sourceRecord) {

  /** The seven static vessel fields of this report (null where the message does not carry one). */
  public VesselStatic vesselStatic() {
    return new VesselStatic(vesselName, imo, callsign, shipType, lengthM, widthM, draftM);
  }
}
