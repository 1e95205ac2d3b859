package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.stage.export.DatasetCard;
import io.aisdistill.jobs.stage.export.ExportStage;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.TableChecksums;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.ingest.IngestStage;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog lakehouse ({@code catalog:CATALOG.SCHEMA}, as on Databricks Unity Catalog) holds the
 * same tables as a path lakehouse: here on Spark's session catalog, checked with the checksums
 * the CI compares runs with. {@link #catalogRunWithLlmTeachersExportAndEvaluate} runs the whole
 * pipeline (LLM teachers and evaluate against the loopback server, export) in both forms.
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
    assertEquals(9, expected.size(), String.join("\n", expected));
    assertEquals(expected, TableChecksums.lines(spark, cat));
    var again = new IngestStage(List.of(samples), null).run(new StageContext(spark, cat, SparkTestSession.config(), "cat-2"));
    assertEquals(0L, again.positionsNewInTable(), "a rerun MERGEs nothing new into the catalog table");
    assertTrue(cat.version(Tables.POSITIONS) >= 0);
    assertEquals(expected, TableChecksums.lines(spark, cat));
    assertTrue(Files.isRegularFile(files.resolve("_reports/latest.md")), "report under the files root");
    assertEquals("/Volumes/main/ais/ais_distill", new Lakehouse(spark, "catalog:main.ais").filesRoot());
    assertThrows(IllegalArgumentException.class, () -> new Lakehouse(spark, "catalog:a.b.c"));
    assertEquals(List.of(), strays(Path.of("").toAbsolutePath()), "written to a directory named after the catalog");
  }

  /**
   * {@code run} with every Spark stage (select, generate and judge with LLM teachers, export,
   * evaluate) on {@code catalog:spark_catalog.ais_catalog_e2e}, then the same on a path lakehouse:
   * the tables both write are equal, the exports are byte-identical (same manifest, so the same
   * Delta versions were read by time travel), llm_calls and the evaluation tables are catalog
   * tables, and the LLM journal and run reports live under the files root, never in a directory
   * named after the catalog. Needs ../shared (the export's tokenizer).
   */
  @Test
  @Tag("shared-data")
  void catalogRunWithLlmTeachersExportAndEvaluate() throws Exception {
    SparkSession spark = SparkTestSession.get();
    String db = "ais_catalog_e2e";
    String catRoot = "catalog:spark_catalog." + db;
    spark.sql("CREATE DATABASE IF NOT EXISTS " + db + " LOCATION '" + tmp.resolve("db").toUri() + "'");
    String samples = SparkTestSession.repo().resolve("data-samples").toString();
    Path files = tmp.resolve("files");
    Path lhDir = tmp.resolve("lh");
    Path cwd = Path.of("").toAbsolutePath();
    assertEquals(List.of(), strays(cwd), "leftovers of an earlier run in " + cwd);

    // the server notes, on each request, whether earlier calls of the run are journaled where expected
    AtomicReference<Path> journal = new AtomicReference<>();
    Set<Path> journalSeen = ConcurrentHashMap.newKeySet();
    try (LoopbackChatServer server = new LoopbackChatServer(req -> {
      Path j = journal.get();
      if (j != null && hasJson(j)) {
        journalSeen.add(j);
      }
      return switch (req.path("model").asText()) {
        case "student-model" -> "The mean speed over ground was 12.3 knots.";
        case "base-model" -> "I cannot determine that from the data.";
        default -> LoopbackChatServer.teacherReply(req);
      };
    }, 0)) {
      Path teachers = LlmFixture.teacherFile(tmp, server.baseUrl(), 16, 4);
      // one commit per fan-out (the stage's last): fewer Delta commits, a shorter test
      Files.writeString(teachers, Files.readString(teachers).replace("commit_interval_s: 2", "commit_interval_s: 600"));
      Path models = tmp.resolve("models.yaml");
      Files.writeString(models, """
          tokenizer: %s
          tasks: 1
          commit_interval_s: 600
          progress_interval_s: 5
          models:
            - {name: loop-student, role: student, base_url: %s, model: student-model, response_format: none,
               max_concurrency: 4, timeout_s: 10}
            - {name: loop-base, role: base, base_url: %s, model: base-model, response_format: none,
               max_concurrency: 4, timeout_s: 10}
          """.formatted(LlmFixture.tokenizer(), server.baseUrl(), server.baseUrl()));
      for (String kind : List.of("cat", "path")) {
        boolean catalog = kind.equals("cat");
        journal.set((catalog ? files : lhDir).resolve(LlmFanout.JOURNAL));
        if (catalog) {
          spark.conf().set(Lakehouse.FILES_ROOT_CONF, files.toString());
        }
        try {
          assertEquals(0, Cli.execute("run", "--input", samples, "--lakehouse", catalog ? catRoot : lhDir.toString(),
              "--teachers", teachers.toString(), "--models", models.toString(), "--run-id", kind + "-1",
              "--set", "spark.shuffle_partitions=4",
              "--set", "run.stages=[ingest,windows,select,generate,judge,export,evaluate]",
              "--set", "run.export_dir=" + tmp.resolve(kind + "-export"),
              "--set", "evaluate.report_dir=" + tmp.resolve(kind + "-report")), kind + " run");
        } finally {
          spark.conf().unset(Lakehouse.FILES_ROOT_CONF);
          journal.set(null);
        }
      }
    }
    Lakehouse cat = new Lakehouse(spark, catRoot);
    Lakehouse path = new Lakehouse(spark, lhDir.toString());

    // the eight pipeline tables: equal content
    List<String> expected = TableChecksums.lines(spark, path);
    assertEquals(9, expected.size(), String.join("\n", expected));
    assertEquals(expected, TableChecksums.lines(spark, cat));

    // the other tables are Delta tables of the catalog, managed under the database's location
    for (String t : List.of(Tables.LLM_CALLS, Tables.TRAINING_RUNS, Tables.EVAL_RESULTS, Tables.EVAL_SUMMARY)) {
      assertTrue(spark.catalog().tableExists(cat.path(t)), t + " is a catalog table");
      Row d = spark.sql("DESCRIBE DETAIL " + cat.path(t)).select("format", "location").first();
      assertEquals("delta", d.getString(0), t);
      assertTrue(Path.of(java.net.URI.create(d.getString(1))).startsWith(tmp.resolve("db")),
          t + " at " + d.getString(1));
      assertFalse(Files.exists(files.resolve(t)), t + " written as a path under the files root");
    }
    // the same LLM calls (latencies and times aside), answered the same way
    Map<String, Long> purposes = new TreeMap<>();
    for (Row r : cat.read(Tables.LLM_CALLS).groupBy("purpose").count().collectAsList()) {
      purposes.put(r.getString(0), r.getLong(1));
    }
    assertEquals(Set.of("generate", "judge", "evaluate"), purposes.keySet(), purposes.toString());
    assertEquals(16L, purposes.get("generate"), "one call per selected window");
    String[] callCols = {"call_id", "purpose", "teacher", "model", "window_id", "qa_id", "request_json", "content",
        "status", "parse_error"};
    assertEquals(content(path.read(Tables.LLM_CALLS).selectExpr(callCols)),
        content(cat.read(Tables.LLM_CALLS).selectExpr(callCols)));
    assertEquals(0, cat.read(Tables.LLM_CALLS).filter(col("status").notEqual("ok")).count());

    // export: same manifest (delta_versions, file sha256s, export_id) and files, one training_runs row each
    Path catExport = tmp.resolve("cat-export");
    Path pathExport = tmp.resolve("path-export");
    String manifest = Files.readString(catExport.resolve("manifest.json"));
    assertEquals(Files.readString(pathExport.resolve("manifest.json")), manifest);
    for (String split : ExportStage.SPLITS) {
      for (String f : List.of("jsonl/" + split + ".jsonl", "parquet/" + split + ".parquet",
          "arrow/" + split + ".arrow")) {
        assertTrue(Files.size(catExport.resolve(f)) > 0, f);
        assertEquals(-1L, Files.mismatch(catExport.resolve(f), pathExport.resolve(f)), f);
      }
    }
    assertTrue(Files.isRegularFile(catExport.resolve(DatasetCard.FILE)), "dataset card");
    Row run = cat.read(Tables.TRAINING_RUNS).select("export_id", "lakehouse", "out_dir", "manifest").first();
    assertEquals(1, cat.read(Tables.TRAINING_RUNS).count());
    assertEquals(path.read(Tables.TRAINING_RUNS).select("export_id").first().getString(0), run.getString(0));
    assertEquals(catRoot, run.getString(1));
    assertEquals(catExport.toAbsolutePath().toString(), run.getString(2));
    assertEquals(manifest, run.getString(3));
    assertTrue(manifest.contains("\"" + Tables.QA_JUDGED + "\" : " + cat.version(Tables.QA_JUDGED)), manifest);

    // evaluate: the same scores in eval_results and eval_summary, and a report
    String[] resultCols = {"eval_id", "model", "role", "qa_id", "category", "question", "answer", "reference",
        "correct", "score_reason"};
    assertEquals(content(path.read(Tables.EVAL_RESULTS).selectExpr(resultCols)),
        content(cat.read(Tables.EVAL_RESULTS).selectExpr(resultCols)));
    assertTrue(cat.read(Tables.EVAL_RESULTS).count() > 0);
    assertEquals(2 * cat.read(Tables.EVAL_RESULTS).select("qa_id").distinct().count(),
        cat.read(Tables.EVAL_RESULTS).count(), "every test item answered by both models");
    String[] summaryCols = {"eval_id", "model", "role", "category", "n", "scored", "correct", "accuracy"};
    assertEquals(content(path.read(Tables.EVAL_SUMMARY).selectExpr(summaryCols)),
        content(cat.read(Tables.EVAL_SUMMARY).selectExpr(summaryCols)));
    assertTrue(Files.isRegularFile(tmp.resolve("cat-report").resolve(io.aisdistill.common.eval.EvalReport.REPORT_MD)));

    // text files: under the files root; the journal was there while calls ran, and is cleared after
    assertTrue(journalSeen.contains(files.resolve(LlmFanout.JOURNAL)), "catalog journal under the files root");
    assertTrue(journalSeen.contains(lhDir.resolve(LlmFanout.JOURNAL)), "path journal under the lakehouse root");
    assertFalse(Files.exists(files.resolve(LlmFanout.JOURNAL)), "journal deleted after the last commit");
    String latest = Files.readString(files.resolve("_reports/latest.md"));
    assertTrue(latest.contains("lakehouse: `" + catRoot + "`") && latest.contains("export")
        && latest.contains("evaluate"), latest);
    assertTrue(Files.isRegularFile(files.resolve("_reports/run-cat-1.md")));
    assertEquals(List.of(), strays(cwd), "written to a directory named after the catalog in " + cwd);
    assertEquals(List.of(), strays(tmp), "written to a directory named after the catalog in " + tmp);
  }

  /**
   * The Lakehouse methods the stages use for time travel and the llm_calls MERGE behave the same
   * on a catalog table and on a path table.
   */
  @Test
  void readAtAndMergeOnCatalogAndPathTables() throws Exception {
    SparkSession spark = SparkTestSession.get();
    spark.sql("CREATE DATABASE IF NOT EXISTS ais_catalog_unit LOCATION '" + tmp.resolve("db").toUri() + "'");
    for (Lakehouse lh : List.of(new Lakehouse(spark, "catalog:spark_catalog.ais_catalog_unit"),
        new Lakehouse(spark, tmp.resolve("lh").toString()))) {
      assertEquals(-1, lh.version("scratch"));
      assertThrows(IllegalStateException.class, () -> lh.readAt("scratch", 0), "no table yet");
      lh.merge(spark.sql("SELECT id, 'failed' AS status FROM range(3)"), "scratch", "t.id = s.id", "t.status <> 'ok'");
      long v0 = lh.version("scratch");
      lh.merge(spark.sql("SELECT id, IF(id = 2, 'ok', 'new') AS status FROM range(1, 5)"), "scratch", "t.id = s.id",
          "t.status <> 'ok'");
      lh.merge(spark.sql("SELECT id, 'again' AS status FROM range(2, 6)"), "scratch", "t.id = s.id",
          "t.status <> 'ok'");
      assertEquals("0:failed,1:failed,2:failed", rows(lh.readAt("scratch", v0)), lh.root());
      assertEquals("0:failed,1:new,2:ok,3:new,4:new", rows(lh.readAt("scratch", v0 + 1)), lh.root());
      assertEquals("0:failed,1:new,2:ok,3:again,4:again,5:again", rows(lh.read("scratch")), lh.root());
      assertEquals(v0 + 2, lh.version("scratch"));
      lh.merge(spark.sql("SELECT id, 'never' AS status FROM range(6)"), "scratch", "t.id = s.id", null);
      assertEquals("0:failed,1:new,2:ok,3:again,4:again,5:again", rows(lh.read("scratch")), "null: no update");
      assertThrows(Exception.class, () -> lh.readAt("scratch", 99).count(), "a version not in the history");
    }
    assertEquals(List.of(), strays(Path.of("").toAbsolutePath()));
  }

  private static String rows(Dataset<Row> df) {
    List<String> r = new ArrayList<>();
    for (Row x : df.orderBy("id").collectAsList()) {
      r.add(x.getLong(0) + ":" + x.getString(1));
    }
    return String.join(",", r);
  }

  /** Row count and order-free content checksum ({@link TableChecksums#countAndContent}). */
  private static String content(Dataset<Row> df) {
    Row r = TableChecksums.countAndContent(df);
    return r.getLong(0) + " " + r.get(1);
  }

  private static boolean hasJson(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".json"));
    } catch (java.io.IOException e) {
      return false;   // not there (yet), or deleted while listing
    }
  }

  /** Files or directories under {@code dir} named like a catalog lakehouse or a catalog table. */
  private static List<Path> strays(Path dir) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(dir, 3)) {
      return s.filter(p -> p.getFileName() != null && (p.getFileName().toString().startsWith("catalog:")
          || p.getFileName().toString().startsWith("spark_catalog."))).toList();
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
