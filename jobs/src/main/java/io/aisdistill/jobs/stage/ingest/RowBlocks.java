package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.stage.PullIterator;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Predicate;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;

/**
 * Rows kept as Spark's binary rows ({@link UnsafeRow}) packed into byte arrays: a row-wise cache
 * that costs one encoding per row to build (the one {@code createDataFrame} pays anyway) and a copy
 * to read, instead of the columnar cache's per-value column builders and decoders.
 *
 * <p>A block is a {@code byte[]}: a 4-byte tag, then rows as (4-byte size, the row's bytes), in
 * the order they came; sizes in the platform's byte order (blocks are read by the JVMs of the same
 * cluster). Each partition's rows go to the open block of their tag ({@code tagOf}: 1 when it
 * holds, else 0), a block is emitted when the next row would take it past {@link #BLOCK_BYTES} (a
 * larger row gets a block of its own size), and the last blocks when the partition ends. So a
 * reader that wants one tag skips the other's blocks without decoding them.
 *
 * <p>Persisted ({@code MEMORY_AND_DISK}) the blocks are plain byte arrays: sized in memory without
 * walking objects, written to disk as they are. A lost block is recomputed from the RDD's lineage,
 * as any persisted RDD's.
 */
final class RowBlocks {
  private RowBlocks() {}

  /** Target size of a block, bytes. */
  static final int BLOCK_BYTES = 1 << 20;

  /** Tag of the rows {@code tagOf} holds for, and of the others. */
  static final int TAG_TRUE = 1, TAG_FALSE = 0;

  /** Reads every block, whatever its tag. */
  static final int ANY_TAG = -1;

  /**
   * Packs one partition's rows into blocks, lazily (at most one block of each tag open).
   *
   * @param rows rows of {@code schema} (external {@link Row}s, encoded as {@code createDataFrame} does)
   * @param schema their schema
   * @param tagOf which rows get tag {@link #TAG_TRUE}
   * @return the blocks
   */
  static Iterator<byte[]> pack(Iterator<Row> rows, StructType schema, Predicate<Row> tagOf) {
    // lenient: a timestamp may be an Instant or a java.sql.Timestamp, whatever the session's java8API setting
    ExpressionEncoder.Serializer<Row> encode = ExpressionEncoder.apply(schema, true).createSerializer();
    return new PullIterator<Row, byte[]>(rows) {
      final Block[] open = {new Block(TAG_FALSE), new Block(TAG_TRUE)};

      @Override
      protected void accept(Row r) {
        UnsafeRow u = (UnsafeRow) encode.apply(r);
        Block b = open[tagOf.test(r) ? TAG_TRUE : TAG_FALSE];
        int size = u.getSizeInBytes();
        if (b.rows > 0 && !b.fits(size)) {
          emit(b.take());
        }
        b.add(u, size);
      }

      @Override
      protected void finish() {
        for (Block b : open) {
          if (b.rows > 0) {
            emit(b.take());
          }
        }
      }
    };
  }

  /**
   * One block being filled. Its buffer is allocated with the first row and kept for the next
   * block once {@link #take} has copied the rows out; a buffer handed out whole, or grown past
   * {@link #BLOCK_BYTES} for one large row, is not kept.
   */
  private static final class Block {
    final int tag;
    byte[] buf;
    int used;
    int rows;

    Block(int tag) {
      this.tag = tag;
    }

    /** Whether a row of {@code size} bytes fits in what a non-empty block has left. */
    boolean fits(int size) {
      return used + 4 + size <= buf.length;
    }

    /** Appends a row; an empty block starts with its tag, in a buffer of at least the row's size. */
    void add(UnsafeRow u, int size) {
      if (rows == 0) {
        if (buf == null || buf.length < 8 + size) {
          buf = new byte[Math.max(BLOCK_BYTES, 8 + size)];
        }
        Platform.putInt(buf, Platform.BYTE_ARRAY_OFFSET, tag);
        used = 4;
      }
      Platform.putInt(buf, Platform.BYTE_ARRAY_OFFSET + used, size);
      u.writeToMemory(buf, Platform.BYTE_ARRAY_OFFSET + used + 4);
      used += 4 + size;
      rows++;
    }

    /** The block's bytes, trimmed to its rows; the block is empty after. */
    byte[] take() {
      byte[] out = used == buf.length ? buf : Arrays.copyOf(buf, used);
      if (out == buf || buf.length > BLOCK_BYTES) {
        buf = null;
      }
      rows = 0;
      return out;
    }
  }

  /**
   * The rows of the blocks of one tag, lazily; each row is a view into its block, valid until the
   * next call to {@code next} (as Spark's scans reuse theirs).
   *
   * @param blocks blocks of {@link #pack}
   * @param numFields the rows' column count
   * @param tag {@link #TAG_TRUE}, {@link #TAG_FALSE} or {@link #ANY_TAG}
   */
  static Iterator<InternalRow> unpack(Iterator<byte[]> blocks, int numFields, int tag) {
    return new Iterator<>() {
      final UnsafeRow row = new UnsafeRow(numFields);
      byte[] block;
      int pos;

      @Override
      public boolean hasNext() {
        while (block == null || pos >= block.length) {
          if (!blocks.hasNext()) {
            return false;
          }
          block = blocks.next();
          int t = Platform.getInt(block, Platform.BYTE_ARRAY_OFFSET);
          pos = tag == ANY_TAG || t == tag ? 4 : block.length;
        }
        return true;
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int size = Platform.getInt(block, Platform.BYTE_ARRAY_OFFSET + pos);
        row.pointTo(block, Platform.BYTE_ARRAY_OFFSET + pos + 4, size);
        pos += 4 + size;
        return row;
      }
    };
  }

  /**
   * The rows of the blocks of one tag as a DataFrame of {@code schema}; each action reads the
   * blocks (persisted or not) again.
   *
   * @param blocks blocks of {@link #pack} with {@code schema}
   * @param tag {@link #TAG_TRUE}, {@link #TAG_FALSE} or {@link #ANY_TAG}
   */
  static Dataset<Row> frame(SparkSession spark, JavaRDD<byte[]> blocks, StructType schema, int tag) {
    int n = schema.length();
    JavaRDD<InternalRow> rows = blocks.mapPartitions(it -> unpack(it, n, tag));
    return internalFrame(spark, rows.rdd(), schema);
  }

  /**
   * Spark's binary rows as a DataFrame, without converting them to external rows and back
   * ({@code createDataFrame} takes external rows only).
   *
   * @param rows rows of {@code schema} in Spark's internal format
   * @return the frame; its rows are read from {@code rows} by each action
   */
  static Dataset<Row> internalFrame(SparkSession spark, org.apache.spark.rdd.RDD<InternalRow> rows, StructType schema) {
    return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows, schema, false);
  }
}
