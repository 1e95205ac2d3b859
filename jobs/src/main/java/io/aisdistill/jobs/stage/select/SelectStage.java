package io.aisdistill.jobs.stage.select;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.CommitMetadata;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;

import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.select.WindowSelector;
import io.aisdistill.common.select.WindowSelector.Reason;
import io.aisdistill.common.select.WindowStrata;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * Stage 3, select: {@code track_windows} to {@code window_selection}, the windows the generate
 * stage makes QA pairs for (it reads only those).
 *
 * <p>Each window gets a stratum ({@link WindowStrata}: behaviour, ship type group, geohash region
 * and UTC hour bucket of its start), its generate-teachers (as the generate stage picks them:
 * every teacher with {@code categories}, one of the others by {@code share}), and the estimated
 * cost of their calls: per LLM call, the request's prompt tokens (the teacher file's Qwen2.5
 * tokenizer in ChatML, as the rate limiter counts them; chars/4 without a tokenizer) times
 * {@code price_in_per_mtok} plus {@code max_tokens} times {@code price_out_per_mtok}, divided by
 * 10^6: an upper bound whenever the provider counts input tokens as Qwen2.5 does, since no reply
 * is longer than max_tokens. Then {@link WindowSelector} drops near-identical stopped windows,
 * orders the rest by a seeded stratified round-robin, caps stopped windows at
 * {@code select.max_stopped_share} of the selection and cuts the order at the first window that
 * would exceed {@code select.max_windows} (or the teacher file's {@code max_windows}, the smaller),
 * {@code select.max_calls} or {@code select.max_usd}.
 *
 * <p>The table is a pure function of track_windows, the select settings and the teacher file, so
 * a rerun selects the same windows. With {@code select.scope: all} it is rewritten whole each run
 * (one atomic Delta commit). With {@code select.scope: day} a day's rows depend on that day's
 * windows only, so a run with the same settings as the last one ({@code select.incremental}, the
 * default; its checkpoint is the user metadata of window_selection's last commit) decides only the
 * UTC days of the track_windows rows changed since then (read from track_windows' change data
 * feed, which select turns on) and replaces those days' rows, writing only the rows that differ;
 * nothing changed = mode unchanged, no commit. The table then equals a full run's.
 * Each row records the digest of the teacher-file settings it was made for and of the
 * track_windows rows of its scope (all rows, or its day's); the generate stage refuses a selection
 * that does not match (see {@link #selectedWindows}). The decisions are computed on the executors
 * ({@link DistributedSelector}); the driver holds one row per stratum and per partition.
 *
 * <p>The transforms (candidates, decisions, selection rows, digests) are in {@link SelectTransforms}; the
 * table is written by one {@link Lakehouse#overwrite}.
 */
public final class SelectStage extends AbstractStage<SelectResult> {
  private final TeacherConfig teachers;

  /**
   * The select stage with its options.
   *
   * @param teachers the teacher file, or null for the offline grounded teacher
   */
  public SelectStage(TeacherConfig teachers) {
    super("select", List.of(Tables.WINDOWS), List.of(Tables.WINDOW_SELECTION));
    this.teachers = teachers;
  }

  /**
   * Runs the stage: track_windows to window_selection (rewritten whole, or the changed days' rows
   * replaced; see the class comment).
   *
   * @throws IllegalStateException when {@code track_windows} does not exist
   * @throws IllegalArgumentException for invalid select settings (share outside 0-1, negative
   *     budgets, geohash precision outside 1-12, an hour bucket that does not divide 24)
   */
  @Override
  public SelectResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    Lakehouse lh = ctx.lakehouse();
    PipelineConfig.SelectSection sc = ctx.config().select;
    long maxWindows = SelectTransforms.smallerLimit(sc.maxWindows, teachers == null ? 0 : teachers.maxWindows);
    WindowSelector.Settings settings = new WindowSelector.Settings(sc.seed, sc.maxStoppedShare, maxWindows,
        sc.maxCalls, sc.maxUsd, WindowSelector.Scope.of(sc.scope));
    WindowStrata.geohash(0, 0, sc.regionPrecision);
    WindowStrata.geohash(0, 0, sc.duplicateCellPrecision);
    WindowStrata.hourBucket(0, sc.hourBucketH);

    // read: track_windows records its changes, so that a day-scoped run can decide the changed days alone
    String why = null;
    if (!lh.changeFeedEnabled(Tables.WINDOWS)) {
      lh.enableChangeFeed(Tables.WINDOWS);
      why = Tables.WINDOWS + " had no change data feed (turned on now)";
    }
    long windowsVersion = lh.version(Tables.WINDOWS);
    Dataset<Row> windows = lh.readAt(Tables.WINDOWS, windowsVersion);
    String teachersSha = SelectTransforms.teachersDigest(teachers);
    String settingsSha = settingsDigest(settings, sc, teachersSha);
    JsonNode last = lh.exists(Tables.WINDOW_SELECTION)
        ? CommitMetadata.last(lh, Tables.WINDOW_SELECTION, 1, WINDOWS_VERSION, SETTINGS) : null;
    if (why == null) {
      why = fullBecause(sc.incremental, settings.scope(), last, settingsSha, windowsVersion);
    }
    // the days to decide: all (a full run), or those of the track_windows rows changed since the last run
    String within = null;
    long daysDecided = -1;
    if (why == null) {
      long from = last.get(WINDOWS_VERSION).asLong();
      List<Long> days;
      try {
        days = from >= windowsVersion ? List.of() : lh.readChanges(Tables.WINDOWS, from + 1, windowsVersion)
            .select(DistributedSelector.scopeKey(settings.scope())).distinct().as(Encoders.LONG()).collectAsList();
      } catch (RuntimeException e) {
        days = null;
        why = "no change data feed for track_windows versions " + (from + 1) + "-" + windowsVersion + " ("
            + e.getClass().getSimpleName() + ")";
      }
      if (days != null) {
        within = daysCondition(days);
        daysDecided = days.size();
      }
    }
    String mode = within == null ? "full" : "incremental";
    if (daysDecided == 0) {
      // no track_windows row changed: nothing to decide; the checkpoint advances when the version did
      if (last.get(WINDOWS_VERSION).asLong() == windowsVersion) {
        mode = "unchanged";
      } else {
        lh.recordUserMetadata(Tables.WINDOW_SELECTION, CHECKPOINT_PROPERTY,
            checkpoint(windowsVersion, settingsSha, settings.scope(), null));
      }
    } else {
      decide(ctx, lh, within == null ? windows : windows.where(within), within, settings, sc, teachersSha,
          windowsVersion, settingsSha);
    }
    List<Row> summary = summary(lh.read(Tables.WINDOW_SELECTION));
    Map<String, Object> modeRep = new LinkedHashMap<>();
    modeRep.put("mode", mode);
    modeRep.put("full_because", why == null ? "" : why);
    modeRep.put("days_decided", within == null ? "all" : String.valueOf(daysDecided));

    // report and result
    StageReport rep = report(summary, settings, sc).elapsedMs(System.currentTimeMillis() - t0);
    modeRep.forEach(rep::put);
    Map<String, Object> m = rep.metrics();
    return new SelectResult((Long) m.get("windows_in"), (Long) m.get("windows_selected"), rep);
  }

  /**
   * Decides {@code windows} (all of track_windows, or the windows of the days {@code within}
   * selects) and writes their window_selection rows: a full run rewrites the table, an incremental
   * one replaces the rows of those days (writing only the rows that differ) and records the
   * checkpoint (of track_windows version {@code windowsVersion}) even when none differs.
   */
  private void decide(StageContext ctx, Lakehouse lh, Dataset<Row> windows, String within,
      WindowSelector.Settings settings, PipelineConfig.SelectSection sc, String teachersSha,
      long windowsVersion, String settingsSha) {
    Map<Long, String> digests = SelectTransforms.scopeDigests(windows, settings.scope());
    String meta = checkpoint(windowsVersion, settingsSha, settings.scope(),
        settings.scope() == WindowSelector.Scope.ALL ? digests.get(0L) : null);
    Dataset<Row> cands = SelectTransforms.candidates(windows, sc, teachers).persist(StorageLevel.MEMORY_AND_DISK());
    DistributedSelector.Decided decided = SelectTransforms.decide(ctx.spark(), cands, settings);
    try {
      Dataset<Row> selection = SelectTransforms.selection(decided.rows(), teachersSha, digests, settings.scope(),
          ctx.runId());
      if (within == null) {
        lh.withUserMetadata(meta, () -> lh.overwrite(selection, Tables.WINDOW_SELECTION, List.of()));
      } else {
        lh.writeWithCheckpoint(Tables.WINDOW_SELECTION, CHECKPOINT_PROPERTY, meta, true,
            () -> lh.sync(selection, Tables.WINDOW_SELECTION, List.of("window_id"), within, List.of()));
      }
    } finally {
      decided.cleanup();
      cands.unpersist();
    }
  }

  /**
   * The {@code track_windows} rows that {@code window_selection} selects, for the generate stage
   * (see {@link SelectTransforms#selected}).
   *
   * @param teachers the generate stage's teacher file, or null
   * @throws IllegalStateException when window_selection does not exist, was made from another
   *     content of track_windows (windows rerun since), or for another teacher file (another
   *     mix, prices, tokenizer or max_windows): in each case run select again
   */
  public static Dataset<Row> selectedWindows(Lakehouse lh, TeacherConfig teachers) {
    if (!lh.exists(Tables.WINDOW_SELECTION)) {
      throw new IllegalStateException("table " + Tables.WINDOW_SELECTION + " not found under " + lh.root()
          + ": run select first");
    }
    Dataset<Row> sel = lh.read(Tables.WINDOW_SELECTION);
    long windowsVersion = lh.version(Tables.WINDOWS);
    Dataset<Row> windows = lh.readAt(Tables.WINDOWS, windowsVersion);
    // select's checkpoint: when it selected from this very track_windows version, the digests need no check
    JsonNode made = CommitMetadata.last(lh, Tables.WINDOW_SELECTION, 1, WINDOWS_VERSION);
    boolean current = made != null && made.get(WINDOWS_VERSION).asLong() == windowsVersion;
    WindowSelector.Scope scope = made != null && made.has(SCOPE) ? WindowSelector.Scope.of(made.get(SCOPE).asText())
        : WindowSelector.Scope.ALL;
    return SelectTransforms.selected(windows, sel, teachers, scope, current);
  }

  /**
   * Keys of the JSON user metadata of select's window_selection commit, its checkpoint: the
   * track_windows version selected from, the {@link #settingsDigest}, the scope, and (scope all)
   * the {@link SelectTransforms#windowsDigest} of track_windows. A generate run on the same
   * version trusts the selection's digests instead of hashing track_windows again; a day-scoped
   * select with the same settings decides only the days changed since that version.
   */
  static final String WINDOWS_VERSION = "windows_version";
  static final String WINDOWS_DIGEST = "windows_digest";
  static final String SETTINGS = "select_settings";
  static final String SCOPE = "scope";

  /**
   * The checkpoint JSON (keys above, in that order): {@code windowsDigest} is the whole table's
   * digest for scope all, null (left out) for scope day.
   */
  private static String checkpoint(long windowsVersion, String settingsSha, WindowSelector.Scope scope,
      String windowsDigest) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(WINDOWS_VERSION, windowsVersion);
    m.put(SETTINGS, settingsSha);
    m.put(SCOPE, scope.name());
    if (windowsDigest != null) {
      m.put(WINDOWS_DIGEST, windowsDigest);
    }
    return CommitMetadata.json(m);
  }

  /** Table property a checkpoint-only commit sets (see {@link Lakehouse#recordUserMetadata}). */
  static final String CHECKPOINT_PROPERTY = "aisdistill.select.checkpoint";

  /**
   * SHA-256 of what the decisions depend on besides track_windows: the {@link WindowSelector.Settings}
   * (seed, cap, budgets, scope), the strata and near-duplicate precisions, and the teacher file's digest.
   */
  static String settingsDigest(WindowSelector.Settings s, PipelineConfig.SelectSection sc, String teachersSha) {
    return io.aisdistill.common.text.Sha256.hex(String.join("|", "select-v1", String.valueOf(s.seed()),
        Double.toString(s.maxStoppedShare()), String.valueOf(s.maxWindows()), String.valueOf(s.maxCalls()),
        Double.toString(s.maxUsd()), s.scope().name(), String.valueOf(sc.regionPrecision),
        String.valueOf(sc.duplicateCellPrecision), String.valueOf(sc.hourBucketH), teachersSha));
  }

  /** Why this run decides every window, or null when it may decide only the changed days. */
  private static String fullBecause(boolean incremental, WindowSelector.Scope scope, JsonNode last,
      String settingsSha, long windowsVersion) {
    if (!incremental) {
      return "select.incremental is false (--full)";
    }
    if (scope == WindowSelector.Scope.ALL) {
      return "select.scope is all: the cap and the budgets are totals over every window";
    }
    if (last == null) {
      return "no checkpoint in " + Tables.WINDOW_SELECTION + "'s last commit";
    }
    if (!settingsSha.equals(last.get(SETTINGS).asText())) {
      return "the select settings or the teacher file changed";
    }
    if (last.get(WINDOWS_VERSION).asLong() > windowsVersion) {
      return "the checkpoint's track_windows version " + last.get(WINDOWS_VERSION).asLong() + " is newer than "
          + windowsVersion;
    }
    return null;
  }

  /**
   * SQL condition on start_ts that holds for the windows of {@code days} (UTC days since
   * 1970-01-01), consecutive days joined into one range; {@code false} for none.
   */
  static String daysCondition(List<Long> days) {
    List<Long> sorted = new ArrayList<>(new java.util.TreeSet<>(days));
    List<String> ranges = new ArrayList<>();
    for (int i = 0; i < sorted.size(); ) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      ranges.add("(start_ts >= timestamp_millis(" + sorted.get(i) * 86_400_000L + "L) AND start_ts < timestamp_millis("
          + (sorted.get(j) + 1) * 86_400_000L + "L))");
      i = j + 1;
    }
    return ranges.isEmpty() ? "false" : String.join(" OR ", ranges);
  }

  /** Columns of a {@link #summary} row. */
  private static final int S_BEHAVIOUR = 0;
  private static final int S_SHIP_GROUP = 1;
  private static final int S_REGION = 2;
  private static final int S_HOUR = 3;
  private static final int S_STRATUM = 4;
  private static final int S_REASON = 5;
  private static final int S_WINDOWS = 6;
  private static final int S_CALLS = 7;
  private static final int S_USD = 8;

  /**
   * window_selection per stratum (with its behaviour, ship group, region and hour bucket) and
   * reason: windows, est_calls of the windows and the largest cum_usd; at most strata x 4 rows.
   */
  private static List<Row> summary(Dataset<Row> selection) {
    return selection.groupBy("behaviour", "ship_group", "region", "hour_bucket", "stratum", "reason")
        .agg(count(lit(1)), sum(col("est_calls").cast("long")), sum(col("est_usd")))
        .collectAsList();
  }

  /** The stage summary: windows in/selected, reasons, budgets, and windows per stratum dimension. */
  private static StageReport report(List<Row> summary, WindowSelector.Settings s, PipelineConfig.SelectSection sc) {
    StageReport rep = new StageReport("select");
    long in = 0;
    long selected = 0;
    long stoppedSelected = 0;
    long calls = 0;
    double usd = 0;
    Map<String, Long> reasons = new LinkedHashMap<>();
    for (Reason r : Reason.values()) {
      reasons.put(r.name(), 0L);
    }
    Set<String> strataIn = new HashSet<>();
    Set<String> strataSel = new HashSet<>();
    for (Row r : summary) {
      long n = r.getLong(S_WINDOWS);
      in += n;
      reasons.merge(r.getString(S_REASON), n, Long::sum);
      strataIn.add(r.getString(S_STRATUM));
      if (Reason.SELECTED.name().equals(r.getString(S_REASON))) {
        selected += n;
        strataSel.add(r.getString(S_STRATUM));
        stoppedSelected += WindowStrata.Behaviour.STOPPED.label().equals(r.getString(S_BEHAVIOUR)) ? n : 0;
        calls += r.getLong(S_CALLS);
        usd += r.getDouble(S_USD);
      }
    }
    rep.put("windows_in", in).put("windows_selected", selected);
    reasons.forEach((k, v) -> rep.put("reason." + k, v));
    rep.put("strata_in", (long) strataIn.size()).put("strata_selected", (long) strataSel.size())
        .put("stopped_share_selected", selected == 0 ? 0.0 : stoppedSelected / (double) selected)
        .put("est_calls_selected", calls).put("est_usd_selected", usd)
        .put("seed", s.seed()).put("max_stopped_share", s.maxStoppedShare()).put("max_windows", s.maxWindows())
        .put("max_calls", s.maxCalls()).put("max_usd", s.maxUsd()).put("scope", s.scope().name().toLowerCase(Locale.ROOT))
        .put("strata", "behaviour|ship_group|geohash" + sc.regionPrecision + "|" + sc.hourBucketH + "h UTC");
    dimension(rep, "behaviour", summary, S_BEHAVIOUR, Integer.MAX_VALUE);
    dimension(rep, "ship group", summary, S_SHIP_GROUP, Integer.MAX_VALUE);
    dimension(rep, "hour bucket (UTC)", summary, S_HOUR, Integer.MAX_VALUE);
    dimension(rep, "region (15 largest)", summary, S_REGION, 15);
    return rep;
  }

  /** A report table: per value of one stratum dimension, windows in, selected and per reason. */
  private static void dimension(StageReport rep, String title, List<Row> summary, int key, int top) {
    Reason[] reasons = Reason.values();
    Map<String, long[]> m = new HashMap<>();
    for (Row r : summary) {
      long[] c = m.computeIfAbsent(r.getString(key), k -> new long[1 + reasons.length]);
      c[0] += r.getLong(S_WINDOWS);
      c[1 + Reason.valueOf(r.getString(S_REASON)).ordinal()] += r.getLong(S_WINDOWS);
    }
    List<String> header = new ArrayList<>(List.of(title.replaceAll(" \\(.*", ""), "windows_in"));
    for (Reason r : reasons) {
      header.add(r.name());
    }
    List<List<Object>> rows = new ArrayList<>();
    m.entrySet().stream()
        .sorted(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0]).thenComparing(Map.Entry::getKey))
        .limit(top)
        .forEach(e -> {
          List<Object> row = new ArrayList<>();
          row.add(e.getKey());
          for (long v : e.getValue()) {
            row.add(v);
          }
          rows.add(row);
        });
    rep.table("Windows by " + title, header, rows);
  }
}
