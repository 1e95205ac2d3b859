package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.common.ais.Plausibility;
import io.aisdistill.common.ingest.NmeaLineParser;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.FileSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.util.LineReader;
import org.apache.spark.sql.Row;

/**
 * One Hadoop split of a plain (uncompressed) NMEA file, read so that the rows of all splits
 * together are the rows of a one-task read of the file (issue 14, item 2).
 *
 * <p>A split {@code [start, end)} owns the lines that start in it. Its task reads from the first
 * line start at or after {@code start - lookback} ({@code ingest.nmea.lookback_bytes}; the file's
 * start when that is before it), so the parser has the time context ($PGHP, RMC) and the open
 * multi-sentence messages a one-task read would have at {@code start}; it reads past {@code end}
 * while a message whose fragment 1 it owns is still open ({@link NmeaLineParser#awaitingOwned},
 * at most {@code lookback} bytes past that fragment). What the lines before {@code start} and from
 * {@code end} on produce is dropped ({@link NmeaLineParser#own}), except the messages it owns:
 * their record, the {@code skipped("fragment")} of their other lines and their rejects. The
 * leading fragments of a message whose fragment 1 lies before {@code start} are thus reported by
 * the split that owns fragment 1, and every line counts once. That is exact because
 * {@link NmeaLineParser} bounds its context by the same number of bytes in every read (its class
 * comment, "Context bound").
 *
 * <p>Lines are cut as Hadoop's {@code LineRecordReader} cuts them (LF, CR or CRLF; a UTF-8 byte
 * order mark dropped from the line at offset 0 but counted in the offsets), with offsets in the
 * file, so {@code source_record} is the same as in a one-task read.
 */
final class NmeaSplits {
  private NmeaSplits() {}

  /**
   * The parsed rows of one split of a plain NMEA file, lazily.
   *
   * @param split a split of a file planned as {@code NMEA} in {@code specs}
   * @param conf the Hadoop configuration to open the file with
   * @param specs planned files by {@link IngestTransforms#key}
   * @param settings the {@code ingest} configuration ({@code nmea.lookback_bytes},
   *     {@code nmea.strict_tag_block_checksum})
   * @param rules the plausibility rules every record passes
   * @return {@link io.aisdistill.jobs.lakehouse.Rows#PARSED_SCHEMA} rows of the lines the split owns
   * @throws IllegalStateException when the split's file is not in {@code specs}
   * @throws UncheckedIOException when the file cannot be opened or read
   */
  static Iterator<Row> parse(FileSplit split, Configuration conf, Map<String, FileSpec> specs,
      PipelineConfig.IngestSection settings, Plausibility rules) {
    FileSpec spec = specs.get(IngestTransforms.key(split.getPath()));
    if (spec == null) {
      throw new IllegalStateException("no format planned for " + split.getPath());
    }
    long start = split.getStart();
    long end = start + split.getLength();
    NmeaLineParser parser = IngestTransforms.nmeaParser(spec, settings);
    parser.own(start, end);
    Lines lines = new Lines(split.getPath(), conf, Math.max(0, start - parser.contextBytes()), end,
        parser::awaitingOwned);
    return IngestTransforms.parse(spec, lines, rules.guard(parser), start, end);
  }

  /**
   * (byte offset, line) pairs of a file from the first line start at or after {@code from}, up to
   * the last line that starts before {@code end}, then on while {@code more} says so; the file is
   * closed at the end.
   */
  static final class Lines extends OffsetLines {
    private final Path path;
    private final long end;
    private final java.util.function.BooleanSupplier more;
    private final FSDataInputStream in;

    /**
     * @param path the file
     * @param conf the Hadoop configuration to open it with
     * @param from the first line read is the first that starts at or after this offset
     * @param end lines that start at or after this offset are read only while {@code more}
     * @param more asked before each line from {@code end} on: whether to read it
     * @throws UncheckedIOException when the file cannot be opened
     */
    Lines(Path path, Configuration conf, long from, long end, java.util.function.BooleanSupplier more) {
      this(path, Opened.of(path, conf, from), end, more);
    }

    private Lines(Path path, Opened o, long end, java.util.function.BooleanSupplier more) {
      super(o.reader(), o.pos());
      this.path = path;
      this.end = end;
      this.more = more;
      this.in = o.in();
    }

    @Override
    protected boolean stopAt(long pos) {
      return pos >= end && !more.getAsBoolean();
    }

    @Override
    protected void atEnd() throws IOException {
      in.close();
    }

    @Override
    protected UncheckedIOException failure(IOException e) {
      return new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }

    /** The opened file, its reader, and the offset of the first line start at or after {@code from}. */
    private record Opened(FSDataInputStream in, LineReader reader, long pos) {
      static Opened of(Path path, Configuration conf, long from) {
        try {
          FSDataInputStream in = path.getFileSystem(conf).open(path);
          LineReader reader = new LineReader(in, conf);
          long pos = 0;
          if (from > 0) {
            // a line starts at `from` exactly when the byte before ends a line: skip the rest of
            // the line holding byte from-1 (LF, CR or CRLF included)
            in.seek(from - 1);
            pos = from - 1 + reader.readLine(new Text(), 0, Integer.MAX_VALUE);
          }
          return new Opened(in, reader, pos);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
      }
    }
  }
}
