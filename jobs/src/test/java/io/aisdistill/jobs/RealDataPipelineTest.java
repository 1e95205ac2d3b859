package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.evaluate.EvaluateResult;
import io.aisdistill.jobs.stage.export.ExportResult;
import io.aisdistill.jobs.stage.ingest.IngestResult;
import io.aisdistill.jobs.stage.windows.WindowsResult;
import io.aisdistill.jobs.stage.select.SelectResult;
import io.aisdistill.jobs.stage.generate.GenerateResult;
import io.aisdistill.jobs.stage.judge.JudgeResult;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import io.aisdistill.jobs.stage.select.SelectStage;
import io.aisdistill.jobs.stage.windows.WindowsStage;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on every real AIS sample in {@code ../shared/data/ais} (run by .ci/run with
 * the real-data profile; fails, never skips, when the samples are missing).
 */
@Tag("shared-data")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealDataPipelineTest {
  @TempDir static Path tmp;
  SparkSession spark;
  Lakehouse lh;
  PipelineConfig cfg;
  Path ais;
  List<Path> files;
  IngestResult ingest;
  WindowsResult windows;
  SelectResult select;
  GenerateResult generate;
  JudgeResult judge;

  @BeforeAll
  void runPipeline() throws IOException {
    ais = SparkTestSession.sharedAis();
    try (Stream<Path> s = Files.walk(ais)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    spark = SparkTestSession.get();
    cfg = SparkTestSession.config();
    lh = new Lakehouse(spark, tmp.resolve("lakehouse").toString());
    ingest = new IngestStage(List.of(ais.toString()), null).run(new StageContext(spark, lh, SparkTestSession.config(), "real-1"));
    windows = new WindowsStage().run(new StageContext(spark, lh, cfg, "windows"));
    select = new SelectStage(null).run(new StageContext(spark, lh, cfg, "real-1"));
    generate = new GenerateStage(null).run(new StageContext(spark, lh, cfg, "generate"));
    judge = new JudgeStage(null).run(new StageContext(spark, lh, cfg, "judge"));
  }

  @Test
  void everyLineOfEveryFileIsAccountedFor() {
    assertEquals(files.size(), (int) ingest.files());
    PipelineAssertions.assertAccounting(lh, ingest.report(), files);
  }

  @Test
  void otherFormatsAreOneRejectRowPerFile() {
    Map<String, List<Object>> perFile = PipelineAssertions.perFile(ingest.report());
    for (String f : List.of("dma_denmark/trajectools_ais_dk_cpa.gpkg", "noaa_marinecadastre/trajectools_ais.gpkg",
        "noaa_tracktable_traj/NYHarbor_2020_12_08.traj", "noaa_tracktable_traj/VirginiaBeach_2020_06_04_to_06_filtered.traj",
        "ais/SOURCES.md")) {
      assertEquals("rejected: UNSUPPORTED_FORMAT", perFile.get(f).get(1), f);
      List<Row> rows = lh.read(Tables.REJECTS).filter(org.apache.spark.sql.functions.col("source")
          .endsWith(f.substring(f.indexOf('/') + 1))).collectAsList();
      assertEquals(1, rows.size(), "one reject row for " + f);
      assertEquals(-1L, rows.get(0).<Long>getAs("source_record"));
      assertEquals("UNSUPPORTED_FORMAT", rows.get(0).getAs("reason"));
    }
  }

  @Test
  void requiredRealFilesYieldPositions() {
    Map<String, List<Object>> perFile = PipelineAssertions.perFile(ingest.report());
    for (String f : List.of("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv",
        "noaa_marinecadastre/trajectools_ais_boston_2014-01-01_to_07.csv",
        "noaa_tracktable_traj/VirginiaBeach_2020_06_04_to_06_filtered.points.csv",
        "dma_denmark/aislib_stream_example.nmea", "nmea_raw/aisdb_test_data_20211101.nm4",
        "dma_denmark/trajectools_ais_dk_cpa_2017-07-05.csv", "uscg_nais/noaadata_test.ais")) {
      long positions = (long) perFile.get(f).get(3);
      assertTrue(positions > 0, "no positions from " + f);
    }
    // SOURCES.md: the 2022 file has 99,999 rows, 1 exact duplicate row, 10,631 MMSIs
    List<Object> mc = perFile.get("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv");
    assertEquals(100_000L, mc.get(2));
    assertTrue((long) mc.get(6) >= 1, "the exact duplicate row is dropped");
    // static reports (type 5 / 24) from the DMA stream enrich positions with names
    assertTrue(lh.read(Tables.STATIC).count() > 100);
    long named = lh.read(Tables.POSITIONS).filter("source like '%aislib_stream_example.nmea' and vessel_name is not null").count();
    assertTrue(named > 0, "DMA positions enriched from type 5 static messages");
  }

  @Test
  void noSentinelValues() {
    PipelineAssertions.assertNoSentinels(lh);
  }

  @Test
  void windowsNeverSpanGapsOrJumps() {
    assertTrue(lh.read(Tables.WINDOWS).count() > 100, "windows from the multi-hour real tracks");
    PipelineAssertions.assertWindowsRespectSegments(lh, cfg.windows.toWindowConfig());
  }

  @Test
  void windowFeaturesAgreeWithPositionsRecomputedInSql() {
    // independent check: for windows of vessels with one track and no same-time repeats, the
    // number of reports and mean SOG recomputed in SQL from ais_positions equal the features
    // (SOG 102.2 means "102.2 knots or more": no speed, left out of the mean)
    lh.read(Tables.POSITIONS).createOrReplaceTempView("p");
    lh.read(Tables.WINDOWS).createOrReplaceTempView("w");
    List<Row> rows = spark.sql("""
        SELECT w.window_id, w.n_points, w.sog_mean_kn, count(*) AS n,
          avg(CASE WHEN p.sog < 102.2D THEN p.sog END) AS sog_mean
        FROM w JOIN p ON p.mmsi = w.mmsi AND p.ts BETWEEN w.start_ts AND w.end_ts
        WHERE w.mmsi IN (SELECT mmsi FROM w GROUP BY mmsi HAVING count(DISTINCT segment_id) = 1)
        GROUP BY w.window_id, w.n_points, w.sog_mean_kn""").collectAsList();
    assertTrue(rows.size() > 50, "windows checked: " + rows.size());
    int equal = 0;
    for (Row r : rows) {
      if (r.getInt(1) == r.getLong(3)) {
        equal++;
        assertEquals(r.isNullAt(2), r.isNullAt(4), "sog_mean of " + r.getString(0));
        if (!r.isNullAt(2)) {
          assertEquals(r.getDouble(4), r.getDouble(2), 1e-9, "sog_mean of " + r.getString(0));
        }
      }
    }
    assertTrue(equal >= rows.size() * 0.9, "windows whose report count matches SQL: " + equal + "/" + rows.size());
  }

  @Test
  void selectionDecidesEveryWindowCapsStoppedOnesAndGenerateKeepsToIt() {
    Dataset<Row> s = lh.read(Tables.WINDOW_SELECTION);
    long in = lh.read(Tables.WINDOWS).count();
    assertEquals(in, s.count());
    assertEquals(in, select.windowsIn());
    long selected = s.filter("selected").count();
    assertEquals(selected, select.windowsSelected());
    for (String reason : List.of("SELECTED", "NEAR_DUPLICATE", "STOPPED_CAP", "OVER_BUDGET")) {
      assertEquals(s.filter(col("reason").equalTo(reason)).count(), select.report().getLong("reason." + reason), reason);
    }
    assertTrue(selected > 1000 && selected < in, "selected " + selected + " of " + in);
    assertTrue(s.filter("selected AND behaviour = 'stopped'").count() <= cfg.select.maxStoppedShare * selected);
    assertEquals(0, lh.read(Tables.QA_CANDIDATES).select("window_id").distinct()
        .except(s.filter("selected").select("window_id")).count(), "QA only for selected windows");
  }

  @Test
  void qaCoversAllCategoriesAndAcceptedAnswersReverify() throws IOException {
    Set<String> cats = new TreeSet<>();
    for (Row r : lh.read(Tables.QA_JUDGED).filter("verdict = 'accepted'").select("category").distinct().collectAsList()) {
      cats.add(r.getString(0));
    }
    assertEquals(Set.of("identity", "kinematics", "behaviour", "route", "temporal", "anomaly"), cats);
    long n = PipelineAssertions.assertAcceptedReverify(lh);
    assertTrue(n > 100, "accepted pairs: " + n);
    assertEquals(lh.read(Tables.QA_CANDIDATES).count(), lh.read(Tables.QA_JUDGED).count(), "every candidate judged");
  }

  @Test
  void rerunningEveryStageChangesNothing() {
    long pos = lh.read(Tables.POSITIONS).count();
    long rej = lh.read(Tables.REJECTS).count();
    long win = lh.read(Tables.WINDOWS).count();
    long qa = lh.read(Tables.QA_CANDIDATES).count();
    long judged = lh.read(Tables.QA_JUDGED).filter("verdict = 'accepted'").count();
    var again = new IngestStage(List.of(ais.toString()), null).run(new StageContext(spark, lh, SparkTestSession.config(), "real-2"));
    assertEquals(0L, again.positionsNewInTable());
    assertEquals(0L, again.rejectsNewInTable());
    assertEquals(0L, again.staticNewInTable());
    new WindowsStage().run(new StageContext(spark, lh, cfg, "windows"));
    Dataset<Row> selected = lh.read(Tables.WINDOW_SELECTION).drop("run_id");
    List<Row> before = selected.orderBy("window_id").collectAsList();
    new SelectStage(null).run(new StageContext(spark, lh, cfg, "real-2"));
    assertEquals(before, lh.read(Tables.WINDOW_SELECTION).drop("run_id").orderBy("window_id").collectAsList(),
        "a rerun selects the same windows");
    var gen = new GenerateStage(null).run(new StageContext(spark, lh, cfg, "generate"));
    assertEquals(0L, gen.qaNewInTable());
    new JudgeStage(null).run(new StageContext(spark, lh, cfg, "judge"));
    assertEquals(pos, lh.read(Tables.POSITIONS).count());
    assertEquals(rej, lh.read(Tables.REJECTS).count());
    assertEquals(win, lh.read(Tables.WINDOWS).count());
    assertEquals(qa, lh.read(Tables.QA_CANDIDATES).count());
    assertEquals(judged, lh.read(Tables.QA_JUDGED).filter("verdict = 'accepted'").count());
    assertEquals(0, lh.read(Tables.WINDOWS).select("window_id").except(
        spark.read().format("delta").option("versionAsOf", 0).load(lh.path(Tables.WINDOWS)).select("window_id")).count(),
        "same window ids as the first run");
  }
}
