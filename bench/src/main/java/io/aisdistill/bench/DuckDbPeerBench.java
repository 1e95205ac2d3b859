package io.aisdistill.bench;

import io.aisdistill.jobs.config.PipelineConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ais-distill against DuckDB on the same simulated CSV files, ingest and windows stages, in one run
 * (an executable, not a test).
 *
 * <p>Usage: {@code DuckDbPeerBench ROWS [WORKDIR]}. Writes the input of {@link IngestWindowsBench}
 * ({@link SimulatedCsv}) to {@code WORKDIR/input}, runs ais-distill's ingest and windows in Spark
 * local mode on every core ({@link DistillStages}, lakehouse {@code WORKDIR/lakehouse}), stops
 * Spark, then runs {@link DuckDbStages} in a <b>child JVM</b> on the same files (output
 * {@code WORKDIR/duckdb}): a fresh process, so that neither Spark's leftover threads nor its heap's
 * garbage collection are charged to DuckDB. DuckDB gets as many threads as Spark has cores and a
 * memory limit of this JVM's maximum heap, capped at the machine's available memory less 1 GiB
 * ({@code MemAvailable} of {@code /proc/meminfo}, read after a garbage collection; at least 1 GiB):
 * this JVM keeps its heap while the child runs, and a limit of the full heap on top of it got the
 * child killed by the kernel (exit 137) at 30 M rows on a 24 GiB machine. The limit used is printed
 * as {@code duckdb_memory_limit_bytes=}.
 *
 * <p>Per stage and engine: wall seconds and process CPU seconds (user + system of all threads,
 * {@link Span}; for DuckDB measured inside the child, around the stage's statements only, after the
 * database is open) and rows per CPU-second (ingest: data lines read; windows: positions read).
 * Last, one {@code name=value} per line: {@code rows=} (data lines of the input, headers not
 * counted), {@code cores=}, {@code duckdb_version=},
 * then for {@code distill_} and {@code duckdb_}: {@code ingest_s}, {@code ingest_cpu_s},
 * {@code ingest_rows_per_cpu_s}, {@code windows_s}, {@code windows_cpu_s},
 * {@code windows_rows_per_cpu_s}, the row counts {@code positions}, {@code rejects},
 * {@code duplicates}, {@code windows_read}, {@code same_time_repeats}, {@code segments},
 * {@code windows}, {@code short_windows}, and last the
 * ratios {@code ingest_cpu_per_row_ratio=} and {@code windows_cpu_per_row_ratio=}: ais-distill's
 * CPU-seconds per row over DuckDB's (2.0 = ais-distill uses twice the CPU per row; the goal of
 * issue 14 is at most 1.5).
 *
 * <p>DuckDB does less work than ais-distill (see {@link DuckDbStages}: no Delta, no MERGE, fewer
 * features, haversine instead of geodesics, simpler segmentation); the row counts are printed so
 * that a reader sees how comparable the work was.
 */
public final class DuckDbPeerBench {
  /** First argument of the child JVM's command line. */
  static final String CHILD = "--duckdb-child";

  private DuckDbPeerBench() {}

