package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.FileSpec;

import io.aisdistill.common.ais.Plausibility;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ingest.ColumnMapping;
import io.aisdistill.common.ingest.FormatDetector;
import io.aisdistill.common.ingest.InputFormat;
import io.aisdistill.common.ingest.TextEncoding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The ingest stage's input side: lists the input files, detects their formats, and reads them as
 * parsed rows ({@link IngestTransforms#parse} over Hadoop text splits).
 *
 * <p>Inputs are files, directories (recursed; names starting with '.' or '_' are skipped, as in
 * Hadoop) or globs, on any Hadoop file system. The format and text encoding of each file are
 * detected from its first {@link #HEAD_BYTES} bytes or configured. A file that cannot be read as any
 * format becomes one reject row (source_record -1). CSV and JSON-lines files are split across tasks
 * (one record per line; byte offsets as {@code source_record}); an NMEA file is read by one task, in
 * order.
 */
final class IngestSource {
  private IngestSource() {}

  /** Bytes read from each file to detect its format. */
  static final int HEAD_BYTES = 64 * 1024;

  /**
   * The input files and how each is read.
   *
   * @param files every input file, sorted by path
   * @param sources source path by source_id (index in {@code files})
   * @param specs readable files by {@link IngestTransforms#key}
   * @param formatOf per source path, its format name (with the encoding in parentheses when it is
   *     not UTF-8: {@code DMA_CSV (windows-1252)}) or "rejected: REASON"
   * @param fileRejects one {@link Rows#PARSED_SCHEMA} reject row per unreadable file
   * @param settings the {@code ingest} configuration the parsers read
   * @param rules the plausibility rules of this run (time range from {@code settings} and the run's
   *     start)
   */
  record Plan(List<FileStatus> files, List<String> sources, Map<String, FileSpec> specs,
      Map<String, String> formatOf, List<Row> fileRejects, PipelineConfig.IngestSection settings,
      Plausibility rules) {}

  /**
   * The parsed rows of every input file, persisted, and the broadcast plan the tasks read;
   * {@link #close} unpersists and destroys them.
   *
   * @param rows {@link Rows#PARSED_SCHEMA} rows, one per line plus one per whole-file reject
   */
  record Parsed(Dataset<Row> rows, Broadcast<Map<String, FileSpec>> specs,
      Broadcast<PipelineConfig.IngestSection> settings, Broadcast<Plausibility> rules) implements AutoCloseable {
    @Override
    public void close() {
      rows.unpersist();
      specs.destroy();
      settings.destroy();
      rules.destroy();
    }
  }

  /**
   * Lists the inputs and detects each file's format from its head.
   *
   * @param inputs files, directories or globs
   * @param forcedFormat null or {@code auto} to detect per file, else an {@link InputFormat} name for every file
   * @param settings the {@code ingest} configuration: {@code encoding} ({@link TextEncoding}: per
   *     file from its head, or one charset) and {@code columns} ({@link ColumnMapping}), both
   *     applied to detection here and to parsing in {@link IngestTransforms#parse}
   * @param runStart the run's start (the upper end of the plausible time range is relative to it)
   * @throws IllegalArgumentException when an input path matches nothing, the format is unknown,
   *     {@code ingest.encoding} is not a usable charset or {@code ingest.columns} names an unknown
   *     column
   */
  static Plan plan(Configuration hconf, List<String> inputs, String forcedFormat,
      PipelineConfig.IngestSection settings, Instant runStart) {
    Plausibility rules = Plausibility.of(settings.minTime, settings.maxTimeAheadS, runStart);
    InputFormat forced = forcedFormat == null || forcedFormat.equalsIgnoreCase("auto")
        ? null : InputFormat.parse(forcedFormat);
    Charset configured = TextEncoding.configured(settings.encoding);
    ColumnMapping columns = ColumnMapping.of(settings.columns);
    List<FileStatus> files = expand(hconf, inputs);

    Map<String, FileSpec> specs = new HashMap<>();
    List<Row> fileRejects = new ArrayList<>();
    Map<String, String> formatOf = new TreeMap<>();
    List<String> sources = new ArrayList<>(); // index = source_id; files are sorted by path
    for (FileStatus f : files) {
      String src = f.getPath().toString();
      int id = sources.size();
      sources.add(src);
      byte[] head = readHead(hconf, f);
      Charset cs = TextEncoding.of(configured, head, head.length, head.length >= f.getLen());
      var d = FormatDetector.detect(f.getPath().getName(), head, head.length, cs, columns);
      InputFormat fmt = d.format();
      if (forced != null && head.length > 0) {
        fmt = forced;
      }
      if (fmt == null) {
        String excerpt = new String(head, 0, Math.min(head.length, 200), StandardCharsets.ISO_8859_1)
            .replaceAll("[^\\x20-\\x7e]", "?");
        fileRejects.add(Rows.parsed(RejectRecord.of(src, -1, excerpt, d.reason(), d.detail()), id));
        formatOf.put(src, "rejected: " + d.reason());
      } else {
        specs.put(IngestTransforms.key(f.getPath()),
            new FileSpec(id, src, fmt, firstLine(head, cs), cs.name(), configured == null));
        // the encoding is shown when it is not UTF-8 (the default): "DMA_CSV (windows-1252)"
        formatOf.put(src, cs.equals(StandardCharsets.UTF_8) ? fmt.name()
            : fmt.name() + " (" + TextEncoding.label(cs) + ")");
      }
    }
    return new Plan(files, sources, specs, formatOf, fileRejects, settings, rules);
  }

  /**
   * Reads every planned file as parsed rows (CSV and JSON lines split across tasks, each NMEA file
   * in one task),
   * after the whole-file rejects; persisted (memory and disk) for the several passes of the stage.
   */
  static Parsed read(SparkSession spark, Configuration hconf, Plan plan) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<String, FileSpec>> bspecs = jsc.broadcast(plan.specs());
    Broadcast<PipelineConfig.IngestSection> bsettings = jsc.broadcast(plan.settings());
    Broadcast<Plausibility> brules = jsc.broadcast(plan.rules());
    List<Path> csv = new ArrayList<>(); // line-splittable: CSV and JSON lines
    List<Path> nmea = new ArrayList<>();
    for (FileStatus f : plan.files()) {
      FileSpec s = plan.specs().get(IngestTransforms.key(f.getPath()));
      if (s != null) {
        (s.format() == InputFormat.NMEA ? nmea : csv).add(f.getPath());
      }
    }
    JavaRDD<Row> rows = jsc.parallelize(plan.fileRejects(), 1);
    if (!csv.isEmpty()) {
      rows = rows.union(lines(jsc, hconf, csv, false).mapPartitionsWithInputSplit(
          (split, it) -> IngestTransforms.parse(split, it, bspecs.value(), bsettings.value(), brules.value()), false));
    }
    if (!nmea.isEmpty()) {
      rows = rows.union(lines(jsc, hconf, nmea, true).mapPartitionsWithInputSplit(
          (split, it) -> IngestTransforms.parse(split, it, bspecs.value(), bsettings.value(), brules.value()), false));
    }
    Dataset<Row> parsed = spark.createDataFrame(rows, Rows.PARSED_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
    return new Parsed(parsed, bspecs, bsettings, brules);
  }

  /** Text lines of {@code paths} as (byte offset, line); NMEA files are never split. */
  private static JavaNewHadoopRDD<LongWritable, Text> lines(JavaSparkContext jsc, Configuration base,
      List<Path> paths, boolean wholeFiles) {
    try {
      Job job = Job.getInstance(new Configuration(base));
      FileInputFormat.setInputPaths(job, paths.toArray(Path[]::new));
      if (wholeFiles) {
        job.getConfiguration().setLong(FileInputFormat.SPLIT_MINSIZE, Long.MAX_VALUE);
      }
      return (JavaNewHadoopRDD<LongWritable, Text>) jsc.newAPIHadoopRDD(job.getConfiguration(),
          TextInputFormat.class, LongWritable.class, Text.class);
    } catch (IOException e) {
      throw new IllegalStateException("cannot plan input splits: " + e.getMessage(), e);
    }
  }

  /**
   * Every file named by {@code inputs}: files as given, directories recursed, globs expanded.
   * Names starting with '.' or '_' are skipped.
   *
   * @throws IllegalArgumentException when an input matches nothing
   */
  static List<FileStatus> expand(Configuration conf, List<String> inputs) {
    List<FileStatus> out = new ArrayList<>();
    try {
      for (String in : inputs) {
        Path p = new Path(in);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(p);
        if (matches == null || matches.length == 0) {
          throw new IllegalArgumentException("input not found: " + in);
        }
        for (FileStatus m : matches) {
          collect(fs, m, out, true);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list inputs: " + e.getMessage(), e);
    }
    out.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
    return out;
  }

  private static void collect(FileSystem fs, FileStatus s, List<FileStatus> out, boolean top) throws IOException {
    String name = s.getPath().getName();
    if (!top && (name.startsWith(".") || name.startsWith("_"))) {
      return;
    }
    if (s.isDirectory()) {
      FileStatus[] children = fs.listStatus(s.getPath());
      Arrays.sort(children);
      for (FileStatus c : children) {
        collect(fs, c, out, false);
      }
    } else if (out.stream().noneMatch(o -> o.getPath().equals(s.getPath()))) {
      out.add(s);
    }
  }

  private static byte[] readHead(Configuration conf, FileStatus f) {
    int n = (int) Math.min(HEAD_BYTES, f.getLen());
    byte[] b = new byte[n];
    try (InputStream in = f.getPath().getFileSystem(conf).open(f.getPath())) {
      int off = 0;
      while (off < n) {
        int r = in.read(b, off, n - off);
        if (r < 0) {
          break;
        }
        off += r;
      }
      return off == n ? b : Arrays.copyOf(b, off);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + f.getPath() + ": " + e.getMessage(), e);
    }
  }

  /** First line of the head bytes decoded with {@code cs}, without BOM or line terminator. */
  static String firstLine(byte[] head, Charset cs) {
    int end = 0;
    while (end < head.length && head[end] != '\n' && head[end] != '\r') {
      end++;
    }
    String s = new String(head, 0, end, cs);
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }
}
