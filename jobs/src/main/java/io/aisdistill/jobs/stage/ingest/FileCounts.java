package io.aisdistill.jobs.stage.ingest;

/**
 * Parsed-row counts of one input file, before deduplication: every line is counted once, in
 * exactly one of positions, statics, rejected or skipped, and in {@code lines} unless it is the
 * one reject row of a whole-file reject (such a file counts 0 lines).
 */
final class FileCounts {
  /** Lines read (whole-file rejects excluded). */
  long lines;
  /** Position rows parsed, duplicates included. */
  long positions;
  /** Static-report rows parsed, duplicates included. */
  long statics;
  /** Reject rows (a whole-file reject included). */
  long rejected;
  /** Skipped lines: header, blank, comment, other NMEA sentence, folded fragment. */
  long skipped;
}
