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
import io.aisdistill.common.select.WindowSelector.Decision;
import io.aisdistill.common.select.WindowSelector.Reason;
import io.aisdistill.common.select.WindowStrata;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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
 * <p>The table is rewritten whole each run (one atomic Delta commit); it is a pure function of
 * track_windows, the select settings and the teacher file, so a rerun selects the same windows.
 * Each row records digests of the track_windows content and of the teacher-file settings it was
 * made for; the generate stage refuses a selection that does not match (see
 * {@link #selectedWindows}). The candidates (about 300 bytes each) are decided on the driver.
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
   * Runs the stage: track_windows to window_selection (rewritten whole).
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
        sc.maxCalls, sc.maxUsd);
    WindowStrata.geohash(0, 0, sc.regionPrecision);
    WindowStrata.geohash(0, 0, sc.duplicateCellPrecision);
    WindowStrata.hourBucket(0, sc.hourBucketH);

    // read
    long windowsVersion = lh.version(Tables.WINDOWS);
    Dataset<Row> windows = lh.readAt(Tables.WINDOWS, windowsVersion);

    // transforms
    String digest = SelectTransforms.windowsDigest(windows);
    String teachersSha = SelectTransforms.teachersDigest(teachers);
    List<Row> cands = SelectTransforms.candidates(windows, sc, teachers).collectAsList();
    Map<String, Decision> decided = SelectTransforms.decide(cands, settings);
    Dataset<Row> selection = SelectTransforms.selection(ctx.spark(), cands, decided, teachersSha, digest, ctx.runId());

    // sink
    lh.withUserMetadata(CommitMetadata.json(Map.of(WINDOWS_VERSION, windowsVersion, WINDOWS_DIGEST, digest)),
        () -> lh.overwrite(selection, Tables.WINDOW_SELECTION, List.of()));

    // report and result
    StageReport rep = report(cands, decided, settings, sc).elapsedMs(System.currentTimeMillis() - t0);
    return new SelectResult(cands.size(), SelectTransforms.selectedCount(cands, decided), rep);
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
    // the digest select recorded, when it selected from this very track_windows version
    JsonNode made = CommitMetadata.last(lh, Tables.WINDOW_SELECTION, 1, WINDOWS_VERSION, WINDOWS_DIGEST);
    String known = made != null && made.get(WINDOWS_VERSION).asLong() == windowsVersion
        ? made.get(WINDOWS_DIGEST).asText() : null;
    return SelectTransforms.selected(windows, sel, teachers, known);
  }

  /**
   * Keys of the JSON user metadata of select's window_selection commit: the track_windows version
   * selected from and its {@link SelectTransforms#windowsDigest}. A generate run on the same
   * version takes the digest from there instead of hashing track_windows again; on any other
   * version (or after a commit by anything else) it hashes.
   */
  static final String WINDOWS_VERSION = "windows_version";
  static final String WINDOWS_DIGEST = "windows_digest";

  /** The stage summary: windows in/selected, reasons, budgets, and windows per stratum dimension. */
  private static StageReport report(List<Row> cands, Map<String, Decision> decided, WindowSelector.Settings s,
      PipelineConfig.SelectSection sc) {
    StageReport rep = new StageReport("select");
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
    for (Row r : cands) {
      Decision d = decided.get(r.getString(0));
      reasons.merge(d.reason().name(), 1L, Long::sum);
      strataIn.add(r.getString(3));
      if (d.selected()) {
        selected++;
        strataSel.add(r.getString(3));
        stoppedSelected += WindowStrata.Behaviour.STOPPED.label().equals(r.getString(4)) ? 1 : 0;
        calls += r.getInt(11);
        usd += r.getDouble(12);
      }
    }
    rep.put("windows_in", (long) cands.size()).put("windows_selected", selected);
    reasons.forEach((k, v) -> rep.put("reason." + k, v));
    rep.put("strata_in", (long) strataIn.size()).put("strata_selected", (long) strataSel.size())
        .put("stopped_share_selected", selected == 0 ? 0.0 : stoppedSelected / (double) selected)
        .put("est_calls_selected", calls).put("est_usd_selected", usd)
        .put("seed", s.seed()).put("max_stopped_share", s.maxStoppedShare()).put("max_windows", s.maxWindows())
        .put("max_calls", s.maxCalls()).put("max_usd", s.maxUsd())
        .put("strata", "behaviour|ship_group|geohash" + sc.regionPrecision + "|" + sc.hourBucketH + "h UTC");
    dimension(rep, "behaviour", cands, decided, r -> r.getString(4), Integer.MAX_VALUE);
    dimension(rep, "ship group", cands, decided, r -> r.getString(5), Integer.MAX_VALUE);
    dimension(rep, "hour bucket (UTC)", cands, decided, r -> r.getString(7), Integer.MAX_VALUE);
    dimension(rep, "region (15 largest)", cands, decided, r -> r.getString(6), 15);
    return rep;
  }

  /** A report table: per value of one stratum dimension, windows in, selected and per reason. */
  private static void dimension(StageReport rep, String title, List<Row> cands, Map<String, Decision> decided,
      Function<Row, String> key, int top) {
    Reason[] reasons = Reason.values();
    Map<String, long[]> m = new HashMap<>();
    for (Row r : cands) {
      long[] c = m.computeIfAbsent(key.apply(r), k -> new long[1 + reasons.length]);
      c[0]++;
      c[1 + decided.get(r.getString(0)).reason().ordinal()]++;
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
