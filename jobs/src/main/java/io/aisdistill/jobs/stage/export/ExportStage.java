package io.aisdistill.jobs.stage.export;

import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.text.TokenCounter;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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
 * <p>Splits are by vessel, stratified by category ({@link ExportTransforms#assignSplits}): no MMSI is in two
 * splits, and every category with at least three vessels is in every split.
 *
 * <p>Deterministic: the Delta tables are read at pinned versions (recorded in the manifest) and the
 * files hold no time stamps, so the same input gives byte-identical files and manifest (its
 * {@code export_id} is a hash of its content). The {@code training_runs} row is merged on
 * (export_id, out_dir), so re-exporting the same data to the same place adds nothing.
 */
public final class ExportStage extends AbstractStage<ExportResult> {
  private final Path out;

  /**
   * The export stage with its options.
   *
   * @param out the export directory
   */
  public ExportStage(Path out) {
    super("export", List.of(Tables.QA_JUDGED, Tables.QA_CANDIDATES, Tables.WINDOWS, Tables.POSITIONS),
        List.of(Tables.TRAINING_RUNS));
    this.out = out;
  }

  /** The splits, in manifest order. */
  public static final List<String> SPLITS = List.of("train", "validation", "test");

  /** Format tag of the export directory (the trainer checks it). */
  public static final String FORMAT = "ais-distill-export-v1";

  /** Tables read, in manifest order. */
  static final List<String> INPUTS = List.of(Tables.QA_JUDGED, Tables.QA_CANDIDATES, Tables.WINDOWS);

  /** Columns of the Parquet and Arrow files, in order. */
  public static final List<String> COLUMNS = List.of("split", "qa_id", "window_id", "mmsi", "category", "messages",
      "n_tokens");

  /**
   * Runs the stage: reads the inputs at pinned versions, builds the examples
   * ({@link ExportTransforms}), writes the export directory and the training_runs row
   * ({@link ExportSink}).
   *
   * @throws IllegalStateException when an input table or the tokenizer is missing, or on I/O errors
   */
  @Override
  public ExportResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    SparkSession spark = ctx.spark();
    Lakehouse lh = ctx.lakehouse();
    PipelineConfig cfg = ctx.config();
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

    // read
    Dataset<Row> judged = lh.readAt(Tables.QA_JUDGED, versions.get(Tables.QA_JUDGED));
    Dataset<Row> candidates = lh.readAt(Tables.QA_CANDIDATES, versions.get(Tables.QA_CANDIDATES));
    Dataset<Row> windows = lh.readAt(Tables.WINDOWS, versions.get(Tables.WINDOWS));

    // transform
    Broadcast<byte[]> tok = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(tokBytes);
    Dataset<Row> examples = ExportTransforms.examples(ExportTransforms.accepted(judged, candidates, windows), tok,
        system, cfg.export.includeReasoning).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long accepted = examples.count();
      Map<String, Long> tooLong = ExportTransforms.tooLongByCategory(examples, maxLength);
      long tooLongTotal = tooLong.values().stream().mapToLong(Long::longValue).sum();
      Dataset<Row> kept = ExportTransforms.withinLength(examples, maxLength);
      Map<Long, Set<String>> vesselCats = ExportTransforms.vesselCategories(kept);
      Map<Long, String> split = ExportTransforms.assignSplits(vesselCats, cfg.export.trainFraction,
          cfg.export.validationFraction, cfg.export.splitSalt);
      Set<String> allCats = new TreeSet<>();
      vesselCats.values().forEach(allCats::addAll);
      Dataset<Row> exported = ExportTransforms.exported(kept, split, system).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Map<String, Map<String, Long>> byCat = ExportTransforms.countsBySplitAndCategory(exported);

        // sink
        ExportSink sink = new ExportSink(spark, lh, cfg, out);
        ExportSink.Written written = sink.writeDirectory(exported, versions, tokFile, tokBytes, accepted, tooLong,
            split, allCats, byCat);
        long inserted = sink.recordRun(ctx.runId(), versions, written, accepted, tooLongTotal);

        // report and result
        String outDir = out.toAbsolutePath().toString();
        StageReport rep = report(written, accepted, tooLongTotal, inserted, outDir, allCats, byCat, tooLong)
            .elapsedMs(System.currentTimeMillis() - t0);
        return new ExportResult(written.exportId(), accepted, tooLongTotal, written.exported(), outDir, rep);
      } finally {
        exported.unpersist();
      }
    } finally {
      examples.unpersist();
      tok.destroy();
    }
  }

  /** The stage's report: export_id, counts, examples and vessels per split, and the category table. */
  private static StageReport report(ExportSink.Written written, long accepted, long tooLongTotal, long inserted,
      String outDir, Set<String> allCats, Map<String, Map<String, Long>> byCat, Map<String, Long> tooLong) {
    StageReport rep = new StageReport("export").put("export_id", written.exportId()).put("accepted", accepted)
        .put("too_long", tooLongTotal).put("exported", written.exported());
    written.examples().forEach((s, n) -> rep.put("examples." + s, n));
    SPLITS.forEach(s -> rep.put("vessels." + s, written.vessels().get(s)));
    rep.put("categories_missing", written.missing().isEmpty() ? "none" : written.missing().toString())
        .put("training_runs_new", inserted).put("out", outDir);
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
  }

  /**
   * Same as {@link ExportTransforms#assignSplits} (kept here for callers of the stage's API).
   *
   * @param vesselCategories categories of each vessel's examples
   * @return split name per MMSI
   */
  public static Map<Long, String> assignSplits(Map<Long, Set<String>> vesselCategories, double trainFraction,
      double validationFraction, String salt) {
    return ExportTransforms.assignSplits(vesselCategories, trainFraction, validationFraction, salt);
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

  private static Path tokenizerFile(Path dirOrFile) {
    Path f = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
    if (!Files.isRegularFile(f)) {
      throw new IllegalStateException("student tokenizer not found at " + f + " (set export.tokenizer)");
    }
    return f;
  }

  private static byte[] readAll(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }
}
