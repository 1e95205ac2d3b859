package io.aisdistill.jobs.config;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Rows;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession every stage runs in: Delta Lake extensions and catalog, UTC session
 * time zone, java.time values in Rows. Under spark-submit the launcher's master and properties
 * win; standalone (bin/ais-distill, tests) the configured master (default {@code local[*]}) is used.
 *
 * <p>The code-generation cache ({@code spark.sql.codegen.cache.maxEntries}, a static setting: read
 * when the first session of the JVM starts) holds 2,000 compiled classes instead of Spark's 100: one
 * pipeline run on data-samples/ (five stages in one JVM) generates 458 distinct classes, and with
 * Spark's default compiled 628 times (CodeGenerator's "Code generated" log lines), 170 of them code it
 * had compiled before and evicted (JFR of the test JVM, 2026-12-08: Janino 20 % of CPU samples,
 * most of it in executor tasks). Measured on the real-data run ({@code bin/ais-distill run --input
 * ../shared/data/ais}, two pairs, 2 cores): 239.6 against 226.0 CPU s (-6 %), tables identical;
 * three test classes of the suite: 499 against 440 CPU s.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** Gets or creates the session for {@code cfg}. */
  public static SparkSession getOrCreate(PipelineConfig cfg, String appName) {
    SparkConf conf = new SparkConf(true);
    if (!conf.contains("spark.master")) {
      conf.setMaster(cfg.spark.master);
    }
    conf.setAppName(appName)
        .setIfMissing("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .setIfMissing("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .setIfMissing("spark.sql.session.timeZone", "UTC")
        .setIfMissing("spark.sql.datetime.java8API.enabled", "true")
        .setIfMissing("spark.sql.shuffle.partitions", Integer.toString(cfg.spark.shufflePartitions))
        .setIfMissing("spark.default.parallelism", Integer.toString(cfg.spark.shufflePartitions))
        .setIfMissing("spark.databricks.delta.snapshotPartitions", "2")
        .setIfMissing("spark.sql.adaptive.enabled", "true")
        .setIfMissing("spark.ui.enabled", "false")
        .setIfMissing("spark.sql.debug.maxToStringFields", "200")
        .setIfMissing("spark.ui.showConsoleProgress", "false")
        .setIfMissing("spark.databricks.delta.schema.autoMerge.enabled", "false")
        .setIfMissing("spark.sql.codegen.cache.maxEntries", "2000");
    for (Map.Entry<String, String> e : cfg.spark.conf.entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /**
   * Runs {@code work} with the session's runtime setting {@code key} = {@code value}, then restores
   * the setting as it was: unset again when the session had not set it (not pinned to its default,
   * so that a later {@code spark.conf().contains(key)} still says false).
   *
   * @return what {@code work} returns
   */
  public static <T> T withSessionConf(SparkSession spark, String key, String value, Supplier<T> work) {
    String before = spark.conf().contains(key) ? spark.conf().get(key) : null;
    spark.conf().set(key, value);
    try {
      return work.get();
    } finally {
      if (before == null) {
        spark.conf().unset(key);
      } else {
        spark.conf().set(key, before);
      }
    }
  }

  /**
   * {@link #withSessionConf(SparkSession, String, String, Supplier)} for several settings at once:
   * each key of {@code settings} is set for {@code work} and restored after (in reverse order).
   *
   * @return what {@code work} returns
   */
  public static <T> T withSessionConf(SparkSession spark, Map<String, String> settings, Supplier<T> work) {
    Supplier<T> w = work;
    for (Map.Entry<String, String> e : settings.entrySet()) {
      Supplier<T> inner = w;
      w = () -> withSessionConf(spark, e.getKey(), e.getValue(), inner);
    }
    return w.get();
  }
}
