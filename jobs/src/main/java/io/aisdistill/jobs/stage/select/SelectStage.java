package io.aisdistill.jobs.stage.select;

import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.TableChecksums;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.llm.Tokens;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.select.WindowSelector;
import io.aisdistill.common.select.WindowSelector.Candidate;
import io.aisdistill.common.select.WindowSelector.Decision;
import io.aisdistill.common.select.WindowSelector.Reason;
import io.aisdistill.common.select.WindowStrata;
import io.aisdistill.common.teacher.TeacherReplies;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.track.TrackWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

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
 */
public final class SelectStage implements Stage<SelectResult> {
  private final TeacherConfig teachers;

  /**
   * The select stage with its options.
   *
   * @param teachers the teacher file, or null for the offline grounded teacher
   */
  public SelectStage(TeacherConfig teachers) {
    this.teachers = teachers;
  }

  @Override
  public String name() {
    return "select";
  }

  @Override
  public List<String> reads() {
    return List.of(Tables.WINDOWS);
  }

  @Override
  public List<String> writes() {
    return List.of(Tables.WINDOW_SELECTION);
  }

  @Override
  public SelectResult run(StageContext ctx) {
    return SelectResult.of(execute(ctx.spark(), ctx.lakehouse(), ctx.config(), teachers, ctx.runId()));
  }


  /** {@code teachers_sha256} of a selection made without a teacher file (grounded teacher only). */
  static final String NO_TEACHERS = "none";

  /** Per-window features computed on the executors. */
  static final StructType CANDIDATE_SCHEMA = new StructType()
      .add("window_id", DataTypes.StringType).add("mmsi", DataTypes.LongType)
      .add("start_ts", DataTypes.TimestampType).add("stratum", DataTypes.StringType)
      .add("behaviour", DataTypes.StringType).add("ship_group", DataTypes.StringType)
      .add("region", DataTypes.StringType).add("hour_bucket", DataTypes.StringType)
      .add("cell", DataTypes.StringType).add("teachers", DataTypes.createArrayType(DataTypes.StringType))
      .add("est_prompt_tokens", DataTypes.LongType).add("est_calls", DataTypes.IntegerType)
      .add("est_usd", DataTypes.DoubleType);

  /**
   * Runs the stage.
   *
   * @param teachers the teacher file (generate-teachers, prices, tokenizer, max_windows), or null
   *     for the grounded teacher alone (no calls, no cost)
   * @param runId recorded in window_selection.run_id
   * @throws IllegalStateException when {@code track_windows} does not exist
   * @throws IllegalArgumentException for invalid select settings (share outside 0-1, negative
   *     budgets, geohash precision outside 1-12, an hour bucket that does not divide 24)
   */
  static StageReport execute(SparkSession spark, Lakehouse lh, PipelineConfig cfg, TeacherConfig teachers,
      String runId) {
    long t0 = System.currentTimeMillis();
    PipelineConfig.SelectSection sc = cfg.select;
    long maxWindows = smallerLimit(sc.maxWindows, teachers == null ? 0 : teachers.maxWindows);
    WindowSelector.Settings settings = new WindowSelector.Settings(sc.seed, sc.maxStoppedShare, maxWindows,
        sc.maxCalls, sc.maxUsd);
    WindowStrata.geohash(0, 0, sc.regionPrecision);
    WindowStrata.geohash(0, 0, sc.duplicateCellPrecision);
    WindowStrata.hourBucket(0, sc.hourBucketH);

    Dataset<Row> windows = lh.read(Tables.WINDOWS);
    String digest = windowsDigest(windows);
    String teachersSha = teachersDigest(teachers);
    List<Row> cands = windows.map(candidateFn(sc, teachers), Encoders.row(CANDIDATE_SCHEMA)).collectAsList();
    StructType cs = CANDIDATE_SCHEMA;
    List<Candidate> in = new ArrayList<>(cands.size());
    for (Row r : cands) {
      in.add(new Candidate(r.getString(0), r.getLong(1), ((Instant) r.get(2)).toEpochMilli(), r.getString(3),
          WindowStrata.Behaviour.STOPPED.label().equals(r.getString(4)), r.getString(8),
          r.getInt(cs.fieldIndex("est_calls")), r.getDouble(cs.fieldIndex("est_usd"))));
    }
    Map<String, Decision> decided = new HashMap<>();
    for (Decision d : WindowSelector.select(in, settings)) {
      decided.put(d.windowId(), d);
    }
    List<Row> out = new ArrayList<>(cands.size());
    for (Row r : cands) {
      Decision d = decided.get(r.getString(0));
      out.add(RowFactory.create(r.getString(0), r.getLong(1), r.get(2), r.getString(3), r.getString(4),
          r.getString(5), r.getString(6), r.getString(7), r.getString(8), d.selected(), d.reason().name(),
          d.duplicateOf(), d.rank(), d.stratumRank(), d.selectedOrder(), r.getSeq(9),
          r.isNullAt(10) ? null : r.getLong(10), r.getInt(11), r.getDouble(12), d.cumCalls(), d.cumUsd(),
          teachersSha, digest, runId));
    }
    lh.overwrite(spark.createDataFrame(out, Tables.WINDOW_SELECTION_SCHEMA), Tables.WINDOW_SELECTION, List.of());
    return report(cands, decided, settings, sc).elapsedMs(System.currentTimeMillis() - t0);
  }

