package io.aisdistill.jobs.stage.windows;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.lakehouse.CommitMetadata;
import io.aisdistill.jobs.lakehouse.DatePartitions;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.windows.WindowsTransforms.SegmentStats;

import com.fasterxml.jackson.databind.JsonNode;
import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.track.VesselState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Encoders;
import org.apache.spark.storage.StorageLevel;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
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
 * function of {@code ais_positions} and the configuration: reruns give identical rows and ids.
 *
 * <p>Each vessel's segmenter state after its last report is kept in {@code track_state}, so a
 * daily run reads only the new positions and continues each vessel where it stopped (see
 * {@link #run}): its cost follows the new data, not the history. A full run rewrites both tables
 * (one atomic Delta commit each).
 *
 * <p>The transform is {@link WindowsTransforms#windows}; the sinks are {@link Lakehouse#overwrite}
 * (full) or {@link Lakehouse#upsert} (incremental) of {@code track_windows}, partitioned by date,
 * and of {@code track_state}.
 */
public final class WindowsStage extends AbstractStage<WindowsResult> {
  private final SerializableLongFunction<String> flagLookup;

  /**
   * The windows stage with its options.
   *
   * @param flagLookup MMSI to flag state, shipped to executors
   */
  public WindowsStage(SerializableLongFunction<String> flagLookup) {
    super("windows", List.of(Tables.POSITIONS, Tables.TRACK_STATE), List.of(Tables.WINDOWS, Tables.TRACK_STATE));
    this.flagLookup = flagLookup;
  }

  /** The windows stage with flag states from the MID (ITU-R M.585, {@link FlagStates}). */
  public WindowsStage() {
    this(FLAGS);
  }

  /** Flag state from the MID (ITU-R M.585), shippable to executors. */
  public static final SerializableLongFunction<String> FLAGS = FlagStates::forMmsi;

  /**
   * Runs the stage: reads ais_positions (all of it, or only what is new), cuts the windows, writes
   * track_windows and track_state.
   *
   * <p>Full run ({@code windows.incremental: false}, {@code --full}, the first run, or when the
   * checkpoint does not apply): every window from all of ais_positions; both tables rewritten.
   *
   * <p>Incremental run: the positions inserted since the checkpoint's ais_positions version are
   * read from the Delta change data feed. A vessel whose new reports are all later than its
   * track_state last_ts continues from its state; any other vessel with changes (late reports,
   * updated or deleted rows) is recomputed from all its positions. The windows are MERGEd on
   * window_id (the dates they fall on prune the MERGE), the late vessels' windows that are not
   * recomputed are deleted, and the states are MERGEd on mmsi, with the new checkpoint in that
   * commit. The tables then equal a full run's (SegmenterResumeTest, IncrementalWindowsTest).
   *
   * @throws IllegalStateException when {@code ais_positions} does not exist
   */
  @Override
  public WindowsResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    Lakehouse lh = ctx.lakehouse();
    WindowConfig wc = ctx.config().windows.toWindowConfig();
    int partitions = ctx.config().spark.shufflePartitions;
    if (!lh.exists(Tables.POSITIONS)) {
      throw new IllegalStateException("table " + Tables.POSITIONS + " not found under " + lh.root()
          + ": run ingest first");
    }
    String why = null;
    if (!lh.changeFeedEnabled(Tables.POSITIONS)) {
      lh.enableChangeFeed(Tables.POSITIONS);
      why = "ais_positions had no change data feed (turned on now)";
    }
    long version = lh.version(Tables.POSITIONS);
    Checkpoint cp = Checkpoint.read(lh);
    if (why == null) {
      why = fullBecause(ctx.config().windows.incremental, cp, lh.exists(Tables.WINDOWS), wc, version);
    }
    SegmentStats stats = SegmentStats.register(ctx.spark().sparkContext());
    Checkpoint next = new Checkpoint(version, wc.toString(), VesselState.FORMAT_VERSION);
    StageReport rep = new StageReport("windows");
    long written;
    Increment inc = why == null ? Increment.plan(lh, cp.positionsVersion(), version, LATE_VESSELS_MAX) : null;
    if (inc != null && inc.fallback() != null) {
      why = inc.fallback();
      inc = null;
    }
    if (inc != null && cp.positionsVersion() == version) {
      // nothing new since the checkpoint: no read, no commit
      written = 0;
      rep.put("mode", "unchanged");
    } else if (inc == null) {
      Dataset<Row> out = WindowsTransforms.windows(lh.readAt(Tables.POSITIONS, version), null, wc, flagLookup,
          partitions, stats).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        written = lh.overwrite(out.where("window IS NOT NULL").select("window.*"), Tables.WINDOWS, List.of("date"));
        lh.withUserMetadata(next.toJson(), () ->
            lh.overwrite(out.where("state IS NOT NULL").select("state.*"), Tables.TRACK_STATE, List.of()));
      } finally {
        out.unpersist();
      }
      rep.put("mode", "full").put("full_because", why);
    } else {
      Dataset<Row> out = WindowsTransforms.windows(inc.positions(), inc.states(), wc, flagLookup, partitions, stats)
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Dataset<Row> windows = out.where("window IS NOT NULL").select("window.*");
        List<java.sql.Date> dates = windows.select("date").distinct().as(Encoders.DATE()).collectAsList();
        written = windows.count();
        String scope = inc.late().isEmpty() ? null : "t.mmsi IN (" + join(inc.late()) + ")";
        if (!dates.isEmpty() || scope != null) {
          lh.upsert(windows, Tables.WINDOWS, List.of("window_id"), scope,
              DatePartitions.in("t.date", dates));
        }
        lh.withUserMetadata(next.toJson(), () ->
            lh.upsert(out.where("state IS NOT NULL").select("state.*"), Tables.TRACK_STATE, List.of("mmsi"), null));
      } finally {
        out.unpersist();
      }
      rep.put("mode", "incremental").put("positions_version_from", cp.positionsVersion() + 1)
          .put("vessels_continued", inc.continued()).put("vessels_recomputed", inc.late().size());
    }

    // report and result
    rep.put("positions_version", version)
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

  /** Why a run must be full although ais_positions has its change data feed, or null when it can continue. */
  private static String fullBecause(boolean incremental, Checkpoint cp, boolean windowsExist, WindowConfig wc,
      long positionsVersion) {
    if (!incremental) {
      return "windows.incremental is false (--full)";
    } else if (cp == null || !windowsExist) {
      return "no checkpoint in track_state";
    } else if (!cp.windowConfig().equals(wc.toString())) {
      return "window configuration changed";
    } else if (cp.stateFormat() != VesselState.FORMAT_VERSION) {
      return "state format changed";
    } else if (cp.positionsVersion() > positionsVersion) {
      return "ais_positions is older than the checkpoint";
    }
    return null;
  }

  /** Above this many vessels to recompute (late or changed reports), an incremental run runs full instead. */
  static final int LATE_VESSELS_MAX = 10_000;

  private static String join(List<Long> mmsis) {
    return String.join(", ", mmsis.stream().map(String::valueOf).toList());
  }

  /**
   * What track_state covers, recorded as the user metadata of its commits (JSON).
   *
   * @param positionsVersion the ais_positions version the windows were computed from
   * @param windowConfig the {@link WindowConfig} they were cut with, as its record string
   * @param stateFormat {@link VesselState#FORMAT_VERSION} of the states
   */
  record Checkpoint(long positionsVersion, String windowConfig, int stateFormat) {
    String toJson() {
      return CommitMetadata.json(Map.of("positions_version", positionsVersion, "window_config", windowConfig,
          "state_format", stateFormat));
    }

    /** The checkpoint of the newest track_state commit that has one (of its last 20), or null. */
    static Checkpoint read(Lakehouse lh) {
      JsonNode n = CommitMetadata.last(lh, Tables.TRACK_STATE, 20, "positions_version", "window_config",
          "state_format");
      return n == null ? null : new Checkpoint(n.get("positions_version").asLong(), n.get("window_config").asText(),
          n.get("state_format").asInt());
    }
  }

  /**
   * The input of an incremental run.
   *
   * @param positions the new positions of continued vessels, and all positions of recomputed ones
   *     (null when there is nothing new)
   * @param states the track_state rows of the continued vessels
   * @param late the recomputed vessels (reports not after their last_ts, updated or deleted rows)
   * @param continued the number of continued vessels
   * @param fallback why a full run is needed instead (then the rest is null), or null
   */
  record Increment(Dataset<Row> positions, Dataset<Row> states, List<Long> late, long continued, String fallback) {
    static Increment plan(Lakehouse lh, long fromVersionExclusive, long toVersion, int lateMax) {
      if (fromVersionExclusive == toVersion) {
        return new Increment(null, null, List.of(), 0, null);
      }
      Dataset<Row> positions = lh.readAt(Tables.POSITIONS, toVersion);
      Dataset<Row> changes;
      List<Long> changed;
      try {
        changes = lh.readChanges(Tables.POSITIONS, fromVersionExclusive + 1, toVersion);
        changed = changes.where("_change_type <> 'insert'").select("mmsi").distinct()
            .as(Encoders.LONG()).collectAsList();
      } catch (RuntimeException e) {
        return new Increment(null, null, null, 0, "no change data feed for ais_positions versions "
            + (fromVersionExclusive + 1) + "-" + toVersion + " (" + e.getClass().getSimpleName() + ")");
      }
      Dataset<Row> inserted = changes.where("_change_type = 'insert'")
          .drop("_change_type", "_commit_version", "_commit_timestamp");
      Dataset<Row> firstNew = inserted.groupBy("mmsi").agg(min("ts").as("first_new"));
      Dataset<Row> states = lh.read(Tables.TRACK_STATE);
      List<Long> late = new ArrayList<>(firstNew.join(states, "mmsi")
          .where(col("first_new").leq(col("last_ts")).or(col("state_format").notEqual(VesselState.FORMAT_VERSION)))
          .select("mmsi").as(Encoders.LONG()).collectAsList());
      for (Long m : changed) {
        if (!late.contains(m)) {
          late.add(m);
        }
      }
      late.sort(null);
      if (late.size() > lateMax) {
        return new Increment(null, null, null, 0, late.size() + " vessels with late or changed reports (more than "
            + lateMax + ")");
      }
      Column isLate = late.isEmpty() ? lit(false) : col("mmsi").isin(late.toArray());
      Dataset<Row> in = inserted.where(not(isLate)).select(WindowsTransforms.POSITION_COLUMNS[0],
          Arrays.copyOfRange(WindowsTransforms.POSITION_COLUMNS, 1, WindowsTransforms.POSITION_COLUMNS.length));
      if (!late.isEmpty()) {
        in = in.unionByName(positions.where(isLate).select(in.columns()[0],
            Arrays.copyOfRange(in.columns(), 1, in.columns().length)));
      }
      Dataset<Row> cont = states.join(firstNew.select(col("mmsi").as("new_mmsi")),
          col("mmsi").equalTo(col("new_mmsi")), "left_semi").where(not(isLate));
      long continued = cont.count();
      return new Increment(in, cont, late, continued, null);
    }
  }

  /** A {@link LongFunction} that Spark can ship to executors. */
  @FunctionalInterface
  public interface SerializableLongFunction<R> extends LongFunction<R>, java.io.Serializable {}
}
