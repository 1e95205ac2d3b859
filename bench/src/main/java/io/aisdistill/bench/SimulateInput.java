package io.aisdistill.bench;

import io.aisdistill.common.sim.AisSimulator;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * Writes the benchmarks' simulated input for scripts that run the stages themselves (bench/scale
 * runs them with spark-submit). An executable, not a test.
 *
 * <p>Usage: {@code SimulateInput ROWS DIR [fleet|one-vessel]}.
 * <ul>
 *   <li>{@code fleet} (the default): {@link SimulatedCsv}, {@value SimulatedCsv#FILES}
 *       MarineCadastre CSV files of 24 h of traffic, vessels scaled to ROWS.</li>
 *   <li>{@code one-vessel}: about ROWS rows of one vessel, in one MarineCadastre CSV file
 *       {@code one_vessel.csv}: a class A cargo ship ({@link AisSimulator} seed
 *       {@value #ONE_VESSEL_SEED}: voyages between ports and 2-8 h at berth) reporting every
 *       {@value #ONE_VESSEL_INTERVAL_S} s, the densest rate a real vessel sends (ITU-R M.1371-5,
 *       Annex 1, Table 1), about {@value #ONE_VESSEL_ROWS_PER_DAY} rows a day from
 *       2024-01-01T00:00:00Z; 10 M rows span about 233 days. The worst case for per-vessel memory:
 *       every stage that groups by MMSI gets all rows in one group.</li>
 * </ul>
 * Writes the files into DIR unless DIR already holds a {@code _rows} marker for the same ROWS and
 * kind (the files are deterministic, so they are reused; the other kind's files are deleted), then
 * prints {@code rows=N}, the data rows written (headers not counted). Exit status 2 on a usage error.
 */
public final class SimulateInput {
  /** The simulator seed whose single vessel is a cargo ship (type 70) on voyages. */
  static final long ONE_VESSEL_SEED = 33;
  /** Seconds between the one vessel's reports. */
  static final int ONE_VESSEL_INTERVAL_S = 2;
  /** Rows a day the one vessel writes (measured: 42,904 on its first day; dropouts take some). */
  static final double ONE_VESSEL_ROWS_PER_DAY = 43_000;

  private SimulateInput() {}

  /**
   * Runs it.
   *
   * @param args ROWS (underscores allowed), DIR and optionally the kind ({@code fleet}, {@code one-vessel})
   * @throws Exception when a file cannot be written
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3 || args.length == 3 && !Stream.of("fleet", "one-vessel").anyMatch(args[2]::equals)) {
      System.err.println("usage: SimulateInput ROWS DIR [fleet|one-vessel]");
      System.exit(2);
    }
    long target = Long.parseLong(args[0].replace("_", ""));
    Path dir = Path.of(args[1]);
    boolean oneVessel = args.length == 3 && args[2].equals("one-vessel");
    // the marker is hidden from ingest: names starting with '_' are skipped, as in Hadoop
    Path marker = dir.resolve("_rows");
    String key = target + " " + (oneVessel ? "one-vessel" : String.valueOf(SimulatedCsv.FILES)) + "\n";
    if (Files.isRegularFile(marker) && Files.readString(marker).startsWith(key)) {
      String[] parts = Files.readString(marker).split("\n");
      System.err.println("reusing the simulated input in " + dir);
      System.out.println("rows=" + parts[1].trim());
      return;
    }
    Files.deleteIfExists(marker);
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path p : old.filter(p -> p.getFileName().toString().matches("sim_\\d+\\.csv|one_vessel\\.csv")).toList()) {
        Files.delete(p);
      }
    }
    long rows = oneVessel ? oneVessel(target, dir.resolve("one_vessel.csv")) : SimulatedCsv.write(target, dir);
    Files.writeString(marker, key + rows + "\n");
    System.out.println("rows=" + rows);
  }

  /** Writes about {@code target} rows of the one vessel into {@code file}; returns the rows written. */
  private static long oneVessel(long target, Path file) throws Exception {
    double hours = Math.max(1, target / ONE_VESSEL_ROWS_PER_DAY * 24);
    long t0 = System.nanoTime();
    long rows;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      rows = AisSimulator.write(new AisSimulator.Config(1, hours, Instant.parse("2024-01-01T00:00:00Z"),
          ONE_VESSEL_SEED), w, ONE_VESSEL_INTERVAL_S);
    }
    System.err.printf("simulated %,d rows of one vessel over %.1f days in %.1f s%n", rows, hours / 24,
        (System.nanoTime() - t0) / 1e9);
    return rows;
  }
}
