package io.aisdistill.jobs;

/**
 * {@code spark-submit --class io.aisdistill.jobs.TableChecksums JAR LAKEHOUSE} entry point: rows
 * and checksums of every table ({@link io.aisdistill.jobs.lakehouse.TableChecksums}).
 */
public final class TableChecksums {
  private TableChecksums() {}

  /** Prints one {@code table=... rows=... content=... keys=...} line per table. */
  public static void main(String[] args) {
    io.aisdistill.jobs.lakehouse.TableChecksums.main(args);
  }
}
