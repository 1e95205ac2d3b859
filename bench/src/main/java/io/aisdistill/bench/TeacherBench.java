package io.aisdistill.bench;

import io.aisdistill.jobs.stage.StageContext;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.arrays_overlap;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;

import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.judge.ReasonCode;
import io.aisdistill.common.llm.CallResult;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.qa.Category;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import io.aisdistill.jobs.stage.select.SelectStage;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.SparkSessions;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.windows.WindowsStage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Benchmark of a real LLM teacher (an executable, not a test; {@code bench/teacher-smollm2} starts
 * the server and runs it): ingest and windows on the input, select and generate with the
 * generate-teachers of a teacher file on at most MAX_WINDOWS windows (the select stage's choice
 * under the file's max_windows), with the offline grounded teacher added to the mix on every
 * window of the same run ({@link #withGroundedOnEveryWindow}), then judge (grounded checks only,
 * no LLM judge), and the figures.
 *
 * <p>Usage: {@code TeacherBench TEACHERS_FILE BASE_URL MAX_WINDOWS WORKDIR INPUT...}; BASE_URL
 * replaces every model's base_url (the server's port is picked by the script), MAX_WINDOWS the
 * file's max_windows. WORKDIR must not hold an earlier run (llm_calls would skip answered calls).
 *
 * <p>Prints its figures last, one {@code name=value} per line: {@code windows=} (all windows),
 * {@code windows_sent=}, {@code calls=} (generate calls), {@code calls_failed=} (no completion),
 * {@code replies_parsed=} (ok, no parse_error), {@code replies_malformed=} (ok, with parse_error:
 * invalid JSON, schema violations, no pairs, malformed items), {@code pairs=} (the LLM teachers'
 * qa_candidates), {@code pairs_with_fact_key=}, {@code pairs_hallucinated=} and
 * {@code hallucination_pct=} (pairs naming a fact whose grounded check fails with
 * {@link #HALLUCINATION_REASONS}, over pairs naming a fact), {@code pairs_accepted=} (judge
 * verdict accepted), the same four for the grounded teacher on the windows sent
 * ({@code grounded_...}), {@code generate_s=} (wall time of the generate stage, Spark included),
 * {@code calls_per_s=}, {@code tokens_in=}, {@code tokens_out=} (the server's usage),
 * {@code tokens_per_s=} (in + out over generate_s), {@code output_tokens_per_s=} (out over the summed
 * call latencies) and {@code latency_p50_s=}, {@code latency_max_s=}.
 */
public final class TeacherBench {
  /** Grounded-check reasons that mean the stated value is not the window's fact. */
  static final List<String> HALLUCINATION_REASONS = List.of(ReasonCode.CLAIM_MISMATCH.name(),
      ReasonCode.FACT_MISSING.name(), ReasonCode.UNKNOWN_FACT.name(), ReasonCode.CLAIM_UNPARSEABLE.name());

  private TeacherBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: TeacherBench TEACHERS_FILE BASE_URL MAX_WINDOWS WORKDIR INPUT...");
      System.exit(2);
    }
    TeacherConfig tc = TeacherConfig.load(Path.of(args[0]));
    tc.models.forEach(m -> m.baseUrl = args[1]);
    tc.maxWindows = Integer.parseInt(args[2]);
    Path work = Path.of(args[3]);
    if (Files.exists(work.resolve("lakehouse"))) {
      throw new IllegalArgumentException(work.resolve("lakehouse") + " exists: give a fresh WORKDIR");
    }
    List<String> inputs = Arrays.asList(args).subList(4, args.length);
    int cores = Runtime.getRuntime().availableProcessors();
    PipelineConfig cfg = PipelineConfig.load(null,
        List.of("spark.master=local[" + cores + "]", "spark.shuffle_partitions=" + Math.max(2, cores)));
    SparkSession spark = SparkSessions.getOrCreate(cfg, "ais-distill bench teacher");
    Lakehouse lh = new Lakehouse(spark, work.resolve("lakehouse").toString());
    withGroundedOnEveryWindow(tc);
    new IngestStage(inputs, null).run(new StageContext(spark, lh, cfg, "bench"));
    var win = new WindowsStage(FlagStates::forMmsi).run(new StageContext(spark, lh, cfg, "windows"));
    System.err.println("windows: " + win.windowsWritten());
    System.err.print(new SelectStage(tc).run(new StageContext(spark, lh, cfg, "select")).report().toMarkdown());

    long t0 = System.nanoTime();
    var gen = new GenerateStage(tc).run(new StageContext(spark, lh, cfg, "bench-teacher"));
    double generateS = (System.nanoTime() - t0) / 1e9;
    System.err.print(gen.report().toMarkdown());
    System.err.print(new JudgeStage(null).run(new StageContext(spark, lh, cfg, "judge")).report().toMarkdown());
    List<String> out = figures(lh, tc, win.windowsWritten(), generateS);
    spark.stop();
    out.forEach(System.out::println);
  }

  /**
   * Makes the offline grounded teacher a member of {@code tc}'s mix that gets every window and
   * keeps every category ({@code kind: grounded}, {@code categories} = all six), replacing a
   * grounded entry the file may have: one select and one generate run then give both the LLM
   * teachers' pairs and the grounded pairs on the same windows. The grounded teacher makes no
   * call and costs nothing, so the selection (its budget and max_windows) is the file's.
   *
   * @throws IllegalArgumentException when the added entry does not validate
   */
  static void withGroundedOnEveryWindow(TeacherConfig tc) {
    tc.models.removeIf(ModelSpec::grounded);
    ModelSpec g = new ModelSpec();
    g.kind = ModelSpec.GROUNDED;
    g.role = "generate";
    g.categories = Arrays.stream(Category.values()).map(Category::label).collect(Collectors.toList());
    g.validate();
    tc.models.add(g);
  }

  /** The figures (see the class comment), as name=value lines. */
  static List<String> figures(Lakehouse lh, TeacherConfig tc, long windows, double generateS) {
    Dataset<Row> calls = lh.read(Tables.LLM_CALLS).filter(col("purpose").equalTo("generate")).cache();
    Dataset<Row> ok = calls.filter(col("status").equalTo(CallResult.OK));
    Dataset<Row> sent = calls.select("window_id").distinct();
    long nCalls = calls.count();
    List<String> out = new ArrayList<>();
    out.add("windows=" + windows);
    out.add("windows_sent=" + sent.count());
    out.add("calls=" + nCalls);
    out.add("calls_failed=" + (nCalls - ok.count()));
    out.add("replies_parsed=" + ok.filter(col("parse_error").isNull()).count());
    out.add("replies_malformed=" + ok.filter(col("parse_error").isNotNull()).count());
    System.err.println("parse errors (first problem of each malformed reply):");
    ok.filter(col("parse_error").isNotNull())
        .groupBy(split(split(col("parse_error"), ";").getItem(0), ":").getItem(0).as("problem")).count()
        .orderBy(col("count").desc(), col("problem")).collectAsList()
        .forEach(r -> System.err.println("  " + r.getString(0) + ": " + r.getLong(1)));

    Column llm = col("teacher").isin(tc.byRole(ModelSpec.Role.GENERATE).stream().filter(ModelSpec::called)
        .map(m -> m.name).toArray());
    out.addAll(hallucination(lh, sent, llm, ""));
    out.addAll(hallucination(lh, sent, col("teacher").equalTo(GroundedTeacher.TEACHER), "grounded_"));

    Row t = ok.selectExpr("coalesce(sum(tokens_in), 0)", "coalesce(sum(tokens_out), 0)",
        "coalesce(sum(latency_ms), 0)", "percentile(latency_ms, 0.5)", "max(latency_ms)").first();
    long in = t.getLong(0);
    long tokOut = t.getLong(1);
    double callS = t.getLong(2) / 1000.0;
    out.add(String.format("generate_s=%.1f", generateS));
    out.add(String.format("calls_per_s=%.4f", nCalls / generateS));
    out.add("tokens_in=" + in);
    out.add("tokens_out=" + tokOut);
    out.add(String.format("tokens_per_s=%.1f", (in + tokOut) / generateS));
    out.add(String.format("output_tokens_per_s=%.1f", callS == 0 ? 0.0 : tokOut / callS));
    out.add(String.format("latency_p50_s=%.1f", t.isNullAt(3) ? 0.0 : t.getDouble(3) / 1000.0));
    out.add(String.format("latency_max_s=%.1f", t.isNullAt(4) ? 0.0 : t.getLong(4) / 1000.0));
    calls.unpersist();
    return out;
  }

  /**
   * pairs, pairs_with_fact_key, pairs_hallucinated, hallucination_pct and pairs_accepted of the
   * teachers selected by {@code teacher} on the windows of {@code sent}, each name prefixed.
   */
  static List<String> hallucination(Lakehouse lh, Dataset<Row> sent, Column teacher, String prefix) {
    Dataset<Row> pairs = lh.read(Tables.QA_CANDIDATES).filter(teacher).join(sent, "window_id")
        .select("qa_id", "fact_key");
    Dataset<Row> judged = lh.read(Tables.QA_JUDGED).select("qa_id", "reasons", "verdict");
    Column bad = arrays_overlap(col("reasons"),
        array(HALLUCINATION_REASONS.stream().map(r -> lit(r)).toArray(Column[]::new)));
    Row r = pairs.join(judged, "qa_id")
        .selectExpr("count(*)", "count(fact_key)", "count_if(verdict = 'accepted')")
        .first();
    long withKey = r.getLong(1);
    Dataset<Row> keyed = pairs.filter(col("fact_key").isNotNull()).join(judged, "qa_id");
    long badN = keyed.filter(bad).count();
    System.err.println(prefix + "hallucinations by reason:");
    keyed.filter(bad).selectExpr("explode(reasons) as reason")
        .filter(col("reason").isin(HALLUCINATION_REASONS.toArray())).groupBy("reason").count().orderBy("reason")
        .collectAsList().forEach(x -> System.err.println("  " + x.getString(0) + ": " + x.getLong(1)));
    return List.of(prefix + "pairs=" + r.getLong(0), prefix + "pairs_with_fact_key=" + withKey,
        prefix + "pairs_hallucinated=" + badN,
        String.format("%shallucination_pct=%.1f", prefix, withKey == 0 ? 0.0 : 100.0 * badN / withKey),
        prefix + "pairs_accepted=" + r.getLong(2));
  }
}
