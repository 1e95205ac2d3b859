package io.aisdistill.jobs.cli;

import io.aisdistill.common.sim.AisSimulator;
import io.aisdistill.jobs.pipeline.Pipeline;
import io.aisdistill.jobs.pipeline.RunPlan;
import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.StageResult;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import io.aisdistill.jobs.cli.TrainingCommands;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.SparkSessions;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.RunSummary;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.evaluate.EvaluateStage;
import io.aisdistill.jobs.stage.export.ExportStage;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import io.aisdistill.jobs.stage.select.SelectStage;
import io.aisdistill.jobs.stage.windows.WindowsStage;

import io.aisdistill.common.text.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code ais-distill} command line: one subcommand per stage plus {@code run} (all stages)
 * and {@code simulate}. Exit status 0 on success, 1 on failure with a one-line reason on stderr,
 * 2 on a usage error.
 */
@Command(name = "ais-distill", mixinStandardHelpOptions = true, version = "ais-distill 0.1.0",
    description = "AIS vessel tracks to judged QA training data (Spark + Delta Lake).",
    subcommands = {Cli.Run.class, Cli.Ingest.class, Cli.Windows.class, Cli.Select.class, Cli.Generate.class, Cli.Judge.class,
        TrainingCommands.Export.class, TrainingCommands.Train.class, TrainingCommands.Serve.class, Cli.Evaluate.class,
        Cli.Simulate.class, Cli.Sql.class})
public final class Cli {
  /** Options every Spark stage takes. */
  static class Common {
    @Option(names = "--lakehouse", defaultValue = "lakehouse",
        description = "Lakehouse root: a directory or s3a:// URI (default: ${DEFAULT-VALUE}).")
    String lakehouse;

    @Option(names = "--conf", description = "Pipeline configuration YAML (default: $AIS_DISTILL_HOME/conf/ais-distill.yaml when present, else built-in defaults).")
    Path conf;

    @Option(names = "--set", description = "Override a configuration key, e.g. --set windows.window_length_s=1800 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--run-id", description = "Run id recorded in written rows (default: UTC time).")
    String runId;

    PipelineConfig config() {
      return config(List.of());
    }

    /** The configuration with {@code extra} overrides applied after the {@code --set} ones. */
    PipelineConfig config(List<String> extra) {
      List<String> all = new ArrayList<>(overrides);
      all.addAll(extra);
      Path c = conf;
      if (c == null) {
        String home = System.getenv("AIS_DISTILL_HOME");
        Path d = Path.of(home == null ? "." : home, "conf", "ais-distill.yaml");
        c = Files.isRegularFile(d) ? d : null;
      } else if (!Files.isRegularFile(c)) {
        throw new IllegalArgumentException("configuration file not found: " + c);
      }
      return PipelineConfig.load(c, all);
    }


    String runId() {
      return runId != null ? runId
          : DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
    }
  }

  /**
   * The {@code --full} option of windows, select, generate, judge and run: {@code --set
   * windows.incremental=false --set select.incremental=false --set generate.incremental=false --set
   * judge.incremental=false}.
   */
  static class FullOption {
    @Option(names = "--full", description = "Recompute every window from all of ais_positions instead of continuing "
        + "from track_state, and make the pairs of every selected window instead of only those changed since the "
        + "last run, and judge every pair instead of only those changed since the last run; a day-scoped select "
        + "decides every day (same as --set windows.incremental=false --set select.incremental=false --set "
        + "generate.incremental=false --set judge.incremental=false).")
    boolean full;

    /** The overrides this option stands for, if given. */
    List<String> overrides() {
      return full ? List.of("windows.incremental=false", "select.incremental=false", "generate.incremental=false",
          "judge.incremental=false")
          : List.of();
    }
  }

  /** The {@code --teachers} option, on the commands that can call LLMs (run, generate, judge) or plan them (select). */
  static class TeacherOption {
    @Option(names = "--teachers", description = "Teacher mix YAML (LLM teachers and judge, e.g. conf/teachers-local.yaml); "
        + "default: the offline grounded teacher and judge.")
    Path teachers;

    /** The teacher file, or null. */
    io.aisdistill.common.llm.TeacherConfig load() {
      return teachers == null ? null : io.aisdistill.common.llm.TeacherConfig.load(teachers);
    }
  }

