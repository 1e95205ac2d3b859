package io.aisdistill.jobs.stage.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.windows.WindowsTransforms.SegmentStats;

import io.aisdistill.common.track.WindowConfig;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** {@link WindowsTransforms#windows} on small in-memory ais_positions rows. */
class WindowsTransformsTest {
  static final long T0 = Instant.parse("2024-06-01T10:00:00Z").toEpochMilli();
  static final WindowConfig WC = WindowConfig.defaults(); // 30 min gap, 1 h windows, 5 points minimum

  private final SparkSession spark = SparkTestSession.get();

  /** An ais_positions row (full table schema, extra columns included) at ~10 kn northbound. */
  static Row position(long mmsi, long tsMillis, int step) {
    Instant ts = Instant.ofEpochMilli(tsMillis);
    return RowFactory.create(mmsi, ts, 40.0 + step * 0.0028, -70.0, 10.0, 0.0, 0, 0, 1, "A", "V" + mmsi, null,
        null, 70, 100.0, 20.0, 5.0, null, "file:/in/a.csv", (long) step, "r1", LocalDate.of(2024, 6, 1));
  }

  /** {@code n} reports of {@code mmsi} one minute apart from {@code start}, steps from {@code firstStep}. */
  static List<Row> track(long mmsi, long start, int n, int firstStep) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(position(mmsi, start + i * 60_000L, firstStep + i));
    }
    return rows;
  }

  private List<Row> windows(List<Row> positions, int partitions, SegmentStats stats) {
    Dataset<Row> in = spark.createDataFrame(positions, Tables.POSITIONS_SCHEMA);
    Dataset<Row> both = WindowsTransforms.windows(in, null, WC, WindowsStage.FLAGS, partitions, stats);
    Dataset<Row> out = both.where("window IS NOT NULL").select("window.*");
    assertArrayEquals(Tables.WINDOWS_SCHEMA.fieldNames(), out.columns());
    List<Row> rows = new ArrayList<>(out.collectAsList());
    rows.sort(Comparator.comparing(r -> r.<String>getAs("window_id")));
    return rows;
  }

  @Test
  void aGapLongerThanMaxGapStartsANewSegment() {
    List<Row> in = new ArrayList<>(track(211000001L, T0, 6, 0));
    long afterGap = T0 + 5 * 60_000L + (WC.maxGapS() + 60) * 1000L;
    in.addAll(track(211000001L, afterGap, 6, 6));
    SegmentStats stats = SegmentStats.register(spark.sparkContext());
    List<Row> w = windows(in, 4, stats);

    assertEquals(2, w.size());
    assertEquals(12L, stats.points().value());
    assertEquals(2L, stats.segments().value());
    assertEquals(List.of("211000001-" + T0, "211000001-" + afterGap),
        w.stream().map(r -> r.<String>getAs("segment_id")).sorted().toList());
    w.forEach(r -> assertEquals(6, (Integer) r.getAs("n_points")));
    assertEquals("Germany", w.get(0).<Row>getAs("vessel").getAs("flag_state"));
  }

  @Test
  void windowsWithTooFewReportsAreDroppedAndCounted() {
    List<Row> in = new ArrayList<>(track(211000002L, T0, 7, 0));
    in.addAll(track(366000003L, T0, WC.minPoints() - 2, 0));
    SegmentStats stats = SegmentStats.register(spark.sparkContext());
    List<Row> w = windows(in, 4, stats);

    assertEquals(List.of(211000002L), w.stream().map(r -> r.<Long>getAs("mmsi")).toList());
    assertEquals(1L, stats.shortWindows().value());
    assertEquals(WC.minPoints() - 2L, stats.shortPoints().value());
    assertEquals(2L, stats.segments().value());
  }

  @Test
  void outputDoesNotDependOnInputOrderOrPartitionCount() {
    List<Row> in = new ArrayList<>();
    for (int v = 0; v < 5; v++) {
      in.addAll(track(211000010L + v, T0 + v * 7_000L, 75, v)); // 75 min: two windows per vessel
    }
    List<Row> sorted = windows(in, 4, SegmentStats.register(spark.sparkContext()));
    List<Row> shuffled = new ArrayList<>(in);
    Collections.shuffle(shuffled, new Random(42));
    SegmentStats stats = SegmentStats.register(spark.sparkContext());
    List<Row> fromShuffled = windows(shuffled, 3, stats);

    assertEquals(10, sorted.size());
    assertEquals(375L, stats.points().value());
    assertEquals(sorted.toString(), fromShuffled.toString());
  }
}
