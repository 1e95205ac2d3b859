package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.DedupResult;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.ParsedCounts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 1, ingest: raw AIS files to {@code ais_positions}, {@code ais_static} and
 * {@code ais_rejects}.
 *
 * <p>Inputs are files, directories (recursed; names starting with '.' or '_' are skipped, as in
 * Hadoop; symbolic link cycles and second paths of a file already listed are skipped and counted as
 * {@code inputs_skipped.<why>}) or globs, on any Hadoop file system. {@code .gz} and {@code .bz2}
 * files are decompressed (one task each, offsets in the uncompressed text); each file entry of a
 * {@code .zip} archive is a source of its own, {@code <zip path>!/<entry name>}. The format of each
 * file is detected from its first (decompressed) 64 KiB (MarineCadastre CSV of any year, DMA aisdk
 * CSV, NMEA 0183 AIVDM/AIVDO logs, JSON lines) or forced, and so is its text encoding
 * ({@code ingest.encoding}: UTF-8, else Windows-1252); unknown CSV header names are mapped with
 * {@code ingest.columns}.
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
 * the same MMSI at or before the position's time, from this run and the {@code ais_static} table:
 * as of the position, so that ingesting day by day gives the same rows as one run over all days.
 *
 * <p>The stage reads with {@link IngestSource}, transforms with {@link IngestTransforms} and
 * writes with {@link IngestSink}. It parses each file once, into a persisted cache of Spark's
 * binary rows ({@link RowBlocks}, positions in blocks of their own) that the counts, the duplicate
 * detection and the writes read. Input files must not change while the stage runs: a task that
 * finds its file changed since the listing (a retried task, or one recomputing a lost block of the
 * cache) fails the run.
 */
public final class IngestStage extends AbstractStage<IngestResult> {
  private final List<String> inputs;
  private final String format;

  /**
   * The ingest stage with its options.
   *
   * @param inputs input files, directories or globs (local, s3a://, dbfs:)
   * @param format {@code auto}, {@code marinecadastre}, {@code dma}, {@code nmea}, or null for auto
   */
  public IngestStage(List<String> inputs, String format) {
    super("ingest", List.of(Tables.STATIC), List.of(Tables.POSITIONS, Tables.STATIC, Tables.REJECTS));
    this.inputs = List.copyOf(inputs);
    this.format = format;
  }

