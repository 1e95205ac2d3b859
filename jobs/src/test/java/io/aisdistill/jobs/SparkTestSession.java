package io.aisdistill.jobs;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.SparkSessions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * One shared local SparkSession per test JVM (spark-testing-base has no Spark 4 build): local[2],
 * few shuffle partitions, Delta enabled, UTC. Stopped by a JVM shutdown hook.
 */
public final class SparkTestSession {
  private static SparkSession spark;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    if (spark == null) {
      PipelineConfig cfg = config();
      spark = SparkSessions.getOrCreate(cfg, "ais-distill-tests");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
    }
    return spark;
  }

  /** The test configuration: local[2], 4 shuffle partitions. */
  public static PipelineConfig config() {
    return PipelineConfig.load(null, List.of("spark.master=local[2]", "spark.shuffle_partitions=4"));
  }

  /** The repository root (Maven passes it as ais.repo.dir). */
  public static Path repo() {
    String p = System.getProperty("ais.repo.dir");
    return Path.of(p == null ? ".." : p).toAbsolutePath().normalize();
  }

  /** The real AIS samples; throws (never skips) when ../shared is missing. */
  public static Path sharedAis() {
    String p = System.getProperty("ais.shared.dir");
    Path d = Path.of(p == null ? "../shared" : p).toAbsolutePath().normalize().resolve("data/ais");
    if (!Files.isDirectory(d)) {
      throw new IllegalStateException("real AIS samples not found at " + d + ": shared-data tests need ../shared");
    }
    return d;
  }
}
