package io.aisdistill.jobs.stage;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import org.apache.spark.sql.SparkSession;

/**
 * What every stage runs against.
 *
 * @param spark the Spark session (local mode, a cluster, or Databricks)
 * @param lakehouse where the Delta tables live (a directory, an {@code s3a://} URI or a catalog schema)
 * @param config the pipeline configuration (YAML plus {@code --set} overrides)
 * @param runId run id recorded in written rows, e.g. {@code 20261130T141500Z}
 */
public record StageContext(SparkSession spark, Lakehouse lakehouse, PipelineConfig config, String runId) {}