  /**
   * Runs the stage: lists and parses the inputs, counts, deduplicates and enriches, inserts the new
   * rows, and reports per file.
   *
   * @throws IllegalArgumentException when an input path matches nothing or the format is unknown
   */
  @Override
  public IngestResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    SparkSession spark = ctx.spark();
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    IngestSource.Plan plan = IngestSource.plan(hconf, inputs, format, ctx.config().ingest,
        java.time.Instant.ofEpochMilli(t0));
    try (IngestSource.Parsed parsed = IngestSource.read(spark, hconf, plan)) {
      IngestResult result = ingest(spark, ctx.lakehouse(), parsed, plan.sources(),
          plan.formatOf(), plan.skippedInputs(), ctx.runId());
      result.report().elapsedMs(System.currentTimeMillis() - t0);
      return result;
    }
  }

  /** Counts, deduplicates, enriches and writes the parsed rows; the report without its elapsed time. */
  private static IngestResult ingest(SparkSession spark, Lakehouse lh, IngestSource.Parsed parsed,
      List<String> sources, Map<String, String> formatOf, Map<String, Long> skippedInputs, String runId) {
    // transforms: per (source, kind) counts (the action that parses), then the rows of each table
    long tParse = System.nanoTime();
    ParsedCounts counts = IngestTransforms.countParsed(parsed.positions(), parsed.others(), sources, formatOf);
    long tDedup = System.nanoTime();
    double parseS = (tDedup - tParse) / 1e9;

    Dataset<Row> sourceNames = IngestTransforms.sourceNames(spark, sources);
    DedupResult pos = IngestTransforms.dropExactDuplicates(parsed.positions(), Tables.POSITION_KEY);
    DedupResult sta = IngestTransforms.dropExactDuplicates(IngestTransforms.ofKind(parsed.others(), Rows.KIND_STATIC),
        Tables.STATIC_KEY);
    Dataset<Row> statics = IngestTransforms.statics(sta.kept(), sourceNames, runId)
        .persist(StorageLevel.MEMORY_AND_DISK());
    long staticsParsed = counts.staticsParsed();
    Dataset<Row> enrichFrom = null;
    Dataset<Row> stored = lh.exists(Tables.STATIC) ? lh.read(Tables.STATIC) : null;
    if (stored != null && stored.isEmpty()) {
      stored = null;
    }
    if (staticsParsed > 0 || stored != null) {
      enrichFrom = stored != null ? statics.unionByName(stored) : statics;
    }
    Dataset<Row> positions = IngestTransforms.positions(pos.kept(), sourceNames, enrichFrom, runId);
    try {
      Map<Integer, Long> posDup = pos.duplicatesBySource();
      Map<Integer, Long> staDup = sta.duplicatesBySource();
      long tWrite = System.nanoTime();
      double dedupS = (tWrite - tDedup) / 1e9;

      // sink
      IngestSink.Written written = new IngestSink(lh).write(positions, statics, staticsParsed > 0,
          IngestTransforms.rejects(parsed.others(), sourceNames, runId));
      double writeS = (System.nanoTime() - tWrite) / 1e9;

      return result(sources, formatOf, skippedInputs, counts, posDup, staDup, written, parseS, dedupS, writeS);
    } finally {
      statics.unpersist();
      pos.release();
      sta.release();
    }
  }

  /** The report (totals, reasons, per-file table) and the typed result built from the same figures. */
  private static IngestResult result(List<String> sources, Map<String, String> formatOf,
      Map<String, Long> skippedInputs, ParsedCounts counts,
      Map<Integer, Long> posDup, Map<Integer, Long> staDup, IngestSink.Written written, double parseS,
      double dedupS, double writeS) {
    StageReport rep = new StageReport("ingest");
    List<List<Object>> fileRows = new ArrayList<>();
    long lines = 0, posN = 0, sta0 = 0, rej = 0, dup = 0, skip = 0;
    for (int id = 0; id < sources.size(); id++) {
      String src = sources.get(id);
      FileCounts c = counts.perFile().getOrDefault(src, new FileCounts());
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
    rep.put("files", sources.size());
    skippedInputs.forEach((k, v) -> rep.put("inputs_skipped." + k, v));
    rep.put("lines_read", lines)
        .put("positions_accepted", posN)
        .put("static_accepted", sta0)
        .put("rejected", rej)
        .put("duplicates_dropped", dup)
        .put("lines_skipped", skip)
        .put("positions_new_in_table", written.positions())
        .put("static_new_in_table", written.statics())
        .put("rejects_new_in_table", written.rejects())
        .put("phase_parse_s", parseS)
        .put("phase_dedup_s", dedupS)
        .put("phase_write_s", writeS);
    counts.rejectsByReason().forEach((k, v) -> rep.put("rejected." + k, v));
    counts.skippedByKind().forEach((k, v) -> rep.put("skipped." + k, v));
    counts.notesByKind().forEach((k, v) -> rep.put("noted." + k, v));
    rep.table("per file (lines = positions + static + rejected + duplicates + skipped; whole-file rejects count 0 lines)",
        List.of("file", "format", "lines", "positions", "static", "rejected", "duplicates", "skipped"), fileRows);
    return new IngestResult(sources.size(), lines, posN, sta0, rej, dup, skip, written.positions(),
        written.statics(), written.rejects(), rep);
  }

  /**
   * The file name with its parent directory, as the per-file table shows it; for an entry of a zip
   * archive, the archive's short name, {@code !/} and the entry name ({@code dir/a.zip!/d/b.csv}).
   */
  static String shortName(String src) {
    int bang = src.indexOf("!/");
    if (bang > 0) {
      return shortName(src.substring(0, bang)) + src.substring(bang);
    }
    int i = src.lastIndexOf('/');
    int j = i > 0 ? src.lastIndexOf('/', i - 1) : -1;
    return src.substring(j + 1);
  }
}
