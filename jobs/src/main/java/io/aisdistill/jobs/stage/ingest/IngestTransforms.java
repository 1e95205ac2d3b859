package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.PullIterator;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.xxhash64;

import io.aisdistill.common.ais.LineParser;
import io.aisdistill.common.ais.Plausibility;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import io.aisdistill.common.ingest.ColumnMapping;
import io.aisdistill.common.ingest.CsvPositionParser;
import io.aisdistill.common.ingest.InputFormat;
import io.aisdistill.common.ingest.JsonLinesParser;
import io.aisdistill.common.ingest.NmeaLineParser;
import io.aisdistill.common.ingest.TextEncoding;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The Spark transforms of the ingest stage: no lakehouse, no file system, no report.
 *
 * <ul>
 *   <li>{@link #parse}: the text lines of one input split, (byte offset, line), to
 *       {@link Rows#PARSED_SCHEMA} rows: one per line (position, static report, reject or skipped
 *       line), {@code source_id} from the file's {@link FileSpec}.</li>
 *   <li>{@link #countParsed}: parsed rows to per-file counts by kind, rejects by reason and skipped
 *       lines by kind (collected to the driver).</li>
 *   <li>{@link #sourceNames}: the sorted input paths to (source_id int, source string).</li>
 *   <li>{@link #ofKind}: parsed rows of one kind (P, S, R or K), same columns.</li>
 *   <li>{@link #dropExactDuplicates}: rows (with source_id, source_record and the key columns) to
 *       the same rows without exact duplicates, plus the (ref, source_id) of the dropped ones.</li>
 *   <li>{@link #statics}: parsed static rows (deduplicated) and source names to
 *       {@link Tables#STATIC_SCHEMA} columns.</li>
 *   <li>{@link #positions}: parsed position rows (deduplicated) and source names, optionally
 *       enriched from static rows, to {@link Tables#POSITIONS_SCHEMA} columns ({@code date} =
 *       UTC date of ts).</li>
 *   <li>{@link #enrich}: positions with source and the static columns, plus static rows of
 *       {@link Tables#STATIC_SCHEMA}, to the same positions columns with null static fields filled
 *       from the MMSI's latest static report at or before the position's time.</li>
 *   <li>{@link #rejects}: parsed rows and source names to {@link Tables#REJECTS_SCHEMA} columns.</li>
 * </ul>
 */
final class IngestTransforms {
  private IngestTransforms() {}

  /** The static fields of a position that {@link #enrich} may fill (ais_class is never filled). */
  static final String[] STATIC_COLS =
      {"ais_class", "vessel_name", "imo", "callsign", "ship_type", "length_m", "width_m", "draft_m"};

  /**
   * How one input file is to be read.
   *
   * @param id source_id: index of the file in the sorted list of inputs
   * @param path the file's path as listed (the {@code source} column); for an entry of a zip
   *     archive {@code <zip path>!/<entry name>}
   * @param format its detected or forced format
   * @param header its first line (CSV header) decoded with {@code charset}, without BOM or line
   *     terminator
   * @param charset the name of its text encoding (detected or configured, {@link TextEncoding})
   * @param autoEncoding true when {@code charset} was detected ({@code ingest.encoding: auto}): a
   *     line of a UTF-8 file that is not valid UTF-8 is then read as Windows-1252
   */
  record FileSpec(int id, String path, InputFormat format, String header, String charset,
      boolean autoEncoding) implements Serializable {}

  /** Scheme-less path, so driver listings and task splits agree. */
  static String key(Path p) {
    return p.toUri().getPath();
  }

  /** {@link #parse(InputSplit, Iterator, Map, PipelineConfig.IngestSection, Plausibility)} with the
   * default rules as of now. */
  static Iterator<Row> parse(InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines,
      Map<String, FileSpec> specs, PipelineConfig.IngestSection settings) {
    return parse(split, lines, specs, settings, Plausibility.defaults(java.time.Instant.now()));
  }

  /** The key of entry {@code entry} of zip archive {@code zip}: {@code <zip key>!/<entry name>}. */
  static String key(Path zip, String entry) {
    return key(zip) + "!/" + entry;
  }

  /**
   * Parses one split lazily: rows come out as lines go in, never the whole split in memory. Each
   * line's bytes are decoded with the file's charset ({@link FileSpec#charset}, via
   * {@link TextEncoding.LineDecoder}: a line that does not decode is read as Windows-1252 in an
   * auto-detected UTF-8 file and noted {@code decoded_windows_1252}, else its bad bytes become
   * U+FFFD and it is noted {@code undecodable_bytes_replaced}); CSV columns are found with the
   * {@code ingest.columns} mapping.
   *
   * @param split a {@link FileSplit} of a file planned in {@code specs}
   * @param lines the split's (byte offset, line) pairs, in order
   * @param specs planned files by {@link #key}
   * @param settings the {@code ingest} configuration ({@code nmea.strict_tag_block_checksum} is
   *     passed to the NMEA parser)
   * @param rules the plausibility rules every record passes ({@link Plausibility#guard})
   * @return {@link Rows#PARSED_SCHEMA} rows, one per line (plus what the parser emits at the end)
   * @throws IllegalStateException when the split's file is not in {@code specs}
   */
  static Iterator<Row> parse(InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines,
      Map<String, FileSpec> specs, PipelineConfig.IngestSection settings, Plausibility rules) {
    Path path = ((FileSplit) split).getPath();
    FileSpec spec = specs.get(key(path));
    if (spec == null) {
      throw new IllegalStateException("no format planned for " + path);
    }
    return parse(spec, lines, settings, rules);
  }

  /**
   * Parses the lines of one source lazily (a split of a plain or compressed file, or one entry of
   * a zip archive): rows come out as lines go in.
   *
   * @param spec the source's plan
   * @param lines its (byte offset in the uncompressed text, line) pairs, in order
   * @param settings the {@code ingest} configuration
   * @param rules the plausibility rules every record passes ({@link Plausibility#guard})
   * @return {@link Rows#PARSED_SCHEMA} rows, one per line (plus what the parser emits at the end)
   */
  static Iterator<Row> parse(FileSpec spec, Iterator<Tuple2<LongWritable, Text>> lines,
      PipelineConfig.IngestSection settings, Plausibility rules) {
    LineParser parser = switch (spec.format()) {
      case NMEA -> nmeaParser(spec, settings);
      case JSON_LINES -> new JsonLinesParser(spec.path());
      default -> new CsvPositionParser(spec.path(), spec.header(), spec.format(),
          ColumnMapping.of(settings.columns));
    };
    return parse(spec, lines, rules.guard(parser), 0, Long.MAX_VALUE);
  }

  /** The NMEA parser of {@code spec} with the {@code ingest.nmea} settings (no fallback time). */
  static NmeaLineParser nmeaParser(FileSpec spec, PipelineConfig.IngestSection settings) {
    return new NmeaLineParser(spec.path(), null, settings.nmea.strictTagBlockChecksum, settings.nmea.lookbackBytes);
  }

  /**
   * Parses lines with a ready parser lazily; the text-decoding notes of a line count only when it
   * starts in {@code [ownedFrom, ownedTo)} (the parser filters its own output, see
   * {@link NmeaLineParser#own}).
   *
   * @param spec the source's plan
   * @param lines (byte offset, line) pairs, in order
   * @param parser the parser, already guarded by the plausibility rules
   * @param ownedFrom first byte offset whose lines are owned
   * @param ownedTo end (exclusive) of the owned offsets
   * @return {@link Rows#PARSED_SCHEMA} rows
   */
  static Iterator<Row> parse(FileSpec spec, Iterator<Tuple2<LongWritable, Text>> lines, LineParser parser,
      long ownedFrom, long ownedTo) {
    TextEncoding.LineDecoder decoder =
        new TextEncoding.LineDecoder(Charset.forName(spec.charset()), spec.autoEncoding());
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

        public void note(String kind) {
          emit(Rows.note(spec.id(), kind));
        }
      };

      final RecordSink discard = new RecordSink() {
        public void position(PositionReport p) {}

        public void staticReport(StaticReport s) {}

        public void reject(RejectRecord r) {}
      };

      @Override
      protected void accept(Tuple2<LongWritable, Text> line) {
        Text t = line._2();
        long offset = line._1().get();
        RecordSink notes = offset >= ownedFrom && offset < ownedTo ? sink : discard;
        parser.line(offset, decoder.decode(t.getBytes(), t.getLength(), notes), sink);
      }

      @Override
      protected void finish() {
        parser.finish(sink);
      }
    };
  }

  /**
   * Parsed-row counts, before deduplication.
   *
   * @param perFile counts per source path (sorted); files without rows are absent
   * @param rejectsByReason reject rows by reason code (sorted)
   * @param skippedByKind skipped lines by kind (sorted)
   * @param notesByKind notes ({@code RecordSink.note}) by kind (sorted); they count no line
   */
  record ParsedCounts(Map<String, FileCounts> perFile, Map<String, Long> rejectsByReason,
      Map<String, Long> skippedByKind, Map<String, Long> notesByKind) {
    /** Static-report rows parsed, all files, duplicates included. */
    long staticsParsed() {
      return perFile.values().stream().mapToLong(c -> c.statics).sum();
    }
  }

  /**
   * Counts parsed rows per (source, kind), and rejects / skipped lines by reason (one job, collected).
   * The positions, nearly all the rows, are counted per source_id only: an aggregate over one int
   * column, not over (source_id, kind, reason), whose string keys cost a hashed look-up with a byte
   * comparison per row (issue 14).
   *
   * @param positions the {@link Rows#PARSED_SCHEMA} rows of kind {@link Rows#KIND_POSITION}
   * @param others the {@link Rows#PARSED_SCHEMA} rows of every other kind
   * @param sources source path by source_id
   * @param formatOf per source path, its format name or "rejected: REASON" for a whole-file reject
   *     (whose reject row counts no line)
   */
  static ParsedCounts countParsed(Dataset<Row> positions, Dataset<Row> others, List<String> sources,
      Map<String, String> formatOf) {
    Map<String, FileCounts> perFile = new TreeMap<>();
    Map<String, Long> rejectsByReason = new TreeMap<>();
    Map<String, Long> skippedByKind = new TreeMap<>();
    Map<String, Long> notesByKind = new TreeMap<>();
    Dataset<Row> counts = positions.groupBy("source_id").count()
        .select(col("source_id"), lit(Rows.KIND_POSITION).as("kind"), lit(null).cast("string").as("reason"),
            col("count"))
        .unionByName(others.groupBy("source_id", "kind", "reason").count());
    for (Row r : counts.collectAsList()) {
      String src = sources.get(r.getInt(0));
      String kind = r.getString(1);
      long n = r.getLong(3);
      if (kind.equals(Rows.KIND_NOTE)) {
        notesByKind.merge(r.getString(2), n, Long::sum);
        continue;
      }
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
    return new ParsedCounts(perFile, rejectsByReason, skippedByKind, notesByKind);
  }

  /**
   * source_id to source path, joined back only when rows are written (AQE broadcasts it).
   *
   * @return (source_id int not null, source string not null), one row per source
   */
  static Dataset<Row> sourceNames(SparkSession spark, List<String> sources) {
    List<Row> idRows = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      idRows.add(RowFactory.create(i, sources.get(i)));
    }
    return spark.createDataFrame(idRows, new StructType()
        .add("source_id", DataTypes.IntegerType, false).add("source", DataTypes.StringType, false));
  }

  /** The parsed rows of one kind ({@link Rows#KIND_POSITION}, ...). */
  static Dataset<Row> ofKind(Dataset<Row> parsed, String kind) {
    return parsed.filter(col("kind").equalTo(kind));
  }

  /**
   * Rows without exact duplicates, and the losers of each duplicate group.
   *
   * @param kept one row per key: the one with the smallest (source_id, source_record)
   * @param losers (ref, source_id) of every dropped row; persisted, small
   */
  record DedupResult(Dataset<Row> kept, Dataset<Row> losers) {
    /** Dropped rows per source_id (collected). */
    Map<Integer, Long> duplicatesBySource() {
      Map<Integer, Long> m = new HashMap<>();
      for (Row r : losers.groupBy("source_id").count().collectAsList()) {
        m.put(r.getInt(0), r.getLong(1));
      }
      return m;
    }

    /** Unpersists the losers. */
    void release() {
      losers.unpersist();
    }
  }

  /**
   * Drops exact duplicates (equal {@code key}, nulls equal), keeping per key the row with the
   * smallest (source_id, source_record): since source ids follow the sorted paths, that is the
   * first record by (source, source_record).
   *
   * <p>Duplicates are rare, so only the duplicate groups are materialized, in two passes over the
   * key rows:
   * <ol>
   *   <li>Spark's {@code xxhash64} of the key columns, one 64-bit value per row, finds the hashes
   *       that more than one row has ({@link #repeatedValues}; persisted and counted). Equal keys
   *       have equal hashes, so every duplicate is among these rows; one long instead of the nine
   *       key columns shuffles a long per row and compares no row by its key;</li>
   *   <li>the rows with such a hash (a semi join, broadcast while the hashes are few) are the
   *       candidates (persisted; as many as the duplicates and the rows whose hashes collide). On
   *       them only, an exact hash aggregate over the key columns and a packed record reference
   *       finds the groups of more than one row, so that rows whose hashes collide but whose keys
   *       differ are all kept, and a self-join of the candidates finds each group's losers.</li>
   * </ol>
   * A left anti join, broadcast while the losers are few, removes the losers from the full rows.
   * The two sides of the self-join are aliased ({@code r}, {@code g}): {@code groups} keeps the key
   * columns of the candidates, so unqualified they would be one column compared with itself. Each
   * step is materialized before the next is planned, so that its joins are planned with the real
   * size: a broadcast join while the side is small (no shuffle of the rows), a sort-merge join
   * otherwise.
   *
   * @param rows rows with source_id (int), source_record (long) and the {@code key} columns
   * @return the kept rows (same columns) and the persisted losers (the caller releases them)
   */
  static DedupResult dropExactDuplicates(Dataset<Row> rows, List<String> key) {
    Column[] keyCols = key.stream().map(c -> col(c)).toArray(Column[]::new);
    Column hash = xxhash64(keyCols);
    Dataset<Row> sharedHashes = repeatedValues(rows.select(hash.as("_key_hash")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    sharedHashes.count();
    Dataset<Row> candidates = rows.withColumn("_key_hash", hash).join(sharedHashes, "_key_hash", "left_semi")
        .drop("_key_hash")
        .withColumn("ref", ref()).persist(StorageLevel.MEMORY_AND_DISK());
    candidates.count();
    sharedHashes.unpersist();
    Dataset<Row> groups = candidates.groupBy(keyCols)
        .agg(min("ref").as("keep_ref"), count(lit(1)).as("n"))
        .filter(col("n").gt(1))
        .persist(StorageLevel.MEMORY_AND_DISK());
    groups.count();
    Column match = key.stream().map(c -> col("r.`" + c + "`").eqNullSafe(col("g.`" + c + "`")))
        .reduce(Column::and).orElseThrow();
    Dataset<Row> loserRefs = candidates.alias("r").join(groups.alias("g"), match, "inner")
        .filter(col("r.ref").notEqual(col("g.keep_ref")))
        .select(col("r.ref").as("ref"), col("r.source_id").as("source_id"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    loserRefs.count();
    groups.unpersist();
    candidates.unpersist();
    Dataset<Row> kept = rows.withColumn("ref", ref()).join(loserRefs.select("ref"), "ref", "left_anti").drop("ref");
    return new DedupResult(kept, loserRefs);
  }

  /**
   * The values of a one-column long frame that occur more than once, each once: the values are
   * shuffled by value, sorted within each partition (Spark's external sorter, which spills to disk
   * past its memory), and equal neighbours counted. No hash aggregate: when nearly every value is
   * unique (key hashes of rows of which a few are duplicates), a map-side partial aggregate only
   * adds a hash-map look-up per row and shrinks nothing, and the final one looks each value up
   * again. On 30 M simulated rows the sort took a third less wall time than the two aggregates
   * (issue 14; README, Benchmarks).
   *
   * @param values a frame of one non-null long column
   * @return the repeated values, one row each, in a frame of the same schema
   */
  static Dataset<Row> repeatedValues(Dataset<Row> values) {
    Column v = col(values.columns()[0]);
    Dataset<Row> sorted = values.repartition(v).sortWithinPartitions(v);
    org.apache.spark.rdd.RDD<InternalRow> repeated = sorted.queryExecution().toRdd().toJavaRDD()
        .mapPartitions(RepeatedLongs::new).rdd();
    return RowBlocks.internalFrame(values.sparkSession(), repeated, values.schema());
  }

  /** Over rows sorted by their long column 0: one new row per value that two or more rows have. */
  private static final class RepeatedLongs extends PullIterator<InternalRow, InternalRow> {
    private long value;
    private long run;

    RepeatedLongs(Iterator<InternalRow> sorted) {
      super(sorted);
    }

    @Override
    protected void accept(InternalRow row) {
      long x = row.getLong(0);
      if (run > 0 && x == value) {
        run++;
        return;
      }
      endRun();
      value = x;
      run = 1;
    }

    @Override
    protected void finish() {
      endRun();
    }

    private void endRun() {
      if (run > 1) {
        UnsafeRow out = new UnsafeRow(1);
        out.pointTo(new byte[16], 16);
        out.setLong(0, value);
        emit(out);
      }
      run = 0;
    }
  }

  /** A record's reference: source_id in the high bits, source_record (a byte offset below 2^40) below. */
  private static Column ref() {
    return col("source_id").cast("long").multiply(1L << 40).plus(col("source_record"));
  }

  /** Deduplicated static rows with their source path and {@code runId}, in {@link Tables#STATIC_SCHEMA} columns. */
  static Dataset<Row> statics(Dataset<Row> kept, Dataset<Row> sourceNames, String runId) {
    return kept.join(sourceNames, "source_id").withColumn("run_id", lit(runId))
        .select(columns(Tables.STATIC_SCHEMA));
  }

  /**
   * Deduplicated position rows with their source path, enriched from {@code enrichFrom} when it is
   * not null, with {@code runId} and {@code date}, in {@link Tables#POSITIONS_SCHEMA} columns.
   *
   * @param enrichFrom static rows ({@link Tables#STATIC_SCHEMA}), or null for no enrichment
   */
  static Dataset<Row> positions(Dataset<Row> kept, Dataset<Row> sourceNames, Dataset<Row> enrichFrom,
      String runId) {
    Dataset<Row> positions = kept.join(sourceNames, "source_id");
    if (enrichFrom != null) {
      positions = enrich(positions, enrichFrom, STATIC_COLS);
    }
    return positions.withColumn("run_id", lit(runId)).withColumn("date", to_date(col("ts")))
        .select(columns(Tables.POSITIONS_SCHEMA));
  }

  /**
   * Fills null static fields of positions as of their time: from the latest static report of the
   * same MMSI whose ts is at or before the position's ts (ties: the smallest source, then
   * source_record). A report without ts fills nothing, nor does one later than the position;
   * {@code ais_class} is never filled. As of the position, not the MMSI's latest report overall:
   * then a day ingested before the next day's reports arrive gets the same values as one run over
   * all the days (issue 14, incremental = full), and a position never carries a name or draught
   * broadcast after it.
   *
   * <p>One window over the positions and the reports together, partitioned by MMSI and ordered by
   * time (a report before a position of the same ts), carries the last report forward.
   *
   * @param positions rows with mmsi (long), ts (timestamp), source, source_record and the
   *     {@code staticCols}
   * @param statics rows of {@link Tables#STATIC_SCHEMA}
   * @return the positions' columns, static fields filled where null
   */
  static Dataset<Row> enrich(Dataset<Row> positions, Dataset<Row> statics, String[] staticCols) {
    String[] filled = Arrays.stream(staticCols).filter(c -> !c.equals("ais_class")).toArray(String[]::new);
    Dataset<Row> reports = statics.filter(col("ts").isNotNull())
        .select(col("mmsi"), col("ts"), col("source"), col("source_record"), lit(0).as("_position"),
            struct(Arrays.stream(filled).map(c -> col(c)).toArray(Column[]::new)).as("_report"));
    Dataset<Row> rows = positions.withColumn("_position", lit(1))
        .withColumn("_report", lit(null).cast(reports.schema().apply("_report").dataType()))
        .unionByName(reports, true);
    WindowSpec asOf = Window.partitionBy("mmsi")
        .orderBy(col("ts"), col("_position"), col("source").desc(), col("source_record").desc())
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    Dataset<Row> j = rows.withColumn("_report", last(col("_report"), true).over(asOf))
        .filter(col("_position").equalTo(1));
    for (String c : filled) {
      j = j.withColumn(c, coalesce(col(c), col("_report").getField(c)));
    }
    return j.drop("_position", "_report");
  }

  /** The reject rows of {@code parsed} with their source path and {@code runId}, in {@link Tables#REJECTS_SCHEMA} columns. */
  static Dataset<Row> rejects(Dataset<Row> parsed, Dataset<Row> sourceNames, String runId) {
    return ofKind(parsed, Rows.KIND_REJECT).join(sourceNames, "source_id")
        .withColumn("run_id", lit(runId)).select(columns(Tables.REJECTS_SCHEMA));
  }

  private static Column[] columns(StructType schema) {
    return Arrays.stream(schema.fieldNames()).map(c -> col(c)).toArray(Column[]::new);
  }
}
