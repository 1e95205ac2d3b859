package io.aisdistill.jobs.lakehouse;


import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;

import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Names and schemas of every Delta table ais-distill writes: declared here once, used by every
 * stage. Column comments carry units (stored as Delta column comments too).
 */
public final class Tables {
  private Tables() {}

  /** Accepted position reports. */
  public static final String POSITIONS = "ais_positions";
  /** Accepted static/voyage reports (types 5, 24). */
  public static final String STATIC = "ais_static";
  /** Quarantined records with reason codes. */
  public static final String REJECTS = "ais_rejects";
  /** Track windows with kinematic features. */
  public static final String WINDOWS = "track_windows";
  /** Which windows get QA pairs, and why (see {@code SelectStage}). */
  public static final String WINDOW_SELECTION = "window_selection";
  /** Table of each vessel's segmenter state after its last report (see {@link #TRACK_STATE_SCHEMA}). */
  public static final String TRACK_STATE = "track_state";
  /** Versioned LLM-teacher prompts per window. */
  public static final String PROMPTS = "teacher_prompts";
  /** QA pairs from teachers. */
  public static final String QA_CANDIDATES = "qa_candidates";
  /** Verdicts on QA pairs. */
  public static final String QA_JUDGED = "qa_judged";
  public static final String LLM_CALLS = "llm_calls";
  public static final String TRAINING_RUNS = "training_runs";
  /** Per (evaluation, model, test item): the model's answer and its score; see {@code EvaluateStage}. */
  public static final String EVAL_RESULTS = "eval_results";
  /** Per (evaluation, model, category): accuracy with its 95 % CI, latency, tokens, cost. */
  public static final String EVAL_SUMMARY = "eval_summary";

  /**
   * The columns Delta keeps per-file statistics (min, max, null count) of, for data skipping, by
   * table (table property {@code delta.dataSkippingStatsColumns}, set when {@link Lakehouse}
   * creates the table); a table not listed keeps Delta's default, its first 32 columns. For
   * ais_positions only the columns queries filter on ({@code date} is the partition column):
   * statistics of all its columns took about a tenth of ingest's CPU (issue 14). Rows are the same
   * either way; only file skipping on the other columns is lost.
   */
  public static final java.util.Map<String, List<String>> STATS_COLUMNS =
      java.util.Map.of(POSITIONS, List.of("mmsi", "ts"));

  /**
   * The columns written without Parquet dictionary encoding, by table (Parquet's
   * {@code parquet.enable.dictionary#<column>} = false while {@link Lakehouse} writes the table).
   * For ais_positions, the columns whose values are nearly all distinct in a file: lat and lon
   * (degrees, 5 decimals in MarineCadastre CSV) and source_record (a byte offset, unique per row).
   * Parquet tries a dictionary first and falls back to plain encoding once it passes 1 MiB (131,072
   * doubles); their column chunks ended up plain either way, and the dictionary look-ups before the
   * fallback took about 3 % of ingest's CPU (issue 14). Table contents are the same either way.
   */
  public static final java.util.Map<String, List<String>> PLAIN_ENCODED_COLUMNS =
      java.util.Map.of(POSITIONS, List.of("lat", "lon", "source_record"));

