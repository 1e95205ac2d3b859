package io.aisdistill.bench;

import io.aisdistill.jobs.LoopbackChatServer;
import io.aisdistill.jobs.stage.StageContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.llm.ModelsFile;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.llm.Tokens;
import io.aisdistill.common.sim.AisSimulator;
import io.aisdistill.common.text.TokenCounter;
import io.aisdistill.jobs.stage.evaluate.EvaluateStage;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.stage.select.SelectStage;
import io.aisdistill.jobs.config.SparkSessions;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.windows.WindowsStage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.SparkSession;

/**
 * Benchmark of the LLM fan-out (an executable, not a test): the generate stage with a teacher
 * file against a loopback OpenAI-compatible server that enforces an RPM and a TPM limit the way
 * OpenAI does (token buckets holding one second of each limit; a request costs 1 request and its
 * prompt tokens + max_tokens; over the limit: 429 with retry-after-ms) and answers after a
 * log-normal latency (median 400 ms, sigma 0.35).
 *
 * <p>With {@code --stage=evaluate} it measures the evaluate stage instead: the grounded generate
 * and judge stages make qa_judged, then one teacher of a models file is asked CALLS accepted items
 * (CALLS / 6 per category) through the same fan-out.
 *
 * <p>Usage: {@code FanoutBench [--stage=generate|evaluate] CALLS RPM TPM TOKENIZER_DIR [WORKDIR]}. Prints its figures last, one
 * {@code name=value} per line: {@code calls=} (answered 200), {@code requests=},
 * {@code elapsed_s=} (first to last admitted request at the server), {@code rpm_utilization_pct=},
 * {@code tpm_utilization_pct=}, {@code limit_utilization_pct=} (the higher of the two: the
 * binding limit), {@code rate_limited_pct=} (429s over requests) and {@code duplicate_calls=}
 * (request bodies answered 200 more than once).
 */
public final class FanoutBench {
  private FanoutBench() {}

  /**
   * The rate-limited loopback server: the jobs test fixture {@link LoopbackChatServer} (no faults
   * queued) with token-bucket admission before it answers, a log-normal latency, and usage counted
   * with the bench's tokenizer.
   */
  static final class LimitedServer extends LoopbackChatServer {
    final double rpm;
    final double tpm;
    final Tokens tokens;
    final AtomicLong limited = new AtomicLong();
    final AtomicLong admittedTokens = new AtomicLong();
    long firstAdmitNs = -1;
    long lastAdmitNs = -1;
    long admitted;
    long tokensAtFirst;
    private double reqLevel;
    private double tokLevel;
    private long lastNs = System.nanoTime();
    private final Random rnd = new Random(7);
    /** Prompt tokens of the request this handler thread is answering (set by admit, read by putUsage). */
    private final ThreadLocal<Long> promptTokens = new ThreadLocal<>();

    LimitedServer(double rpm, double tpm, Tokens tokens) throws IOException {
      super(LimitedServer::reply, 0, 500);
      this.rpm = rpm;
      this.tpm = tpm;
      this.tokens = tokens;
      this.reqLevel = rpm / 60;
      this.tokLevel = tpm / 60;
    }

    /** Token-bucket admission; returns 0 when admitted, else the milliseconds until it would be. */
    private synchronized long take(long cost) {
      long now = System.nanoTime();
      double dt = (now - lastNs) / 1e9;
      lastNs = now;
      reqLevel = Math.min(rpm / 60, reqLevel + dt * rpm / 60);
      tokLevel = Math.min(tpm / 60, tokLevel + dt * tpm / 60);
      long c = (long) Math.min(cost, tpm / 60);
      if (reqLevel >= 1 && tokLevel >= c) {
        reqLevel -= 1;
        tokLevel -= c;
        if (firstAdmitNs < 0) {
          firstAdmitNs = now;
          tokensAtFirst = c;
        }
        lastAdmitNs = now;
        admitted++;
        admittedTokens.addAndGet(c);
        return 0;
      }
      double waitReq = reqLevel >= 1 ? 0 : (1 - reqLevel) / (rpm / 60);
      double waitTok = tokLevel >= c ? 0 : (c - tokLevel) / (tpm / 60);
      return (long) Math.ceil(Math.max(waitReq, waitTok) * 1000);
    }

