package io.aisdistill.jobs.stage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.SparkTestSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.junit.jupiter.api.Test;

/**
 * {@link RowBlocks}: rows packed by tag into blocks of at most {@link RowBlocks#BLOCK_BYTES} (a
 * larger row alone in its block), read back per tag in their order, and as a DataFrame equal to
 * {@code createDataFrame} of the same rows (nulls, timestamps, arrays included).
 */
class RowBlocksTest {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("text", DataTypes.StringType)
      .add("ts", DataTypes.TimestampType)
      .add("flags", DataTypes.createArrayType(DataTypes.StringType, false))
      .add("tagged", DataTypes.BooleanType, false);

  /** Row {@code i}: every third tagged, every fifth with nulls, row 1234 with a text of 1.5 MiB. */
  private static Row row(int i) {
    String text = i == 1234 ? "x".repeat(3 << 19) : "text " + i + " " + "y".repeat(i % 1500);
    boolean nulls = i % 5 == 0;
    return RowFactory.create((long) i, nulls ? null : text, nulls ? null : Instant.ofEpochSecond(1_700_000_000L + i),
        nulls ? null : scala.jdk.javaapi.CollectionConverters.asScala(List.of("f" + i, "g")).toList(), i % 3 == 0);
  }

  private static List<Row> rows(int n) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(row(i));
    }
    return out;
  }

  @Test
  void packKeepsEachTagInBlocksOfItsOwnAtMostTheTargetSize() {
    List<Row> input = rows(6000);
    List<byte[]> blocks = new ArrayList<>();
    RowBlocks.pack(input.iterator(), SCHEMA, r -> r.getBoolean(4)).forEachRemaining(blocks::add);
    assertTrue(blocks.size() > 4, "about 4.5 MiB of rows in " + blocks.size() + " blocks");
    int oversized = 0;
    for (byte[] b : blocks) {
      int tag = Platform.getInt(b, Platform.BYTE_ARRAY_OFFSET);
      assertTrue(tag == RowBlocks.TAG_TRUE || tag == RowBlocks.TAG_FALSE, "tag " + tag);
      if (b.length > RowBlocks.BLOCK_BYTES) {
        oversized++;
        int size = Platform.getInt(b, Platform.BYTE_ARRAY_OFFSET + 4);
        assertEquals(b.length, 8 + size, "a row larger than a block is alone in its own");
      }
    }
    assertEquals(1, oversized, "only row 1234's block is larger than the target");

    List<Long> tagged = ids(RowBlocks.unpack(blocks.iterator(), SCHEMA.length(), RowBlocks.TAG_TRUE));
    List<Long> untagged = ids(RowBlocks.unpack(blocks.iterator(), SCHEMA.length(), RowBlocks.TAG_FALSE));
    List<Long> wantTagged = new ArrayList<>();
    List<Long> wantUntagged = new ArrayList<>();
    for (Row r : input) {
      (r.getBoolean(4) ? wantTagged : wantUntagged).add(r.getLong(0));
    }
    assertEquals(wantTagged, tagged, "the tagged rows, in their order");
    assertEquals(wantUntagged, untagged, "the others, in their order");
    assertEquals(input.size(), ids(RowBlocks.unpack(blocks.iterator(), SCHEMA.length(), RowBlocks.ANY_TAG)).size());
  }

  @Test
  void aPartitionWithoutRowsHasNoBlocks() {
    assertTrue(!RowBlocks.pack(List.<Row>of().iterator(), SCHEMA, r -> true).hasNext());
  }

  /** The ids of unpacked rows, checking each row's text against {@link #row}. */
  private static List<Long> ids(Iterator<InternalRow> it) {
    List<Long> out = new ArrayList<>();
    while (it.hasNext()) {
      InternalRow r = it.next();
      long id = r.getLong(0);
      Row want = row((int) id);
      assertEquals(want.isNullAt(1), r.isNullAt(1), "null text of row " + id);
      if (!r.isNullAt(1)) {
        assertEquals(want.getString(1), r.getUTF8String(1).toString(), "text of row " + id);
      }
      out.add(id);
    }
    return out;
  }

  @Test
  void theFrameOfPersistedBlocksEqualsCreateDataFrameOfTheRows() {
    SparkSession spark = SparkTestSession.get();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Row> input = rows(3000);
    JavaRDD<byte[]> blocks = jsc.parallelize(input, 3)
        .mapPartitions(it -> RowBlocks.pack(it, SCHEMA, r -> r.getBoolean(4)))
        .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    try {
      Comparator<Row> byId = Comparator.comparingLong(r -> r.getLong(0));
      List<Row> want = new ArrayList<>(spark.createDataFrame(input, SCHEMA).collectAsList());
      want.sort(byId);
      List<Row> got = new ArrayList<>(RowBlocks.frame(spark, blocks, SCHEMA, RowBlocks.ANY_TAG).collectAsList());
      got.sort(byId);
      assertEquals(want, got);
      assertEquals(1000, RowBlocks.frame(spark, blocks, SCHEMA, RowBlocks.TAG_TRUE).filter("tagged").count());
      assertEquals(0, RowBlocks.frame(spark, blocks, SCHEMA, RowBlocks.TAG_FALSE).filter("tagged").count());
      assertEquals(2000, RowBlocks.frame(spark, blocks, SCHEMA, RowBlocks.TAG_FALSE).count());
    } finally {
      blocks.unpersist();
    }
  }
}
