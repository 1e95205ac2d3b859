package io.aisdistill.common.ais;

/**
 * A quarantined input record: a row of {@code ais_rejects}.
 *
 * @param source the input file path
 * @param sourceRecord byte offset of the record's (first) line in the file; -1 for a whole-file
 *     reject (e.g. {@link RejectReason#UNSUPPORTED_FORMAT})
 * @param raw the raw text of the record (truncated to {@link #MAX_RAW_CHARS} characters; for binary
 *     or whole-file rejects a short printable excerpt)
 * @param reason stable reason code
 * @param detail human-readable detail (which field, which value)
 */
public record RejectRecord(
    String source, long sourceRecord, String raw, RejectReason reason, String detail) {

  /** Longest raw excerpt kept in a reject row, in characters. */
  public static final int MAX_RAW_CHARS = 2000;

  /** Creates a reject, truncating {@code raw} to {@link #MAX_RAW_CHARS}. */
  public static RejectRecord of(
      String source, long sourceRecord, String raw, RejectReason reason, String detail) {
    String r = raw == null ? null : raw.length() > MAX_RAW_CHARS ? raw.substring(0, MAX_RAW_CHARS) : raw;
    return new RejectRecord(source, sourceRecord, r, reason, detail);
  }
}