  /**
   * The {@code --columns} option of the commands that ingest: sugar over {@code ingest.columns},
   * {@code --columns mmsi=ship_id,time=ts_utc} being {@code --set ingest.columns.mmsi=ship_id
   * --set ingest.columns.time=ts_utc} (applied after the {@code --set} options).
   */
  static class ColumnsOption {
    @Option(names = "--columns", split = ",", paramLabel = "COLUMN=HEADER_NAME",
        description = "Map CSV header names the ingest does not know to its columns, e.g. "
            + "--columns mmsi=ship_id,time=ts_utc (columns: mmsi, time, lat, lon, sog, cog, heading, status, name, "
            + "imo, callsign, ship_type, length, width, draft, class; same as --set ingest.columns.mmsi=ship_id).")
    Map<String, String> columns = new LinkedHashMap<>();

    /** The {@code ingest.columns.K=V} overrides this option stands for. */
    List<String> overrides() {
      List<String> o = new ArrayList<>();
      columns.forEach((k, v) -> o.add("ingest.columns." + k.trim() + "=" + v.trim()));
      return o;
    }
  }

  /** Base of the Spark stage commands: session, lakehouse, the pipeline of their stages, summary. */
  public abstract static class StageCommand implements Callable<Integer> {
    @Mixin Common common;

    /** The stages this command runs, built from its options and {@code cfg}. */
    abstract List<Stage<?>> stages(PipelineConfig cfg);

    /** Overrides this command's own options stand for, applied after {@code --set}; none by default. */
    List<String> overrides() {
      return List.of();
    }

    @Override
    public Integer call() {
      PipelineConfig cfg = common.config(overrides());
      String runId = common.runId();
      List<Stage<?>> stages = stages(cfg);
      SparkSession spark = SparkSessions.getOrCreate(cfg, "ais-distill " + getClass().getSimpleName().toLowerCase());
      Lakehouse lh = new Lakehouse(spark, common.lakehouse);
      List<StageResult> results = new Pipeline(stages).run(new StageContext(spark, lh, cfg, runId));
      RunSummary.print(lh, runId, results.stream().map(StageResult::report).toList());
      return 0;
    }
  }

  @Command(name = "run", description = "Run the stages of run.stages (default: ingest, windows, select, generate, judge; "
      + "add export, train, evaluate to go from raw AIS to the evaluation report).")
  public static final class Run extends StageCommand {
    @Mixin TeacherOption llm;

    @Option(names = "--input", arity = "1..*", defaultValue = "${env:AIS_DISTILL_HOME:-.}/data-samples",
        description = "Input files, directories or globs (default: ${DEFAULT-VALUE}).")
    List<String> inputs;

    @Option(names = "--format", defaultValue = "auto", description = "auto, marinecadastre, dma, nmea or json.")
    String format;

    @Option(names = "--models", description = "Models file of the evaluate stage (default: evaluate.models).")
    Path models;

    @Mixin ColumnsOption columns;

    @Mixin FullOption full;

    @Override
    List<String> overrides() {
      List<String> o = new ArrayList<>(columns.overrides());
      o.addAll(full.overrides());
      return o;
    }

    @Override
    List<Stage<?>> stages(PipelineConfig cfg) {
      return RunPlan.of(cfg, new RunPlan.Options(inputs, format, llm.load(), () -> Evaluate.modelsFile(models, cfg)))
          .stages();
    }
  }

  @Command(name = "evaluate", description = "Ask the models of a models file the test items, score the answers -> "
      + "eval_results, eval_summary, and report.md + summary.json + PNG charts in --report.")
  public static final class Evaluate extends StageCommand {
    @Option(names = "--models", description = "Models file (students, base, teachers, prices; "
        + "e.g. conf/models-local.yaml); default: evaluate.models.")
    Path models;

    @Option(names = "--report", description = "Report directory (default: evaluate.report_dir).")
    Path report;

    @Option(names = "--export", description = "Export directory whose test split is evaluated "
        + "(default: the newest export in training_runs).")
    Path export;

    @Option(names = "--table", description = "Evaluate a QA Delta table instead (e.g. qa_judged: its accepted rows).")
    String table;

