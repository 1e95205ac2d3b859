package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.stage.PullIterator;
import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
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
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
public final class IngestStage implements Stage<IngestResult> {
  /** Bytes read from each file to detect its format. */
  static final int HEAD_BYTES = 64 * 1024;


  private final List<String> inputs;
  private final String format;

  /**
   * The ingest stage with its options.
   *
   * @param inputs input files, directories or globs (local, s3a://, dbfs:)
   * @param format {@code auto}, {@code marinecadastre}, {@code dma}, {@code nmea}, or null for auto
   */
  public IngestStage(List<String> inputs, String format) {
    this.inputs = List.copyOf(inputs);
    this.format = format;
  }

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public List<String> reads() {
    return List.of(Tables.STATIC);
  }

  @Override
  public List<String> writes() {
    return List.of(Tables.POSITIONS, Tables.STATIC, Tables.REJECTS);
  }

  @Override
  public IngestResult run(StageContext ctx) {
    return IngestResult.of(execute(ctx.spark(), ctx.lakehouse(), inputs, format, ctx.runId()));
  }


  /** How one input file is to be read. */
  record FileSpec(int id, String path, InputFormat format, String header) implements Serializable {}

  /**
   * Runs the stage.
   *
   * @param inputs files, directories or globs
   * @param forcedFormat null to detect per file, else an {@link InputFormat} name for every file
   * @param runId id recorded in the rows this run writes
   * @throws IllegalArgumentException when an input path matches nothing or the format is unknown
   */
  static StageReport execute(SparkSession spark, Lakehouse lh, List<String> inputs, String forcedFormat,
      String runId) {
    long t0 = System.currentTimeMillis();
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    InputFormat forced = forcedFormat == null || forcedFormat.equalsIgnoreCase("auto")
        ? null : InputFormat.parse(forcedFormat);
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
      var d = FormatDetector.detect(f.getPath().getName(), head, head.length);
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
        specs.put(key(f.getPath()), new FileSpec(id, src, fmt, firstLine(head)));
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
      return write(spark, lh, parsed, sources, formatOf, runId).elapsedMs(System.currentTimeMillis() - t0);
    } finally {
      parsed.unpersist();
      bspecs.destroy();
    }
  }

  private static StageReport write(SparkSession spark, Lakehouse lh, Dataset<Row> parsed, List<String> sources,
      Map<String, String> formatOf, String runId) {
    // per (source, kind) counts, and rejects / skipped lines by reason
    Map<String, FileCounts> perFile = new TreeMap<>();
    Map<String, Long> rejectsByReason = new TreeMap<>();
    Map<String, Long> skippedByKind = new TreeMap<>();
    long tParse = System.nanoTime();
    for (Row r : parsed.groupBy("source_id", "kind", "reason").count().collectAsList()) {
      String src = sources.get(r.getInt(0));
      String kind = r.getString(1);
      long n = r.getLong(3);
      FileCounts c = perFile.computeIfAbsent(src, k -> new FileCounts());
      boolean wholeFile = false;
      switch (kind) {
        case Rows.KIND_POSITION -> c.positions += n;
        case Rows.KIND_STATIC -> c.statics += n;
        case Rows.KIND_REJECT -> {
          c.rejected += n;
          rejectsByReason.merge(r.getString(2), n, Long::sum);
          wholeFile = formatOf.getOrDefault(src, "").startsWith("rejected");
        }
        default -> {
          c.skipped += n;
          skippedByKind.merge(r.getString(2), n, Long::sum);
        }
      }
      if (!wholeFile) {
        c.lines += n;
      }
    }
    long tDedup = System.nanoTime();
    double parseS = (tDedup - tParse) / 1e9;

    // source_id -> source path, joined back only when rows are written (AQE broadcasts it)
    List<Row> idRows = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      idRows.add(RowFactory.create(i, sources.get(i)));
    }
    Dataset<Row> sourceNames = spark.createDataFrame(idRows, new StructType()
        .add("source_id", DataTypes.IntegerType, false).add("source", DataTypes.StringType, false));

    String[] staticCols = {"ais_class", "vessel_name", "imo", "callsign", "ship_type", "length_m", "width_m", "draft_m"};
    DedupResult pos = dropExactDuplicates(parsed.filter(col("kind").equalTo(Rows.KIND_POSITION)), Tables.POSITION_KEY);
    DedupResult sta = dropExactDuplicates(parsed.filter(col("kind").equalTo(Rows.KIND_STATIC)), Tables.STATIC_KEY);
    Dataset<Row> statics = sta.kept().join(sourceNames, "source_id").withColumn("run_id", lit(runId))
        .select(columns(Tables.STATIC_SCHEMA)).persist(StorageLevel.MEMORY_AND_DISK());
    long staticsParsed = perFile.values().stream().mapToLong(c -> c.statics).sum();
    Dataset<Row> positions = pos.kept().join(sourceNames, "source_id");
    if (staticsParsed > 0 || lh.exists(Tables.STATIC)) {
      positions = enrich(positions, lh.exists(Tables.STATIC) ? statics.unionByName(lh.read(Tables.STATIC)) : statics,
          staticCols);
    }
    positions = positions.withColumn("run_id", lit(runId)).withColumn("date", to_date(col("ts")))
        .select(columns(Tables.POSITIONS_SCHEMA));
    try {
      Map<Integer, Long> posDup = pos.duplicatesBySource();
      Map<Integer, Long> staDup = sta.duplicatesBySource();
      long tWrite = System.nanoTime();
      double dedupS = (tWrite - tDedup) / 1e9;
      long newPositions = lh.insertNew(positions, Tables.POSITIONS, Tables.POSITION_KEY, List.of("date"));
      long newStatic = staticsParsed == 0 && lh.exists(Tables.STATIC) ? 0
          : lh.insertNew(statics, Tables.STATIC, Tables.STATIC_KEY, List.of());
      Dataset<Row> rejects = parsed.filter(col("kind").equalTo(Rows.KIND_REJECT)).join(sourceNames, "source_id")
          .withColumn("run_id", lit(runId)).select(columns(Tables.REJECTS_SCHEMA));
      long newRejects = lh.insertNew(rejects, Tables.REJECTS, List.of("source", "source_record", "reason"), List.of());
      double writeS = (System.nanoTime() - tWrite) / 1e9;

      StageReport rep = new StageReport("ingest");
      List<List<Object>> fileRows = new ArrayList<>();
      long lines = 0, posN = 0, sta0 = 0, rej = 0, dup = 0, skip = 0;
      for (int id = 0; id < sources.size(); id++) {
        String src = sources.get(id);
        FileCounts c = perFile.getOrDefault(src, new FileCounts());
        long d = posDup.getOrDefault(id, 0L) + staDup.getOrDefault(id, 0L);
        long pk = c.positions - posDup.getOrDefault(id, 0L);
        long sk = c.statics - staDup.getOrDefault(id, 0L);
        fileRows.add(List.of(shortName(src), formatOf.get(src), c.lines, pk, sk, c.rejected, d, c.skipped));
        lines += c.lines;
        posN += pk;
        sta0 += sk;
        rej += c.rejected;
        dup += d;
        skip += c.skipped;
      }
      rep.put("files", sources.size())
          .put("lines_read", lines)
          .put("positions_accepted", posN)
          .put("static_accepted", sta0)
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
      statics.unpersist();
      pos.release();
      sta.release();
    }
  }

  /**
   * Parsed-row counts of one input file, before deduplication: every line is counted once, in
   * exactly one of positions, statics, rejected or skipped, and in {@code lines} unless it is the
   * one reject row of a whole-file reject (such a file counts 0 lines).
   */
  private static final class FileCounts {
    /** Lines read (whole-file rejects excluded). */
    long lines;
    /** Position rows parsed, duplicates included. */
    long positions;
    /** Static-report rows parsed, duplicates included. */
    long statics;
    /** Reject rows (a whole-file reject included). */
    long rejected;
    /** Skipped lines: header, blank, comment, other NMEA sentence, folded fragment. */
    long skipped;
  }

  /**
   * Rows without exact duplicates, and the losers of each duplicate group.
   *
   * @param kept one row per key: the one with the smallest (source_id, source_record)
   * @param losers (source_id) of every dropped row; persisted, small
   */
  record DedupResult(Dataset<Row> kept, Dataset<Row> losers) {
    Map<Integer, Long> duplicatesBySource() {
      Map<Integer, Long> m = new HashMap<>();
      for (Row r : losers.groupBy("source_id").count().collectAsList()) {
        m.put(r.getInt(0), r.getLong(1));
      }
      return m;
    }

    void release() {
      losers.unpersist();
    }
  }

  /**
   * Drops exact duplicates (equal {@code key}, nulls equal), keeping per key the row with the
   * smallest (source_id, source_record): since source ids follow the sorted paths, that is the
   * first record by (source, source_record). Duplicates are rare, so only the duplicate groups
   * are materialized: a hash aggregate over the key columns and a packed record reference
   * (fixed-width, no sort of the wide rows) finds the groups of more than one row, and a left
   * anti join, broadcast by adaptive query execution while the groups are small, removes the
   * losers from the full rows. The two sides of the self-join are aliased ({@code r}, {@code g}):
   * {@code groups} keeps the key columns of {@code withRef}, so unqualified they would be one
   * column compared with itself.
   */
  static DedupResult dropExactDuplicates(Dataset<Row> rows, List<String> key) {
    Column ref = col("source_id").cast("long").multiply(1L << 40).plus(col("source_record"));
    Column[] keyCols = key.stream().map(c -> col(c)).toArray(Column[]::new);
    Dataset<Row> withRef = rows.withColumn("ref", ref);
    Dataset<Row> groups = withRef.groupBy(keyCols)
        .agg(min("ref").as("keep_ref"), count(lit(1)).as("n"))
        .filter(col("n").gt(1));
    Column match = key.stream().map(c -> col("r.`" + c + "`").eqNullSafe(col("g.`" + c + "`")))
        .reduce(Column::and).orElseThrow();
    Dataset<Row> loserRefs = withRef.alias("r").join(groups.alias("g"), match, "inner")
        .filter(col("r.ref").notEqual(col("g.keep_ref")))
        .select(col("r.ref").as("ref"), col("r.source_id").as("source_id"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> kept = withRef.join(loserRefs.select("ref"), "ref", "left_anti").drop("ref");
    return new DedupResult(kept, loserRefs);
  }

  private static Column[] columns(StructType schema) {
    return Arrays.stream(schema.fieldNames()).map(c -> col(c)).toArray(Column[]::new);
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
    return new PullIterator<Tuple2<LongWritable, Text>, Row>(lines) {
      final RecordSink sink = new RecordSink() {
        public void position(PositionReport p) {
          emit(Rows.parsed(p, spec.id()));
        }

        public void staticReport(StaticReport s) {
          emit(Rows.parsed(s, spec.id()));
        }

        public void reject(RejectRecord r) {
          emit(Rows.parsed(r, spec.id()));
        }

        public void skipped(String kind) {
          emit(Rows.skipped(spec.id(), kind));
        }
      };

      @Override
      protected void accept(Tuple2<LongWritable, Text> line) {
        parser.line(line._1().get(), line._2().toString(), sink);
      }

      @Override
      protected void finish() {
        parser.finish(sink);
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