  /** The smaller of two limits where 0 means unlimited. */
  static long smallerLimit(long a, long b) {
    return a == 0 ? b : b == 0 ? a : Math.min(a, b);
  }

  /** The executor side: strata, teachers and cost estimate of one window. */
  static MapFunction<Row, Row> candidateFn(PipelineConfig.SelectSection sc, TeacherConfig tc) {
    return r -> {
      TrackWindow w = Rows.window(r);
      List<String> names = new ArrayList<>();
      Long tokens = null;
      int calls = 0;
      double usd = 0;
      if (tc == null) {
        names.add(GroundedTeacher.TEACHER);
      } else {
        for (ModelSpec m : teachersOf(tc, w.windowId())) {
          names.add(m.name);
          if (m.called()) {
            ChatCall c = TeacherReplies.request(m, w);
            long t = Tokens.forPath(tc.tokenizer).prompt(c.messages());
            tokens = tokens == null ? t : Math.max(tokens, t);
            calls++;
            usd += m.cost(t, c.maxTokens());
          }
        }
      }
      return RowFactory.create(w.windowId(), w.mmsi(), Instant.ofEpochMilli(w.startTsMillis()),
          WindowStrata.stratum(w, sc.regionPrecision, sc.hourBucketH), WindowStrata.behaviour(w).label(),
          WindowStrata.shipGroup(w), WindowStrata.geohash(w.startLat(), w.startLon(), sc.regionPrecision),
          WindowStrata.hourBucket(w.startTsMillis(), sc.hourBucketH),
          WindowStrata.geohash(w.startLat(), w.startLon(), sc.duplicateCellPrecision),
          scala.jdk.javaapi.CollectionConverters.asScala(names).toSeq(), tokens, calls, usd);
    };
  }

  /** Rows and content hash of {@code windows} ({@link TableChecksums#countAndContent}), as "rows:hash". */
  static String windowsDigest(Dataset<Row> windows) {
    Row r = TableChecksums.countAndContent(windows);
    return r.getLong(0) + ":" + r.get(1);
  }

  /**
   * Digest of what the selection depends on in a teacher file: the tokenizer, max_windows and,
   * per generate-teacher, name, kind, whether it is called, share, categories, prices and
   * max_tokens (not endpoints, keys or limits); {@value #NO_TEACHERS} for null.
   */
  static String teachersDigest(TeacherConfig tc) {
    if (tc == null) {
      return NO_TEACHERS;
    }
    List<Map<String, Object>> gen = new ArrayList<>();
    for (ModelSpec m : tc.byRole(ModelSpec.Role.GENERATE)) {
      Map<String, Object> e = new TreeMap<>();
      e.put("name", m.name);
      e.put("grounded", m.grounded());
      e.put("called", m.called());
      e.put("share", m.share);
      e.put("categories", m.categories);
      e.put("price_in_per_mtok", m.priceInPerMtok);
      e.put("price_out_per_mtok", m.priceOutPerMtok);
      e.put("max_tokens", m.maxTokens);
      gen.add(e);
    }
    Map<String, Object> all = new TreeMap<>();
    all.put("tokenizer", tc.tokenizer);
    all.put("max_windows", tc.maxWindows);
    all.put("generate", gen);
    all.put("prompt_version", WindowPrompt.VERSION);
    try {
      return Sha256.hex(ChatCall.JSON.writeValueAsString(all));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the teacher settings: " + e.getMessage(), e);
    }
  }

  /**
   * The {@code track_windows} rows that {@code window_selection} selects, for the generate stage.
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
    Dataset<Row> windows = lh.read(Tables.WINDOWS);
    List<Row> made = sel.select("windows_digest", "teachers_sha256").distinct().collectAsList();
    if (made.size() > 1) {
      throw new IllegalStateException(Tables.WINDOW_SELECTION + " mixes selections: run select again");
    }
    if (!made.isEmpty()) {
      String now = windowsDigest(windows);
      if (!made.get(0).getString(0).equals(now)) {
        throw new IllegalStateException(Tables.WINDOW_SELECTION + " was made from other track_windows (rows:hash "
            + made.get(0).getString(0) + ", now " + now + "): run select again");
      }
      String want = teachersDigest(teachers);
      if (!made.get(0).getString(1).equals(want)) {
        throw new IllegalStateException(Tables.WINDOW_SELECTION + " was made for another teacher file than this "
            + "generate run's (" + (teachers == null ? "none" : "--teachers") + "): run select with the same "
            + "--teachers, so that its budget holds");
      }
    }
    return windows.join(sel.filter(col("selected")).select("window_id"), "window_id");
  }

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

  /** The generate-teachers of a window (see {@code GenerateStage}): every generate-teacher that lists categories, plus one of the
   * others picked by share from a hash of the window id. */
  public static List<ModelSpec> teachersOf(TeacherConfig tc, String windowId) {
    List<ModelSpec> out = new ArrayList<>();
    List<ModelSpec> shared = new ArrayList<>();
    for (ModelSpec m : tc.byRole(ModelSpec.Role.GENERATE)) {
      if (!m.categories.isEmpty()) {
        out.add(m);
      } else if (m.share > 0) {
        shared.add(m);
      }
    }
    if (!shared.isEmpty()) {
      out.add(TeacherConfig.pickByShare(shared, "share|" + windowId));
    }
    return out;
  }
}