    /**
     * The models file {@code option}, else {@code evaluate.models}, loaded.
     *
     * @throws IllegalArgumentException when neither is set, or the file is invalid
     */
    static io.aisdistill.common.llm.ModelsFile modelsFile(Path option, PipelineConfig cfg) {
      Path file = option != null ? option : cfg.evaluate.models.isBlank() ? null : Path.of(cfg.evaluate.models);
      if (file == null) {
        throw new IllegalArgumentException("no models file: pass --models FILE (e.g. conf/models-local.yaml) "
            + "or set evaluate.models");
      }
      return io.aisdistill.common.llm.ModelsFile.load(file);
    }

    @Override
    List<Stage<?>> stages(PipelineConfig cfg) {
      if (export != null && table != null) {
        throw new IllegalArgumentException("--export and --table exclude each other");
      }
      Path rep = report != null ? report : Path.of(cfg.evaluate.reportDir);
      return List.of(new EvaluateStage(modelsFile(models, cfg), export, table, rep));
    }
  }

  @Command(name = "ingest", description = "Raw AIS files -> ais_positions, ais_static, ais_rejects.")
  public static final class Ingest extends StageCommand {
    @Option(names = "--input", arity = "1..*", required = true, description = "Input files, directories or globs.")
    List<String> inputs;

    @Option(names = "--format", defaultValue = "auto", description = "auto, marinecadastre, dma, nmea or json.")
    String format;

    @Mixin ColumnsOption columns;

    @Override
    List<String> overrides() {
      return columns.overrides();
    }

    @Override
    List<Stage<?>> stages(PipelineConfig cfg) {
      return List.of(new IngestStage(inputs, format));
    }
  }

  @Command(name = "windows", description = "ais_positions -> track_windows.")
  public static final class Windows extends StageCommand {
    @Mixin FullOption full;

    @Override
    List<String> overrides() {
      return full.overrides();
    }

    @Override
    List<Stage<?>> stages(PipelineConfig cfg) {
      return List.of(new WindowsStage());
    }
  }

  @Command(name = "select", description = "track_windows -> window_selection (strata, near duplicates, stopped cap, "
      + "budget in windows, calls or USD).")
  public static final class Select extends StageCommand {
    @Mixin TeacherOption llm;

    @Mixin FullOption full;

    @Override
    List<String> overrides() {
      return full.overrides();
    }

    @Override
    List<Stage<?>> stages(PipelineConfig cfg) {
      return List.of(new SelectStage(llm.load()));
    }
  }

  @Command(name = "generate", description = "selected track_windows -> qa_candidates (grounded teacher, or the "
      + "teacher file's mix), teacher_prompts.")
  public static final class Generate extends StageCommand {
    @Mixin TeacherOption llm;

    @Mixin FullOption full;

    @Override
    List<String> overrides() {
      return full.overrides();
    }

    @Override
    List<Stage<?>> stages(PipelineConfig cfg) {
      return List.of(new GenerateStage(llm.load()));
    }
  }

  @Command(name = "judge", description = "qa_candidates -> qa_judged (grounded checks, format, near-duplicates).")
  public static final class Judge extends StageCommand {
    @Mixin TeacherOption llm;

    @Mixin FullOption full;

    @Override
    List<String> overrides() {
      return full.overrides();
    }

    @Override
    List<Stage<?>> stages(PipelineConfig cfg) {
      return List.of(new JudgeStage(llm.load()));
    }
  }

  @Command(name = "sql", description = "Query the lakehouse tables by name, e.g. "
      + "\"SELECT reason, count(*) FROM ais_rejects GROUP BY reason\".")
  static final class Sql implements Callable<Integer> {
    @Mixin Common common;

    @CommandLine.Parameters(index = "0", description = "A Spark SQL query over the tables of the lakehouse.")
    String query;

    @Option(names = "--rows", defaultValue = "50", description = "Rows to print (default: ${DEFAULT-VALUE}).")
    int rows;

