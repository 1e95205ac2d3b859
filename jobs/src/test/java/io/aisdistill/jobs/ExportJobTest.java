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
import io.aisdistill.jobs.stage.export.DatasetCard;
import io.aisdistill.jobs.stage.export.ExportStage;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import io.aisdistill.jobs.stage.select.SelectStage;
import io.aisdistill.jobs.stage.windows.WindowsStage;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.text.TokenCounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export stage on the pipeline output of the committed sample (data-samples/): vessel-disjoint
 * stratified splits, JSONL / Parquet / Arrow agreeing row for row, manifest hashes, too-long
 * examples counted, byte-identical reruns, one training_runs row. Needs the Qwen2.5 tokenizer in
 * ../shared (tagged shared-data; fails, never skips, without it).
 */
@Tag("shared-data")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportJobTest {
  @TempDir static Path tmp;
  SparkSession spark;
  Lakehouse lh;
  PipelineConfig cfg;
  ExportResult report;
  Path out;

  static Path tokenizer() {
    Path d = Path.of(System.getProperty("ais.shared.dir", "../shared")).toAbsolutePath().normalize()
        .resolve("models/qwen2.5-tokenizer");
    if (!Files.isRegularFile(d.resolve("tokenizer.json"))) {
      throw new IllegalStateException("Qwen2.5 tokenizer not found at " + d);
    }
    return d;
  }

  @BeforeAll
  void pipelineThenExport() {
    spark = SparkTestSession.get();
    cfg = PipelineConfig.load(null, List.of("spark.master=local[2]", "spark.shuffle_partitions=4",
        "export.tokenizer=" + tokenizer()));
    lh = new Lakehouse(spark, tmp.resolve("lakehouse").toString());
    new IngestStage(List.of(SparkTestSession.repo().resolve("data-samples").toString()), null).run(new StageContext(spark, lh, SparkTestSession.config(), "t1"));
    new WindowsStage().run(new StageContext(spark, lh, cfg, "windows"));
    new SelectStage(null).run(new StageContext(spark, lh, cfg, "t1"));
    new GenerateStage(null).run(new StageContext(spark, lh, cfg, "generate"));
    new JudgeStage(null).run(new StageContext(spark, lh, cfg, "judge"));
    out = tmp.resolve("export");
    report = new ExportStage(out).run(new StageContext(spark, lh, cfg, "export-1"));
  }

  @Test
  void splitsAreVesselDisjointAndStratified() {
    List<Row> rows = spark.read().parquet(out.resolve("parquet").toUri().toString()).collectAsList();
    assertEquals(report.exported(), rows.size());
    Map<Long, String> splitOf = new HashMap<>();
    Map<String, Set<String>> cats = new HashMap<>();
    for (Row r : rows) {
      String s = r.getAs("split");
      String prev = splitOf.put(r.<Long>getAs("mmsi"), s);
      assertTrue(prev == null || prev.equals(s), "vessel " + r.getAs("mmsi") + " in two splits");
      cats.computeIfAbsent(s, k -> new TreeSet<>()).add(r.getAs("category"));
    }
    Set<String> all = new TreeSet<>();
    cats.values().forEach(all::addAll);
    assertEquals(6, all.size(), "six categories: " + all);
    for (String s : ExportStage.SPLITS) {
      assertEquals(all, cats.get(s), "every category in " + s);
    }
  }

  @Test
  void manifestHashesTheFilesAndFormatsAgree() throws IOException {
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals(ExportStage.FORMAT, m.get("format").asText());
    assertEquals(lh.version(Tables.QA_JUDGED), m.at("/delta_versions/qa_judged").asLong());
    assertEquals(9, m.get("files").size());
    long total = 0;
    for (String s : ExportStage.SPLITS) {
      long n = m.at("/counts/splits/" + s + "/examples").asLong();
      total += n;
      assertEquals(n, Files.readAllLines(out.resolve("jsonl/" + s + ".jsonl")).size());
      for (String f : List.of("jsonl/" + s + ".jsonl", "parquet/" + s + ".parquet", "arrow/" + s + ".arrow")) {
        assertEquals(Sha256.hexFile(out.resolve(f)), m.at("/files/" + f.replace("/", "~1") + "/sha256").asText());
        assertEquals(n, m.at("/files/" + f.replace("/", "~1") + "/rows").asLong());
      }
    }
    assertEquals(report.exported(), total);
    assertEquals(cfg.train.maxLength, m.at("/training/max_length").asInt());
    assertEquals(16, m.at("/training/lora/r").asInt());
    String first = Files.readAllLines(out.resolve("jsonl/train.jsonl")).get(0);
    assertTrue(first.startsWith("{\"messages\":[{\"role\":\"system\",\"content\":"), first.substring(0, 60));
    // window-v2: the user turn is the vessel line, the track table and the question; the
    // assistant turn derives the answer (export.include_reasoning defaults to true)
    assertTrue(first.contains("{\"role\":\"user\",\"content\":\"Vessel: MMSI "), first);
    assertTrue(first.contains("time | lat | lon | sog_kn | cog_deg | heading_deg | nav"), first);
    assertTrue(first.contains("\\nQuestion: "), first);
    assertTrue(!first.contains("Computed facts") && !first.contains("\\nAnswer:\"}"), first);
    assertTrue(first.contains("{\"role\":\"assistant\",\"content\":\"Reasoning: "), first);
    assertTrue(first.contains("\\n\\nAnswer: "), first);
    assertTrue(m.get("include_reasoning").asBoolean(), m.toString());
    assertEquals("window-v2", m.get("prompt_version").asText());
  }

  @Test
  void rerunIsByteIdenticalAndAddsNoTrainingRun() throws IOException {
    Path again = tmp.resolve("export-again");
    new ExportStage(again).run(new StageContext(spark, lh, cfg, "export-2"));
    for (String f : List.of("manifest.json", "jsonl/train.jsonl", "parquet/validation.parquet", "arrow/test.arrow",
        DatasetCard.FILE)) {
      assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(again.resolve(f)), f);
    }
    new ExportStage(out).run(new StageContext(spark, lh, cfg, "export-3"));
    List<Row> runs = lh.read(Tables.TRAINING_RUNS)
        .filter(org.apache.spark.sql.functions.col("out_dir").isin(out.toString(), again.toString())).collectAsList();
    assertEquals(2, runs.size(), "one row per (export_id, out_dir)");
    assertEquals(1, new HashSet<>(runs.stream().map(r -> r.getAs("export_id")).toList()).size());
  }

  @Test
  void tooLongExamplesAreLeftOutAndCounted() {
    PipelineConfig small = PipelineConfig.load(null, List.of("spark.master=local[2]", "spark.shuffle_partitions=4",
        "export.tokenizer=" + tokenizer(), "train.max_length=1"));
    var r = new ExportStage(tmp.resolve("export-small")).run(new StageContext(spark, lh, small, "small"));
    assertEquals(0, r.exported());
    assertEquals(report.accepted(), r.tooLong());
    assertTrue(report.accepted() > 50);
  }

  @Test
  void cachedContextCountEqualsWholeChatCount() {
    List<Row> rows = spark.read().parquet(out.resolve("parquet").toUri().toString()).limit(200).collectAsList();
    try (TokenCounter tc = TokenCounter.load(tokenizer())) {
      ExportStage.ChatLength len = new ExportStage.ChatLength(tc, cfg.export.systemPrompt);
      for (Row r : rows) {
        List<Row> ms = r.getList(r.fieldIndex("messages"));
        String user = ms.get(1).getString(1);
        String assistant = ms.get(2).getString(1);
        String context = user.substring(0, user.lastIndexOf("\nQuestion: "));
        assertEquals(len.countWhole(user, assistant), len.count(context, user, assistant));
        assertEquals(len.countWhole(user, assistant), r.<Integer>getAs("n_tokens"));
      }
    }
  }

  @Test
  void datasetCardDescribesTheExportedFiles() throws IOException {
    String card = Files.readString(out.resolve(DatasetCard.FILE));
    Dataset<Row> pq = spark.read().parquet(out.resolve("parquet").toUri().toString()).cache();
    long n = pq.count();
    assertTrue(card.startsWith("---\npretty_name: "), card);
    for (String key : List.of("license: other\n", "language:\n- en\n", "task_categories:\n- question-answering\n",
        "size_categories:\n- " + DatasetCard.sizeCategory(n) + "\n", "tags:\n- ais\n", "    path: jsonl/test.jsonl\n")) {
      assertTrue(card.contains(key), key);
    }
    // examples per category and split = rows of the Parquet files
    Map<String, Map<String, Long>> cats = new TreeMap<>();
    for (Row r : pq.groupBy("category", "split").count().collectAsList()) {
      cats.computeIfAbsent(r.getString(0), k -> new HashMap<>()).put(r.getString(1), r.getLong(2));
    }
    for (Map.Entry<String, Map<String, Long>> c : cats.entrySet()) {
      long all = c.getValue().values().stream().mapToLong(Long::longValue).sum();
      String row = "| " + c.getKey() + " | " + ExportStage.SPLITS.stream().map(sp -> num(c.getValue().getOrDefault(sp, 0L)))
          .collect(Collectors.joining(" | ")) + " | " + num(all) + " | ";
      assertTrue(card.contains(row), row + "\n" + card);
    }
    assertTrue(card.contains("| **all** | " + ExportStage.SPLITS.stream().map(sp -> num(pq.filter(col("split").equalTo(sp)).count()))
        .collect(Collectors.joining(" | ")) + " | " + num(n) + " | 100.0 % |"), card);
    // teacher mix: the grounded teacher made every pair here
    assertTrue(card.contains("| `grounded` | " + num(n) + " | 100.0 % |"), card);
    // token lengths of all examples: nearest-rank percentiles of n_tokens
    List<Integer> tok = pq.select("n_tokens").collectAsList().stream().map(r -> r.getInt(0)).sorted().toList();
    String tokRow = "| all | " + num(n) + " | " + num(tok.get(0)) + " | " + num(DatasetCard.percentile(tok, 0.1)) + " | "
        + num(DatasetCard.percentile(tok, 0.5)) + " | " + num(DatasetCard.percentile(tok, 0.9)) + " | "
        + num(DatasetCard.percentile(tok, 0.99)) + " | " + num(tok.get(tok.size() - 1)) + " | ";
    assertTrue(card.contains(tokRow), tokRow + "\n" + card);
    // trivial pairs recomputed with SQL from track_windows; copies from the exported user turns
    Dataset<Row> cand = lh.read(Tables.QA_CANDIDATES).select("qa_id", "claim");
    long trivial = pq.join(lh.read(Tables.WINDOWS).select("window_id", "sog_max_kn", "distance_nm"), "window_id")
        .filter("coalesce(sog_max_kn, 0) < 0.5 and coalesce(distance_nm, 0) < 0.1").count();
    long copies = pq.join(cand, "qa_id").selectExpr("messages[size(messages) - 2].content", "claim").collectAsList()
        .stream().filter(r -> DatasetCard.copied(r.getString(0), r.getString(1))).count();
    assertTrue(card.contains("| trivial | " + num(trivial) + " | "), card);
    assertTrue(card.contains("| copy | " + num(copies) + " | "), card);
    // answer distribution: one template's pairs
    Row t = pq.join(lh.read(Tables.QA_CANDIDATES).select("qa_id", "template_id"), "qa_id").groupBy("template_id").count()
        .orderBy(col("count").desc(), col("template_id")).first();
    assertTrue(card.contains("| `" + t.getString(0) + "` | " + num(t.getLong(1)) + " | "), card);
    assertTrue(card.contains("## Verification\n\nNot run"), card);
    assertTrue(card.contains("## Strata\n\n") && !card.contains("## Strata\n\nNot recorded"), card);
    long vessels = pq.select("mmsi").distinct().count();
    assertTrue(card.contains(" | `data-samples/simulated_marinecadastre_2024-06-01.csv` | " + num(vessels) + " |"), card);

    // with verify.json in the export directory and a window_selection table: both described, files unchanged
    Path again = Files.createDirectories(tmp.resolve("export-card"));
    Files.writeString(again.resolve(DatasetCard.VERIFY_FILE), "{\"agreement\": 0.975, \"checked\": 40, \"agreed\": 39}");
    try {
      new ExportStage(again).run(new StageContext(spark, lh, cfg, "export-card"));
      assertArrayEquals(Files.readAllBytes(out.resolve("manifest.json")), Files.readAllBytes(again.resolve("manifest.json")));
      String card2 = Files.readString(again.resolve(DatasetCard.FILE));
      assertTrue(card2.contains("agreement 0.9750"), card2);
      assertTrue(card2.contains("| `checked` | 40 |"), card2);
      // strata of the window_selection table the select stage of the set-up wrote
      Dataset<Row> strata = lh.read(DatasetCard.SELECTION_TABLE).groupBy("window_id")
          .agg(org.apache.spark.sql.functions.min(col("stratum").cast("string")).as("stratum"));
      for (Row r : pq.join(strata, "window_id").groupBy("stratum")
          .agg(org.apache.spark.sql.functions.countDistinct("window_id"), org.apache.spark.sql.functions.count("*"))
          .collectAsList()) {
        String row = "| `" + r.getString(0).replace("|", "\\|") + "` | " + num(r.getLong(1)) + " | " + num(r.getLong(2))
            + " | ";
        assertTrue(card2.contains(row), row + "\n" + card2);
      }
    } finally {
      pq.unpersist();
    }
  }

  private static String num(long v) {
    return String.format(java.util.Locale.ROOT, "%,d", v);
  }

  @Test
  void assignSplitsSeedsRareCategoriesIntoEverySplit() {
    Map<Long, Set<String>> v = new HashMap<>();
    for (long m = 1; m <= 200; m++) {
      v.put(m, new TreeSet<>(Set.of("route")));
    }
    v.get(7L).add("anomaly");
    v.get(8L).add("anomaly");
    v.get(9L).add("anomaly");
    Map<Long, String> s = ExportStage.assignSplits(v, 0.8, 0.1, "salt");
    assertEquals(200, s.size());
    assertEquals(Set.of("train", "validation", "test"), new TreeSet<>(List.of(s.get(7L), s.get(8L), s.get(9L))));
    long train = s.values().stream().filter("train"::equals).count();
    assertTrue(train > 140 && train < 180, "about 80% train: " + train);
    assertEquals(s, ExportStage.assignSplits(v, 0.8, 0.1, "salt"));
  }
}
