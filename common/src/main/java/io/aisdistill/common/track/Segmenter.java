package io.aisdistill.common.track;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.VesselStatic;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Streaming track segmentation and windowing over position reports sorted by (MMSI, time).
 *
 * <p>One pass, memory bounded by the open windows of the current vessel: for each vessel the
 * segmenter keeps up to {@link WindowConfig#maxOpenTracks()} open tracks. A report joins the open
 * track it is kinematically consistent with (time since that track's last report at most
 * {@link WindowConfig#maxGapS()}, and implied speed at most {@link WindowConfig#maxSpeedKn()} unless
 * the leg is shorter than {@link WindowConfig#teleportMinNm()}); when several are, the one whose
 * last report is most recent. A report consistent with none starts a new track (segment): an AIS
 * gap, a position jump, or a second transmitter sharing the MMSI, whose reports then form their
 * own segments instead of zig-zagging one track. A report at the same time as its track's last
 * one and within the noise floor of it is a same-time repeat: skipped and counted.
 *
 * <p>Each track is cut into windows: a window closes when a report arrives
 * {@link WindowConfig#windowLengthS()} or more after the window's first report; windows with fewer
 * than {@link WindowConfig#minPoints()} reports are dropped and counted. By construction no window
 * spans a gap longer than maxGapS or a position jump.
 *
 * <p>Incremental runs: with a state consumer ({@link #Segmenter(WindowConfig, LongFunction, Consumer,
 * Consumer)}) the segmenter hands over, when it leaves a vessel, that vessel's {@link VesselState}
 * (its open tracks, their current windows' reports, and the last report time) before it closes
 * the open tracks. A later run that {@link #resume}s from that state and then accepts the vessel's
 * newer reports (all strictly later than {@link VesselState#lastTsMillis()}) emits exactly the
 * windows that one pass over all the reports would emit from that point on: the segmentation is
 * causal (no look-ahead), so the state is all it needs. A window that was still open is emitted
 * again, with the same id and its new reports.
 *
 * <p>Not thread-safe; one instance per Spark partition.
 */
public final class Segmenter {
  /** Counters of one segmenter's work. */
  public static final class Stats {
    /** Reports accepted by {@link #accept}. */
    public long points;
    /** Same-time repeats skipped. */
    public long sameTimeRepeats;
    /** Segments (tracks) started. */
    public long segments;
    /** Windows emitted. */
    public long windows;
    /** Windows dropped for having fewer than minPoints reports. */
    public long shortWindows;
    /** Reports inside dropped windows. */
    public long pointsInShortWindows;
  }

  private final WindowConfig cfg;
  private final LongFunction<String> flagLookup;
  private final Consumer<TrackWindow> out;
  private final Consumer<VesselState> stateOut;
  private final Stats stats = new Stats();
  private final List<Track> open = new ArrayList<>();
  private long currentMmsi = Long.MIN_VALUE;
  private long lastTs = Long.MIN_VALUE;

  /**
   * @param cfg segmentation and window parameters
   * @param flagLookup MMSI to flag state name (null result = unknown); e.g. the MID table
   * @param out receives each finished window, in a deterministic order for a given input
   */
  public Segmenter(WindowConfig cfg, LongFunction<String> flagLookup, Consumer<TrackWindow> out) {
    this(cfg, flagLookup, out, null);
  }

  /**
   * A segmenter that also hands over each vessel's state when it leaves the vessel.
   *
   * @param cfg segmentation and window parameters
   * @param flagLookup MMSI to flag state name (null result = unknown); e.g. the MID table
   * @param out receives each finished window, in a deterministic order for a given input
   * @param stateOut receives each vessel's state (see {@link VesselState}) just before its open
   *     tracks are closed; null = none
   */
  public Segmenter(WindowConfig cfg, LongFunction<String> flagLookup, Consumer<TrackWindow> out,
      Consumer<VesselState> stateOut) {
    this.cfg = cfg;
    this.flagLookup = flagLookup;
    this.out = out;
    this.stateOut = stateOut;
  }

  /**
   * Continues a vessel from the state an earlier run handed over: closes the current vessel (if
   * any) and restores the open tracks of {@code state}. Call it before the vessel's first new
   * report; its reports must then be later than {@link VesselState#lastTsMillis()}.
   *
   * @throws IllegalArgumentException when {@code state}'s MMSI is below the current vessel's
   *     (reports not sorted by MMSI)
   */
  public void resume(VesselState state) {
    if (state.mmsi() < currentMmsi || (state.mmsi() == currentMmsi && !open.isEmpty())) {
      throw new IllegalArgumentException("state of MMSI " + state.mmsi() + " after " + currentMmsi);
    }
    closeAll();
    currentMmsi = state.mmsi();
    lastTs = state.lastTsMillis();
    for (VesselState.TrackState ts : state.tracks()) {
      Track t = new Track(state.mmsi(), ts.segmentStartMillis());
      t.windowIndex = ts.windowIndex();
      t.lastTs = ts.lastTsMillis();
      t.lastLat = ts.lastLat();
      t.lastLon = ts.lastLon();
      t.points.addAll(ts.points());
      t.legs = Arrays.copyOf(ts.legsNm(), Math.max(64, ts.legsNm().length));
      t.vessel = ts.vessel();
      t.aisClass = ts.aisClass();
      open.add(t);
    }
  }

  /**
   * Adds the next report.
   *
   * @throws IllegalArgumentException when reports are not sorted by (MMSI, time)
   */
  public void accept(PositionReport p) {
    if (p.mmsi() != currentMmsi) {
      if (p.mmsi() < currentMmsi) {
        throw new IllegalArgumentException("reports not sorted by MMSI: " + p.mmsi() + " after " + currentMmsi);
      }
      closeAll();
      currentMmsi = p.mmsi();
      lastTs = Long.MIN_VALUE;
    } else if (p.tsMillis() < lastTs) {
      throw new IllegalArgumentException("reports of MMSI " + p.mmsi() + " not sorted by time");
    }
    lastTs = p.tsMillis();
    stats.points++;
    // close tracks that went silent for longer than the gap limit
    for (int i = open.size() - 1; i >= 0; i--) {
      Track t = open.get(i);
      if (p.tsMillis() - t.lastTs > cfg.maxGapS() * 1000) {
        t.close();
        open.remove(i);
      }
    }
    Track best = null;
    double bestLeg = 0;
    for (Track t : open) {
      double leg = Geo.distanceNm(t.lastLat, t.lastLon, p.lat(), p.lon());
      long dt = p.tsMillis() - t.lastTs;
      if (dt == 0) {
        if (leg <= cfg.teleportMinNm()) {
          // same-time repeat of this track's last report (a second receiver, a resend)
          stats.sameTimeRepeats++;
          return;
        }
        continue;
      }
      boolean consistent = leg <= cfg.teleportMinNm() || leg / (dt / 3_600_000.0) <= cfg.maxSpeedKn();
      if (consistent && (best == null || t.lastTs > best.lastTs)) {
        best = t;
        bestLeg = leg;
      }
    }
    if (best == null) {
      if (open.size() >= cfg.maxOpenTracks()) {
        Track oldest = open.get(0);
        for (Track t : open) {
          if (t.lastTs < oldest.lastTs) {
            oldest = t;
          }
        }
        oldest.close();
        open.remove(oldest);
      }
      best = new Track(p.mmsi(), p.tsMillis());
      stats.segments++;
      open.add(best);
    }
    best.add(p, bestLeg);
  }

  /** Flushes every open track of the current vessel; call once after the last report. */
  public void finish() {
    closeAll();
  }

  /** Counters so far. */
  public Stats stats() {
    return stats;
  }

  private void closeAll() {
    // close in segment start order so output order is deterministic
    open.sort((a, b) -> Long.compare(a.segmentStart, b.segmentStart));
    if (stateOut != null && currentMmsi != Long.MIN_VALUE && !open.isEmpty()) {
      List<VesselState.TrackState> tracks = new ArrayList<>();
      for (Track t : open) {
        tracks.add(new VesselState.TrackState(t.segmentStart, t.windowIndex, t.lastTs, t.lastLat, t.lastLon,
            List.copyOf(t.points), Arrays.copyOf(t.legs, t.points.size()), t.vessel, t.aisClass));
      }
      stateOut.accept(new VesselState(currentMmsi, lastTs, tracks));
    }
    for (Track t : open) {
      t.close();
    }
    open.clear();
  }

  /** One open track (segment) and its current window. */
  private final class Track {
    final long mmsi;
    final long segmentStart;
    int windowIndex;
    long lastTs;
    double lastLat;
    double lastLon;
    final List<TrackPoint> points = new ArrayList<>();
    double[] legs = new double[64];
    // static identity: last non-null value of each field in the current window
    VesselStatic vessel = VesselStatic.UNKNOWN;
    String aisClass;

    Track(long mmsi, long segmentStart) {
      this.mmsi = mmsi;
      this.segmentStart = segmentStart;
    }

    void add(PositionReport p, double legNm) {
      if (!points.isEmpty() && p.tsMillis() - points.get(0).tsMillis() >= cfg.windowLengthS() * 1000) {
        closeWindow();
      }
      if (points.size() == legs.length) {
        legs = Arrays.copyOf(legs, legs.length * 2);
      }
      legs[points.size()] = points.isEmpty() ? 0 : legNm;
      points.add(new TrackPoint(p.tsMillis(), p.lat(), p.lon(), p.sog(), p.cog(), p.heading(), p.navStatus()));
      vessel = p.vesselStatic().orElse(vessel);
      if (p.aisClass() != null) aisClass = p.aisClass();
      lastTs = p.tsMillis();
      lastLat = p.lat();
      lastLon = p.lon();
    }

    void closeWindow() {
      if (points.size() >= cfg.minPoints()) {
        VesselInfo v = new VesselInfo(mmsi, vessel, aisClass, flagLookup.apply(mmsi));
        out.accept(WindowFeatures.build(cfg, mmsi, segmentStart, windowIndex, points, legs, v));
        stats.windows++;
      } else if (!points.isEmpty()) {
        stats.shortWindows++;
        stats.pointsInShortWindows += points.size();
      }
      windowIndex++;
      points.clear();
    }

    void close() {
      closeWindow();
    }
  }
}
