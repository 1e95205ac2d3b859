package io.aisdistill.bench;

import io.aisdistill.jobs.config.PipelineConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
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
 * <p>Usage: {@code DuckDbPeerBench ROWS [WORKDIR [WARMUP_ROWS]]}. Writes the input of
 * {@link IngestWindowsBench} ({@link SimulatedCsv}) to {@code WORKDIR/input}, then runs each engine in
 * a <b>child JVM of its own</b>, one after the other, so that neither holds memory or threads while the other runs:
 * first ais-distill's ingest and windows in Spark local mode on every core ({@link DistillStages},
 * lakehouse {@code WORKDIR/lakehouse}), in a JVM started with this JVM's own options (the heap of
 * {@code bench/vs-duckdb}: {@code -Xms} = {@code -Xmx}, as {@code bin/ais-distill} runs it); then
 * {@link DuckDbStages} on the same files (output {@code WORKDIR/duckdb}). DuckDB gets as many
 * threads as Spark has cores and a memory limit of this JVM's maximum heap (the heap ais-distill
 * had), capped at the machine's available memory less 1 GiB ({@code MemAvailable} of
 * {@code /proc/meminfo}, read when the ais-distill child has exited; at least 1 GiB). The limit
 * used is printed as {@code duckdb_memory_limit_bytes=}. (Until 2026-12-06 ais-distill ran in this
 * JVM and kept its heap while DuckDB ran, which left DuckDB 7.7 to 11.4 GB of a 14 GB heap on a
 * 24 GiB machine.)
 *
 * <p><b>Warm-up</b> ({@code WARMUP_ROWS} > 0; default 0, a cold start, as every figure before
 * 2026-12-06 21:00 UTC): about that many rows are simulated into {@code WORKDIR/warmup-input} ({@link
 * SimulatedCsv}, the same generator with fewer vessels per file), and
 * each child first runs both stages on them, unmeasured (ais-distill into
 * {@code WORKDIR/warmup-lakehouse} with a Spark session of its own, stopped before the measured run's;
 * DuckDB into {@code WORKDIR/duckdb-warmup} with a database of its own). The measured run then finds
 * much of the JVM's JIT compilation done (for ais-distill a quarter of a cold 30 M-row ingest's CPU is
 * JIT compilation: 53.6 s of 209 CPU s, {@code -XX:+CITime}, 2026-12-06; after 3 M rows of warm-up,
 * 23-33 s of compilation remain inside the measured ingest, {@code distill_ingest_jit_s=}), nearer a
 * run over billions of rows, where compilation is a fixed cost per run.
 *
 * <p>Per stage and engine: wall seconds, process CPU seconds (user + system of all threads,
 * {@link Span}; for DuckDB measured inside the child, around the stage's statements only, after the
 * database is open), the JIT compilers' seconds within them ({@link Span#jitS}) and rows per
 * CPU-second (ingest: data lines read; windows: positions read).
 * Last, one {@code name=value} per line: {@code rows=} (data lines of the input, headers not
 * counted), {@code cores=}, {@code warmup_rows=} (data lines of the warm-up input, 0 for none),
 * {@code duckdb_version=},
 * then for {@code distill_} and {@code duckdb_}: {@code ingest_s}, {@code ingest_cpu_s},
 * {@code ingest_jit_s}, {@code ingest_rows_per_cpu_s}, {@code windows_s}, {@code windows_cpu_s},
 * {@code windows_jit_s}, {@code windows_rows_per_cpu_s}, the row counts {@code positions}, {@code rejects},
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
  /** First argument of the DuckDB child JVM's command line. */
  static final String CHILD = "--duckdb-child";
  /** First argument of the ais-distill child JVM's command line. */
  static final String DISTILL_CHILD = "--distill-child";

  /** The row counts both children print, in the order printed. */
  private static final List<String> COUNTS = List.of("positions", "rejects", "duplicates", "windows_read",
      "same_time_repeats", "segments", "windows", "short_windows");

  private DuckDbPeerBench() {}

  /**
   * Runs the benchmark, or with {@value #CHILD} or {@value #DISTILL_CHILD} as first argument one
   * engine's side only (the child JVMs' entry).
   *
   * @param args ROWS (underscores allowed), an optional WORKDIR (default: a new temporary
   *     directory) and an optional WARMUP_ROWS (default 0: none); or {@value #CHILD} INPUT OUT
   *     THREADS MEMORY_BYTES RUN_START [WARMUP_INPUT]; or {@value #DISTILL_CHILD} INPUT LAKEHOUSE
   *     CORES [WARMUP_INPUT]
   * @throws Exception when the input cannot be written, a stage fails or the child fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(CHILD)) {
      child(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
          Instant.parse(args[5]), args.length > 6 ? Path.of(args[6]) : null);
      return;
    }
    if (args.length > 0 && args[0].equals(DISTILL_CHILD)) {
      distillChild(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]),
          args.length > 4 ? Path.of(args[4]) : null);
      return;
    }
    if (args.length < 1) {
      System.err.println("usage: bench/vs-duckdb ROWS [WORKDIR [WARMUP_ROWS]]");
      System.exit(2);
    }
    long target = Long.parseLong(args[0].replace("_", ""));
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("ais-bench-duckdb");
    long warmupTarget = args.length > 2 ? Long.parseLong(args[2].replace("_", "")) : 0;
    Path in = work.resolve("input");
    SimulatedCsv.write(target, in);
    Path warmIn = work.resolve("warmup-input");
    long warmupRows = warmupTarget > 0 ? SimulatedCsv.write(warmupTarget, warmIn) : 0;
    List<String> warm = warmupTarget > 0 ? List.of(warmIn.toString()) : List.of();
    int cores = Runtime.getRuntime().availableProcessors();
    Instant runStart = Instant.now();

    // ais-distill first, in a JVM of its own with this JVM's options (heap, GC, --add-opens)
    List<String> distillJvm = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
    Map<String, String> d = runChild("ais-distill", distillJvm, concat(List.of(DISTILL_CHILD, in.toString(),
        work.resolve("lakehouse").toString(), Integer.toString(cores)), warm));
    long duckMemory = duckDbMemory(Runtime.getRuntime().maxMemory());
    Map<String, String> duck = runChild("DuckDB", List.of("-Xmx512m"), concat(List.of(CHILD, in.toString(),
        work.resolve("duckdb").toString(), Integer.toString(cores), Long.toString(duckMemory),
        runStart.toString()), warm));

    List<String> out = new ArrayList<>();
    out.add("rows=" + d.get("rows"));
    out.add("cores=" + cores);
    out.add("warmup_rows=" + warmupRows);
    out.add("duckdb_version=" + duck.get("version"));
    out.add("duckdb_memory_limit_bytes=" + duckMemory);
    figures("distill_", d, out);
    figures("duckdb_", duck, out);
    if (!duck.get("rows").equals(d.get("rows"))) {
      System.err.printf("WARNING: DuckDB read %s data rows, ais-distill %s%n", duck.get("rows"), d.get("rows"));
    }
    // CPU-seconds per row, ais-distill over DuckDB
    for (String stage : List.of("ingest", "windows")) {
      out.add(String.format("%s_cpu_per_row_ratio=%.2f", stage, cpuPerRow(d, stage) / cpuPerRow(duck, stage)));
    }
    out.forEach(System.out::println);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * Adds one engine's figures to {@code out}, each name prefixed with {@code prefix}: wall and CPU
   * seconds and rows per CPU-second of ingest (rows = data lines read) and windows (rows =
   * positions read), then the row counts ({@link #COUNTS}).
   *
   * @param child the engine's child's {@code name=value} lines
   */
  private static void figures(String prefix, Map<String, String> child, List<String> out) {
    for (String stage : List.of("ingest", "windows")) {
      out.add(prefix + stage + "_s=" + child.get(stage + "_s"));
      out.add(prefix + stage + "_cpu_s=" + child.get(stage + "_cpu_s"));
      out.add(prefix + stage + "_jit_s=" + child.get(stage + "_jit_s"));
      out.add(String.format("%s%s_rows_per_cpu_s=%.0f", prefix, stage, 1 / cpuPerRow(child, stage)));
    }
    for (String k : COUNTS) {
      out.add(prefix + k + "=" + child.get(k));
    }
  }

  /**
   * CPU-seconds per row of one stage in one engine's figures: ingest per data line read (header
   * lines are skipped by ais-distill and never rows for DuckDB), windows per position read.
   */
  private static double cpuPerRow(Map<String, String> child, String stage) {
    long rows = Long.parseLong(child.get(stage.equals("ingest") ? "rows" : "windows_read"));
    return Double.parseDouble(child.get(stage + "_cpu_s")) / rows;
  }

  /**
   * Runs one engine's side in a child JVM (same java executable and class path, JVM options
   * {@code jvmOptions}), its stderr passed through, and returns its {@code name=value} stdout lines.
   *
   * @param engine the engine's name, for messages
   * @throws IllegalStateException when the child exits non-zero
   */
  private static Map<String, String> runChild(String engine, List<String> jvmOptions, List<String> args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DuckDbPeerBench.class.getName()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
      throw new IllegalStateException(engine + " child process was killed (exit 137), most likely by the kernel for "
          + "want of memory; run with a smaller -Xmx (AIS_DISTILL_BENCH_JAVA_OPTS)");
    }
    if (rc != 0) {
      throw new IllegalStateException(engine + " child process exited with " + rc);
    }
    return values;
  }

  /**
   * DuckDB's memory limit in bytes: {@code maxHeap}, capped at {@code MemAvailable} of
   * {@code /proc/meminfo} less 1 GiB, never below 1 GiB. Where {@code /proc/meminfo} cannot be read (not Linux),
   * {@code maxHeap}.
   */
  static long duckDbMemory(long maxHeap) {
    long gib = 1L << 30;
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

  /**
   * The ais-distill child: both stages ({@link DistillStages#run}), figures as name=value lines on
   * stdout; first, unmeasured, both stages on {@code warmIn} when it is not null.
   */
  private static void distillChild(Path in, Path lakehouse, int cores, Path warmIn) {
    if (warmIn != null) {
      DistillStages.run(warmIn, lakehouse.resolveSibling("warmup-lakehouse"), cores, "ais-distill bench warm-up");
    }
    DistillStages.Run d = DistillStages.run(in, lakehouse, cores, "ais-distill bench vs-duckdb");
    // data lines: header lines are skipped by ais-distill and never rows for DuckDB
    printFigures(d.ingest().linesRead() - d.ingest().linesSkipped(), d.ingestSpan(), d.windowsSpan(),
        List.of(d.ingest().positionsAccepted(), d.ingest().rejected(), d.ingest().duplicatesDropped(),
            d.windows().positionsRead(), d.windows().report().getLong("same_time_repeats_skipped"),
            d.windows().segments(), d.windows().windowsWritten(),
            d.windows().report().getLong("short_windows_dropped")));
  }

  /**
   * What either child prints on stdout for the parent, one {@code name=value} per line:
   * {@code rows=}, {@code ingest_s=}, {@code ingest_cpu_s=}, {@code ingest_jit_s=}, {@code windows_s=},
   * {@code windows_cpu_s=}, {@code windows_jit_s=}, then the row counts named by {@link #COUNTS}.
   *
   * @param counts the row counts in the order of {@link #COUNTS}
   */
  private static void printFigures(long rows, Span ingest, Span windows, List<Long> counts) {
    System.out.println("rows=" + rows);
    System.out.printf("ingest_s=%.2f%n", ingest.wallS());
    System.out.printf("ingest_cpu_s=%.2f%n", ingest.cpuS());
    System.out.printf("ingest_jit_s=%.2f%n", ingest.jitS());
    System.out.printf("windows_s=%.2f%n", windows.wallS());
    System.out.printf("windows_cpu_s=%.2f%n", windows.cpuS());
    System.out.printf("windows_jit_s=%.2f%n", windows.jitS());
    for (int i = 0; i < COUNTS.size(); i++) {
      System.out.println(COUNTS.get(i) + "=" + counts.get(i));
    }
  }

  /**
   * The DuckDB child: both DuckDB stages, measured, figures as name=value lines on stdout; first,
   * unmeasured, both stages on {@code warmIn} (output {@code duckdb-warmup} beside {@code out}, a
   * database of its own) when it is not null.
   */
  private static void child(Path in, Path out, int threads, long memoryBytes, Instant runStart, Path warmIn)
      throws Exception {
    if (warmIn != null) {
      Path warmOut = out.resolveSibling("duckdb-warmup");
      Files.createDirectories(warmOut);
      try (DuckDbStages db = duckDb(threads, memoryBytes, warmOut, runStart)) {
        db.ingest(warmIn, warmOut);
        db.windows(warmOut);
      }
    }
    Files.createDirectories(out);
    try (DuckDbStages db = duckDb(threads, memoryBytes, out, runStart)) {
      Span.Clock c1 = Span.start();
      DuckDbStages.IngestCounts ic = db.ingest(in, out);
      Span ingest = c1.stop();
      Span.Clock c2 = Span.start();
      long windows = db.windows(out);
      Span win = c2.stop();
      DuckDbStages.WindowsCounts wc = db.windowsCounts(out, windows);
      System.out.println("version=" + db.version());
      printFigures(ic.rows(), ingest, win, List.of(ic.positions(), ic.rejects(), ic.duplicates(),
          wc.positionsRead(), wc.sameTimeRepeats(), wc.segments(), wc.windows(), wc.shortWindows()));
    }
  }

  /** A DuckDB database for the stages, spilling under {@code out/tmp}, with ais-distill's default rules. */
  private static DuckDbStages duckDb(int threads, long memoryBytes, Path out, Instant runStart) throws Exception {
    PipelineConfig cfg = DistillStages.config(threads);
    return new DuckDbStages(threads, memoryBytes, out.resolve("tmp"), cfg.windows.toWindowConfig(),
        Instant.parse(cfg.ingest.minTime), runStart.plusSeconds(cfg.ingest.maxTimeAheadS));
  }
}
