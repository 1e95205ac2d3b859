package io.aisdistill.jobs.stage.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.SparkTestSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ParquetFooter}: a Spark-written Parquet file with its footer's encodings lists in any order
 * becomes the same bytes once sorted, and stays a readable file with the same rows.
 */
class ParquetFooterTest {
  @TempDir static Path tmp;
  private static Path written;

  /** A file with dictionary (repeated strings) and plain (distinct longs) columns, as the export writes. */
  @BeforeAll
  static void write() throws IOException {
    SparkSession spark = SparkTestSession.get();
    StructType schema = new StructType().add("split", DataTypes.StringType).add("qa_id", DataTypes.StringType)
        .add("mmsi", DataTypes.LongType).add("n_tokens", DataTypes.IntegerType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(RowFactory.create("train", String.format("%016x", i * 7919L), 367000000L + i % 13, i));
    }
    Path dir = tmp.resolve("spark");
    spark.createDataFrame(rows, schema).repartition(1).write().option("compression", "snappy")
        .parquet(dir.toUri().toString());
    try (Stream<Path> s = Files.list(dir)) {
      written = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
  }

  @Test
  void anyOrderOfEncodingsGivesTheSameBytes() throws IOException {
    Path sorted = copy("sorted.parquet");
    Path reversed = copy("reversed.parquet");
    ParquetFooter.rewrite(reversed, Comparator.comparingInt(Encoding::getValue).reversed());
    assertTrue(multiEncodingColumns(reversed) > 0, "some column chunk has more than one encoding");
    ParquetFooter.sortEncodings(sorted);
    assertFalse(Arrays.equals(Files.readAllBytes(sorted), Files.readAllBytes(reversed)),
        "the reversed footer differs from the sorted one");

    ParquetFooter.sortEncodings(reversed);
    assertArrayEquals(Files.readAllBytes(sorted), Files.readAllBytes(reversed));
    assertTrue(isSorted(sorted));
    assertEquals(Files.size(written), Files.size(sorted), "the footer keeps its length");
  }

  @Test
  void sortingIsIdempotentAndKeepsTheRows() throws IOException {
    Path f = copy("twice.parquet");
    ParquetFooter.sortEncodings(f);
    byte[] once = Files.readAllBytes(f);
    ParquetFooter.sortEncodings(f);
    assertArrayEquals(once, Files.readAllBytes(f));

    SparkSession spark = SparkTestSession.get();
    List<Row> before = spark.read().parquet(written.toUri().toString()).orderBy("n_tokens").collectAsList();
    List<Row> after = spark.read().parquet(f.toUri().toString()).orderBy("n_tokens").collectAsList();
    assertEquals(500, after.size());
    assertEquals(before, after);
  }

  @Test
  void notParquetIsAClearError() throws IOException {
    Path f = tmp.resolve("not.parquet");
    Files.writeString(f, "split,qa_id\ntrain,abc\n");
    IOException e = assertThrows(IOException.class, () -> ParquetFooter.sortEncodings(f));
    assertTrue(e.getMessage().contains("no PAR1"), e.getMessage());
  }

  private static Path copy(String name) throws IOException {
    return Files.copy(written, tmp.resolve(name));
  }

  private static FileMetaData footer(Path f) throws IOException {
    byte[] b = Files.readAllBytes(f);
    int len = ByteBuffer.wrap(b, b.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    return Util.readFileMetaData(new ByteArrayInputStream(b, b.length - 8 - len, len));
  }

  private static long multiEncodingColumns(Path f) throws IOException {
    long n = 0;
    for (RowGroup rg : footer(f).getRow_groups()) {
      for (ColumnChunk cc : rg.getColumns()) {
        n += cc.getMeta_data().getEncodings().size() > 1 ? 1 : 0;
      }
    }
    return n;
  }

  private static boolean isSorted(Path f) throws IOException {
    for (RowGroup rg : footer(f).getRow_groups()) {
      for (ColumnChunk cc : rg.getColumns()) {
        List<Encoding> e = cc.getMeta_data().getEncodings();
        for (int i = 1; i < e.size(); i++) {
          if (e.get(i - 1).getValue() > e.get(i).getValue()) {
            return false;
          }
        }
      }
    }
    return true;
  }
}
