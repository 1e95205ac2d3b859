package io.aisdistill.jobs.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.aisdistill.common.text.Sha256;
import io.aisdistill.jobs.SparkTestSession;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The keys digest of {@link TableChecksums}, streamed in range partitions, against a plain sort. */
class TableChecksumsTest {
  @Test
  void keysDigestStreamsPartitionsInCodePointOrder() {
    SparkSession spark = SparkTestSession.get();
    List<String> lines = new ArrayList<>();
    Random r = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      lines.add(r.nextInt(1_000_000) + "|file:/in/" + (char) ('a' + r.nextInt(26)) + ".csv|" + r.nextInt(50));
    }
    // U+FF21 (one UTF-16 unit) sorts after U+1F600 (a surrogate pair) by UTF-16 units, before it by
    // code points (and UTF-8 bytes, Spark's and Python's order)
    lines.addAll(List.of("\uFF21|x", "\uD83D\uDE00|x", "\\N|\\N", "é|1", "e|1", "1|2", "1|2"));
    Collections.shuffle(lines, r);
    Dataset<Row> keys = spark.createDataset(lines, Encoders.STRING()).toDF("k").repartition(7);

    List<byte[]> utf8 = new ArrayList<>(lines.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList());
    utf8.sort(Arrays::compareUnsigned);
    List<String> byCodePoint = utf8.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    String expected = Sha256.hex(String.join("\n", byCodePoint));

    assertEquals(expected, TableChecksums.sortedKeysDigest(keys, lines.size()));
    assertEquals(expected, TableChecksums.sortedKeysDigest(keys, lines.size(), 400), "13 range partitions");
    List<String> byUtf16 = new ArrayList<>(lines);
    Collections.sort(byUtf16);
    assertNotEquals(expected, Sha256.hex(String.join("\n", byUtf16)), "the orders differ on this input");
    assertNotEquals(expected, TableChecksums.sortedKeysDigest(keys.limit(lines.size() - 1), lines.size() - 1));
  }
}
