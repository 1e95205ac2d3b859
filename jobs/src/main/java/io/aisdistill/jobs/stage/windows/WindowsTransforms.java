package io.aisdistill.jobs.stage.windows;

import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.PullIterator;
import io.aisdistill.jobs.stage.windows.WindowsStage.SerializableLongFunction;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.aisdistill.common.track.Segmenter;
import io.aisdistill.common.track.VesselState;
import java.time.Instant;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import io.aisdistill.common.track.WindowConfig;
import java.util.Arrays;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * The Spark transform of the windows stage: no lakehouse, no report.
 *
 * <ul>
 *   <li>{@link #windows}: {@code ais_positions} rows (at least the {@link #POSITION_COLUMNS}) and
 *       the track_state rows of vessels to continue, to {@link #OUT_SCHEMA} rows: one per track
 *       window and one per vessel state, adding the {@link Segmenter}'s
 *       counts to the {@link SegmentStats} accumulators when an action runs it.</li>
 * </ul>
 */
final class WindowsTransforms {
  private WindowsTransforms() {}

  /** The columns of ais_positions the segmenter reads. */
  static final String[] POSITION_COLUMNS = {"mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "nav_status",
      "msg_type", "ais_class", "vessel_name", "imo", "callsign", "ship_type", "length_m", "width_m", "draft_m"};

  /**
   * Accumulators of the segmenters' counts, summed over partitions (read them after the action
   * that computed the windows, once: a recomputation adds again).
   *
   * @param points positions read
   * @param repeats same-time repeats skipped
   * @param segments segments (tracks) started
   * @param shortWindows windows dropped for too few points
   * @param shortPoints points in the dropped windows
   */
  record SegmentStats(LongAccumulator points, LongAccumulator repeats, LongAccumulator segments,
      LongAccumulator shortWindows, LongAccumulator shortPoints) {
    /** New accumulators, registered as windows.points, windows.same_time_repeats, ... */
    static SegmentStats register(SparkContext sc) {
      return new SegmentStats(sc.longAccumulator("windows.points"),
          sc.longAccumulator("windows.same_time_repeats"), sc.longAccumulator("windows.segments"),
          sc.longAccumulator("windows.short_windows"), sc.longAccumulator("windows.points_in_short_windows"));
    }
  }

  /** Output of {@link #windows}: one of {@code window} ({@link Tables#WINDOWS_SCHEMA}) and {@code state} ({@link Tables#TRACK_STATE_SCHEMA}) is set. */
  static final StructType OUT_SCHEMA = new StructType()
      .add("window", Tables.WINDOWS_SCHEMA, true)
      .add("state", Tables.TRACK_STATE_SCHEMA, true);

  /**
   * Track windows and vessel states of the positions: repartitioned by MMSI into
   * {@code partitions} partitions, sorted within partitions by (MMSI, time, position, sog, cog,
   * heading, nav_status), then one streaming {@link Segmenter} pass per partition. A vessel with a
   * row in {@code states} continues from that state ({@link Segmenter#resume}): its positions here
   * must all be later than the state's last_ts.
   *
   * @param positions ais_positions rows (other columns are dropped)
   * @param states track_state rows (mmsi, state) of vessels to continue, or null for none
   * @param wc segmentation and window parameters
   * @param flagLookup MMSI to flag state (serializable: shipped to executors)
   * @param partitions vessel partitions
   * @param stats accumulators the segmenters' counts are added to
   * @return rows of {@link #OUT_SCHEMA}: every window, and each vessel's state after its last report
   */
  static Dataset<Row> windows(Dataset<Row> positions, Dataset<Row> states, WindowConfig wc,
      SerializableLongFunction<String> flagLookup, int partitions, SegmentStats stats) {
    Dataset<Row> in = positions.select(POSITION_COLUMNS[0],
        Arrays.copyOfRange(POSITION_COLUMNS, 1, POSITION_COLUMNS.length)).withColumn("state", lit(null).cast("string"));
    if (states != null) {
      // a state row sorts first among its vessel's rows: its ts is null (ascending = nulls first)
      in = in.unionByName(states.select("mmsi", "state"), true);
    }
    LongAccumulator points = stats.points();
    LongAccumulator repeats = stats.repeats();
    LongAccumulator segments = stats.segments();
    LongAccumulator shortWindows = stats.shortWindows();
    LongAccumulator shortPoints = stats.shortPoints();
    Encoder<Row> enc = Encoders.row(OUT_SCHEMA);
    Rows.PositionReader reader = new Rows.PositionReader(in.schema());
    int stateCol = in.schema().fieldIndex("state");
    MapPartitionsFunction<Row, Row> f = it -> new PullIterator<Row, Row>(it) {
      final Segmenter s = new Segmenter(wc, flagLookup, w -> emit(RowFactory.create(Rows.window(w), null)),
          st -> emit(RowFactory.create(null, RowFactory.create(st.mmsi(), Instant.ofEpochMilli(st.lastTsMillis()),
              VesselState.FORMAT_VERSION, st.toJson()))));

      @Override
      protected void accept(Row row) {
        if (row.isNullAt(stateCol)) {
          s.accept(reader.read(row));
        } else {
          s.resume(VesselState.fromJson(row.getString(stateCol)));
        }
      }

      @Override
      protected void finish() {
        s.finish();
        Segmenter.Stats st = s.stats();
        points.add(st.points);
        repeats.add(st.sameTimeRepeats);
        segments.add(st.segments);
        shortWindows.add(st.shortWindows);
        shortPoints.add(st.pointsInShortWindows);
      }
    };
    return in
        .repartition(partitions, col("mmsi"))
        .sortWithinPartitions("mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "nav_status")
        .mapPartitions(f, enc);
  }
}