    @Override
    public Integer call() {
      PipelineConfig cfg = common.config();
      SparkSession spark = SparkSessions.getOrCreate(cfg, "ais-distill sql");
      Lakehouse lh = new Lakehouse(spark, common.lakehouse);
      for (String t : List.of(Tables.POSITIONS, Tables.STATIC, Tables.REJECTS, Tables.WINDOWS, Tables.WINDOW_SELECTION,
          Tables.PROMPTS,
          Tables.QA_CANDIDATES, Tables.QA_JUDGED, Tables.LLM_CALLS,
          Tables.TRAINING_RUNS, Tables.EVAL_RESULTS, Tables.EVAL_SUMMARY)) {
        if (lh.exists(t)) {
          lh.read(t).createOrReplaceTempView(t);
        }
      }
      spark.sql(query).show(rows, false);
      return 0;
    }
  }

  @Command(name = "simulate", description = "Write simulated AIS as MarineCadastre CSV (no Spark).")
  static final class Simulate implements Callable<Integer> {
    @Option(names = "--vessels", required = true, description = "Number of vessels.")
    int vessels;

    @Option(names = "--hours", required = true, description = "Hours of traffic.")
    double hours;

    @Option(names = "--out", required = true, description = "Output CSV file.")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--start", defaultValue = "2024-06-01T00:00:00Z", description = "Start time, UTC ISO-8601.")
    String start;

    @Override
    public Integer call() throws Exception {
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      long rows;
      try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        rows = AisSimulator.write(new AisSimulator.Config(vessels, hours, Instant.parse(start), seed), w);
      }
      System.out.println("simulate: wrote " + rows + " rows for " + vessels + " vessels over " + hours + " h to " + out);
      return 0;
    }
  }

  private Cli() {}

  /**
   * The one-line error handler of every command: prints {@code ais-distill CMD: error: REASON} on
   * stderr, REASON being the first line of the message of the innermost cause that has one. Without
   * {@code AIS_DISTILL_DEBUG}, the failure's stack trace goes to the run's details log
   * ({@link DetailsLog}, where Spark's own logging went too) and the line ends with
   * {@code (details: FILE)}; with it, the stack trace is printed on stderr after the line.
   */
  private static CommandLine configure(CommandLine cl) {
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      Throwable root = ex;
      while (root.getCause() != null && (root.getMessage() == null || root instanceof RuntimeException
          && root.getCause() instanceof RuntimeException)) {
        root = root.getCause();
      }
      String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
      String line = "ais-distill " + cmd.getCommandName() + ": error: " + msg.lines().findFirst().orElse(msg);
      DetailsLog details = DetailsLog.current();
      details.logFailure(line, ex);
      Path file = details.file();
      System.err.println(file == null ? line : line + " (details: " + file + ")");
      if (System.getenv(DetailsLog.DEBUG_ENV) != null) {
        ex.printStackTrace();
      }
      return 1;
    });
    return cl;
  }

  /**
   * Entry point of a spark-submit class of one stage ({@code io.aisdistill.jobs.IngestJob}, ...):
   * parses {@code args} as the options of {@code command} alone (no subcommand name), runs its
   * pipeline, stops Spark and exits with the status (0, 1 with a one-line reason, 2 on a usage error).
   * Spark's own logging goes to the details log ({@link DetailsLog}) unless AIS_DISTILL_DEBUG is set.
   */
  public static void stageMain(StageCommand command, String[] args) {
    int rc;
    try (DetailsLog details = DetailsLog.open()) {
      rc = configure(new CommandLine(command)).execute(args);
      stopSpark();
    }
    System.exit(rc);
  }

  /**
   * Runs the command line and returns the exit status (does not exit). Spark's own logging goes to
   * the details log ({@link DetailsLog}) while it runs, unless AIS_DISTILL_DEBUG is set.
   */
  public static int execute(String... args) {
    try (DetailsLog details = DetailsLog.open()) {
      return configure(new CommandLine(new Cli())).execute(args);
    }
  }

  /** Entry point of bin/ais-distill: {@link #execute}, then Spark stopped (still logging to the details log), then exit. */
  public static void main(String[] args) {
    int rc;
    try (DetailsLog details = DetailsLog.open()) {
      rc = configure(new CommandLine(new Cli())).execute(args);
      stopSpark();
    }
    System.exit(rc);
  }

  private static void stopSpark() {
    SparkSession.getActiveSession().foreach(s -> {
      s.stop();
      return null;
    });
  }
}
