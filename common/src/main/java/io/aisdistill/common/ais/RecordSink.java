package io.aisdistill.common.ais;

/**
 * Receives what a {@link LineParser} makes of its input. Every record of the input reaches exactly
 * one of {@link #position}, {@link #staticReport} or {@link #reject}; lines that are not records
 * (CSV header, blank lines, comments, non-AIS NMEA such as $GPRMC or $PGHP time lines) are reported
 * through {@link #skipped} so the run summary can account for every line.
 */
public interface RecordSink {
  /** An accepted position report. */
  void position(PositionReport p);

  /** An accepted static/voyage report (message types 5, 24). */
  void staticReport(StaticReport s);

  /** A quarantined record. */
  void reject(RejectRecord r);

  /**
   * A line that carries no AIS record (header, blank, comment, other NMEA sentence, or a fragment
   * that was folded into a multi-sentence message reported elsewhere).
   *
   * @param kind short stable label, e.g. "header", "blank", "comment", "nmea_other", "fragment"
   */
  default void skipped(String kind) {}

  /**
   * Something worth counting about a record already reported elsewhere (it is not a line and
   * counts no line), e.g. an NMEA sentence accepted although its tag block's checksum was wrong.
   *
   * @param kind short stable label, e.g. "tag_block_checksum_bad"
   */
  default void note(String kind) {}
}
