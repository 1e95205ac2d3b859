package io.aisdistill.bench;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.lakehouse.Rows;

import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.sim.AisSimulator;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.SparkSessions;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.windows.WindowsStage;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput benchmark of the ingest and windows stages (an executable, not a test).
 *
 * <p>Usage: {@code IngestWindowsBench ROWS [WORKDIR]}. Simulates about ROWS rows of MarineCadastre
 * CSV with {@link AisSimulator} (24 h of traffic, vessels scaled to the row count, written as
 * several files), runs ingest then windows in Spark local mode on every core into a fresh
 * lakehouse, and prints its figures last, one {@code name=value} per line: {@code rows=},
 * {@code cores=}, {@code ingest_s=}, {@code windows_s=}, {@code ingest_rows_per_s_per_core=}
 * (rows / wall seconds / cores), {@code windows_rows_per_s_per_core=}, {@code ingest_cpu_s=},
 * {@code windows_cpu_s=} (process CPU time, all threads), {@code ingest_rows_per_cpu_s=},
 * {@code windows_rows_per_cpu_s=} (robust when other processes share the cores), {@code windows=}.
 */
public final class IngestWindowsBench {
  /** Rows the simulator writes per vessel and day (measured: about 910 at its report intervals; 900 errs towards more rows). */
  static final double ROWS_PER_VESSEL_DAY = 900.0;
  static final int FILES = 8;

  private IngestWindowsBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: bench/ingest-windows ROWS [WORKDIR]");
      System.exit(2);
    }
    long target = Long.parseLong(args[0].replace("_", ""));
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("ais-bench");
    Path in = Files.createDirectories(work.resolve("input"));
    int vesselsPerFile = (int) Math.max(1, Math.round(target / ROWS_PER_VESSEL_DAY / FILES));
    long simulated = 0;
    long t0 = System.nanoTime();
    for (int f = 0; f < FILES; f++) {
      try (BufferedWriter w = Files.newBufferedWriter(in.resolve("sim_" + f + ".csv"), StandardCharsets.UTF_8)) {
        simulated += AisSimulator.write(new AisSimulator.Config(vesselsPerFile, 24,
            Instant.parse("2024-06-01T00:00:00Z"), 1000L + f), w);
      }
    }
    System.err.printf("simulated %,d rows in %.1f s%n", simulated, (System.nanoTime() - t0) / 1e9);

    int cores = Runtime.getRuntime().availableProcessors();
    PipelineConfig cfg = PipelineConfig.load(null,
        List.of("spark.master=local[" + cores + "]", "spark.shuffle_partitions=" + Math.max(2, cores * 2)));
    SparkSession spark = SparkSessions.getOrCreate(cfg, "ais-distill bench ingest-windows");
    Lakehouse lh = new Lakehouse(spark, work.resolve("lakehouse").toString());
    List<String> out = new ArrayList<>();
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long c1 = os.getProcessCpuTime();
    long s1 = System.nanoTime();
    var ingest = new IngestStage(List.of(in.toString()), null).run(new StageContext(spark, lh, cfg, "bench"));
    double ingestS = (System.nanoTime() - s1) / 1e9;
    long rows = ingest.linesRead();
    long c2 = os.getProcessCpuTime();
    long s2 = System.nanoTime();
    var windows = new WindowsStage(FlagStates::forMmsi).run(new StageContext(spark, lh, cfg, "windows"));
    double windowsS = (System.nanoTime() - s2) / 1e9;
    double ingestCpuS = (c2 - c1) / 1e9;
    double windowsCpuS = (os.getProcessCpuTime() - c2) / 1e9;
    long positions = windows.positionsRead();
    spark.stop();
    System.err.print(ingest.report().toMarkdown());
    System.err.print(windows.report().toMarkdown());
    out.add("rows=" + rows);
    out.add("cores=" + cores);
    out.add(String.format("ingest_s=%.2f", ingestS));
    out.add(String.format("windows_s=%.2f", windowsS));
    out.add(String.format("ingest_rows_per_s_per_core=%.0f", rows / ingestS / cores));
    out.add(String.format("windows_rows_per_s_per_core=%.0f", positions / windowsS / cores));
    out.add(String.format("ingest_cpu_s=%.1f", ingestCpuS));
    out.add(String.format("windows_cpu_s=%.1f", windowsCpuS));
    out.add(String.format("ingest_rows_per_cpu_s=%.0f", rows / ingestCpuS));
    out.add(String.format("windows_rows_per_cpu_s=%.0f", positions / windowsCpuS));
    out.add("windows=" + windows.windowsWritten());
    out.forEach(System.out::println);
  }
}
