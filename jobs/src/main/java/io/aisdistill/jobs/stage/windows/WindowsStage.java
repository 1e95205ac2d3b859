package io.aisdistill.jobs.stage.windows;

import io.aisdistill.jobs.stage.PullIterator;
import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;

import static org.apache.spark.sql.functions.col;

import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.track.Segmenter;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.WindowConfig;
import java.util.List;
import java.util.function.LongFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.Encoder;
import org.apache.spark.util.LongAccumulator;

/**
 * Stage 2, windows: {@code ais_positions} to {@code track_windows}.
 *
 * <p>Positions are repartitioned by MMSI and sorted within partitions by (MMSI, time, position),
 * then each partition is one streaming pass of a {@link Segmenter}: a vessel's reports are never
 * collected anywhere, and memory is bounded by the vessel's open windows. Segments split on AIS
 * gaps and position jumps; windows are cut by time (see {@link WindowConfig}). The table is a pure
 * function of {@code ais_positions} and the configuration, so it is rewritten whole each run (one
 * atomic Delta commit): reruns give identical rows and ids.
 */
public final class WindowsStage implements Stage<WindowsResult> {
  private final SerializableLongFunction<String> flagLookup;

  /**
   * The windows stage with its options.
   *
   * @param flagLookup MMSI to flag state, shipped to executors
   */
  public WindowsStage(SerializableLongFunction<String> flagLookup) {
    this.flagLookup = flagLookup;
  }

  /** The windows stage with flag states from the MID (ITU-R M.585, {@link FlagStates}). */
  public WindowsStage() {
    this(FLAGS);
  }

  /** Flag state from the MID (ITU-R M.585), shippable to executors. */
  public static final SerializableLongFunction<String> FLAGS = FlagStates::forMmsi;

  @Override
  public String name() {
    return "windows";
  }

  @Override
  public List<String> reads() {
    return List.of(Tables.POSITIONS);
  }

  @Override
  public List<String> writes() {
    return List.of(Tables.WINDOWS);
  }

  @Override
  public WindowsResult run(StageContext ctx) {
    return WindowsResult.of(execute(ctx.spark(), ctx.lakehouse(), ctx.config(), flagLookup));
  }


  /**
   * Runs the stage.
   *
   * @param flagLookup MMSI to flag state (must be serializable: it is shipped to executors)
   * @throws IllegalStateException when {@code ais_positions} does not exist
   */
  static StageReport execute(SparkSession spark, Lakehouse lh, PipelineConfig cfg,
      SerializableLongFunction<String> flagLookup) {
    long t0 = System.currentTimeMillis();
    WindowConfig wc = cfg.windows.toWindowConfig();
    Dataset<Row> positions = lh.read(Tables.POSITIONS)
        .select("mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "nav_status", "msg_type", "ais_class",
            "vessel_name", "imo", "callsign", "ship_type", "length_m", "width_m", "draft_m");
    LongAccumulator points = spark.sparkContext().longAccumulator("windows.points");
    LongAccumulator repeats = spark.sparkContext().longAccumulator("windows.same_time_repeats");
    LongAccumulator segments = spark.sparkContext().longAccumulator("windows.segments");
    LongAccumulator shortWindows = spark.sparkContext().longAccumulator("windows.short_windows");
    LongAccumulator shortPoints = spark.sparkContext().longAccumulator("windows.points_in_short_windows");
    Encoder<Row> enc = org.apache.spark.sql.Encoders.row(Tables.WINDOWS_SCHEMA);
    Rows.PositionReader reader = new Rows.PositionReader(positions.schema());
    MapPartitionsFunction<Row, Row> f = it -> new PullIterator<Row, Row>(it) {
      final Segmenter s = new Segmenter(wc, flagLookup, w -> emit(Rows.window(w)));

      @Override
      protected void accept(Row position) {
        s.accept(reader.read(position));
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
    Dataset<Row> windows = positions
        .repartition(cfg.spark.shufflePartitions, col("mmsi"))
        .sortWithinPartitions("mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "nav_status")
        .mapPartitions(f, enc);
    long written = lh.overwrite(windows, Tables.WINDOWS, List.of("date"));
    StageReport rep = new StageReport("windows")
        .put("positions_read", points.value())
        .put("same_time_repeats_skipped", repeats.value())
        .put("segments", segments.value())
        .put("windows_written", written)
        .put("short_windows_dropped", shortWindows.value())
        .put("points_in_short_windows", shortPoints.value())
        .put("window_length_s", wc.windowLengthS())
        .put("max_gap_s", wc.maxGapS())
        .put("max_speed_kn", wc.maxSpeedKn());
    return rep.elapsedMs(System.currentTimeMillis() - t0);
  }

  /** A {@link LongFunction} that Spark can ship to executors. */
  @FunctionalInterface
  public interface SerializableLongFunction<R> extends LongFunction<R>, java.io.Serializable {}
}
