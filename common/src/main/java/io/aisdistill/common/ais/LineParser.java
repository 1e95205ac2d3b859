package io.aisdistill.common.ais;

/**
 * Streaming parser over the lines of one input file (or one contiguous split of it), in file order.
 * Implementations may keep state between lines (NMEA multi-sentence reassembly, the latest $PGHP
 * time) and must therefore be used by one thread for one file at a time.
 */
public interface LineParser {
  /**
   * Parses one line.
   *
   * @param offset byte offset of the line's first byte in the file (becomes {@code source_record})
   * @param line the line without its terminator (a trailing CR is allowed and ignored)
   * @param sink receives the records
   */
  void line(long offset, String line, RecordSink sink);

  /** Called once after the last line: flushes pending state (e.g. incomplete multi-part fragments as rejects). */
  default void finish(RecordSink sink) {}
}
