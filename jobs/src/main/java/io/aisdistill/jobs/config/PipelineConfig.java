package io.aisdistill.jobs.config;

import io.aisdistill.jobs.config.TrainingConfig;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.aisdistill.common.track.WindowConfig;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pipeline configuration: a YAML file ({@code conf/ais-distill.yaml}) with snake_case keys, plus
 * command-line overrides {@code --set section.key=value}. Unknown keys are an error (a typo must
 * not silently fall back to a default).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public class PipelineConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Spark settings used when the job is not launched by spark-submit with its own master. */
  public static class SparkSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Master URL when none is given by spark-submit; default {@code local[*]}. */
    public String master = "local[*]";
    /** spark.sql.shuffle.partitions (and the windows stage's vessel partitions). */
    public int shufflePartitions = 8;
    /** Extra Spark properties. */
    public Map<String, String> conf = new LinkedHashMap<>();
  }

  /** Windows stage: see {@link WindowConfig} for meanings and units. */
  public static class WindowsSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Seconds; see {@link WindowConfig#maxGapS()}. */
    public long maxGapS = 1800;
    /** Knots; see {@link WindowConfig#maxSpeedKn()}. */
    public double maxSpeedKn = 50.0;
    /** Nautical miles; see {@link WindowConfig#teleportMinNm()}. */
    public double teleportMinNm = 0.25;
    /** Seconds; see {@link WindowConfig#windowLengthS()}. */
    public long windowLengthS = 3600;
    /** Reports; see {@link WindowConfig#minPoints()}. */
    public int minPoints = 5;
    /** Points; see {@link WindowConfig#maxTrackPoints()}. */
    public int maxTrackPoints = 24;
    /** Knots; see {@link WindowConfig#stopSogKn()}. */
    public double stopSogKn = 0.5;
    /** Seconds; see {@link WindowConfig#minStopS()}. */
    public long minStopS = 300;
    /** Tracks; see {@link WindowConfig#maxOpenTracks()}. */
    public int maxOpenTracks = 4;
    /**
     * True: a run continues from {@code track_state} and recomputes only the vessels with new
     * positions since the last run (see {@code WindowsStage}); false (or {@code --full}): every
     * window is recomputed from all of ais_positions.
     */
    public boolean incremental = true;

    /** The domain configuration. */
    public WindowConfig toWindowConfig() {
      return new WindowConfig(maxGapS, maxSpeedKn, teleportMinNm, windowLengthS, minPoints,
          maxTrackPoints, stopSogKn, minStopS, maxOpenTracks);
    }
  }

  /** Select stage: which windows get QA pairs (see {@code SelectStage}). */
  public static class SelectSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Seed of the stratified round-robin order (hashes of seed:window_id and seed:stratum). */
    public long seed = 42;
    /** Most stopped windows as a share (0-1) of the selected windows; 1 = no cap. */
    public double maxStoppedShare = 0.06;
    /** Most windows selected (0 = unlimited); the teacher file's max_windows is an alias (the smaller applies). */
    public long maxWindows = 0;
    /** Most LLM generate calls of the selected windows (0 = unlimited). */
    public long maxCalls = 0;
    /** Most estimated USD of the selected windows' generate calls (0 = unlimited). */
    public double maxUsd = 0;
    /**
     * Over which windows the cap and the budgets hold: {@code all} (every window at once: totals)
     * or {@code day} (each UTC day of window start on its own: a daily budget, and a day's
     * selection depends on that day's windows only). See {@code WindowSelector.Scope}.
     */
    public String scope = "all";
    /**
     * With {@code scope: day}, decide only the days whose track_windows rows changed since the last
     * run (their rows of window_selection are replaced); false ({@code --full}) decides every day.
     */
    public boolean incremental = true;
    /** Geohash characters of the region stratum (3 = cells of about 156 x 156 km). */
    public int regionPrecision = 3;
    /** Geohash characters of the near-duplicate cell (6 = about 1.2 x 0.6 km). */
    public int duplicateCellPrecision = 6;
    /** Hours per UTC hour-of-day stratum bucket; divides 24 (1 = every hour). */
    public int hourBucketH = 6;
  }

  /** Ingest stage: how input files are read and which values are plausible. */
  public static class IngestSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /**
     * Text encoding of the input files: {@code auto} (UTF-8, or Windows-1252 when a file's bytes
     * are not valid UTF-8), or a charset name every file is read with ({@code UTF-8},
     * {@code windows-1252}, {@code ISO-8859-1}).
     */
    public String encoding = "auto";
    /**
     * CSV header mapping for files whose header names are not known: canonical column name
     * ({@code mmsi}, {@code time}, {@code lat}, {@code lon}, {@code sog}, ...) to the header name in
     * the file, e.g. {@code {mmsi: ship_id, time: ts_utc}}. Empty = built-in names only. An
     * unknown canonical name is a configuration error when the ingest starts
     * ({@code io.aisdistill.common.ingest.ColumnMapping}); {@code --columns} on the command line
     * sets these keys.
     */
    public Map<String, String> columns = new LinkedHashMap<>();
    /**
     * Earliest plausible report time, ISO-8601 UTC; earlier reports are rejected
     * ({@code TIME_OUT_OF_RANGE}). AIS (ITU-R M.1371-1) dates from 2001; the default leaves margin.
     */
    public String minTime = "2000-01-01T00:00:00Z";
    /** Seconds after the run's start beyond which a report time is rejected as from the future. */
    public long maxTimeAheadS = 86_400;
    /** NMEA input settings. */
    public NmeaSection nmea = new NmeaSection();
  }

  /** NMEA 0183 / IEC 61162-1 input settings. */
  public static class NmeaSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /**
     * False (default): a sentence whose own checksum holds is accepted when its NMEA 4.0 tag
     * block's checksum is wrong or a placeholder ({@code *00}); such tag blocks are counted
     * ({@code tag_block_checksum_bad}) and their time is still used. True: the sentence is
     * rejected as {@code BAD_CHECKSUM}.
     */
    public boolean strictTagBlockChecksum = false;
    /**
     * Context bound of NMEA reads, bytes (default 1 MiB): a plain NMEA file is read as several
     * splits, each re-reading up to this many bytes before its start for the time context
     * ({@code $PGHP}, {@code $GPRMC}) and open multi-sentence messages. So that a split read gives
     * the rows of a one-task read, the bound holds in every read: a $PGHP or RMC time, or a
     * message's fragment 1, more than this many bytes before the line that would use it is not
     * used (the open message is rejected {@code INCOMPLETE_MULTIPART})
     * ({@code io.aisdistill.common.ingest.NmeaLineParser}, "Context bound").
     */
    public long lookbackBytes = 1L << 20;
  }

  /** Settings shared by the LLM stages (generate, judge with an LLM judge, evaluate). */
  public static class LlmSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /**
     * Share of failed LLM calls (0-1) above which the stage fails (exit 1) after journaling the
     * calls that succeeded; 1 = never fail on call errors.
     */
    public double maxFailedShare = 0.5;
  }

  /** Generate stage (grounded teacher). */
  public static class GenerateSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Most QA pairs per window. */
    public int maxPairsPerWindow = 6;
    /** Most QA pairs per window and category. */
    public int maxPairsPerCategory = 2;
    /**
     * True: a run makes pairs only for the windows that changed since the last run (new, extended or
     * deleted track_windows rows, windows that entered or left the selection; see
     * {@code GenerateStage}); false (or {@code --full}): for every selected window.
     */
    public boolean incremental = true;
  }

  /** Judge stage. */
  public static class JudgeSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Jaccard similarity of word 3-gram shingles at or above which two pairs are near duplicates. */
    public double nearDuplicateSimilarity = 0.8;
    /**
     * Answer balance: the largest share one answer may have of a template's accepted pairs of one UTC
     * date (see {@code JudgeStage.balance}); 1 disables balancing.
     */
    public double maxAnswerShare = 0.55;
    /** MinHashLSH hash tables (more = higher recall, slower). */
    public int minhashTables = 5;
    /**
     * Duplicate horizon in days: 0 (the default) compares a pair with every older pair of its vessel
     * (exact and near duplicates); N &gt; 0 only with the older pairs of its vessel in the same N-day
     * period of UTC dates counted from 1970-01-01 (tumbling periods), so that an increment reads at
     * most N days of a vessel's history for duplicates instead of all of it. Changing it judges
     * everything once. Must be 0 or more.
     */
    public int duplicateHorizonDays = 0;
    /**
     * True: a run judges only the pairs that changed since the checkpoint in {@code qa_judged}
     * (new or changed candidates or windows, a changed selection) and recomputes the duplicates of
     * their vessels and the global answer balance (see {@code JudgeStage}); false (or
     * {@code --full}): every selected pair is judged again. The table is the same either way.
     */
    public boolean incremental = true;
  }

  /** What {@code ais-distill run} does beyond ingest, windows, generate, judge. */
  public static class RunSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Stages of {@code run}, in order, from ingest, windows, select, generate, judge, export, train, evaluate. */
    public List<String> stages = new ArrayList<>(List.of("ingest", "windows", "select", "generate", "judge"));
    /** Export directory written by the export stage of {@code run} (local path). */
    public String exportDir = "export";
    /** Training output directory of the train stage of {@code run} (adapter, metrics.json). */
    public String trainDir = "lora";
    /** Extra trainer arguments of the train stage of {@code run}, e.g. [--max-steps, "30"]. */
    public List<String> trainArgs = new ArrayList<>();
  }

  /** Evaluate stage. */
  public static class EvaluateSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Models file (the models compared, their endpoints and prices) used by {@code run}; {@code --models} overrides. */
    public String models = "";
    /** Report directory (report.md, summary.json, PNG charts) used by {@code run}; {@code --report} overrides. */
    public String reportDir = "report";
    /** Most test items per category, chosen by a hash of qa_id (0 = every item). */
    public int maxItemsPerCategory = 0;
    /**
     * {@code local}: {@code run} starts the llama.cpp server ({@code python -m lora_trainer serve})
     * on the train stage's output (aliases base and student) before evaluating and stops it after;
     * {@code none}: the models file's endpoints are already up.
     */
    public String serve = "none";
    /** Port of the local server started by {@code serve: local} (the models file must point at it). */
    public int servePort = 8080;
    /** Extra arguments of the local server, e.g. [--n-ctx, "8192"]. */
    public List<String> serveArgs = new ArrayList<>();
    /** Seconds to wait for the local server to answer /v1/models. */
    public double serveStartTimeoutS = 300;
    /** MLflow tracking URI; empty = $MLFLOW_TRACKING_URI; both empty = no MLflow logging. */
    public String mlflowTrackingUri = "";
    /** MLflow experiment name. */
    public String mlflowExperiment = "ais-distill";
  }

  /** Spark settings. */
  public SparkSection spark = new SparkSection();
  /** Ingest stage settings. */
  public IngestSection ingest = new IngestSection();
  /** Windows stage settings. */
  public WindowsSection windows = new WindowsSection();
  /** Select stage settings. */
  public SelectSection select = new SelectSection();
  /** Generate stage settings. */
  public GenerateSection generate = new GenerateSection();
  /** Judge stage settings. */
  public JudgeSection judge = new JudgeSection();
  public TrainingConfig.ExportSection export = new TrainingConfig.ExportSection();
  public TrainingConfig.TrainSection train = new TrainingConfig.TrainSection();
  /** Evaluate stage settings. */
  public EvaluateSection evaluate = new EvaluateSection();
  /** LLM stage settings. */
  public LlmSection llm = new LlmSection();
  /** Stages of the run command. */
  public RunSection run = new RunSection();

  private static ObjectMapper mapper() {
    return new ObjectMapper(new YAMLFactory())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  }

  /**
   * Loads a configuration.
   *
   * @param file YAML file, or null for the built-in defaults
   * @param overrides "section.key=value" (or "section.sub.key=value") strings applied after the
   *     file; after "conf." the rest is one Spark property name; a value in brackets is a
   *     list ({@code run.stages=[ingest,windows,generate,judge,export]})
   * @throws IllegalArgumentException for a missing file, invalid YAML, an unknown key or a
   *     malformed override
   */
  public static PipelineConfig load(Path file, List<String> overrides) {
    ObjectMapper m = mapper();
    try {
      ObjectNode tree = file == null
          ? m.createObjectNode()
          : (ObjectNode) m.readTree(Files.readString(file));
      if (tree == null) {
        tree = m.createObjectNode();
      }
      for (String o : overrides == null ? List.<String>of() : overrides) {
        int eq = o.indexOf('=');
        int dot = o.indexOf('.');
        if (eq < 0 || dot < 0 || dot > eq) {
          throw new IllegalArgumentException("override must look like section.key=value: " + o);
        }
        String[] path = o.substring(0, eq).split("\\.");
        String value = o.substring(eq + 1);
        ObjectNode s = tree;
        int i = 0;
        // walk section.sub.key; everything after "conf." is one Spark property name
        for (; i < path.length - 1 && !path[i].equals("conf"); i++) {
          JsonNode n = s.get(path[i]);
          s = n instanceof ObjectNode on ? on : s.putObject(path[i]);
        }
        if (i < path.length - 1) {
          JsonNode c = s.get("conf");
          s = c instanceof ObjectNode co ? co : s.putObject("conf");
          i++;
        }
        String key = String.join(".", Arrays.copyOfRange(path, i, path.length));
        if (value.startsWith("[")) {
          s.set(key, m.readTree(value));   // a YAML flow list: --set run.stages=[ingest,windows]
        } else {
          s.put(key, value);
        }
      }
      return m.treeToValue(tree, PipelineConfig.class);
    } catch (IOException | ClassCastException e) {
      throw new IllegalArgumentException(
          "invalid configuration" + (file == null ? "" : " in " + file) + ": " + e.getMessage(), e);
    }
  }
}
