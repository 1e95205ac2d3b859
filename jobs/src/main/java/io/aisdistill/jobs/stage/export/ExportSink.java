package io.aisdistill.jobs.stage.export;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.TrainingConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.complex.writer.BaseWriter.StructWriter;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The export stage's writes: the export directory ({@code jsonl/}, {@code parquet/}, {@code arrow/}
 * per split, {@code manifest.json}, {@code dataset_card.md}; layout in {@link ExportStage}) and
 * its row in {@code training_runs}.
 */
final class ExportSink {
  /** JSONL lines: key order as inserted (role before content). */
  static final ObjectMapper JSON = new ObjectMapper();

  /** manifest.json: every object's keys sorted, so the bytes do not depend on map iteration order. */
  static final ObjectMapper MANIFEST_JSON = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
      .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What {@link #writeDirectory} wrote.
   *
   * @param exportId the manifest's export_id (16 hex)
   * @param manifestText manifest.json's content
   * @param examples rows written per split, in {@link ExportStage#SPLITS} order
   * @param vessels vessels per split, in {@link ExportStage#SPLITS} order
   * @param missing per split lacking some category, those categories (sorted); empty when none lacks any
   * @param exported rows written, all splits
   */
  record Written(String exportId, String manifestText, Map<String, Long> examples, Map<String, Long> vessels,
      Map<String, List<String>> missing, long exported) {}

  private final SparkSession spark;
  private final Lakehouse lh;
  private final PipelineConfig cfg;
  private final Path out;

  /**
   * @param cfg configuration recorded in the manifest (export.*, train.*)
   * @param out local export directory (created; earlier export files in it are replaced)
   */
  ExportSink(SparkSession spark, Lakehouse lh, PipelineConfig cfg, Path out) {
    this.spark = spark;
    this.lh = lh;
    this.cfg = cfg;
    this.out = out;
  }

  /**
   * Writes the export directory: per split of {@link ExportStage#SPLITS} its JSONL, Parquet and
   * Arrow file (rows by qa_id), then manifest.json, then the dataset card.
   *
   * @param exported the exported rows (columns {@link ExportStage#COLUMNS})
   * @param versions Delta versions read, in manifest order
   * @param tokFile the tokenizer file (its name is recorded) and {@code tokBytes} its content (its sha256)
   * @param accepted accepted pairs; {@code tooLong} pairs left out per category
   * @param split split per MMSI; {@code allCats} all categories of the kept examples
   * @param byCat exported rows per split and category ({@link ExportTransforms#countsBySplitAndCategory})
   * @throws IllegalStateException on I/O errors
   */
  Written writeDirectory(Dataset<Row> exported, Map<String, Long> versions, Path tokFile, byte[] tokBytes,
      long accepted, Map<String, Long> tooLong, Map<Long, String> split, Set<String> allCats,
      Map<String, Map<String, Long>> byCat) {
    try {
      Files.createDirectories(out);
      for (String d : List.of("jsonl", "parquet", "arrow")) {
        deleteRecursively(out.resolve(d));
        Files.createDirectories(out.resolve(d));
      }
      Map<String, Object> files = new LinkedHashMap<>();
      Map<String, Object> splits = new LinkedHashMap<>();
      Map<String, Long> examples = new LinkedHashMap<>();
      Map<String, Long> vesselsPerSplit = new LinkedHashMap<>();
      Map<String, List<String>> missing = new LinkedHashMap<>();
      for (String s : ExportStage.SPLITS) {
        Dataset<Row> part = exported.filter(col("split").equalTo(s));
        long rows = writeJsonlAndArrow(part.orderBy("qa_id"), out.resolve("jsonl/" + s + ".jsonl"),
            out.resolve("arrow/" + s + ".arrow"));
        writeParquet(part, out.resolve("parquet"), s);
        for (String f : List.of("jsonl/" + s + ".jsonl", "parquet/" + s + ".parquet", "arrow/" + s + ".arrow")) {
          files.put(f, Map.of("sha256", Sha256.hexFile(out.resolve(f)), "bytes", Files.size(out.resolve(f)), "rows", rows));
        }
        long vessels = split.values().stream().filter(s::equals).count();
        Map<String, Object> sp = new LinkedHashMap<>();
        sp.put("examples", rows);
        sp.put("vessels", vessels);
        sp.put("categories", byCat.get(s));
        splits.put(s, sp);
        examples.put(s, rows);
        vesselsPerSplit.put(s, vessels);
        List<String> miss = allCats.stream().filter(c -> !byCat.get(s).containsKey(c)).toList();
        if (!miss.isEmpty()) {
          missing.put(s, miss);
        }
      }
      long exportedRows = examples.values().stream().mapToLong(Long::longValue).sum();
      long tooLongTotal = tooLong.values().stream().mapToLong(Long::longValue).sum();

      Map<String, Object> m = new LinkedHashMap<>();
      m.put("format", ExportStage.FORMAT);
      m.put("delta_versions", versions);
      m.put("prompt_version", WindowPrompt.VERSION);
      m.put("chat_format", "messages: system (optional), user, assistant; ChatML for token counts");
      m.put("system_prompt", cfg.export.systemPrompt);
      m.put("include_reasoning", cfg.export.includeReasoning);
      m.put("split", Map.of("method", "vessel-disjoint (SHA-256 of salt:mmsi), stratified by category",
          "salt", cfg.export.splitSalt, "train_fraction", cfg.export.trainFraction,
          "validation_fraction", cfg.export.validationFraction));
      m.put("tokenizer", Map.of("name", cfg.export.tokenizerName, "file", tokFile.getFileName().toString(),
          "sha256", Sha256.hexBytes(tokBytes), "chat_template", "chatml"));
      Map<String, Object> counts = new LinkedHashMap<>();
      counts.put("accepted", accepted);
      counts.put("too_long", tooLongTotal);
      counts.put("too_long_by_category", tooLong);
      counts.put("exported", exportedRows);
      counts.put("categories_missing", missing);
      counts.put("splits", splits);
      m.put("counts", counts);
      m.put("training", training(cfg.train));
      m.put("files", files);
      String body = MANIFEST_JSON.writeValueAsString(m);
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("export_id", Sha256.hexBytes(body.getBytes(StandardCharsets.UTF_8)).substring(0, 16));
      manifest.putAll(m);
      String text = MANIFEST_JSON.writeValueAsString(manifest) + "\n";
      Files.writeString(out.resolve("manifest.json"), text);
      DatasetCard.write(lh, versions, exported, out, manifest);
      return new Written((String) manifest.get("export_id"), text, examples, vesselsPerSplit, missing, exportedRows);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write export to " + out + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds the export's row to {@code training_runs} unless it holds (export_id, out_dir) already.
   *
   * @param runId run id recorded in the row
   * @param versions Delta versions read
   * @param written what {@link #writeDirectory} wrote
   * @param accepted accepted pairs; {@code tooLong} pairs left out, all categories
   * @return rows inserted (0 or 1)
   */
  long recordRun(String runId, Map<String, Long> versions, Written written, long accepted, long tooLong) {
    String text = written.manifestText();
    Row run = RowFactory.create(written.exportId(), runId, Instant.now(), lh.root(),
        out.toAbsolutePath().toString(), versions, cfg.train.baseModel, written.examples(), accepted,
        tooLong, Sha256.hexBytes(text.getBytes(StandardCharsets.UTF_8)), text);
    return lh.insertNew(spark.createDataFrame(List.of(run), Tables.TRAINING_RUNS_SCHEMA),
        Tables.TRAINING_RUNS, List.of("export_id", "out_dir"), List.of());
  }

  /** The training hyperparameters as recorded in the manifest. */
  static Map<String, Object> training(TrainingConfig.TrainSection t) {
    Map<String, Object> tr = new LinkedHashMap<>();
    tr.put("base_model", t.baseModel);
    tr.put("lora", Map.of("r", t.loraR, "alpha", t.loraAlpha, "dropout", t.loraDropout,
        "target_modules", t.targetModules));
    tr.put("epochs", t.epochs);
    tr.put("learning_rate", t.learningRate);
    tr.put("max_length", t.maxLength);
    tr.put("batch_size", t.batchSize);
    tr.put("gradient_accumulation_steps", t.gradientAccumulationSteps);
    tr.put("warmup_ratio", t.warmupRatio);
    tr.put("seed", t.seed);
    tr.put("loss", "assistant tokens only");
    return tr;
  }

  /** Writes one split as JSONL and as an Arrow IPC file in one pass; returns rows written. */
  private static long writeJsonlAndArrow(Dataset<Row> part, Path jsonl, Path arrowFile) throws IOException {
    Field role = Field.nullable("role", ArrowType.Utf8.INSTANCE);
    Field content = Field.nullable("content", ArrowType.Utf8.INSTANCE);
    Field msg = new Field("item", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(role, content));
    Schema schema = new Schema(List.of(
        Field.notNullable("split", ArrowType.Utf8.INSTANCE), Field.notNullable("qa_id", ArrowType.Utf8.INSTANCE),
        Field.notNullable("window_id", ArrowType.Utf8.INSTANCE),
        Field.notNullable("mmsi", new ArrowType.Int(64, true)), Field.notNullable("category", ArrowType.Utf8.INSTANCE),
        new Field("messages", FieldType.notNullable(ArrowType.List.INSTANCE), List.of(msg)),
        Field.notNullable("n_tokens", new ArrowType.Int(32, true))));
    final int batch = 512;
    long rows = 0;
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
        OutputStream os = Files.newOutputStream(arrowFile);
        ArrowFileWriter aw = new ArrowFileWriter(root, null, Channels.newChannel(os));
        BufferedWriter jw = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8)) {
      aw.start();
      int n = 0;
      UnionListWriter lw = null;
      Iterator<Row> it = part.toLocalIterator();
      while (it.hasNext()) {
        if (n == 0) {
          root.allocateNew();
          lw = ((ListVector) root.getVector("messages")).getWriter();
        }
        Row r = it.next();
        List<Row> ms = r.getList(r.fieldIndex("messages"));
        List<Map<String, String>> jm = new ArrayList<>();
        lw.setPosition(n);
        lw.startList();
        for (Row m : ms) {
          jm.add(orderedMessage(m.getString(0), m.getString(1)));
          StructWriter sw = lw.struct();
          sw.start();
          sw.varChar("role").writeVarChar(m.getString(0));
          sw.varChar("content").writeVarChar(m.getString(1));
          sw.end();
        }
        lw.endList();
        jw.write(JSON.writeValueAsString(Map.of("messages", jm)));
        jw.write('\n');
        ((VarCharVector) root.getVector("split")).setSafe(n, utf8(r.getAs("split")));
        ((VarCharVector) root.getVector("qa_id")).setSafe(n, utf8(r.getAs("qa_id")));
        ((VarCharVector) root.getVector("window_id")).setSafe(n, utf8(r.getAs("window_id")));
        ((BigIntVector) root.getVector("mmsi")).setSafe(n, r.<Long>getAs("mmsi"));
        ((VarCharVector) root.getVector("category")).setSafe(n, utf8(r.getAs("category")));
        ((IntVector) root.getVector("n_tokens")).setSafe(n, r.<Integer>getAs("n_tokens"));
        n++;
        rows++;
        if (n == batch) {
          root.setRowCount(n);
          aw.writeBatch();
          n = 0;
        }
      }
      if (n > 0 || rows == 0) {
        if (rows == 0) {
          root.allocateNew();
        }
        root.setRowCount(n);
        aw.writeBatch();
      }
      aw.end();
    }
    return rows;
  }

  private static Map<String, String> orderedMessage(String role, String content) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes one split as a single Parquet file {@code dir/SPLIT.parquet} (rows by qa_id). */
  private static void writeParquet(Dataset<Row> part, Path dir, String split) throws IOException {
    Path tmp = dir.resolve("_tmp_" + split);
    part.repartition(1).sortWithinPartitions("qa_id").write().mode("overwrite")
        .option("compression", "snappy").parquet(tmp.toAbsolutePath().toUri().toString());
    try (Stream<Path> s = Files.list(tmp)) {
      Path f = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst()
          .orElseThrow(() -> new IOException("Spark wrote no Parquet file for " + split));
      Files.move(f, dir.resolve(split + ".parquet"));
    }
    ParquetFooter.sortEncodings(dir.resolve(split + ".parquet"));   // byte-identical across JVMs
    deleteRecursively(tmp);
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
