package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.TableChecksums;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.ingest.IngestStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog lakehouse ({@code catalog:CATALOG.SCHEMA}, as on Databricks Unity Catalog) holds the
 * same tables as a path lakehouse: here on Spark's session catalog, checked with the checksums
 * the CI compares runs with.
 */
class CatalogLakehouseTest {
  @TempDir Path tmp;

  @Test
  void catalogTablesEqualPathTables() throws Exception {
    SparkSession spark = SparkTestSession.get();
    spark.sql("CREATE DATABASE IF NOT EXISTS ais_catalog_test LOCATION '" + tmp.resolve("db").toUri() + "'");
    String samples = SparkTestSession.repo().resolve("data-samples").toString();
    Path files = tmp.resolve("files");
    spark.conf().set(Lakehouse.FILES_ROOT_CONF, files.toString());
    try {
      String[] common = {"--run-id", "cat-1", "--set", "spark.shuffle_partitions=4"};
      assertEquals(0, Cli.execute(concat(new String[] {"run", "--input", samples, "--lakehouse",
          "catalog:spark_catalog.ais_catalog_test"}, common)));
      assertEquals(0, Cli.execute(concat(new String[] {"run", "--input", samples, "--lakehouse",
          tmp.resolve("lh").toString()}, common)));
    } finally {
      spark.conf().unset(Lakehouse.FILES_ROOT_CONF);
    }
    Lakehouse cat = new Lakehouse(spark, "catalog:spark_catalog.ais_catalog_test");
    Lakehouse path = new Lakehouse(spark, tmp.resolve("lh").toString());
    assertTrue(cat.isCatalog());
    assertFalse(path.isCatalog());
    assertEquals("spark_catalog.ais_catalog_test.qa_judged", cat.path(Tables.QA_JUDGED));
    assertTrue(spark.catalog().tableExists("spark_catalog.ais_catalog_test.ais_positions"), "a catalog table");
    List<String> expected = TableChecksums.lines(spark, path);
    assertEquals(8, expected.size(), String.join("\n", expected));
    assertEquals(expected, TableChecksums.lines(spark, cat));
    var again = new IngestStage(List.of(samples), null).run(new StageContext(spark, cat, SparkTestSession.config(), "cat-2"));
    assertEquals(0L, again.positionsNewInTable(), "a rerun MERGEs nothing new into the catalog table");
    assertTrue(cat.version(Tables.POSITIONS) >= 0);
    assertEquals(expected, TableChecksums.lines(spark, cat));
    assertTrue(Files.isRegularFile(files.resolve("_reports/latest.md")), "report under the files root");
    assertEquals("/Volumes/main/ais/ais_distill", new Lakehouse(spark, "catalog:main.ais").filesRoot());
    assertThrows(IllegalArgumentException.class, () -> new Lakehouse(spark, "catalog:a.b.c"));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
