package io.aisdistill.jobs.stage.export;

import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.TrainingConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.export.DatasetCard;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.text.TokenCounter;
import io.aisdistill.common.track.TrackWindow;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
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
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 5, export: accepted QA of {@code qa_judged} (with the reasoning of {@code qa_candidates}
 * and the window context of {@code track_windows}) to a training-set directory for the Python
 * LoRA trainer ({@code jobs/lora-trainer}), plus one row in {@code training_runs}.
 *
 * <p>Layout of the output directory ({@code split} is {@code train}, {@code validation},
 * {@code test}):
 * <pre>
 *   manifest.json            Delta versions read, counts, file sha256s, tokenizer, hyperparameters
 *   jsonl/SPLIT.jsonl        {"messages":[{"role":"system",...}?, {"role":"user",...}, {"role":"assistant",...}]}
 *   parquet/SPLIT.parquet    split, qa_id, window_id, mmsi, category, messages, n_tokens
 *   arrow/SPLIT.arrow        the same columns as an Arrow IPC file (Apache Arrow Java)
 * </pre>
 * Rows are ordered by qa_id in every file, so JSONL, Parquet and Arrow agree row for row. The user
 * turn is {@link WindowPrompt#studentPrompt}; the assistant turn is the answer, optionally preceded
 * by the teacher's reasoning ({@code export.include_reasoning}).
 *
 * <p>Length: every example is counted as a whole chat in ChatML with the student's tokenizer
 * ({@link TokenCounter}); examples longer than {@code train.max_length} are left out and counted
 * per category.
 *
 * <p>Splits are by vessel, stratified by category ({@link #assignSplits}): no MMSI is in two
 * splits, and every category with at least three vessels is in every split.
 *
 * <p>Deterministic: the Delta tables are read at pinned versions (recorded in the manifest) and the
 * files hold no time stamps, so the same input gives byte-identical files and manifest (its
 * {@code export_id} is a hash of its content). The {@code training_runs} row is merged on
 * (export_id, out_dir), so re-exporting the same data to the same place adds nothing.
 */
public final class ExportStage implements Stage<ExportResult> {
  private final Path out;

  /**
   * The export stage with its options.
   *
   * @param out the export directory
   */
  public ExportStage(Path out) {
    this.out = out;
  }

  @Override
  public String name() {
    return "export";
  }

  @Override
  public List<String> reads() {
    return List.of(Tables.QA_JUDGED, Tables.QA_CANDIDATES, Tables.WINDOWS, Tables.POSITIONS);
  }

  @Override
  public List<String> writes() {
    return List.of(Tables.TRAINING_RUNS);
  }

  @Override
  public ExportResult run(StageContext ctx) {
    return ExportResult.of(execute(ctx.spark(), ctx.lakehouse(), ctx.config(), out, ctx.runId()));
  }

  /** The splits, in manifest order. */
  public static final List<String> SPLITS = List.of("train", "validation", "test");

  /** Format tag of the export directory (the trainer checks it). */
  public static final String FORMAT = "ais-distill-export-v1";

  /** Tables read, in manifest order. */
  static final List<String> INPUTS = List.of(Tables.QA_JUDGED, Tables.QA_CANDIDATES, Tables.WINDOWS);

  /** JSONL lines: key order as inserted (role before content). */
  static final ObjectMapper JSON = new ObjectMapper();

  /** manifest.json: every object's keys sorted, so the bytes do not depend on map iteration order. */
  static final ObjectMapper MANIFEST_JSON = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
      .enable(SerializationFeature.INDENT_OUTPUT);

  static final StructType EXAMPLE_SCHEMA = new StructType()
      .add("qa_id", DataTypes.StringType).add("window_id", DataTypes.StringType).add("mmsi", DataTypes.LongType)
      .add("category", DataTypes.StringType).add("user", DataTypes.StringType)
      .add("assistant", DataTypes.StringType).add("n_tokens", DataTypes.IntegerType);

  /** Columns of the Parquet and Arrow files, in order. */
  public static final List<String> COLUMNS = List.of("split", "qa_id", "window_id", "mmsi", "category", "messages",
      "n_tokens");


  /**
   * Runs the stage.
   *
   * @param out local output directory (created; earlier export files in it are replaced)
   * @param runId run id recorded in {@code training_runs}
   * @throws IllegalStateException when an input table or the tokenizer is missing, or on I/O errors
   */
  static StageReport execute(SparkSession spark, Lakehouse lh, PipelineConfig cfg, Path out, String runId) {
    long t0 = System.currentTimeMillis();
    Map<String, Long> versions = new LinkedHashMap<>();
    for (String t : INPUTS) {
      long v = lh.version(t);
      if (v < 0) {
        lh.read(t); // throws, naming the stage to run first
      }
      versions.put(t, v);
    }
    Path tokFile = tokenizerFile(cfg.export.tokenizerPath());
    byte[] tokBytes = readAll(tokFile);
    int maxLength = cfg.train.maxLength;
    String system = cfg.export.systemPrompt == null ? "" : cfg.export.systemPrompt;
    boolean reasoning = cfg.export.includeReasoning;

    Dataset<Row> judged = readAt(spark, lh, Tables.QA_JUDGED, versions)
        .filter(col("verdict").equalTo("accepted"))
        .select("qa_id", "window_id", "mmsi", "category", "question", "answer");
    Dataset<Row> reasons = readAt(spark, lh, Tables.QA_CANDIDATES, versions).select("qa_id", "reasoning");
    Dataset<Row> windows = readAt(spark, lh, Tables.WINDOWS, versions).drop("mmsi");
    Dataset<Row> joined = judged.join(reasons, "qa_id").join(windows, "window_id");

    Broadcast<byte[]> tok = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(tokBytes);
    MapPartitionsFunction<Row, Row> toExample = it -> {
      ChatLength len = new ChatLength(counter(tok.value()), system);
      List<Row> res = new ArrayList<>();
      while (it.hasNext()) {
        Row r = it.next();
        TrackWindow w = Rows.window(r);
        String context = WindowPrompt.studentContext(w);
        String user = WindowPrompt.studentPrompt(w, r.getAs("question"));
        String assistant = assistantTurn(r.getAs("answer"), r.getAs("reasoning"), reasoning);
        res.add(RowFactory.create(r.getAs("qa_id"), r.getAs("window_id"), r.getAs("mmsi"), r.getAs("category"),
            user, assistant, len.count(context, user, assistant)));
      }
      return res.iterator();
    };
    Dataset<Row> examples = joined.sortWithinPartitions("window_id").mapPartitions(toExample, Encoders.row(EXAMPLE_SCHEMA))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long accepted = examples.count();
      Map<String, Long> tooLong = new TreeMap<>();
      for (Row r : examples.filter(col("n_tokens").gt(maxLength)).groupBy("category").count().collectAsList()) {
        tooLong.put(r.getString(0), r.getLong(1));
      }
      Dataset<Row> kept = examples.filter(col("n_tokens").leq(maxLength));
      Map<Long, Set<String>> vesselCats = new HashMap<>();
      for (Row r : kept.select("mmsi", "category").distinct().collectAsList()) {
        vesselCats.computeIfAbsent(r.getLong(0), k -> new TreeSet<>()).add(r.getString(1));
      }
      Map<Long, String> split = assignSplits(vesselCats, cfg.export.trainFraction, cfg.export.validationFraction,
          cfg.export.splitSalt);
      List<Row> assignRows = new ArrayList<>();
      split.forEach((m, s) -> assignRows.add(RowFactory.create(m, s)));
      Dataset<Row> assign = spark.createDataFrame(assignRows,
          new StructType().add("mmsi", DataTypes.LongType).add("split", DataTypes.StringType));
      Column messages = system.isEmpty() ? array(turn("user", col("user")), turn("assistant", col("assistant")))
          : array(turn("system", lit(system)), turn("user", col("user")), turn("assistant", col("assistant")));
      Dataset<Row> exported = kept.join(assign, "mmsi")
          .select(col("split"), col("qa_id"), col("window_id"), col("mmsi"), col("category"),
              messages.as("messages"), col("n_tokens"))
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        return write(spark, lh, cfg, out, runId, versions, tokFile, tokBytes, accepted, tooLong, split, vesselCats,
            exported).elapsedMs(System.currentTimeMillis() - t0);
      } finally {
        exported.unpersist();
      }
    } finally {
      examples.unpersist();
      tok.destroy();
    }
  }

  private static StageReport write(SparkSession spark, Lakehouse lh, PipelineConfig cfg, Path out, String runId,
      Map<String, Long> versions, Path tokFile, byte[] tokBytes, long accepted, Map<String, Long> tooLong,
      Map<Long, String> split, Map<Long, Set<String>> vesselCats, Dataset<Row> exported) {
    try {
      Files.createDirectories(out);
      for (String d : List.of("jsonl", "parquet", "arrow")) {
        deleteRecursively(out.resolve(d));
        Files.createDirectories(out.resolve(d));
      }
      Map<String, Map<String, Long>> byCat = new LinkedHashMap<>();
      SPLITS.forEach(s -> byCat.put(s, new TreeMap<>()));
      for (Row r : exported.groupBy("split", "category").count().collectAsList()) {
        byCat.get(r.getString(0)).put(r.getString(1), r.getLong(2));
      }
      Map<String, Object> files = new LinkedHashMap<>();
      Map<String, Object> splits = new LinkedHashMap<>();
      Set<String> allCats = new TreeSet<>();
      vesselCats.values().forEach(allCats::addAll);
      Map<String, List<String>> missing = new LinkedHashMap<>();
      for (String s : SPLITS) {
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
        List<String> miss = allCats.stream().filter(c -> !byCat.get(s).containsKey(c)).toList();
        if (!miss.isEmpty()) {
          missing.put(s, miss);
        }
      }
      long exportedRows = splits.values().stream().mapToLong(m -> (long) ((Map<?, ?>) m).get("examples")).sum();
      long tooLongTotal = tooLong.values().stream().mapToLong(Long::longValue).sum();

      Map<String, Object> m = new LinkedHashMap<>();
      m.put("format", FORMAT);
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
      DatasetCard.write(spark, lh, versions, exported, out, manifest);
      String exportId = (String) manifest.get("export_id");

      Map<String, Long> perSplit = new LinkedHashMap<>();
      SPLITS.forEach(s -> perSplit.put(s, (Long) ((Map<?, ?>) splits.get(s)).get("examples")));
      Row run = RowFactory.create(exportId, runId, Instant.now(), lh.root(),
          out.toAbsolutePath().toString(), versions, cfg.train.baseModel, perSplit, accepted,
          tooLongTotal, Sha256.hexBytes(text.getBytes(StandardCharsets.UTF_8)), text);
      long inserted = lh.insertNew(spark.createDataFrame(List.of(run), Tables.TRAINING_RUNS_SCHEMA),
          Tables.TRAINING_RUNS, List.of("export_id", "out_dir"), List.of());

      StageReport rep = new StageReport("export").put("export_id", exportId).put("accepted", accepted)
          .put("too_long", tooLongTotal).put("exported", exportedRows);
      perSplit.forEach((s, n) -> rep.put("examples." + s, n));
      SPLITS.forEach(s -> rep.put("vessels." + s, ((Map<?, ?>) splits.get(s)).get("vessels")));
      rep.put("categories_missing", missing.isEmpty() ? "none" : missing.toString())
          .put("training_runs_new", inserted).put("out", out.toAbsolutePath().toString());
      List<List<Object>> rows = new ArrayList<>();
      for (String c : allCats) {
        List<Object> row = new ArrayList<>(List.of(c));
        SPLITS.forEach(s -> row.add(byCat.get(s).getOrDefault(c, 0L)));
        row.add(tooLong.getOrDefault(c, 0L));
        rows.add(row);
      }
      rep.table("examples by category and split", List.of("category", "train", "validation", "test", "too_long"),
          rows);
      return rep;
    } catch (IOException e) {
      throw new IllegalStateException("cannot write export to " + out + ": " + e.getMessage(), e);
    }
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

  /**
   * The assistant turn: the answer, or "Reasoning: ...\n\nAnswer: ..." when {@code withReasoning}
   * and the pair has a reasoning trace.
   */
  static String assistantTurn(String answer, String reasoning, boolean withReasoning) {
    if (withReasoning && reasoning != null && !reasoning.isBlank()) {
      return "Reasoning: " + reasoning.strip() + "\n\nAnswer: " + answer;
    }
    return answer;
  }

  /**
   * Token length of a chat (ChatML, {@link TokenCounter#countChat}) whose user turn starts with a
   * window context shared by several questions, counted exactly but tokenizing each context once.
   *
   * <p>Special tokens ({@code <|im_start|>}, {@code <|im_end|>}) end a pre-token, and so does a
   * line feed between two letters or digits under Qwen2's pre-tokenizer (the newline run is a
   * pre-token of its own). Splitting the chat at such a line feed of the context therefore gives
   * counts that add up exactly; the part up to the split is counted once per context (rows arrive
   * sorted by window, so the last context is cached). When the context
   * has no such line feed the whole chat is counted.
   */
  public static final class ChatLength {
    private final TokenCounter counter;
    private final String systemTurn;
    private final int systemTokens;
    private final String system;
    private String lastContext;
    private int[] lastPrefix;

  public   ChatLength(TokenCounter counter, String system) {
      this.counter = counter;
      this.system = system;
      this.systemTurn = system.isEmpty() ? "" : "<|im_start|>system\n" + system + "<|im_end|>\n";
      this.systemTokens = system.isEmpty() ? 0 : counter.count(systemTurn);
    }

    /** Tokens of the chat system?, user ({@code user} starting with {@code context}), assistant. */
  public   int count(String context, String user, String assistant) {
      String rest = "<|im_end|>\n<|im_start|>assistant\n" + assistant + "<|im_end|>\n";
      if (!context.equals(lastContext)) { // rows come sorted by window: one cached context suffices
        lastContext = context;
        lastPrefix = user.startsWith(context) ? prefix(context) : new int[] {-1, 0};
      }
      int[] c = user.startsWith(context) ? lastPrefix : new int[] {-1, 0};
      if (c[0] < 0) {
        return counter.count(systemTurn + "<|im_start|>user\n" + user + rest);
      }
      return systemTokens + c[1] + counter.count(user.substring(c[0]) + rest);
    }

    /** {split offset in the context, tokens of "<|im_start|>user\n" + context up to it}, or {-1, 0}. */
    private int[] prefix(String context) {
      for (int i = context.length() - 2; i > 0; i--) {
        if (context.charAt(i) == '\n' && Character.isLetterOrDigit(context.charAt(i - 1))
            && Character.isLetterOrDigit(context.charAt(i + 1))) {
          return new int[] {i + 1, counter.count("<|im_start|>user\n" + context.substring(0, i + 1))};
        }
      }
      return new int[] {-1, 0};
    }

    /** The exact count, tokenizing the whole chat (for tests). */
  public   int countWhole(String user, String assistant) {
      List<TokenCounter.Message> chat = new ArrayList<>();
      if (!system.isEmpty()) {
        chat.add(new TokenCounter.Message("system", system));
      }
      chat.add(new TokenCounter.Message("user", user));
      chat.add(new TokenCounter.Message("assistant", assistant));
      return counter.countChat(chat, false);
    }
  }

  /**
   * Assigns every vessel to one split, stratified by category.
   *
   * <p>Vessels are ordered by {@link #unitHash} of {@code salt:mmsi} (a fixed pseudo-random order).
   * First, for each category from the rarest (fewest vessels) to the most common, and for each of
   * test, validation, train that has no vessel with that category yet, the first unassigned vessel
   * in that order having the category goes to that split: every category carried by at least three
   * vessels thus reaches every split. Then each remaining vessel goes to train when its hash is
   * below {@code trainFraction}, to validation when below {@code trainFraction +
   * validationFraction}, else to test. The result depends only on the input set and the salt.
   *
   * @param vesselCategories categories of each vessel's examples
   * @return split name per MMSI
   */
  public static Map<Long, String> assignSplits(Map<Long, Set<String>> vesselCategories, double trainFraction,
      double validationFraction, String salt) {
    List<Long> order = new ArrayList<>(vesselCategories.keySet());
    Map<Long, Double> h = new HashMap<>();
    order.forEach(m -> h.put(m, unitHash(salt + ":" + m)));
    order.sort(Comparator.<Long, Double>comparing(h::get).thenComparing(Comparator.<Long>naturalOrder()));
    Map<String, Integer> vesselsPerCat = new TreeMap<>();
    vesselCategories.values().forEach(cs -> cs.forEach(c -> vesselsPerCat.merge(c, 1, Integer::sum)));
    List<String> cats = new ArrayList<>(vesselsPerCat.keySet());
    cats.sort(Comparator.<String, Integer>comparing(vesselsPerCat::get).thenComparing(Comparator.<String>naturalOrder()));
    Map<Long, String> split = new LinkedHashMap<>();
    for (String c : cats) {
      for (String s : List.of("test", "validation", "train")) {
        boolean has = split.entrySet().stream()
            .anyMatch(e -> e.getValue().equals(s) && vesselCategories.get(e.getKey()).contains(c));
        if (!has) {
          order.stream().filter(m -> !split.containsKey(m) && vesselCategories.get(m).contains(c)).findFirst()
              .ifPresent(m -> split.put(m, s));
        }
      }
    }
    for (Long m : order) {
      double u = h.get(m);
      split.putIfAbsent(m, u < trainFraction ? "train" : u < trainFraction + validationFraction ? "validation" : "test");
    }
    return split;
  }

  /** A uniform value in [0, 1) from the first 8 bytes of SHA-256 of {@code s}. */
  static double unitHash(String s) {
    byte[] d = Sha256.digest(s.getBytes(StandardCharsets.UTF_8));
    long v = ByteBuffer.wrap(d).getLong() >>> 11;
    return v / (double) (1L << 53);
  }

  private static Column turn(String role, Column content) {
    return struct(lit(role).as("role"), content.as("content"));
  }

  private static Dataset<Row> readAt(SparkSession spark, Lakehouse lh, String table, Map<String, Long> versions) {
    return lh.readAt(table, versions.get(table));
  }

  private static final Map<String, TokenCounter> COUNTERS = new ConcurrentHashMap<>();

  /** One TokenCounter per executor JVM and tokenizer content (loaded from the broadcast bytes). */
  private static TokenCounter counter(byte[] tokenizerJson) {
    return COUNTERS.computeIfAbsent(Sha256.hexBytes(tokenizerJson), k -> {
      try {
        Path tmp = Files.createTempFile("ais-distill-tokenizer-", ".json");
        try {
          Files.write(tmp, tokenizerJson);
          return TokenCounter.load(tmp);
        } finally {
          Files.deleteIfExists(tmp);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot stage the tokenizer: " + e.getMessage(), e);
      }
    });
  }

  private static Path tokenizerFile(Path dirOrFile) {
    Path f = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
    if (!Files.isRegularFile(f)) {
      throw new IllegalStateException("student tokenizer not found at " + f + " (set export.tokenizer)");
    }
    return f;
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

  private static byte[] readAll(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }
}