  /**
   * Runs the benchmark, or with {@value #CHILD} as first argument the DuckDB side only.
   *
   * @param args ROWS (underscores allowed) and an optional WORKDIR (default: a new temporary
   *     directory); or {@value #CHILD} INPUT OUT THREADS MEMORY_BYTES RUN_START
   * @throws Exception when the input cannot be written, a stage fails or the child fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(CHILD)) {
      child(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
          Instant.parse(args[5]));
      return;
    }
    if (args.length < 1) {
      System.err.println("usage: bench/vs-duckdb ROWS [WORKDIR]");
      System.exit(2);
    }
    long target = Long.parseLong(args[0].replace("_", ""));
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("ais-bench-duckdb");
    Path in = work.resolve("input");
    SimulatedCsv.write(target, in);
    int cores = Runtime.getRuntime().availableProcessors();
    Instant runStart = Instant.now();

    DistillStages.Run d = DistillStages.run(in, work.resolve("lakehouse"), cores, "ais-distill bench vs-duckdb");
    long duckMemory = duckDbMemory(Runtime.getRuntime().maxMemory());
    Map<String, String> duck = runChild(in, work.resolve("duckdb"), cores, duckMemory, runStart);

    // data lines: header lines are skipped by ais-distill and never rows for DuckDB
    long rows = d.ingest().linesRead() - d.ingest().linesSkipped();
    long positionsRead = d.windows().positionsRead();
    Span di = d.ingestSpan();
    Span dw = d.windowsSpan();
    List<String> out = new ArrayList<>();
    out.add("rows=" + rows);
    out.add("cores=" + cores);
    out.add("duckdb_version=" + duck.get("version"));
    out.add("duckdb_memory_limit_bytes=" + duckMemory);
    out.add(String.format("distill_ingest_s=%.2f", di.wallS()));
    out.add(String.format("distill_ingest_cpu_s=%.2f", di.cpuS()));
    out.add(String.format("distill_ingest_rows_per_cpu_s=%.0f", di.rowsPerCpuS(rows)));
    out.add(String.format("distill_windows_s=%.2f", dw.wallS()));
    out.add(String.format("distill_windows_cpu_s=%.2f", dw.cpuS()));
    out.add(String.format("distill_windows_rows_per_cpu_s=%.0f", dw.rowsPerCpuS(positionsRead)));
    out.add("distill_positions=" + d.ingest().positionsAccepted());
    out.add("distill_rejects=" + d.ingest().rejected());
    out.add("distill_duplicates=" + d.ingest().duplicatesDropped());
    out.add("distill_windows_read=" + positionsRead);
    out.add("distill_same_time_repeats=" + d.windows().report().getLong("same_time_repeats_skipped"));
    out.add("distill_segments=" + d.windows().segments());
    out.add("distill_windows=" + d.windows().windowsWritten());
    out.add("distill_short_windows=" + d.windows().report().getLong("short_windows_dropped"));

    long duckRows = Long.parseLong(duck.get("rows"));
    long duckRead = Long.parseLong(duck.get("windows_read"));
    double duckIngestCpu = Double.parseDouble(duck.get("ingest_cpu_s"));
    double duckWindowsCpu = Double.parseDouble(duck.get("windows_cpu_s"));
    out.add("duckdb_ingest_s=" + duck.get("ingest_s"));
    out.add("duckdb_ingest_cpu_s=" + duck.get("ingest_cpu_s"));
    out.add(String.format("duckdb_ingest_rows_per_cpu_s=%.0f", duckRows / duckIngestCpu));
    out.add("duckdb_windows_s=" + duck.get("windows_s"));
    out.add("duckdb_windows_cpu_s=" + duck.get("windows_cpu_s"));
    out.add(String.format("duckdb_windows_rows_per_cpu_s=%.0f", duckRead / duckWindowsCpu));
    for (String k : List.of("positions", "rejects", "duplicates", "windows_read", "same_time_repeats", "segments",
        "windows", "short_windows")) {
      out.add("duckdb_" + k + "=" + duck.get(k));
    }
    if (duckRows != rows) {
      System.err.printf("WARNING: DuckDB read %d data rows, ais-distill %d%n", duckRows, rows);
    }
    // CPU-seconds per row, ais-distill over DuckDB
    out.add(String.format("ingest_cpu_per_row_ratio=%.2f", (di.cpuS() / rows) / (duckIngestCpu / duckRows)));
    out.add(String.format("windows_cpu_per_row_ratio=%.2f",
        (dw.cpuS() / positionsRead) / (duckWindowsCpu / duckRead)));
    out.forEach(System.out::println);
  }

  /**
   * Runs the DuckDB side in a child JVM (same java executable and class path), its stderr passed
   * through, and returns its {@code name=value} stdout lines.
   *
   * @throws IllegalStateException when the child exits non-zero
   */
  private static Map<String, String> runChild(Path in, Path out, int threads, long memoryBytes, Instant runStart)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        DuckDbPeerBench.class.getName(), CHILD, in.toString(), out.toString(), Integer.toString(threads),
        Long.toString(memoryBytes), runStart.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    Map<String, String> values = new LinkedHashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          values.put(line.substring(0, eq), line.substring(eq + 1));
        } else {
          System.err.println(line);
        }
      }
    }
    int rc = p.waitFor();
    if (rc == 137) {
      throw new IllegalStateException("DuckDB child process was killed (exit 137), most likely by the kernel for want "
          + "of memory: its memory_limit of " + memoryBytes + " bytes plus this JVM's heap exceed the machine's; "
          + "run with a smaller -Xmx (AIS_DISTILL_BENCH_JAVA_OPTS)");
    }
    if (rc != 0) {
      throw new IllegalStateException("DuckDB child process exited with " + rc);
    }
    return values;
  }

  /**
   * DuckDB's memory limit in bytes: {@code maxHeap}, capped at {@code MemAvailable} of
   * {@code /proc/meminfo} less 1 GiB (read after {@link System#gc()}, so Spark's garbage is
   * counted as free), never below 1 GiB. Where {@code /proc/meminfo} cannot be read (not Linux),
   * {@code maxHeap}.
   */
  static long duckDbMemory(long maxHeap) {
    long gib = 1L << 30;
    System.gc();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("MemAvailable:")) {
          long availableBytes = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;  // the file gives kB
          return Math.max(gib, Math.min(maxHeap, availableBytes - gib));
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      System.err.println("WARNING: /proc/meminfo unreadable (" + e + "); DuckDB memory_limit = -Xmx");
    }
    return maxHeap;
  }

  /** The child: both DuckDB stages, measured, figures as name=value lines on stdout. */
  private static void child(Path in, Path out, int threads, long memoryBytes, Instant runStart) throws Exception {
    PipelineConfig cfg = DistillStages.config(threads);
    Files.createDirectories(out);
    try (DuckDbStages db = new DuckDbStages(threads, memoryBytes, out.resolve("tmp"),
        cfg.windows.toWindowConfig(), Instant.parse(cfg.ingest.minTime),
        runStart.plusSeconds(cfg.ingest.maxTimeAheadS))) {
      Span.Clock c1 = Span.start();
      DuckDbStages.IngestCounts ic = db.ingest(in, out);
      Span ingest = c1.stop();
      Span.Clock c2 = Span.start();
      long windows = db.windows(out);
      Span win = c2.stop();
      DuckDbStages.WindowsCounts wc = db.windowsCounts(out, windows);
      System.out.println("version=" + db.version());
      System.out.println("rows=" + ic.rows());
      System.out.printf("ingest_s=%.2f%n", ingest.wallS());
      System.out.printf("ingest_cpu_s=%.2f%n", ingest.cpuS());
      System.out.printf("windows_s=%.2f%n", win.wallS());
      System.out.printf("windows_cpu_s=%.2f%n", win.cpuS());
      System.out.println("positions=" + ic.positions());
      System.out.println("rejects=" + ic.rejects());
      System.out.println("duplicates=" + ic.duplicates());
      System.out.println("windows_read=" + wc.positionsRead());
      System.out.println("windows=" + wc.windows());
      System.out.println("short_windows=" + wc.shortWindows());
      System.out.println("same_time_repeats=" + wc.sameTimeRepeats());
      System.out.println("segments=" + wc.segments());
    }
  }
}
