package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.FileSpec;

import io.aisdistill.common.ais.Plausibility;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ingest.ColumnMapping;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ingest.Detection;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.util.LineReader;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
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
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
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
 * Hadoop) or globs, on any Hadoop file system. On the local file system each real file is read
 * once, by canonical path ({@code toRealPath}): a symbolic link back to a directory being listed
 * (a cycle, e.g. {@code loop -> .}) or to a file or directory already listed is skipped and
 * counted ({@link Listing#skipped}); other Hadoop file systems have no symbolic links, their paths
 * are kept as listed.
 *
 * <p>Files named {@code .gz}, {@code .bz2} (any suffix Hadoop's {@link CompressionCodecFactory}
 * knows) are decompressed; their format is detected from the decompressed head and each is read
 * by one task, so {@code source_record} is the byte offset in the uncompressed text, as for the
 * same file uncompressed. A {@code .zip} archive is read entry by entry, each entry a source of its
 * own named {@code <zip path>!/<entry name>} (as in a jar URL), detected and parsed like a plain
 * file; directories inside are skipped; the whole archive is read by one task
 * ({@link java.util.zip.ZipInputStream} over the Hadoop file system), offsets per entry.
 *
 * <p>The format of each source is detected from its first {@link #HEAD_BYTES} bytes or forced. A
 * source that cannot be read as any format becomes one reject row (source_record -1), and so is
 * its text encoding ({@code ingest.encoding}). Plain CSV and JSON-lines files are split across
 * tasks (one record per line, byte offsets as {@code source_record}); so is a plain NMEA file, each
 * split re-reading a bounded context before its start and reading ahead to finish its
 * multi-sentence messages ({@link NmeaSplits}), with the rows of a one-task read.
 */
final class IngestSource {
  private static final Logger LOG = LoggerFactory.getLogger(IngestSource.class);

  private IngestSource() {}

  /** Bytes read from each file to detect its format. */
  static final int HEAD_BYTES = 64 * 1024;

  /**
   * The input files and how each is read.
   *
   * @param files every input file (zip archives included), sorted by path
   * @param sources source path by source_id: the files and zip entries, sorted by path
   * @param specs readable sources by {@link IngestTransforms#key}
   * @param formatOf per source path, its format name (with the encoding in parentheses when it is
   *     not UTF-8: {@code DMA_CSV (windows-1252)}) or "rejected: REASON"
   * @param fileRejects one {@link Rows#PARSED_SCHEMA} reject row per unreadable source
   * @param settings the {@code ingest} configuration the parsers read
   * @param rules the plausibility rules of this run (time range from {@code settings} and the run's
   *     start)
   * @param zips the zip archives with at least one readable entry, sorted
   * @param skippedInputs inputs not read, by why ({@link Listing#skipped})
   */
  record Plan(List<FileStatus> files, List<String> sources, Map<String, FileSpec> specs,
      Map<String, String> formatOf, List<Row> fileRejects, PipelineConfig.IngestSection settings,
      Plausibility rules, List<Path> zips, Map<String, Long> skippedInputs) {}

  /**
   * The listed input files.
   *
   * @param files every file to read, each real file once, sorted by path
   * @param skipped inputs not read, by why (sorted): {@code symlink_cycle} (a link to a directory
   *     being listed), {@code same_dir} (a link to a directory already listed elsewhere),
   *     {@code same_file} (a second path of a file already listed), {@code broken_symlink}
   */
  record Listing(List<FileStatus> files, Map<String, Long> skipped) {}

  /**
   * One source to plan: a file or a zip entry, with the head its format is detected from.
   *
   * @param zip the archive of a zip entry, else null
   * @param failed why it cannot be read at all (before detection), else null
   */
  private record Source(String path, String key, String name, byte[] head, Path zip, Detection failed) {}

  /**
   * The parsed rows of every input file, parsed once and persisted (memory and disk) as blocks of
   * Spark's binary rows ({@link RowBlocks}: the positions' blocks apart from the other kinds'), and
   * the broadcast plan the tasks read; {@link #close} unpersists and destroys them. Each of the
   * two views reads the persisted blocks; a lost block is parsed again from its split. Together
   * the views hold every {@link Rows#PARSED_SCHEMA} row: one per line plus one per whole-file reject.
   *
   * @param positions the rows of kind P (positions) only, from their own blocks
   * @param others the rows of every other kind (static reports, rejects, skipped lines, notes),
   *     from their own blocks
   * @param blocks the persisted blocks under the two views
   * @param conf the Hadoop configuration the tasks open and look up files with
   * @param versions the listed length and modification time of every input file
   *     ({@link #requireUnchanged})
   */
  record Parsed(Dataset<Row> positions, Dataset<Row> others, JavaRDD<byte[]> blocks,
      Broadcast<Map<String, FileSpec>> specs, Broadcast<PipelineConfig.IngestSection> settings,
      Broadcast<Plausibility> rules, Broadcast<SerializableConfiguration> conf,
      Broadcast<Map<String, FileVersion>> versions) implements AutoCloseable {
    @Override
    public void close() {
      blocks.unpersist();
      specs.destroy();
      settings.destroy();
      rules.destroy();
      conf.destroy();
      versions.destroy();
    }
  }

  /**
   * Lists the inputs and detects each source's format from its head: a plain file's first bytes, a
   * compressed file's first decompressed bytes, or, for a zip archive, each file entry's (the
   * archive is read through once here, to list its entries).
   *
   * @param inputs files, directories or globs
   * @param forcedFormat null or {@code auto} to detect per file, else an {@link InputFormat} name for every file
   * @param settings the {@code ingest} configuration: {@code encoding} ({@link TextEncoding}: per
   *     file from its head, or one charset) and {@code columns} ({@link ColumnMapping}), both
   *     applied to detection here and to parsing in {@link IngestTransforms#parse}
   * @param runStart the run's start (the upper end of the plausible time range is relative to it)
   * @throws IllegalArgumentException when an input path matches nothing, the format is unknown,
   *     {@code ingest.encoding} is not a usable charset or {@code ingest.columns} names an unknown
   *     column, or {@code ingest.nmea.lookback_bytes} is below 1
   */
  static Plan plan(Configuration hconf, List<String> inputs, String forcedFormat,
      PipelineConfig.IngestSection settings, Instant runStart) {
    Plausibility rules = Plausibility.of(settings.minTime, settings.maxTimeAheadS, runStart);
    if (settings.nmea.lookbackBytes < 1) {
      throw new IllegalArgumentException("ingest.nmea.lookback_bytes must be at least 1: " + settings.nmea.lookbackBytes);
    }
    InputFormat forced = forcedFormat == null || forcedFormat.equalsIgnoreCase("auto")
        ? null : InputFormat.parse(forcedFormat);
    Charset configured = TextEncoding.configured(settings.encoding);
    ColumnMapping columns = ColumnMapping.of(settings.columns);
    Listing listing = expand(hconf, inputs);
    CompressionCodecFactory codecs = new CompressionCodecFactory(hconf);

    List<Source> planned = new ArrayList<>();
    for (FileStatus f : listing.files()) {
      if (isZip(hconf, f)) {
        planned.addAll(zipEntries(hconf, f));
      } else {
        planned.add(fileHead(hconf, codecs, f));
      }
    }
    planned.sort((a, b) -> a.path().compareTo(b.path()));

    Map<String, FileSpec> specs = new HashMap<>();
    List<Row> fileRejects = new ArrayList<>();
    Map<String, String> formatOf = new TreeMap<>();
    Set<Path> zips = new TreeSet<>();
    List<String> sources = new ArrayList<>(); // index = source_id; sorted by path
    for (Source src : planned) {
      int id = sources.size();
      sources.add(src.path());
      byte[] head = src.head();
      // the head holds the whole source when it is shorter than HEAD_BYTES
      Charset cs = TextEncoding.of(configured, head, head.length, head.length < HEAD_BYTES);
      Detection d = src.failed() != null ? src.failed()
          : FormatDetector.detect(src.name(), head, head.length, cs, columns);
      InputFormat fmt = d.format();
      if (forced != null && head.length > 0 && src.failed() == null) {
        fmt = forced;
      }
      if (fmt == null) {
        String excerpt = new String(head, 0, Math.min(head.length, 200), StandardCharsets.ISO_8859_1)
            .replaceAll("[^\\x20-\\x7e]", "?");
        fileRejects.add(Rows.parsed(RejectRecord.of(src.path(), -1, excerpt, d.reason(), d.detail()), id));
        formatOf.put(src.path(), "rejected: " + d.reason());
      } else {
        specs.put(src.key(), new FileSpec(id, src.path(), fmt, firstLine(head, cs), cs.name(), configured == null));
        // the encoding is shown when it is not UTF-8 (the default): "DMA_CSV (windows-1252)"
        formatOf.put(src.path(), cs.equals(StandardCharsets.UTF_8) ? fmt.name()
            : fmt.name() + " (" + TextEncoding.label(cs) + ")");
        if (src.zip() != null) {
          zips.add(src.zip());
        }
      }
    }
    return new Plan(listing.files(), sources, specs, formatOf, fileRejects, settings, rules, List.copyOf(zips),
        listing.skipped());
  }

  /** A zip archive: named {@code .zip} and starting with a local file header ({@code PK\3\4}). */
  private static boolean isZip(Configuration conf, FileStatus f) {
    if (!f.getPath().getName().toLowerCase(Locale.ROOT).endsWith(".zip") || f.getLen() < 4) {
      return false;
    }
    byte[] magic = readHead(conf, null, f, 4);
    return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
  }

  /**
   * A plain or compressed file and its (decompressed) head; a compressed file whose head cannot be
   * decompressed is an unreadable source ({@link RejectReason#UNSUPPORTED_FORMAT}).
   */
  private static Source fileHead(Configuration conf, CompressionCodecFactory codecs, FileStatus f) {
    String path = f.getPath().toString();
    String key = IngestTransforms.key(f.getPath());
    CompressionCodec codec = codecs.getCodec(f.getPath());
    if (codec == null) {
      return new Source(path, key, f.getPath().getName(), readHead(conf, null, f, HEAD_BYTES), null, null);
    }
    try {
      return new Source(path, key, f.getPath().getName(), readHead(conf, codec, f, HEAD_BYTES), null, null);
    } catch (IllegalStateException e) {
      return new Source(path, key, f.getPath().getName(), readHead(conf, null, f, 200), null,
          Detection.rejected(RejectReason.UNSUPPORTED_FORMAT,
              "cannot decompress (" + codec.getDefaultExtension() + "): " + e.getCause().getMessage()));
    }
  }

  /**
   * The entries of a zip archive, each with its head; directories skipped. An archive that cannot
   * be read to its end (corrupt or truncated), or has no file entries, is one unreadable source of
   * its own path (the task-side guard, {@link Guarded}, then only covers a stream that breaks later).
   */
  private static List<Source> zipEntries(Configuration conf, FileStatus f) {
    Path zip = f.getPath();
    List<Source> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    try (ZipInputStream in = new ZipInputStream(new BufferedInputStream(
        zip.getFileSystem(conf).open(zip), 1 << 16))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.isDirectory()) {
          continue;
        }
        if (!names.add(e.getName())) {
          throw new IOException("entry name " + e.getName() + " occurs twice");
        }
        out.add(new Source(zip + "!/" + e.getName(), IngestTransforms.key(zip, e.getName()), e.getName(),
            readFully(in, HEAD_BYTES), zip, null));
      }
    } catch (IOException e) {
      return List.of(new Source(zip.toString(), IngestTransforms.key(zip), zip.getName(),
          readHead(conf, null, f, 200), null,
          Detection.rejected(RejectReason.UNSUPPORTED_FORMAT, "unreadable zip archive: " + e.getMessage())));
    }
    if (out.isEmpty()) {
      return List.of(new Source(zip.toString(), IngestTransforms.key(zip), zip.getName(), new byte[0], null,
          Detection.rejected(RejectReason.EMPTY_FILE, "zip archive without file entries")));
    }
    return out;
  }

  /**
   * Reads every planned source as parsed rows (plain CSV, JSON-lines and NMEA files split across
   * tasks, NMEA by {@link NmeaSplits}; each compressed file and zip archive in one task), after the
   * whole-file rejects. The rows are parsed once, by the stage's first action, and persisted
   * (memory and disk) as {@link RowBlocks}, which every later pass (counts, duplicate detection,
   * the writes) reads. Every task first checks that its file is the one listed
   * ({@link #requireUnchanged}).
   */
  static Parsed read(SparkSession spark, Configuration hconf, Plan plan) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<String, FileSpec>> bspecs = jsc.broadcast(plan.specs());
    Broadcast<PipelineConfig.IngestSection> bsettings = jsc.broadcast(plan.settings());
    Broadcast<Plausibility> brules = jsc.broadcast(plan.rules());
    CompressionCodecFactory codecs = new CompressionCodecFactory(hconf);
    List<Path> csv = new ArrayList<>();
    List<Path> nmea = new ArrayList<>();
    List<Path> whole = new ArrayList<>();
    for (FileStatus f : plan.files()) {
      FileSpec s = plan.specs().get(IngestTransforms.key(f.getPath()));
      if (s != null) {
        // a compressed file is one split, so offsets stay those of the uncompressed text
        (codecs.getCodec(f.getPath()) != null ? whole : s.format() == InputFormat.NMEA ? nmea : csv).add(f.getPath());
      }
    }
    Broadcast<SerializableConfiguration> bconf = jsc.broadcast(new SerializableConfiguration(hconf));
    Map<String, FileVersion> versions = new HashMap<>();
    for (FileStatus f : plan.files()) {
      versions.put(IngestTransforms.key(f.getPath()), new FileVersion(f.getLen(), f.getModificationTime()));
    }
    Broadcast<Map<String, FileVersion>> bversions = jsc.broadcast(versions);
    JavaRDD<Row> rows = jsc.parallelize(plan.fileRejects(), 1);
    if (!csv.isEmpty()) {
      rows = rows.union(lines(jsc, hconf, csv, false).mapPartitionsWithInputSplit(
          (split, it) -> {
            requireUnchanged(((FileSplit) split).getPath(), bconf.value().value(), bversions.value());
            return IngestTransforms.parse(split, it, bspecs.value(), bsettings.value(), brules.value());
          }, false));
    }
    if (!nmea.isEmpty()) {
      // the splits' own line iterators go unused: NmeaSplits reads each split with look-back and read-ahead
      rows = rows.union(lines(jsc, hconf, nmea, false).mapPartitionsWithInputSplit(
          (split, it) -> {
            requireUnchanged(((FileSplit) split).getPath(), bconf.value().value(), bversions.value());
            return NmeaSplits.parse((FileSplit) split, bconf.value().value(), bspecs.value(), bsettings.value(),
                brules.value());
          }, false));
    }
    if (!whole.isEmpty()) {
      rows = rows.union(lines(jsc, hconf, whole, true).mapPartitionsWithInputSplit(
          (split, it) -> {
            requireUnchanged(((FileSplit) split).getPath(), bconf.value().value(), bversions.value());
            FileSpec spec = bspecs.value().get(IngestTransforms.key(((FileSplit) split).getPath()));
            if (spec == null) {
              throw new IllegalStateException("no format planned for " + ((FileSplit) split).getPath());
            }
            return Guarded.parse(spec, it, bsettings.value(), brules.value());
          }, false));
    }
    if (!plan.zips().isEmpty()) {
      List<String> zips = plan.zips().stream().map(Path::toString).toList();
      rows = rows.union(jsc.parallelize(zips, zips.size()).mapPartitions(it -> {
        List<String> mine = new ArrayList<>();
        it.forEachRemaining(mine::add);
        for (String z : mine) {
          requireUnchanged(new Path(z), bconf.value().value(), bversions.value());
        }
        return new ZipRows(mine.iterator(), bconf.value().value(), bspecs.value(), bsettings.value(), brules.value());
      }));
    }
    // parsed once: the rows as Spark's binary rows in byte-array blocks, positions and the rest apart
    JavaRDD<byte[]> blocks = rows.mapPartitions(it -> RowBlocks.pack(it, Rows.PARSED_SCHEMA, Rows::isPosition))
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Parsed(RowBlocks.frame(spark, blocks, Rows.PARSED_SCHEMA, RowBlocks.TAG_TRUE),
        RowBlocks.frame(spark, blocks, Rows.PARSED_SCHEMA, RowBlocks.TAG_FALSE),
        blocks, bspecs, bsettings, brules, bconf, bversions);
  }

  /**
   * A file's length and modification time as listed when the run was planned.
   *
   * @param length bytes
   * @param modifiedMs modification time, epoch milliseconds (as the file system reports it)
   */
  record FileVersion(long length, long modifiedMs) implements java.io.Serializable {}

  /**
   * Fails a task whose file is not the one the run planned. A task that is retried, or whose
   * persisted blocks were lost (an executor gone), reads its split again: every read must see the
   * planned bytes, or the per-file accounting would not describe the rows written. A file being
   * appended to (a live NMEA log) is read once it is closed, or a finished copy of it.
   *
   * @param path the file a task is about to read
   * @param conf the Hadoop configuration to look it up with
   * @param planned the listing's {@link FileVersion} by {@link IngestTransforms#key}
   * @throws IllegalStateException when its length or modification time differ from the listing's
   * @throws UncheckedIOException when it can no longer be looked up (deleted, unreachable)
   */
  static void requireUnchanged(Path path, Configuration conf, Map<String, FileVersion> planned) {
    FileVersion was = planned.get(IngestTransforms.key(path));
    if (was == null) {
      return;
    }
    FileStatus now;
    try {
      now = path.getFileSystem(conf).getFileStatus(path);
    } catch (IOException e) {
      throw new UncheckedIOException("input file " + path + " can no longer be read while ingest runs: "
          + e.getMessage(), e);
    }
    if (now.getLen() != was.length() || now.getModificationTime() != was.modifiedMs()) {
      throw new IllegalStateException("input file " + path + " changed while ingest ran (listed: "
          + was.length() + " bytes, modified " + Instant.ofEpochMilli(was.modifiedMs()) + "; now: " + now.getLen()
          + " bytes, modified " + Instant.ofEpochMilli(now.getModificationTime())
          + "); its rows would not match its counts. Ingest a file once it is complete.");
    }
  }

  /** Text lines of {@code paths} as (byte offset, line); with {@code wholeFiles} no file is split. */
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
   * The parsed rows of the zip archives of one task, lazily: each archive is read once, in order,
   * through a {@link ZipInputStream}; the lines of every planned entry, as (byte offset in the
   * entry, line) the way Hadoop's {@code LineRecordReader} reads a file (LF, CR or CRLF ends a
   * line; a UTF-8 byte order mark is dropped from the first line but counted in the offsets), go
   * to {@link IngestTransforms#parse(FileSpec, Iterator, PipelineConfig.IngestSection, Plausibility)}. Entries
   * that are directories or not planned (whole-file rejects) are passed over.
   */
  static final class ZipRows implements Iterator<Row> {
    private final Iterator<String> zips;
    private final Configuration conf;
    private final Map<String, FileSpec> specs;
    private final PipelineConfig.IngestSection settings;
    private final Plausibility rules;
    private ZipInputStream in;
    private Path zip;
    private Iterator<Row> rows = Collections.emptyIterator();
    private Guarded broken;

    /**
     * @param zips zip archive paths
     * @param conf the Hadoop configuration to open them with
     * @param specs planned sources by {@link IngestTransforms#key}
     * @param settings the {@code ingest} configuration
     * @param rules the plausibility rules every record passes
     */
    ZipRows(Iterator<String> zips, Configuration conf, Map<String, FileSpec> specs,
        PipelineConfig.IngestSection settings, Plausibility rules) {
      this.zips = zips;
      this.conf = conf;
      this.specs = specs;
      this.settings = settings;
      this.rules = rules;
    }

    /** @throws UncheckedIOException when an archive cannot be read */
    @Override
    public boolean hasNext() {
      try {
        while (!rows.hasNext()) {
          if (broken != null && broken.error != null && in != null) {
            // the archive's stream broke inside an entry: the rest of the archive is unreadable
            in.close();
            in = null;
          }
          broken = null;
          if (in == null) {
            if (!zips.hasNext()) {
              return false;
            }
            zip = new Path(zips.next());
            in = new ZipInputStream(new BufferedInputStream(zip.getFileSystem(conf).open(zip), 1 << 16));
          }
          ZipEntry e = in.getNextEntry();
          if (e == null) {
            in.close();
            in = null;
            continue;
          }
          FileSpec spec = e.isDirectory() ? null : specs.get(IngestTransforms.key(zip, e.getName()));
          if (spec != null) {
            Guarded lines = new Guarded(new EntryLines(in));
            rows = lines.parse(spec, settings, rules);
            broken = lines;
          }
        }
        return true;
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot read zip archive " + zip + ": " + ex.getMessage(), ex);
      }
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return rows.next();
    }
  }

  /**
   * Lines of a compressed file or zip entry that end, instead of failing the task, where the
   * stream breaks (a truncated or corrupt {@code .gz}, {@code .bz2} or zip entry after a readable
   * head): what was read is parsed, and the rest of the source becomes one
   * {@link RejectReason#TRUNCATED_RECORD} reject at the offset just past the last line read.
   */
  static final class Guarded implements Iterator<Tuple2<LongWritable, Text>> {
    private final Iterator<Tuple2<LongWritable, Text>> lines;
    private long end;
    /** Why the stream broke, or null. */
    String error;

    /** @param lines (byte offset, line) pairs whose iteration may throw an IOException */
    Guarded(Iterator<Tuple2<LongWritable, Text>> lines) {
      this.lines = lines;
    }

    /** The parsed rows of {@code lines}, then the reject of a broken stream, if any. */
    static Iterator<Row> parse(FileSpec spec, Iterator<Tuple2<LongWritable, Text>> lines,
        PipelineConfig.IngestSection settings, Plausibility rules) {
      return new Guarded(lines).parse(spec, settings, rules);
    }

    /** These lines parsed as {@code spec}, then the reject of a broken stream, if any (lazy). */
    Iterator<Row> parse(FileSpec spec, PipelineConfig.IngestSection settings, Plausibility rules) {
      Iterator<Row> parsed = IngestTransforms.parse(spec, this, settings, rules);
      return new Iterator<>() {
        boolean rejected;

        @Override
        public boolean hasNext() {
          return parsed.hasNext() || (error != null && !rejected);
        }

        @Override
        public Row next() {
          if (parsed.hasNext()) {
            return parsed.next();
          }
          if (error == null || rejected) {
            throw new NoSuchElementException();
          }
          rejected = true;
          LOG.warn("{}: stream ends early after byte {} of the text: {}", spec.path(), end, error);
          return Rows.parsed(RejectRecord.of(spec.path(), end, "", RejectReason.TRUNCATED_RECORD,
              "compressed stream unreadable after byte " + end + " of the text: " + error), spec.id());
        }
      };
    }

    @Override
    public boolean hasNext() {
      if (error != null) {
        return false;
      }
      try {
        return lines.hasNext();
      } catch (Exception e) {
        // Hadoop's record reader throws IOException undeclared (through Scala); the zip lines wrap it
        if (!(e instanceof IOException) && !(e instanceof UncheckedIOException)) {
          throw e;
        }
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
        return false;
      }
    }

    @Override
    public Tuple2<LongWritable, Text> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Tuple2<LongWritable, Text> t = lines.next();
      end = t._1().get() + t._2().getLength();
      return t;
    }
  }

  /** (byte offset, line) pairs of the current entry of a zip stream, as {@code LineRecordReader} reads a file. */
  private static final class EntryLines extends OffsetLines {
    /** @param entry a zip stream positioned at the start of an entry's data */
    EntryLines(ZipInputStream entry) {
      // the reader never closes the stream; it ends at the entry's end (read returns -1)
      super(new LineReader(entry), 0);
    }
  }

  /**
   * Every file named by {@code inputs}: files as given, directories recursed, globs expanded,
   * each real file once. Names starting with '.' or '_' are skipped below a given input. On the
   * local file system a symbolic link is resolved ({@code toRealPath}): a link to a directory on
   * the path being listed (a cycle) is skipped, as is a second path to a directory or file already
   * listed; each skip is counted by kind and logged.
   *
   * @throws IllegalArgumentException when an input matches nothing
   */
  static Listing expand(Configuration conf, List<String> inputs) {
    List<FileStatus> out = new ArrayList<>();
    Map<String, Long> skipped = new TreeMap<>();
    Set<String> seenFiles = new HashSet<>();
    Set<String> seenDirs = new HashSet<>();
    try {
      for (String in : inputs) {
        Path p = new Path(in);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(p);
        if (matches == null || matches.length == 0) {
          throw new IllegalArgumentException("input not found: " + in);
        }
        for (FileStatus m : matches) {
          collect(fs, m, out, true, new ArrayDeque<>(), seenDirs, seenFiles, skipped);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list inputs: " + e.getMessage(), e);
    }
    out.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
    return new Listing(out, skipped);
  }

  private static void collect(FileSystem fs, FileStatus s, List<FileStatus> out, boolean top, Deque<String> ancestors,
      Set<String> seenDirs, Set<String> seenFiles, Map<String, Long> skipped) throws IOException {
    String name = s.getPath().getName();
    if (!top && (name.startsWith(".") || name.startsWith("_"))) {
      return;
    }
    String real = realPath(fs, s.getPath());
    if (real == null) {
      skip(skipped, "broken_symlink", s.getPath(), "target missing");
      return;
    }
    if (s.isDirectory()) {
      if (ancestors.contains(real)) {
        skip(skipped, "symlink_cycle", s.getPath(), real);
        return;
      }
      if (!seenDirs.add(real)) {
        skip(skipped, "same_dir", s.getPath(), real);
        return;
      }
      FileStatus[] children = fs.listStatus(s.getPath());
      Arrays.sort(children);
      ancestors.push(real);
      for (FileStatus c : children) {
        collect(fs, c, out, false, ancestors, seenDirs, seenFiles, skipped);
      }
      ancestors.pop();
    } else if (seenFiles.add(real)) {
      out.add(s);
    } else {
      skip(skipped, "same_file", s.getPath(), real);
    }
  }

  private static void skip(Map<String, Long> skipped, String kind, Path path, String real) {
    skipped.merge(kind, 1L, Long::sum);
    LOG.warn("input skipped ({}): {} -> {}", kind, path, real);
  }

  /**
   * The canonical path of {@code p}: on the local file system its real path (symbolic links
   * resolved), null when a link's target is missing; elsewhere (no symbolic links) the path itself.
   */
  private static String realPath(FileSystem fs, Path p) throws IOException {
    if (!"file".equals(fs.getUri().getScheme())) {
      return p.toString();
    }
    try {
      return java.nio.file.Path.of(fs.makeQualified(p).toUri()).toRealPath().toString();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * The first {@code max} bytes of a file, decompressed by {@code codec} when it is not null; a
   * compressed stream that breaks after some bytes gives those (the parse task rejects the rest).
   *
   * @throws IllegalStateException when the file cannot be read, or not a byte decompressed
   */
  private static byte[] readHead(Configuration conf, CompressionCodec codec, FileStatus f, int max) {
    int n = codec == null ? (int) Math.min(max, f.getLen()) : max;
    try (InputStream raw = f.getPath().getFileSystem(conf).open(f.getPath());
        InputStream in = codec == null ? raw : codec.createInputStream(raw)) {
      if (codec == null) {
        return readFully(in, n);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int r; out.size() < n && (r = in.read(buf, 0, Math.min(buf.length, n - out.size()))) >= 0; ) {
          out.write(buf, 0, r);
        }
      } catch (IOException e) {
        if (out.size() == 0) {
          throw e;
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + f.getPath() + ": " + e.getMessage(), e);
    }
  }

  /** Up to {@code max} bytes of {@code in} (fewer at its end). */
  private static byte[] readFully(InputStream in, int max) throws IOException {
    byte[] b = new byte[max];
    int off = 0;
    while (off < max) {
      int r = in.read(b, off, max - off);
      if (r < 0) {
        break;
      }
      off += r;
    }
    return off == max ? b : Arrays.copyOf(b, off);
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
