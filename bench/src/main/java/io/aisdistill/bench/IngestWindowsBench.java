package io.aisdistill.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput benchmark of the ingest and windows stages (an executable, not a test).
 *
 * <p>Usage: {@code IngestWindowsBench ROWS [WORKDIR]}. Simulates about ROWS rows of MarineCadastre
 * CSV ({@link SimulatedCsv}: 24 h of traffic, vessels scaled to the row count, written as several
 * files), runs ingest then windows in Spark local mode on every core into a fresh lakehouse
 * ({@link DistillStages}), and prints its figures last, one {@code name=value} per line:
 * {@code rows=}, {@code cores=}, {@code ingest_s=}, {@code windows_s=},
 * {@code ingest_rows_per_s_per_core=} (rows / wall seconds / cores),
 * {@code windows_rows_per_s_per_core=}, {@code ingest_cpu_s=}, {@code windows_cpu_s=} (process CPU
 * time, all threads), {@code ingest_rows_per_cpu_s=}, {@code windows_rows_per_cpu_s=} (robust when
 * other processes share the cores), {@code windows=}.
 */
public final class IngestWindowsBench {
  private IngestWindowsBench() {}

  /**
   * Runs the benchmark.
   *
   * @param args ROWS (underscores allowed) and an optional WORKDIR (default: a new temporary directory)
   * @throws Exception when the input cannot be written or a stage fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: bench/ingest-windows ROWS [WORKDIR]");
      System.exit(2);
    }
    long target = Long.parseLong(args[0].replace("_", ""));
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("ais-bench");
    Path in = work.resolve("input");
    SimulatedCsv.write(target, in);

    int cores = Runtime.getRuntime().availableProcessors();
    DistillStages.Run run = DistillStages.run(in, work.resolve("lakehouse"), cores, "ais-distill bench ingest-windows");
    long rows = run.ingest().linesRead();
    long positions = run.windows().positionsRead();
    Span ing = run.ingestSpan();
    Span win = run.windowsSpan();
    List<String> out = new ArrayList<>();
    out.add("rows=" + rows);
    out.add("cores=" + cores);
    out.add(String.format("ingest_s=%.2f", ing.wallS()));
    out.add(String.format("windows_s=%.2f", win.wallS()));
    out.add(String.format("ingest_rows_per_s_per_core=%.0f", rows / ing.wallS() / cores));
    out.add(String.format("windows_rows_per_s_per_core=%.0f", positions / win.wallS() / cores));
    out.add(String.format("ingest_cpu_s=%.1f", ing.cpuS()));
    out.add(String.format("windows_cpu_s=%.1f", win.cpuS()));
    out.add(String.format("ingest_rows_per_cpu_s=%.0f", ing.rowsPerCpuS(rows)));
    out.add(String.format("windows_rows_per_cpu_s=%.0f", win.rowsPerCpuS(positions)));
    out.add("windows=" + run.windows().windowsWritten());
    out.forEach(System.out::println);
  }
}