  /** The columns that identify one position report: equal values = exact duplicate. */
  public static final List<String> POSITION_KEY =
      List.of("mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "nav_status", "msg_type");

  /** The columns that identify one static report. */
  public static final List<String> STATIC_KEY =
      List.of("mmsi", "ts", "msg_type", "vessel_name", "imo", "callsign", "ship_type", "length_m",
          "width_m", "draft_m", "destination");

  static StructField f(String name, DataType type, String comment) {
    return new StructField(name, type, true, Metadata.empty()).withComment(comment);
  }

  static StructField f(String name, DataType type) {
    return new StructField(name, type, true, Metadata.empty());
  }

  /** Static identity fields shared by positions and static reports. */
  private static final StructField[] STATIC_FIELDS = {
    f("vessel_name", StringType, "vessel name as broadcast"),
    f("imo", StringType, "IMO number, digits only"),
    f("callsign", StringType, "radio call sign"),
    f("ship_type", IntegerType, "ITU-R M.1371 type of ship and cargo, 1-99"),
    f("length_m", DoubleType, "length overall, metres"),
    f("width_m", DoubleType, "beam, metres"),
    f("draft_m", DoubleType, "draught, metres"),
  };

  /** {@code ais_positions}: accepted position reports, partitioned by {@code date}. */
  public static final StructType POSITIONS_SCHEMA = concat(
      new StructField[] {
        f("mmsi", LongType, "Maritime Mobile Service Identity (ship station)"),
        f("ts", TimestampType, "report time, UTC"),
        f("lat", DoubleType, "latitude, WGS84 degrees"),
        f("lon", DoubleType, "longitude, WGS84 degrees"),
        f("sog", DoubleType, "speed over ground, knots; null = not available"),
        f("cog", DoubleType, "course over ground, degrees true; null = not available"),
        f("heading", IntegerType, "true heading, degrees; null = not available (511)"),
        f("nav_status", IntegerType, "ITU-R M.1371 navigational status 0-15"),
        f("msg_type", IntegerType, "ITU-R M.1371 message type; 0 = CSV source"),
        f("ais_class", StringType, "transceiver class A or B"),
      },
      STATIC_FIELDS,
      new StructField[] {
        f("quality_flags", createArrayType(StringType, false), "plausibility flags of fields nulled or cut, "
            + "CODE or CODE=original (SOG_OUT_OF_RANGE=1.0E9, SOG_AT_LIMIT, VESSEL_NAME_TRUNCATED=5242880); "
            + "null = none (common.ais.Plausibility)"),
        f("source", StringType, "input file"),
        f("source_record", LongType, "byte offset of the record in the input file"),
        f("run_id", StringType, "ingest run that first wrote the row"),
        f("date", DateType, "UTC date of ts (partition)"),
      });

  /** {@code ais_static}: accepted static/voyage reports (message types 5, 24). */
  public static final StructType STATIC_SCHEMA = concat(
      new StructField[] {
        f("mmsi", LongType, "Maritime Mobile Service Identity (ship station)"),
        f("ts", TimestampType, "report time, UTC; null when the input has none"),
        f("msg_type", IntegerType, "ITU-R M.1371 message type (5 or 24)"),
      },
      STATIC_FIELDS,
      new StructField[] {
        f("destination", StringType, "destination as broadcast (type 5)"),
        f("source", StringType, "input file"),
        f("source_record", LongType, "byte offset of the record in the input file"),
        f("run_id", StringType, "ingest run that first wrote the row"),
      });

  /** {@code ais_rejects}: quarantined records with a stable reason code. */
  public static final StructType REJECTS_SCHEMA = new StructType(new StructField[] {
    f("source", StringType, "input file"),
    f("source_record", LongType, "byte offset of the record; -1 for a whole-file reject"),
    f("raw", StringType, "raw record text (at most 2000 characters)"),
    f("reason", StringType, "stable reason code"),
    f("detail", StringType, "human-readable detail"),
    f("run_id", StringType, "ingest run that first wrote the row"),
  });

  /** One point of a downsampled track. */
  public static final StructType TRACK_POINT = new StructType(new StructField[] {
    f("ts", TimestampType), f("lat", DoubleType), f("lon", DoubleType), f("sog", DoubleType),
    f("cog", DoubleType), f("heading", IntegerType), f("nav_status", IntegerType),
  });

  /** Static identity of a vessel in a window. */
  public static final StructType VESSEL = new StructType(new StructField[] {
    f("vessel_name", StringType), f("imo", StringType), f("callsign", StringType),
    f("ship_type", IntegerType), f("length_m", DoubleType), f("width_m", DoubleType),
    f("draft_m", DoubleType), f("ais_class", StringType),
    f("flag_state", StringType, "flag state from the MID (ITU-R M.585)"),
  });

  /** {@code track_windows}: windows with kinematic features (see TrackWindow), partitioned by date. */
  public static final StructType WINDOWS_SCHEMA = new StructType(new StructField[] {
    f("window_id", StringType, "deterministic window id"),
    f("mmsi", LongType),
    f("segment_id", StringType, "deterministic segment id (mmsi-startMillis)"),
    f("window_index", IntegerType),
    f("start_ts", TimestampType, "UTC"),
    f("end_ts", TimestampType, "UTC"),
    f("n_points", IntegerType),
    f("distance_nm", DoubleType, "nautical miles along the track"),
    f("displacement_nm", DoubleType, "nautical miles start to end"),
    f("bearing_deg", DoubleType, "degrees true start to end"),
    f("sog_mean_kn", DoubleType, "knots"),
    f("sog_max_kn", DoubleType, "knots"),
    f("sog_min_kn", DoubleType, "knots"),
    f("implied_speed_kn", DoubleType, "knots, distance over duration"),
    f("max_leg_speed_kn", DoubleType, "knots, highest implied speed between consecutive reports"),
    f("total_turn_deg", DoubleType, "degrees of COG change while moving"),
    f("stop_count", IntegerType),
    f("stopped_s", LongType, "seconds"),
    f("stationary_fraction", DoubleType, "0-1"),
    f("max_gap_s", LongType, "seconds"),
    f("median_interval_s", LongType, "seconds"),
    f("nav_statuses", createArrayType(IntegerType)),
    f("dominant_nav_status", IntegerType),
    f("min_lat", DoubleType), f("max_lat", DoubleType), f("min_lon", DoubleType), f("max_lon", DoubleType),
    f("start_lat", DoubleType), f("start_lon", DoubleType), f("end_lat", DoubleType), f("end_lon", DoubleType),
    f("sog_missing", IntegerType), f("cog_missing", IntegerType), f("heading_missing", IntegerType),
    f("heading_cog_max_diff_deg", DoubleType, "degrees"),
    f("heading_cog_disagreements", IntegerType),
    f("vessel", VESSEL),
    f("track", createArrayType(TRACK_POINT)),
    f("date", DateType, "UTC date of start_ts (partition)"),
  });

  /**
   * {@code track_state}: one row per vessel of {@code ais_positions}: the windows stage's
   * segmenter state after the vessel's last report (open tracks, the reports of their current
   * windows, static data so far), from which an incremental windows run continues
   * ({@code io.aisdistill.common.track.VesselState}). Written by the windows stage together with
   * track_windows; its last commit's user metadata records the ais_positions version and window
   * configuration it covers.
   */
  public static final StructType TRACK_STATE_SCHEMA = new StructType(new StructField[] {
    f("mmsi", LongType),
    f("last_ts", TimestampType, "UTC time of the vessel's last report"),
    f("state_format", IntegerType, "version of the state JSON (VesselState.FORMAT_VERSION)"),
    f("state", StringType, "VesselState as JSON"),
  });

  /**
   * {@code window_selection}: one row per window of {@code track_windows}: its strata, whether it
   * gets QA pairs and why, its place in the order, and the estimated cost of its teacher calls.
   * Rewritten whole by each select run (a pure function of track_windows, the settings and the
   * teacher file).
   */
  public static final StructType WINDOW_SELECTION_SCHEMA = new StructType(new StructField[] {
    f("window_id", StringType, "track_windows.window_id"),
    f("mmsi", LongType),
    f("start_ts", TimestampType, "window start, UTC"),
    f("stratum", StringType, "behaviour|ship_group|region|hour bucket"),
    f("behaviour", StringType, "underway, manoeuvring, stopped or anomalous"),
    f("ship_group", StringType, "ITU-R M.1371 ship type group, or unknown"),
    f("region", StringType, "geohash cell of the window start (select.region_precision characters)"),
    f("hour_bucket", StringType, "UTC hour of the start, as the first hour of its bucket (hHH)"),
    f("cell", StringType, "small geohash cell of the start (select.duplicate_cell_precision characters)"),
    f("selected", BooleanType, "true = the generate stage makes QA pairs for this window"),
    f("reason", StringType, "SELECTED, NEAR_DUPLICATE, STOPPED_CAP or OVER_BUDGET"),
    f("duplicate_of", StringType, "NEAR_DUPLICATE: the first window of the run it repeats"),
    f("rank", LongType, "1-based position in the seeded stratified round-robin order of its scope "
        + "(all windows, or its UTC day with select.scope=day); null for a near duplicate"),
    f("stratum_rank", IntegerType, "1-based position within its stratum (and scope); null for a near duplicate"),
    f("selected_order", LongType, "1-based position in its scope's admission order; null when not selected"),
    f("teachers", createArrayType(StringType), "generate-teachers of the window (grounded and LLM names)"),
    f("est_prompt_tokens", LongType, "prompt tokens of the teacher request (Qwen2.5 ChatML, or chars/4); "
        + "null without LLM teachers"),
    f("est_calls", IntegerType, "LLM calls of the window (0 for the grounded teacher)"),
    f("est_usd", DoubleType, "USD upper estimate: per call prompt tokens x price_in + max_tokens x price_out"),
    f("cum_calls", LongType, "LLM calls of the selected windows of its scope up to this one (admission order)"),
    f("cum_usd", DoubleType, "estimated USD of the selected windows of its scope up to this one (admission order)"),
    f("teachers_sha256", StringType, "digest of the teacher-file settings the selection was made for; "
        + "'none' without a teacher file"),
    f("windows_digest", StringType, "rows:content hash of the track_windows rows of its scope (all, or its "
        + "UTC day) the selection was made from"),
    f("run_id", StringType, "run that wrote the selection"),
  });

  /** {@code teacher_prompts}: the versioned prompt an LLM teacher receives for a window. */
  public static final StructType PROMPTS_SCHEMA = new StructType(new StructField[] {
    f("window_id", StringType), f("prompt_version", StringType), f("system", StringType),
    f("user", StringType), f("prompt_sha256", StringType), f("date", DateType),
  });

  /** {@code qa_candidates}: QA pairs from teachers. */
  public static final StructType QA_CANDIDATES_SCHEMA = new StructType(new StructField[] {
    f("qa_id", StringType, "deterministic QA id"),
    f("window_id", StringType), f("mmsi", LongType), f("category", StringType),
    f("question", StringType), f("answer", StringType), f("reasoning", StringType),
    f("teacher", StringType), f("prompt_version", StringType), f("template_id", StringType),
    f("claim_kind", StringType), f("claim", StringType), f("unit", StringType),
    f("fact_key", StringType, "window fact the answer states (WindowFacts key); null for free text"),
    f("facts", StringType, "JSON object of the window facts the answer rests on"),
    f("call_id", StringType, "llm_calls id; null for the grounded teacher"),
    f("tokens", LongType), f("cost_usd", DoubleType), f("date", DateType),
  });

  /** {@code qa_judged}: verdicts. */
  public static final StructType QA_JUDGED_SCHEMA = new StructType(new StructField[] {
    f("qa_id", StringType), f("window_id", StringType), f("mmsi", LongType),
    f("category", StringType), f("teacher", StringType),
    f("question", StringType), f("answer", StringType),
    f("verdict", StringType, "accepted or rejected"),
    f("reasons", createArrayType(StringType), "reason codes of a rejection"),
    f("grounded_ok", BooleanType, "answer re-verified from window facts; null = not checkable"),
    f("grounded_expected", StringType), f("grounded_found", StringType),
    f("trace_unsupported", createArrayType(StringType),
        "numbers of the reasoning trace neither in the student prompt nor derived from it"),
    f("judge_scores", createMapType(StringType, DoubleType)),
    f("judge_model", StringType),
    f("duplicate_of", StringType, "qa_id this pair duplicates"),
    f("date", DateType),
  });

  /**
   * {@code llm_calls}: every LLM call, once per call_id (a call_id with status ok is never sent
   * again). Never holds an API key: bodies are sent without it and the endpoint is name + URL.
   */
  public static final StructType LLM_CALLS_SCHEMA = new StructType(new StructField[] {
    f("call_id", StringType, "hex SHA-256 of the canonical request body (model, messages, params)"),
    f("run_id", StringType, "run that made the call"),
    f("purpose", StringType, "generate, judge or evaluate"),
    f("teacher", StringType, "model entry name in the teacher file"),
    f("model", StringType, "model id sent to the server"),
    f("endpoint", StringType, "endpoint name and base URL (no key, no query)"),
    f("window_id", StringType, "window the prompt is about"),
    f("qa_id", StringType, "judged pair (judge calls); null for generate calls"),
    f("request_json", StringType, "request body as sent"),
    f("response_json", StringType, "last response body as received (raw, may be invalid JSON)"),
    f("content", StringType, "assistant message text of an ok call"),
    f("status", StringType, "ok (answered, paid) or failed"),
    f("http_status", IntegerType, "HTTP status of the last attempt; 0 = no response"),
    f("attempts", IntegerType, "attempts made, the first included"),
    f("rate_limited", IntegerType, "attempts answered 429"),
    f("error", StringType, "why a call failed"),
    f("parse_error", StringType, "why (part of) an ok reply could not be used; null = clean"),
    f("tokens_in", LongType, "prompt tokens (server usage when returned, else Qwen2.5 tokenizer)"),
    f("tokens_out", LongType, "completion tokens"),
    f("usage_source", StringType, "server or tokenizer"),
    f("cost_usd", DoubleType, "USD at the teacher file's prices"),
    f("latency_ms", LongType, "milliseconds of the last attempt"),
    f("started_at", TimestampType, "first attempt, UTC"),
    f("finished_at", TimestampType, "end of the call, UTC"),
  });

  /** {@code training_runs}: one row per export (key: export_id, out_dir); see {@code ExportStage}. */
  public static final StructType TRAINING_RUNS_SCHEMA = new StructType(new StructField[] {
    f("export_id", StringType, "hash of the export manifest content"),
    f("run_id", StringType, "run that wrote the export"),
    f("created_at", TimestampType, "time of the export, UTC"),
    f("lakehouse", StringType, "lakehouse root read"),
    f("out_dir", StringType, "export directory (absolute)"),
    f("delta_versions", createMapType(StringType, LongType), "Delta version read per input table"),
    f("base_model", StringType, "base model to fine-tune"),
    f("examples", createMapType(StringType, LongType), "examples per split"),
    f("accepted", LongType, "accepted QA pairs read"),
    f("too_long", LongType, "examples left out: longer than the student's max length (tokens)"),
    f("manifest_sha256", StringType, "SHA-256 of manifest.json"),
    f("manifest", StringType, "manifest.json text"),
  });

  /**
   * {@code eval_results}: one row per (eval_id, model, qa_id), MERGEd on that key (a rerun
   * re-scores in place). The answer comes from {@code llm_calls} (call_id).
   */
  public static final StructType EVAL_RESULTS_SCHEMA = new StructType(new StructField[] {
    f("eval_id", StringType, "hash of the evaluation: item set and the models' call settings"),
    f("run_id", StringType, "run that last scored the row"),
    f("model", StringType, "model name in the models file"),
    f("role", StringType, "student, base or teacher"),
    f("qa_id", StringType, "test item (qa_candidates.qa_id)"),
    f("window_id", StringType), f("mmsi", LongType), f("category", StringType),
    f("question", StringType),
    f("reference_answer", StringType, "the item's reference answer text"),
    f("answer", StringType, "the model's answer text; null when the call failed"),
    f("fact_key", StringType, "WindowFacts key scored; null for free text"),
    f("unit", StringType, "unit of reference/extracted (knots, nm, minutes, degrees, ...)"),
    f("reference", StringType, "reference value (number in unit, label, yes/no)"),
    f("extracted", StringType, "value read from the answer; null when none"),
    f("abs_error", DoubleType, "|extracted - reference| in unit (numbers)"),
    f("allowed_error", DoubleType, "largest accepted |error| in unit for this reference"),
    f("correct", BooleanType, "null = not scored (free text without an LLM judge, failed call)"),
    f("score_reason", StringType, "CORRECT, OUT_OF_TOLERANCE, WRONG_LABEL, UNPARSEABLE, REFUSED, EMPTY_ANSWER, "
        + "NEEDS_LLM_JUDGE, LLM_JUDGE, CALL_FAILED, ..."),
    f("judge_model", StringType, "LLM judge of a free-text answer; null otherwise"),
    f("call_id", StringType, "llm_calls id of the answer"),
    f("call_status", StringType, "ok or failed"),
    f("latency_ms", LongType, "milliseconds of the call"),
    f("tokens_in", LongType), f("tokens_out", LongType),
    f("cost_usd", DoubleType, "USD at per-token prices; 0 for self-hosted (see eval_summary)"),
  });

  /** {@code eval_summary}: per (eval_id, model, category), category "all" over every item; see {@code SummaryRow}. */
  public static final StructType EVAL_SUMMARY_SCHEMA = new StructType(new StructField[] {
    f("eval_id", StringType), f("run_id", StringType), f("model", StringType), f("role", StringType),
    f("category", StringType, "category label, or all"),
    f("n", LongType, "items answered or attempted"),
    f("scored", LongType, "items with correct true/false"),
    f("correct", LongType),
    f("accuracy", DoubleType, "correct / scored"),
    f("ci_low", DoubleType, "95 % Wilson score interval, lower bound"),
    f("ci_high", DoubleType, "95 % Wilson score interval, upper bound"),
    f("latency_p50_ms", DoubleType), f("latency_p95_ms", DoubleType),
    f("mean_tokens_in", DoubleType), f("mean_tokens_out", DoubleType),
    f("usd_per_1k_queries", DoubleType, "USD per 1,000 queries; null = unpriced"),
    f("cost_basis", StringType, "api, self-hosted, or null"),
  });

  private static StructType concat(StructField[]... parts) {
    StructType t = new StructType();
    for (StructField[] p : parts) {
      for (StructField x : p) {
        t = t.add(x);
      }
    }
    return t;
  }
}
