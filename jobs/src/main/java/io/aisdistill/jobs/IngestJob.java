package io.aisdistill.jobs;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;

import io.aisdistill.common.ais.LineParser;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import io.aisdistill.common.ingest.CsvPositionParser;
import io.aisdistill.common.ingest.FormatDetector;
import io.aisdistill.common.ingest.InputFormat;
import io.aisdistill.common.ingest.NmeaLineParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Stage 1, ingest: raw AIS files to {@code ais_positions}, {@code ais_static} and
 * {@code ais_rejects}.
 *
 * <p>Inputs are files, directories (recursed; names starting with '.' or '_' are skipped, as in
 * Hadoop) or globs, on any Hadoop file system. The format of each file is detected from its first
 * 64 KiB (MarineCadastre CSV of any year, DMA aisdk CSV, NMEA 0183 AIVDM/AIVDO logs) or forced.
 * A file that cannot be read as any of them becomes one {@code ais_rejects} row (source_record -1)
 * and the run goes on. CSV files are split across tasks (Hadoop text splits, byte offsets as
 * {@code source_record}); an NMEA file is read by one task, in order, for multi-sentence
 * reassembly and timestamp lines.
 *
 * <p>Accounting, per file: every line becomes exactly one parsed row: a position, a static report,
 * a reject, or a skipped line (header, blank, comment, other NMEA sentence, folded fragment).
 * Exact duplicate positions (same {@link Tables#POSITION_KEY}) are dropped and counted, keeping
 * the first by (source, source_record); static reports likewise on {@link Tables#STATIC_KEY}. So
 * {@code lines = positions + static + rejects + duplicates + skipped}, printed per file. Reruns
 * insert only keys not yet in the tables: re-ingesting a file adds nothing.
 *
 * <p>Positions without static fields are enriched with the latest static report (types 5, 24) of
 * the same MMSI from this run and the {@code ais_static} table.
 */
public final class IngestJob {
  /** Bytes read from each file to detect its format. */
  static final int HEAD_BYTES = 64 * 1024;

  private IngestJob() {}

  /**
   * {@code spark-submit --class io.aisdistill.jobs.IngestJob} entry point: the same options as
   * {@code ais-distill ingest}; exits non-zero with a one-line reason on failure.
   */
  public static void main(String[] args) {
    Cli.main(Cli.prepend("ingest", args));
  }

  /** How one input file is to be read. */
  record FileSpec(String path, InputFormat format, String header) implements Serializable {}

  /**
   * Runs the stage.
   *
   * @param inputs files, directories or globs
   * @param forcedFormat null to detect per file, else an {@link InputFormat} name for every file
   * @param runId id recorded in the rows this run writes
   * @throws IllegalArgumentException when an input path matches nothing or the format is unknown
   */
  public static StageReport run(SparkSession spark, Lakehouse lh, List<String> inputs, String forcedFormat,
      String runId) {
    long t0 = System.currentTimeMillis();
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    InputFormat forced = forcedFormat == null || forcedFormat.equalsIgnoreCase("auto")
        ? null : InputFormat.parse(forcedFormat);
    List<FileStatus> files = expand(hconf, inputs);

    Map<String, FileSpec> specs = new HashMap<>();
    List<Row> fileRejects = new ArrayList<>();
    Map<String, String> formatOf = new TreeMap<>();
    for (FileStatus f : files) {
      String src = f.getPath().toString();
      byte[] head = readHead(hconf, f);
      var d = FormatDetector.detect(f.getPath().getName(), head, head.length);
      InputFormat fmt = d.format();
      if (forced != null && head.length > 0) {
        fmt = forced;
      }
      if (fmt == null) {
        String excerpt = new String(head, 0, Math.min(head.length, 200), StandardCharsets.ISO_8859_1)
            .replaceAll("[^\\x20-\\x7e]", "?");
        fileRejects.add(Rows.parsed(RejectRecord.of(src, -1, excerpt, d.reason(), d.detail())));
        formatOf.put(src, "rejected: " + d.reason());
      } else {
        specs.put(key(f.getPath()), new FileSpec(src, fmt, firstLine(head)));
        formatOf.put(src, fmt.name());
      }
    }

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<String, FileSpec>> bspecs = jsc.broadcast(specs);
    List<Path> csv = new ArrayList<>();
    List<Path> nmea = new ArrayList<>();
    for (FileStatus f : files) {
      FileSpec s = specs.get(key(f.getPath()));
      if (s != null) {
        (s.format() == InputFormat.NMEA ? nmea : csv).add(f.getPath());
      }
    }
    JavaRDD<Row> rows = jsc.parallelize(fileRejects, 1);
    if (!csv.isEmpty()) {
      rows = rows.union(lines(jsc, hconf, csv, false).mapPartitionsWithInputSplit(
          (split, it) -> parse(split, it, bspecs.value()), false));
    }
    if (!nmea.isEmpty()) {
      rows = rows.union(lines(jsc, hconf, nmea, true).mapPartitionsWithInputSplit(
          (split, it) -> parse(split, it, bspecs.value()), false));
    }
    Dataset<Row> parsed = spark.createDataFrame(rows, Rows.PARSED_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return write(spark, lh, parsed, formatOf, runId).elapsedMs(System.currentTimeMillis() - t0);
    } finally {
      parsed.unpersist();
      bspecs.destroy();
    }
  }

  private static StageReport write(SparkSession spark, Lakehouse lh, Dataset<Row> parsed,
      Map<String, String> formatOf, String runId) {
    // per (source, kind) counts, and rejects / skipped lines by reason
    Map<String, long[]> perFile = new TreeMap<>(); // lines, P, S, R, K
    Map<String, Long> rejectsByReason = new TreeMap<>();
    Map<String, Long> skippedByKind = new TreeMap<>();
    long tParse = System.nanoTime();
    for (Row r : parsed.groupBy("source", "kind", "reason").count().collectAsList()) {
      String kind = r.getString(1);
      long n = r.getLong(3);
      long[] c = perFile.computeIfAbsent(r.getString(0), k -> new long[7]);
      boolean wholeFile = false;
      switch (kind) {
        case Rows.KIND_POSITION -> c[1] += n;
        case Rows.KIND_STATIC -> c[2] += n;
        case Rows.KIND_REJECT -> {
          c[3] += n;
          rejectsByReason.merge(r.getString(2), n, Long::sum);
          wholeFile = formatOf.getOrDefault(r.getString(0), "").startsWith("rejected");
        }
        default -> {
          c[4] += n;
          skippedByKind.merge(r.getString(2), n, Long::sum);
        }
      }
      if (!wholeFile) {
        c[0] += n;
      }
    }

    String[] staticCols = {"ais_class", "vessel_name", "imo", "callsign", "ship_type", "length_m", "width_m", "draft_m"};
    // positions: drop exact duplicates, keeping the first by (source, source_record)
    List<Column> firstCols = new ArrayList<>(List.of(col("source"), col("source_record")));
    Arrays.stream(staticCols).forEach(c -> firstCols.add(col(c)));
    Dataset<Row> positions = parsed.filter(col("kind").equalTo(Rows.KIND_POSITION))
        .groupBy(Tables.POSITION_KEY.stream().map(c -> col(c)).toArray(Column[]::new))
        .agg(min(struct(firstCols.toArray(Column[]::new))).as("first"))
        .selectExpr(concat(Tables.POSITION_KEY, List.of("first.*")));

    Dataset<Row> statics = parsed.filter(col("kind").equalTo(Rows.KIND_STATIC))
        .groupBy(Tables.STATIC_KEY.stream().map(c -> col(c)).toArray(Column[]::new))
        .agg(min(struct(col("source"), col("source_record"))).as("first"))
        .selectExpr(concat(Tables.STATIC_KEY, List.of("first.*")))
        .withColumn("run_id", lit(runId))
        .select(Arrays.stream(Tables.STATIC_SCHEMA.fieldNames()).map(c -> col(c)).toArray(Column[]::new))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long staticsParsed = perFile.values().stream().mapToLong(c -> c[2]).sum();
    Map<String, Long> staticKept = countBySource(statics);
    long tDedup = System.nanoTime();
    double parseS = (tDedup - tParse) / 1e9;

    if (staticsParsed > 0 || lh.exists(Tables.STATIC)) {
      positions = enrich(positions, lh.exists(Tables.STATIC) ? statics.unionByName(lh.read(Tables.STATIC)) : statics,
          staticCols);
    }
    positions = positions.withColumn("run_id", lit(runId)).withColumn("date", to_date(col("ts")))
        .select(Arrays.stream(Tables.POSITIONS_SCHEMA.fieldNames()).map(c -> col(c)).toArray(Column[]::new))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, Long> posKept = countBySource(positions);
      long tWrite = System.nanoTime();
      double dedupS = (tWrite - tDedup) / 1e9;
      long newPositions = lh.insertNew(positions, Tables.POSITIONS, Tables.POSITION_KEY, List.of("date"));
      long newStatic = staticsParsed == 0 && lh.exists(Tables.STATIC) ? 0
          : lh.insertNew(statics, Tables.STATIC, Tables.STATIC_KEY, List.of());
      Dataset<Row> rejects = parsed.filter(col("kind").equalTo(Rows.KIND_REJECT)).withColumn("run_id", lit(runId))
          .select(Arrays.stream(Tables.REJECTS_SCHEMA.fieldNames()).map(c -> col(c)).toArray(Column[]::new));
      long newRejects = lh.insertNew(rejects, Tables.REJECTS, List.of("source", "source_record", "reason"), List.of());

      double writeS = (System.nanoTime() - tWrite) / 1e9;
      StageReport rep = new StageReport("ingest");
      List<List<Object>> fileRows = new ArrayList<>();
      long lines = 0, pos = 0, sta = 0, rej = 0, dup = 0, skip = 0;
      for (String src : formatOf.keySet()) {
        long[] c = perFile.getOrDefault(src, new long[7]);
        long pk = posKept.getOrDefault(src, 0L);
        long sk = staticKept.getOrDefault(src, 0L);
        long d = (c[1] - pk) + (c[2] - sk);
        fileRows.add(List.of(shortName(src), formatOf.get(src), c[0], pk, sk, c[3], d, c[4]));
        lines += c[0];
        pos += pk;
        sta += sk;
        rej += c[3];
        dup += d;
        skip += c[4];
      }
      rep.put("files", formatOf.size())
          .put("lines_read", lines)
          .put("positions_accepted", pos)
          .put("static_accepted", sta)
          .put("rejected", rej)
          .put("duplicates_dropped", dup)
          .put("lines_skipped", skip)
          .put("positions_new_in_table", newPositions)
          .put("static_new_in_table", newStatic)
          .put("rejects_new_in_table", newRejects)
          .put("phase_parse_s", parseS)
          .put("phase_dedup_s", dedupS)
          .put("phase_write_s", writeS);
      rejectsByReason.forEach((k, v) -> rep.put("rejected." + k, v));
      skippedByKind.forEach((k, v) -> rep.put("skipped." + k, v));
      rep.table("per file (lines = positions + static + rejected + duplicates + skipped; whole-file rejects count 0 lines)",
          List.of("file", "format", "lines", "positions", "static", "rejected", "duplicates", "skipped"), fileRows);
      return rep;
    } finally {
      positions.unpersist();
      statics.unpersist();
    }
  }

  /** Fills null static fields of positions from the latest static report of the same MMSI. */
  private static Dataset<Row> enrich(Dataset<Row> positions, Dataset<Row> statics, String[] staticCols) {
    Dataset<Row> latest = statics
        .withColumn("rn", row_number().over(Window.partitionBy("mmsi")
            .orderBy(col("ts").desc_nulls_last(), col("source"), col("source_record"))))
        .filter(col("rn").equalTo(1))
        .select(col("mmsi").as("s_mmsi"), col("vessel_name").as("s_vessel_name"), col("imo").as("s_imo"),
            col("callsign").as("s_callsign"), col("ship_type").as("s_ship_type"), col("length_m").as("s_length_m"),
            col("width_m").as("s_width_m"), col("draft_m").as("s_draft_m"));
    Dataset<Row> j = positions.join(latest, col("mmsi").equalTo(col("s_mmsi")), "left");
    for (String c : staticCols) {
      if (!c.equals("ais_class")) {
        j = j.withColumn(c, coalesce(col(c), col("s_" + c)));
      }
    }
    return j.drop("s_mmsi", "s_vessel_name", "s_imo", "s_callsign", "s_ship_type", "s_length_m", "s_width_m",
        "s_draft_m");
  }

  private static Map<String, Long> countBySource(Dataset<Row> df) {
    Map<String, Long> m = new HashMap<>();
    for (Row r : df.groupBy("source").count().collectAsList()) {
      m.put(r.getString(0), r.getLong(1));
    }
    return m;
  }

  private static String[] concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all.toArray(String[]::new);
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

  /** Parses one split lazily: rows come out as lines go in, never the whole split in memory. */
  static Iterator<Row> parse(InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines,
      Map<String, FileSpec> specs) {
    Path path = ((FileSplit) split).getPath();
    FileSpec spec = specs.get(key(path));
    if (spec == null) {
      throw new IllegalStateException("no format planned for " + path);
    }
    LineParser parser = spec.format() == InputFormat.NMEA
        ? new NmeaLineParser(spec.path())
        : new CsvPositionParser(spec.path(), spec.header(), spec.format());
    ArrayDeque<Row> buf = new ArrayDeque<>();
    RecordSink sink = new RecordSink() {
      public void position(PositionReport p) {
        buf.add(Rows.parsed(p));
      }

      public void staticReport(StaticReport s) {
        buf.add(Rows.parsed(s));
      }

      public void reject(RejectRecord r) {
        buf.add(Rows.parsed(r));
      }

      public void skipped(String kind) {
        buf.add(Rows.skipped(spec.path(), kind));
      }
    };
    return new Iterator<>() {
      boolean finished;

      public boolean hasNext() {
        while (buf.isEmpty() && !finished) {
          if (lines.hasNext()) {
            Tuple2<LongWritable, Text> t = lines.next();
            parser.line(t._1().get(), t._2().toString(), sink);
          } else {
            parser.finish(sink);
            finished = true;
          }
        }
        return !buf.isEmpty();
      }

      public Row next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return buf.poll();
      }
    };
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

  /** First line of the head bytes, without BOM or line terminator. */
  static String firstLine(byte[] head) {
    int end = 0;
    while (end < head.length && head[end] != '\n' && head[end] != '\r') {
      end++;
    }
    String s = new String(head, 0, end, StandardCharsets.UTF_8);
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  /** Scheme-less path, so driver listings and task splits agree. */
  static String key(Path p) {
    return p.toUri().getPath();
  }

  static String shortName(String src) {
    int i = src.lastIndexOf('/');
    int j = i > 0 ? src.lastIndexOf('/', i - 1) : -1;
    return src.substring(j + 1);
  }
}
