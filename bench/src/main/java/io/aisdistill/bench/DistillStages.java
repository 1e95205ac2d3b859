package io.aisdistill.bench;

import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.SparkSessions;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.ingest.IngestResult;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.stage.windows.WindowsResult;
import io.aisdistill.jobs.stage.windows.WindowsStage;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * ais-distill's ingest and windows stages, measured: the shared run of {@link IngestWindowsBench}
 * and {@link DuckDbPeerBench}.
 *
 * <p>Spark in local mode on {@code cores} threads ({@code spark.shuffle_partitions} = 2 x cores,
 * at least 2), every other setting the built-in default ({@link PipelineConfig#load} with no file),
 * a fresh lakehouse under the work directory. The Spark session is created before the first clock
 * starts and stopped after the last one, so neither its start nor its stop is measured.
 */
final class DistillStages {
  private DistillStages() {}

  /**
   * What one run did and cost.
   *
   * @param ingest the ingest stage's result (counts and report)
   * @param windows the windows stage's result
   * @param ingestSpan wall and CPU time of the ingest stage
   * @param windowsSpan wall and CPU time of the windows stage
   */
  record Run(IngestResult ingest, WindowsResult windows, Span ingestSpan, Span windowsSpan) {}

  /**
   * The configuration both benchmarks use: the defaults, Spark local on {@code cores} threads.
   *
   * @param cores Spark local threads
   */
  static PipelineConfig config(int cores) {
    return PipelineConfig.load(null,
        List.of("spark.master=local[" + cores + "]", "spark.shuffle_partitions=" + Math.max(2, cores * 2)));
  }

  /**
   * Runs ingest over {@code input} and then windows into {@code lakehouse}, prints both stage
   * reports on stderr, and stops Spark.
   *
   * @param input directory of input files
   * @param lakehouse lakehouse root, emptied first (ingest would MERGE into existing tables)
   * @param cores Spark local threads
   * @param appName Spark application name
   */
  static Run run(Path input, Path lakehouse, int cores, String appName) {
    // a fresh lakehouse each run: in a reused WORKDIR, ingest would merge into the last run's tables and
    // windows would find nothing new (incremental), which measures something else
    deleteTree(lakehouse);
    PipelineConfig cfg = config(cores);
    SparkSession spark = SparkSessions.getOrCreate(cfg, appName);
    try {
      Lakehouse lh = new Lakehouse(spark, lakehouse.toString());
      Span.Clock c1 = Span.start();
      IngestResult ingest = new IngestStage(List.of(input.toString()), null).run(new StageContext(spark, lh, cfg, "bench"));
      Span ingestSpan = c1.stop();
      Span.Clock c2 = Span.start();
      WindowsResult windows = new WindowsStage(FlagStates::forMmsi).run(new StageContext(spark, lh, cfg, "windows"));
      Span windowsSpan = c2.stop();
      System.err.print(ingest.report().toMarkdown());
      System.err.print(windows.report().toMarkdown());
      return new Run(ingest, windows, ingestSpan, windowsSpan);
    } finally {
      spark.stop();
    }
  }

  /** Deletes {@code dir} and everything under it, if it exists. */
  private static void deleteTree(Path dir) {
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot empty the bench lakehouse " + dir, e);
    }
  }
}
