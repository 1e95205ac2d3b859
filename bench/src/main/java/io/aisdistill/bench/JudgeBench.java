package io.aisdistill.bench;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.SparkSessions;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.StageResult;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The judge stage of a one-day increment alone, run several times on one fixed lakehouse in one
 * JVM (an executable, not a test): resolves differences in judge's cost that the whole-pipeline
 * {@link IncrementBench} cannot, whose other stages move by 5-30 % between runs.
 *
 * <p>Usage: {@code JudgeBench VESSELS HISTORY_DAYS ROUNDS [WORKDIR [KEY=VALUE...]]}. Simulates
 * HISTORY_DAYS + 1 days of MarineCadastre CSV for VESSELS vessels (as {@link IncrementBench}), runs
 * the default pipeline (settings as {@code --set} takes them, e.g. {@code select.scope=day}) over
 * the first HISTORY_DAYS days (day 1, days 2-7, then the rest, as three runs) and the stages before
 * judge over the last day, into WORKDIR/base (kept, and reused when it is there: delete it after a
 * change to the stages before judge). Then, ROUNDS times: copies WORKDIR/base to a fresh directory
 * and runs judge on it (an incremental run: the new day's pairs against HISTORY_DAYS days of
 * verdicts). Round 0 also pays the JVM's warm-up and a scheduled job's first run is like it; the
 * later rounds are the steady state. Prints {@code round_N_wall_s=}, {@code round_N_cpu_s=} (process
 * CPU, all threads), {@code round_N_load=} (the 1-minute load average after the round) and the
 * judge report's {@code pairs_rejudged=}, {@code pairs_duplicate_checked=} and
 * {@code judged_new_in_table=} of round 0.
 */
public final class JudgeBench {
  private JudgeBench() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length < 3) {
      System.err.println("usage: JudgeBench VESSELS HISTORY_DAYS ROUNDS [WORKDIR [KEY=VALUE...]]");
      System.exit(2);
    }
    int vessels = Integer.parseInt(args[0]);
    int history = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    Path work = Path.of(args.length > 3 ? args[3] : "target/bench-judge").toAbsolutePath();
    int cores = Runtime.getRuntime().availableProcessors();
    List<String> sets = new ArrayList<>(List.of("spark.master=local[" + cores + "]",
        "spark.shuffle_partitions=" + Math.max(2, cores * 2)));
    for (int i = 4; i < args.length; i++) {
      sets.add(args[i]);
    }
    PipelineConfig cfg = PipelineConfig.load(null, sets);
    SparkSession spark = SparkSessions.getOrCreate(cfg, "ais-distill judge bench");
    Map<String, String> figures = new LinkedHashMap<>();
    try {
      Path base = work.resolve("base");
      if (!Files.isDirectory(base)) {
        List<Path> days = IncrementBench.simulate(vessels, history + 1, work.resolve("days"));
        Lakehouse lh = new Lakehouse(spark, base.toString());
        Map<String, String> none = new LinkedHashMap<>();
        IncrementBench.run(spark, lh, cfg, days.subList(0, 1), null, none);
        if (history > 1) {
          IncrementBench.run(spark, lh, cfg, days.subList(1, Math.min(7, history)), null, none);
        }
        if (history > 7) {
          IncrementBench.run(spark, lh, cfg, days.subList(7, history), null, none);
        }
        List<String> before = new ArrayList<>(sets);
        before.add("run.stages=[ingest,windows,select,generate]");
        IncrementBench.run(spark, lh, PipelineConfig.load(null, before), days.subList(history, history + 1), null,
            none);
      }
      for (int i = 0; i < rounds; i++) {
        Path dir = work.resolve("round");
        copy(base, dir);
        Lakehouse lh = new Lakehouse(spark, dir.toString());
        Span.Clock c = Span.start();
        StageResult r = new JudgeStage(null).run(new StageContext(spark, lh, cfg, "judge-bench-" + i));
        Span s = c.stop();
        figures.put("round_" + i + "_wall_s", String.format("%.2f", s.wallS()));
        figures.put("round_" + i + "_cpu_s", String.format("%.2f", s.cpuS()));
        figures.put("round_" + i + "_load", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        if (i == 0) {
          Map<String, Object> m = r.report().metrics();
          for (String k : List.of("pairs_rejudged", "pairs_duplicate_checked", "judged_new_in_table")) {
            figures.put(k, String.valueOf(m.get(k)));
          }
        }
        System.err.println("round " + i + ": " + figures.get("round_" + i + "_wall_s") + " s");
      }
    } finally {
      spark.stop();
    }
    System.out.println("vessels=" + vessels);
    System.out.println("history_days=" + history);
    System.out.println("settings=" + String.join(" ", sets.subList(2, sets.size())));
    System.out.println("cores=" + cores);
    figures.forEach((k, v) -> System.out.println(k + "=" + v));
  }

  /** Replaces {@code to} with a copy of the directory tree {@code from}. */
  private static void copy(Path from, Path to) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", "-c", "rm -rf \"$1\" && cp -r \"$0\" \"$1\"", from.toString(), to.toString())
        .inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException("copying " + from + " to " + to + " failed");
    }
  }
}