    /** A request costs 1 request and its prompt tokens + max_tokens; over the limit: 429 with retry-after-ms. */
    @Override
    protected boolean admit(HttpExchange ex, String body) throws IOException {
      JsonNode req = JSON.readTree(body);
      List<TokenCounter.Message> ms = new ArrayList<>();
      for (JsonNode m : req.path("messages")) {
        ms.add(new TokenCounter.Message(m.path("role").asText(), m.path("content").asText()));
      }
      long prompt = tokens.prompt(ms);
      promptTokens.set(prompt);
      long wait = take(prompt + req.path("max_tokens").asLong(0));
      if (wait > 0) {
        limited.incrementAndGet();
        ex.getResponseHeaders().add("retry-after-ms", Long.toString(wait));
        send(ex, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}");
        return false;
      }
      return true;
    }

    /** Log-normal: median 400 ms, sigma 0.35. */
    @Override
    protected long nextLatencyMs() {
      synchronized (rnd) {
        return (long) (400 * Math.exp(0.35 * rnd.nextGaussian()));
      }
    }

    @Override
    protected void putUsage(ObjectNode usage, String body, JsonNode req, String content) {
      usage.put("prompt_tokens", promptTokens.get()).put("completion_tokens", tokens.text(content));
    }

    /** One kinematics pair citing the mean SOG of the prompt's facts. */
    static String reply(JsonNode req) {
      String user = req.path("messages").path(1).path("content").asText();
      return "{\"pairs\": [{\"category\": \"kinematics\", \"question\": \"What was the mean speed over "
          + "ground?\", \"answer\": \"It was " + fact(user, "sog_mean_kn") + ".\", \"reasoning\": \"From the facts.\", "
          + "\"fact_key\": \"sog_mean_kn\", \"value\": \"x\", \"unit\": \"knots\"}]}";
    }
  }

