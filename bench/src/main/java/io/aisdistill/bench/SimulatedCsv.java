package io.aisdistill.bench;

import io.aisdistill.common.sim.AisSimulator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The simulated input of the ingest/windows benchmarks ({@link IngestWindowsBench},
 * {@link DuckDbPeerBench}): {@value #FILES} MarineCadastre 2022-layout CSV files
 * ({@link AisSimulator#HEADER}) of 24 h of traffic from 2024-06-01T00:00:00Z, vessels scaled to the
 * requested row count, file {@code f} with seed {@code 1000 + f}. Deterministic: the same row
 * count gives byte-identical files.
 */
final class SimulatedCsv {
  /** Rows the simulator writes per vessel and day (measured: about 910 at its report intervals; 900 errs towards more rows). */
  static final double ROWS_PER_VESSEL_DAY = 900.0;
  /** Files written (so that the engines can read them in parallel). */
  static final int FILES = 8;

  private SimulatedCsv() {}

  /**
   * Writes {@code sim_0.csv} .. {@code sim_7.csv} into {@code dir} (created when missing; existing
   * files of those names are overwritten) and reports the time taken on stderr.
   *
   * @param targetRows about how many data rows to write in all (at least one vessel per file)
   * @param dir output directory
   * @return data rows written (headers not counted)
   * @throws IOException when a file cannot be written
   */
  static long write(long targetRows, Path dir) throws IOException {
    Files.createDirectories(dir);
    int vesselsPerFile = (int) Math.max(1, Math.round(targetRows / ROWS_PER_VESSEL_DAY / FILES));
    long simulated = 0;
    long t0 = System.nanoTime();
    for (int f = 0; f < FILES; f++) {
      try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("sim_" + f + ".csv"), StandardCharsets.UTF_8)) {
        simulated += AisSimulator.write(new AisSimulator.Config(vesselsPerFile, 24,
            Instant.parse("2024-06-01T00:00:00Z"), 1000L + f), w);
      }
    }
    System.err.printf("simulated %,d rows in %.1f s%n", simulated, (System.nanoTime() - t0) / 1e9);
    return simulated;
  }
}
