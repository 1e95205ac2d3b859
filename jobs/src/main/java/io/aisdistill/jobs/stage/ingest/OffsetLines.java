package io.aisdistill.jobs.stage.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.util.LineReader;
import scala.Tuple2;

/**
 * (byte offset, line) pairs read by a Hadoop {@link LineReader}, cut as {@code LineRecordReader}
 * cuts them: LF, CR or CRLF ends a line, and a UTF-8 byte order mark is dropped from the line at
 * offset 0 but counted in the offsets. Subclasses say where to stop ({@link #stopAt}) and what to
 * do at the end ({@link #atEnd}); the zip entries of {@link IngestSource} and the NMEA splits of
 * {@link NmeaSplits} read their lines with it.
 */
abstract class OffsetLines implements Iterator<Tuple2<LongWritable, Text>> {
  private final LineReader reader;
  private long pos;
  private Tuple2<LongWritable, Text> next;
  private boolean done;

  /**
   * @param reader reads the lines, from offset {@code pos} on
   * @param pos offset of the first line the reader returns
   */
  protected OffsetLines(LineReader reader, long pos) {
    this.reader = reader;
    this.pos = pos;
  }

  /** Whether to stop before the line that starts at {@code pos}; never, by default. */
  protected boolean stopAt(long pos) {
    return false;
  }

  /** Runs once when the lines end (stop or end of input); nothing by default. */
  protected void atEnd() throws IOException {}

  /** The exception a read error becomes; by default the {@link UncheckedIOException} of it. */
  protected UncheckedIOException failure(IOException e) {
    return new UncheckedIOException(e);
  }

  /** @throws UncheckedIOException (see {@link #failure}) when reading fails */
  @Override
  public final boolean hasNext() {
    if (next == null && !done) {
      try {
        if (stopAt(pos)) {
          end();
          return false;
        }
        Text line = new Text();
        int n = reader.readLine(line);
        if (n == 0) {
          end();
          return false;
        }
        if (pos == 0 && line.getLength() >= 3 && line.getBytes()[0] == (byte) 0xEF
            && line.getBytes()[1] == (byte) 0xBB && line.getBytes()[2] == (byte) 0xBF) {
          line = new Text(Arrays.copyOfRange(line.getBytes(), 3, line.getLength()));
        }
        next = new Tuple2<>(new LongWritable(pos), line);
        pos += n;
      } catch (IOException e) {
        throw failure(e);
      }
    }
    return next != null;
  }

  private void end() throws IOException {
    done = true;
    atEnd();
  }

  /** @throws NoSuchElementException when there is no next line */
  @Override
  public final Tuple2<LongWritable, Text> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Tuple2<LongWritable, Text> t = next;
    next = null;
    return t;
  }
}
