package io.aisdistill.jobs.stage.windows;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.windows.WindowsTransforms.SegmentStats;

import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.track.Segmenter;
import io.aisdistill.common.track.WindowConfig;
import java.util.List;
import java.util.function.LongFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Stage 2, windows: {@code ais_positions} to {@code track_windows}.
 *
 * <p>Positions are repartitioned by MMSI and sorted within partitions by (MMSI, time, position),
 * then each partition is one streaming pass of a {@link Segmenter}: a vessel's reports are never
 * collected anywhere, and memory is bounded by the vessel's open windows. Segments split on AIS
 * gaps and position jumps; windows are cut by time (see {@link WindowConfig}). The table is a pure
 * function of {@code ais_positions} and the configuration, so it is rewritten whole each run (one
 * atomic Delta commit): reruns give identical rows and ids.
 *
 * <p>The transform is {@link WindowsTransforms#windows}; the sink is one
 * {@link Lakehouse#overwrite} of {@code track_windows}, partitioned by date.
 */
public final class WindowsStage extends AbstractStage<WindowsResult> {
  private final SerializableLongFunction<String> flagLookup;

  /**
   * The windows stage with its options.
   *
   * @param flagLookup MMSI to flag state, shipped to executors
   */
  public WindowsStage(SerializableLongFunction<String> flagLookup) {
    super("windows", List.of(Tables.POSITIONS), List.of(Tables.WINDOWS));
    this.flagLookup = flagLookup;
  }

  /** The windows stage with flag states from the MID (ITU-R M.585, {@link FlagStates}). */
  public WindowsStage() {
    this(FLAGS);
  }

  /** Flag state from the MID (ITU-R M.585), shippable to executors. */
  public static final SerializableLongFunction<String> FLAGS = FlagStates::forMmsi;

  /**
   * Runs the stage: reads ais_positions, cuts the windows, rewrites track_windows.
   *
   * @throws IllegalStateException when {@code ais_positions} does not exist
   */
  @Override
  public WindowsResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    Lakehouse lh = ctx.lakehouse();
    WindowConfig wc = ctx.config().windows.toWindowConfig();

    // read
    Dataset<Row> positions = lh.read(Tables.POSITIONS);

    // transform
    SegmentStats stats = SegmentStats.register(ctx.spark().sparkContext());
    Dataset<Row> windows = WindowsTransforms.windows(positions, wc, flagLookup,
        ctx.config().spark.shufflePartitions, stats);

    // sink: the whole table, one atomic commit
    long written = lh.overwrite(windows, Tables.WINDOWS, List.of("date"));

    // report and result
    StageReport rep = new StageReport("windows")
        .put("positions_read", stats.points().value())
        .put("same_time_repeats_skipped", stats.repeats().value())
        .put("segments", stats.segments().value())
        .put("windows_written", written)
        .put("short_windows_dropped", stats.shortWindows().value())
        .put("points_in_short_windows", stats.shortPoints().value())
        .put("window_length_s", wc.windowLengthS())
        .put("max_gap_s", wc.maxGapS())
        .put("max_speed_kn", wc.maxSpeedKn());
    rep.elapsedMs(System.currentTimeMillis() - t0);
    return new WindowsResult(stats.points().value(), stats.segments().value(), written, rep);
  }

  /** A {@link LongFunction} that Spark can ship to executors. */
  @FunctionalInterface
  public interface SerializableLongFunction<R> extends LongFunction<R>, java.io.Serializable {}
}