  public static void main(String[] argv) throws Exception {
    String stage = "generate";
    List<String> pos = new ArrayList<>();
    for (String a : argv) {
      if (a.startsWith("--stage=")) {
        stage = a.substring(8);
      } else {
        pos.add(a);
      }
    }
    if (!stage.equals("generate") && !stage.equals("evaluate")) {
      System.err.println("--stage must be generate or evaluate");
      System.exit(2);
    }
    String[] args = pos.toArray(String[]::new);
    if (args.length < 4) {
      System.err.println("usage: bench/fanout CALLS RPM TPM TOKENIZER_DIR [WORKDIR]");
      System.exit(2);
    }
    int calls = Integer.parseInt(args[0]);
    double rpm = Double.parseDouble(args[1]);
    double tpm = Double.parseDouble(args[2]);
    String tokenizer = args[3];
    Path work = args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("ais-bench-fanout");
    Path in = Files.createDirectories(work.resolve("input"));
    int vessels = Math.max(4, (int) Math.ceil(calls / (stage.equals("evaluate") ? 60.0 : 18.0)));
    try (BufferedWriter w = Files.newBufferedWriter(in.resolve("sim.csv"), StandardCharsets.UTF_8)) {
      AisSimulator.write(new AisSimulator.Config(vessels, 24, Instant.parse("2024-06-01T00:00:00Z"), 99L), w);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    PipelineConfig cfg = PipelineConfig.load(null,
        List.of("spark.master=local[" + cores + "]", "spark.shuffle_partitions=" + Math.max(2, cores),
            "select.max_stopped_share=1"));   // every window may be selected: the bench counts calls, not the mix
    SparkSession spark = SparkSessions.getOrCreate(cfg, "ais-distill bench fanout");
    Lakehouse lh = new Lakehouse(spark, work.resolve("lakehouse").toString());
    new IngestStage(List.of(in.toString()), null).run(new StageContext(spark, lh, cfg, "bench"));
    var win = new WindowsStage(FlagStates::forMmsi).run(new StageContext(spark, lh, cfg, "windows"));
    System.err.println("windows: " + win.windowsWritten());
    Tokens tokens = Tokens.forPath(tokenizer);
    try (LimitedServer server = new LimitedServer(rpm, tpm, tokens)) {
      StageReport rep = stage.equals("evaluate") ? evaluate(spark, lh, cfg, server, tokenizer, calls, rpm, tpm, work)
          : generate(spark, lh, cfg, server, tokenizer, calls, rpm, tpm, work);
      spark.stop();
      System.err.print(rep.toMarkdown());
      print(server, rpm, tpm);
    }
  }

  private static StageReport evaluate(SparkSession spark, Lakehouse lh, PipelineConfig cfg, LimitedServer server,
      String tokenizer, int calls, double rpm, double tpm, Path work) throws IOException {
    new SelectStage(null).run(new StageContext(spark, lh, cfg, "bench"));
    new GenerateStage(null).run(new StageContext(spark, lh, cfg, "generate"));
    new JudgeStage(null).run(new StageContext(spark, lh, cfg, "judge"));
    Path mf = modelFile(work.resolve("models.yaml"), tokenizer, 0, server, "teacher", rpm, tpm);
    PipelineConfig ecfg = PipelineConfig.load(null, List.of("spark.master=" + cfg.spark.master,
        "spark.shuffle_partitions=" + cfg.spark.shufflePartitions,
        "evaluate.max_items_per_category=" + (int) Math.ceil(calls / 6.0)));
    return new EvaluateStage(ModelsFile.load(mf), null, Tables.QA_JUDGED, work.resolve("report")).run(new StageContext(spark, lh, ecfg, "bench")).report();
  }

  private static StageReport generate(SparkSession spark, Lakehouse lh, PipelineConfig cfg, LimitedServer server,
      String tokenizer, int calls, double rpm, double tpm, Path work) throws IOException {
    Path tf = modelFile(work.resolve("teachers.yaml"), tokenizer, calls, server, "generate", rpm, tpm);
    TeacherConfig tc = TeacherConfig.load(tf);
    new SelectStage(tc).run(new StageContext(spark, lh, cfg, "bench"));
    return new GenerateStage(tc).run(new StageContext(spark, lh, cfg, "bench")).report();
  }

  /** A teacher/models file with one model of {@code role} on the loopback server, at the given limits. */
  private static Path modelFile(Path f, String tokenizer, int maxWindows, LimitedServer server, String role,
      double rpm, double tpm) throws IOException {
    Files.writeString(f, """
        tokenizer: %s
        commit_interval_s: 5
        progress_interval_s: 10
        max_windows: %d
        models:
          - name: bench-teacher
            role: %s
            base_url: %s
            model: bench-model
            rpm: %s
            tpm: %s
            max_tokens: 256
            max_concurrency: 16
            timeout_s: 30
            response_format: %s
            price_in_per_mtok: 2.5
            price_out_per_mtok: 10
        """.formatted(tokenizer, maxWindows, role, server.baseUrl(), rpm, tpm,
        role.equals("generate") ? "json_schema" : "none"));
    return f;
  }

  private static void print(LimitedServer server, double rpm, double tpm) {
    double elapsedS = (server.lastAdmitNs - server.firstAdmitNs) / 1e9;
    // requests and tokens admitted after the first one, over the time from first to last admission
    double rpmUtil = 100.0 * (server.admitted - 1) / (elapsedS / 60.0) / rpm;
    double tpmUtil = 100.0 * (server.admittedTokens.get() - server.tokensAtFirst) / (elapsedS / 60.0) / tpm;
    long ok = server.okPerCall.size();
    long dup = server.okPerCall.values().stream().filter(c -> c.get() > 1).count();
    List<String> out = new ArrayList<>();
    out.add("rpm_limit=" + (long) rpm);
    out.add("tpm_limit=" + (long) tpm);
    out.add("requests=" + server.requests.get());
    out.add(String.format("elapsed_s=%.1f", elapsedS));
    out.add(String.format("rpm_utilization_pct=%.1f", rpmUtil));
    out.add(String.format("tpm_utilization_pct=%.1f", tpmUtil));
    out.add("calls=" + ok);
    out.add(String.format("limit_utilization_pct=%.1f", Math.max(rpmUtil, tpmUtil)));
    out.add(String.format("rate_limited_pct=%.2f", 100.0 * server.limited.get() / Math.max(1, server.requests.get())));
    out.add("duplicate_calls=" + dup);
    out.forEach(System.out::println);
  }
}
