package io.aisdistill.jobs.stage.select;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.TableChecksums;
import io.aisdistill.jobs.lakehouse.Tables;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.llm.Tokens;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.select.WindowSelector;
import io.aisdistill.common.select.WindowStrata;
import io.aisdistill.common.teacher.TeacherReplies;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.track.TrackWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The select stage's transforms: no lakehouse, no files, no report.
 *
 * <ul>
 *   <li>{@link #candidates}: {@code track_windows} rows ({@link Tables#WINDOWS_SCHEMA}) to one
 *       candidate row per window ({@link #CANDIDATE_SCHEMA}: window_id, mmsi, start_ts, stratum,
 *       behaviour, ship_group, region, hour_bucket, cell, teachers, est_prompt_tokens, est_calls,
 *       est_usd), computed on the executors;</li>
 *   <li>{@link #decide}: candidate rows to the {@link WindowSelector} decision of each window,
 *       computed on the executors ({@link DistributedSelector});</li>
 *   <li>{@link #selection}: decided candidates to {@code window_selection} rows
 *       ({@link Tables#WINDOW_SELECTION_SCHEMA});</li>
 *   <li>{@link #selected}: {@code track_windows} and {@code window_selection} to the
 *       track_windows rows (same columns) the selection selects, after checking that it was made
 *       from these windows and for this teacher file;</li>
 *   <li>helpers: {@link #windowsDigest}, {@link #teachersDigest}, {@link #teachersOf},
 *       {@link #smallerLimit}.</li>
 * </ul>
 */
public final class SelectTransforms {
  private SelectTransforms() {}

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
   * Candidate rows ({@link #CANDIDATE_SCHEMA}) of {@code windows} (track_windows rows): strata,
   * generate-teachers and cost estimate of each window (see {@link SelectStage}).
   *
   * @param teachers the teacher file, or null for the grounded teacher alone (no calls, no cost)
   */
  static Dataset<Row> candidates(Dataset<Row> windows, PipelineConfig.SelectSection sc, TeacherConfig teachers) {
    return windows.map(candidateFn(sc, teachers), Encoders.row(CANDIDATE_SCHEMA));
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

  /**
   * The {@link WindowSelector} decision of each candidate, computed on the executors
   * ({@link DistributedSelector}).
   *
   * @param cands candidate rows ({@link #CANDIDATE_SCHEMA}), unique window_id; read several
   *     times, so persist them when they are costly to compute
   * @return the candidate columns and {@link DistributedSelector#DECISION_SCHEMA}'s; call
   *     {@code cleanup()} once they are written
   */
  static DistributedSelector.Decided decide(SparkSession spark, Dataset<Row> cands, WindowSelector.Settings settings) {
    return DistributedSelector.decide(spark, cands, settings);
  }

  /**
   * The {@code window_selection} rows ({@link Tables#WINDOW_SELECTION_SCHEMA}) of decided
   * candidates.
   *
   * @param decided rows of {@link #decide}
   * @param teachersSha {@link #teachersDigest} of the teacher file
   * @param digests {@link #scopeDigests} of the track_windows rows decided: windows_digest is that
   *     of the row's scope
   * @param scope the selection's scope
   * @param runId recorded in run_id
   */
  static Dataset<Row> selection(Dataset<Row> decided, String teachersSha, Map<Long, String> digests,
      WindowSelector.Scope scope, String runId) {
    org.apache.spark.sql.Column digest = lit(null);
    if (scope == WindowSelector.Scope.ALL) {
      digest = lit(digests.get(0L));
    } else if (!digests.isEmpty()) {
      List<org.apache.spark.sql.Column> kv = new ArrayList<>();
      digests.forEach((k, v) -> {
        kv.add(lit(k));
        kv.add(lit(v));
      });
      digest = org.apache.spark.sql.functions.element_at(
          org.apache.spark.sql.functions.map(kv.toArray(new org.apache.spark.sql.Column[0])),
          DistributedSelector.scopeKey(scope));
    }
    List<org.apache.spark.sql.Column> cols = new ArrayList<>();
    for (var f : Tables.WINDOW_SELECTION_SCHEMA.fields()) {
      org.apache.spark.sql.Column c = switch (f.name()) {
        case "teachers_sha256" -> lit(teachersSha);
        case "windows_digest" -> digest;
        case "run_id" -> lit(runId);
        default -> col(f.name());
      };
      cols.add(c.cast(f.dataType()).as(f.name()));
    }
    return decided.select(cols.toArray(new org.apache.spark.sql.Column[0]));
  }

  /** Rows and content hash of {@code windows} ({@link TableChecksums#digest(Dataset)}), as "rows:hash". */
  static String windowsDigest(Dataset<Row> windows) {
    return TableChecksums.digest(windows);
  }

  /**
   * The {@link #windowsDigest} of each scope's track_windows rows: scope key
   * ({@link WindowSelector.Scope#key}: 0 for all, else the UTC day of start_ts) to "rows:hash".
   * For {@code ALL}, the one entry is the digest of the whole table (also when it is empty).
   */
  static Map<Long, String> scopeDigests(Dataset<Row> windows, WindowSelector.Scope scope) {
    Map<Long, String> out = new TreeMap<>();
    if (scope == WindowSelector.Scope.ALL) {
      out.put(0L, windowsDigest(windows));
      return out;
    }
    for (Row r : windows.select(DistributedSelector.scopeKey(scope).as("k"),
            org.apache.spark.sql.functions.expr(TableChecksums.rowHash(windows)).as("h"))
        .groupBy("k").agg(org.apache.spark.sql.functions.count(lit(1)),
            org.apache.spark.sql.functions.expr(TableChecksums.CONTENT_SUM))
        .collectAsList()) {
      out.put(r.getLong(0), TableChecksums.digest(r.getLong(1), r.getDecimal(2)));
    }
    return out;
  }

  /**
   * Digest of what the selection depends on in a teacher file: the tokenizer, max_windows and,
   * per generate-teacher, name, kind, whether it is called, share, categories, prices and
   * max_tokens (not endpoints, keys or limits); {@value #NO_TEACHERS} for null.
   */
  public static String teachersDigest(TeacherConfig tc) {
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
   * The rows of {@code windows} (track_windows) that {@code selection} (window_selection) selects,
   * with the columns of {@code windows} (window_id first), after checking that the selection
   * was made from this content of {@code windows} (the windows_digest of each scope) and for
   * this teacher file.
   *
   * @param teachers the generate stage's teacher file, or null
   * @param scope the selection's scope (its windows_digest is per scope)
   * @param current true when the caller knows the selection was made from this very version of
   *     {@code windows} (select's commit recorded it): the digests are then not computed again
   * @throws IllegalStateException when the selection mixes teacher settings, was made from
   *     another content of {@code windows}, or for another teacher file (another mix, prices,
   *     tokenizer or max_windows): in each case run select again
   */
  static Dataset<Row> selected(Dataset<Row> windows, Dataset<Row> selection, TeacherConfig teachers,
      WindowSelector.Scope scope, boolean current) {
    List<Row> made = selection.select("teachers_sha256").distinct().collectAsList();
    if (made.size() > 1) {
      throw new IllegalStateException(Tables.WINDOW_SELECTION + " mixes selections: run select again");
    }
    if (!made.isEmpty()) {
      if (!current) {
        Map<Long, String> now = scopeDigests(windows, scope);
        Map<Long, String> was = new TreeMap<>();
        boolean mixed = false;
        for (Row r : selection.select(DistributedSelector.scopeKey(scope).as("k"), col("windows_digest")).distinct()
            .collectAsList()) {
          mixed |= was.put(r.getLong(0), r.getString(1)) != null;
        }
        if (mixed || !was.equals(now)) {
          throw new IllegalStateException(Tables.WINDOW_SELECTION + " was made from other track_windows (rows:hash "
              + brief(was) + ", now " + brief(now) + "): run select again");
        }
      }
      String want = teachersDigest(teachers);
      if (!made.get(0).getString(0).equals(want)) {
        throw new IllegalStateException(Tables.WINDOW_SELECTION + " was made for another teacher file than this "
            + "generate run's (" + (teachers == null ? "none" : "--teachers") + "): run select with the same "
            + "--teachers, so that its budget holds");
      }
    }
    return windows.join(selection.filter(col("selected")).select("window_id"), "window_id");
  }

  /** {@link #selected(Dataset, Dataset, TeacherConfig, WindowSelector.Scope, boolean)} of a selection over all windows, checked. */
  static Dataset<Row> selected(Dataset<Row> windows, Dataset<Row> selection, TeacherConfig teachers) {
    return selected(windows, selection, teachers, WindowSelector.Scope.ALL, false);
  }

  /** The digests of a few scopes, for a message: one scope's digest, else the number of scopes. */
  private static String brief(Map<Long, String> digests) {
    return digests.size() == 1 ? digests.values().iterator().next() : digests.size() + " days";
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
