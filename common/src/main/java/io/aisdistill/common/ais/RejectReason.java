package io.aisdistill.common.ais;

/**
 * Stable reason codes of {@code ais_rejects.reason}. Codes are part of the table contract: never
 * rename one; add new ones at the end.
 */
public enum RejectReason {
  /** Whole file: not a format ais-distill reads (GeoPackage, tracktable .traj, Markdown, ...). */
  UNSUPPORTED_FORMAT,
  /** Whole file: zero bytes or no data lines. */
  EMPTY_FILE,
  /** Whole file or line: binary content (NUL or other control bytes). */
  BINARY_CONTENT,
  /** Whole file: a CSV whose header lacks the columns needed (MMSI, time, latitude, longitude). */
  UNKNOWN_CSV_HEADER,
  /** The record cannot be parsed at all (wrong number of fields, garbage). */
  UNPARSEABLE,
  /**
   * A CSV line with fewer fields than the header (e.g. a truncated last line); or the rest of a
   * compressed file or zip entry whose stream breaks after a readable head.
   */
  TRUNCATED_RECORD,
  /** NMEA sentence checksum does not match (IEC 61162-1 XOR checksum). */
  BAD_CHECKSUM,
  /** AIVDM/AIVDO sentence with an empty or undecodable 6-bit payload. */
  BAD_PAYLOAD,
  /** Fragment of a multi-sentence message whose other fragments never arrived. */
  INCOMPLETE_MULTIPART,
  /** A message type that is neither a vessel position (1, 2, 3, 18, 19, 27) nor static (5, 24). */
  UNSUPPORTED_MSG_TYPE,
  /** MMSI not of a ship station (ITU-R M.585: base stations 00MID, SAR aircraft 111MID, AtoN 99MID...). */
  NON_VESSEL_MMSI,
  /** MMSI missing or not a number. */
  BAD_MMSI,
  /** No time for the record: the file carries no tag block, $PGHP, trailer or time column value. */
  NO_TIMESTAMP,
  /** A time that cannot be parsed. */
  BAD_TIMESTAMP,
  /** Latitude not available (91) or outside [-90, 90]. */
  LAT_OUT_OF_RANGE,
  /** Longitude not available (181) or outside [-180, 180]. */
  LON_OUT_OF_RANGE,
  /** A numeric field (SOG, COG, heading, status, dimensions) that cannot be parsed or is impossible. */
  BAD_FIELD,
  /**
   * A time outside the plausible range: before {@code ingest.min_time} (default 2000-01-01) or more
   * than {@code ingest.max_time_ahead_s} (default one day) after the run's start.
   */
  TIME_OUT_OF_RANGE
}
