package io.aisdistill.jobs.stage.export;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;

/**
 * Makes a Parquet file written by parquet-java (Spark's writer) byte-reproducible across JVMs.
 *
 * <p>parquet-java collects each column chunk's encodings in a {@code HashSet} of enum constants and
 * writes them to the footer ({@code ColumnMetaData.encodings}) in that set's iteration order, which
 * follows identity hash codes and so changes from one JVM to the next (apache/parquet-java#3215,
 * open). Two exports of the same rows then differ in a few footer bytes. {@link #sortEncodings}
 * rewrites the footer in place with every encodings list sorted by the encoding's Thrift value:
 * the list is a set (Parquet format spec, {@code ColumnMetaData.encodings}), so readers see the
 * same file; the footer keeps its length, and the data pages are not touched.
 */
final class ParquetFooter {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private ParquetFooter() {}

  /**
   * Sorts the encodings of every column chunk in the footer of {@code file}, in place.
   *
   * @throws IOException when the file cannot be read or written, or is not a plain (unencrypted)
   *     Parquet file: no {@code PAR1} at its end, or a footer length outside the file
   * @throws IllegalStateException when the rewritten footer would not keep its length (not
   *     expected: the same Thrift fields in another order)
   */
  static void sortEncodings(Path file) throws IOException {
    rewrite(file, Comparator.comparingInt(Encoding::getValue));
  }

  /** Rewrites the encodings lists of {@code file}'s footer in {@code order} (tests permute with it). */
  static void rewrite(Path file, Comparator<Encoding> order) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (size < 12) {
        throw new IOException(file + " is not a Parquet file: " + size + " bytes");
      }
      ByteBuffer tail = readFully(ch, size - 8, 8).order(ByteOrder.LITTLE_ENDIAN);
      int len = tail.getInt();
      byte[] magic = new byte[4];
      tail.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + " is not a plain Parquet file: no PAR1 at its end");
      }
      long start = size - 8 - len;
      if (len <= 0 || start < 4) {
        throw new IOException(file + " has a footer length of " + len + " bytes, outside the file");
      }
      byte[] footer = readFully(ch, start, len).array();
      FileMetaData md = Util.readFileMetaData(new ByteArrayInputStream(footer));
      for (RowGroup rg : md.getRow_groups()) {
        for (ColumnChunk cc : rg.getColumns()) {
          ColumnMetaData cm = cc.getMeta_data();
          if (cm != null && cm.isSetEncodings()) {
            List<Encoding> sorted = cm.getEncodings().stream().sorted(order).toList();
            cm.setEncodings(new java.util.ArrayList<>(sorted));
          }
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(len);
      Util.writeFileMetaData(md, out);
      if (out.size() != len) {
        throw new IllegalStateException("the rewritten footer of " + file + " has " + out.size()
            + " bytes, not " + len);
      }
      ByteBuffer b = ByteBuffer.wrap(out.toByteArray());
      long pos = start;
      while (b.hasRemaining()) {
        pos += ch.write(b, pos);
      }
    }
  }

  private static ByteBuffer readFully(FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      int r = ch.read(b, pos + b.position());
      if (r < 0) {
        throw new IOException("unexpected end of file at " + (pos + b.position()));
      }
    }
    return b.flip();
  }
}
