package io.aisdistill.jobs.llm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aisdistill.common.llm.AimdLimiter;
import io.aisdistill.common.llm.CallResult;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.FanoutConfig;
import io.aisdistill.common.llm.LlmClient;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.RateBudget;
import io.aisdistill.common.llm.Tokens;
import io.aisdistill.common.teacher.AnswerJudge;
import io.aisdistill.common.teacher.JudgeRubric;
import io.aisdistill.common.teacher.TeacherReplies;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Runs planned LLM calls from Spark executors, paying each call once (used by the generate and
 * judge stages when a teacher file is given, and by the evaluate stage).
 *
 * <p>How a call is paid once:
 * <ol>
 *   <li>the plan (one row per request, {@link #PLAN_SCHEMA}) loses every call_id that
 *       {@code llm_calls} already holds with status ok;</li>
 *   <li>executor tasks ({@code foreachPartition}) send the rest, each with a bounded pool of
 *       threads, an AIMD concurrency limit per model, and the model's RPM/TPM budget shared by
 *       the tasks of a JVM (a JVM gets the limit times its share of the job's task slots);</li>
 *   <li>every finished call is written at once to its own journal file
 *       {@code <files root>/_llm_journal/<call_id>.json} ({@link Lakehouse#filesRoot}: the
 *       lakehouse root, or the files root of a catalog lakehouse; written aside, then renamed),
 *       and a task never sends a call whose journal file exists (a retried task resumes);</li>
 *   <li>a driver thread commits the journal to {@code llm_calls} every
 *       {@code commit_interval_s} (one Delta MERGE on call_id: insert, or replace a non-ok row);
 *       the stage ends with a last commit, then deletes the journal.</li>
 * </ol>
 * A kill -9 thus loses only the calls in flight: the next run first commits a leftover journal,
 * then plans again. One task slot is left free for the commits (they are Spark jobs too).
 */
public final class LlmFanout {
  private static final Logger LOG = LoggerFactory.getLogger(LlmFanout.class);

  private LlmFanout() {}

  /** A planned call. */
  public static final StructType PLAN_SCHEMA = new StructType()
      .add("call_id", DataTypes.StringType).add("purpose", DataTypes.StringType)
      .add("teacher", DataTypes.StringType).add("window_id", DataTypes.StringType)
      .add("qa_id", DataTypes.StringType).add("request_json", DataTypes.StringType);

  public static final String JOURNAL = "_llm_journal";

  /** Purpose of the evaluate stage's calls: plain-text answers, scored later (no reply format check). */
  public static final String EVALUATE = "evaluate";

  /** Purpose of the evaluate stage's LLM-judge calls on free-text answers ({@link AnswerJudge}). */
  public static final String EVALUATE_JUDGE = "evaluate-judge";

  /** A plan row. */
  public static Row plan(ChatCall c, String purpose, String teacher, String windowId, String qaId) {
    return RowFactory.create(c.callId(), purpose, teacher, windowId, qaId, c.body());
  }

  /**
   * What a fan-out did.
   *
   * @param planned calls in the plan
   * @param alreadyDone calls of the plan already answered ok in llm_calls (not sent again)
   * @param sent calls sent by this fan-out
   * @param failed calls sent by this fan-out that failed after their retries (llm_calls status not
   *     ok: network errors, timeouts, HTTP errors, unreadable bodies; a malformed reply to an ok
   *     call is not a failed call)
   * @param firstError the earliest failure of those (by finished_at, then call_id) as
   *     "ERROR (teacher endpoint)", or null when none failed
   * @param perModel rows of {@link #PER_MODEL_HEADER}: llm_calls of this run and purpose, per teacher and model
   */
  public record Result(long planned, long alreadyDone, long sent, long failed, String firstError,
      List<List<Object>> perModel) {
    /** Failed share of the calls sent by this fan-out, 0 to 1 (0 when none was sent). */
    public double failedShare() {
      return sent == 0 ? 0 : (double) failed / sent;
    }

    /**
     * Fails the stage when more than {@code maxShare} of the calls this fan-out sent failed
     * ({@code llm.max_failed_share}, issue 13). Called after {@link #run} returned, so the calls that
     * succeeded are already committed to llm_calls and a rerun does not send them again.
     *
     * @param label the stage (and purpose) named in the message, e.g. "generate"
     * @param maxShare the largest accepted failed share, 0 to 1 (1: never fails)
     * @throws LlmCallsFailedException when {@link #failedShare} exceeds {@code maxShare}; its message is
     *     one line: "generate: 40 of 40 LLM calls failed (share 1.00 > llm.max_failed_share 0.5);
     *     0 succeeded calls are journaled in llm_calls; first error: ..."
     */
    public void requireFailedShareAtMost(String label, double maxShare) {
      if (failedShare() > maxShare) {
        throw new LlmCallsFailedException(String.format(java.util.Locale.ROOT,
            "%s: %d of %d LLM calls failed (share %.2f > llm.max_failed_share %s); %d succeeded calls are journaled "
                + "in llm_calls (a rerun sends only the failed ones); first error: %s",
            label, failed, sent, failedShare(), maxShare, sent - failed, firstError));
      }
    }

    /** Calls of this run and purpose in llm_calls, all models (the {@code calls} column summed). */
    public long calls() {
      return sum(2);
    }

    /** HTTP 429 answers of those calls, all models. */
    public long http429() {
      return sum(6);
    }

    /** Tokens in plus out of those calls, all models. */
    public long tokens() {
      return sum(8) + sum(9);
    }

    /** Cost of those calls, USD, all models. */
    public double usd() {
      double usd = 0;   // summed in order, plainly (DoubleStream.sum compensates, which can change the last digit)
      for (List<Object> m : perModel) {
        usd += (Double) m.get(10);
      }
      return usd;
    }

    private long sum(int column) {
      return perModel.stream().mapToLong(m -> (Long) m.get(column)).sum();
    }
  }

  /**
   * Sends the calls of {@code plan} not yet answered ok, commits them to llm_calls, and reports.
   *
   * @param purpose "generate", "judge" or "evaluate" (progress and report labels; llm_calls.purpose)
   * @throws IllegalStateException when a task fails for another reason than an HTTP/network error
   */
  public static Result run(SparkSession spark, Lakehouse lh, Dataset<Row> plan, FanoutConfig tc, String purpose,
      String runId) {
    Journal journal = new Journal(spark, lh);
    journal.fold();   // a crashed run's finished calls
    journal.clear();
    Dataset<Row> distinctPlan = plan.dropDuplicates("call_id").persist();
    try {
      long planned = distinctPlan.count();
      Dataset<Row> pending = distinctPlan;
      if (lh.exists(Tables.LLM_CALLS)) {
        Dataset<Row> ok = lh.read(Tables.LLM_CALLS).filter(col("status").equalTo(CallResult.OK)).select("call_id");
        pending = distinctPlan.join(ok, distinctPlan.col("call_id").equalTo(ok.col("call_id")), "left_anti");
      }
      long total = pending.count();
      int slots = spark.sparkContext().defaultParallelism();
      int tasks = tc.tasks > 0 ? tc.tasks : Math.max(1, slots - 1);
      int executors = Math.max(1, spark.sparkContext().getExecutorMemoryStatus().size() - 1);
      double jvmShare = 1.0 / Math.min(executors, tasks);
      if (total > 0) {
        String scope = runId + "|" + purpose + "|" + UUID.randomUUID();
        CallTask task = new CallTask(tc, journal.dir, journal.hadoopConf(), scope, jvmShare, runId);
        ScheduledExecutorService sched = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "llm-journal-commit");
          t.setDaemon(true);
          return t;
        });
        long t0 = System.currentTimeMillis();
        sched.scheduleWithFixedDelay(journal::foldQuietly, (long) (tc.commitIntervalS * 1000),
            (long) (tc.commitIntervalS * 1000), TimeUnit.MILLISECONDS);
        sched.scheduleAtFixedRate(() -> journal.progress(purpose, total, t0), (long) (tc.progressIntervalS * 1000),
            (long) (tc.progressIntervalS * 1000), TimeUnit.MILLISECONDS);
        try {
          // grouped by model within a task: a server holding one model at a time (llama.cpp's
          // multi-model server swaps on a change of alias) sees few swaps
          pending.repartition(tasks).sortWithinPartitions("teacher", "call_id").foreachPartition(task);
        } finally {
          // shutdown, not shutdownNow: an interrupted journal commit can land in Delta without
          // being marked folded, and the final fold would then commit its rows a second time
          sched.shutdown();
          try {
            sched.awaitTermination(5, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          journal.fold();
          journal.clear();
          journal.progress(purpose, total, t0);
        }
      }
      long failed = 0;
      String firstError = null;
      if (total > 0 && lh.exists(Tables.LLM_CALLS)) {
        // every call of the plan that is not ok now was pending, so sent (and journaled) by this fan-out
        Dataset<Row> bad = lh.read(Tables.LLM_CALLS).filter(col("status").notEqual(CallResult.OK))
            .join(distinctPlan.select("call_id"), "call_id");
        failed = bad.count();
        if (failed > 0) {
          Row first = bad.orderBy(col("finished_at").asc_nulls_last(), col("call_id"))
              .select("error", "endpoint").first();
          firstError = first.getString(0) + " (" + first.getString(1) + ")";
        }
      }
      return new Result(planned, planned - total, total, failed, firstError, perModel(lh, runId, purpose));
    } finally {
      distinctPlan.unpersist();
    }
  }

  /** Per model, for the calls of this run: calls, ok, failed, retries, 429s, tokens in/out, USD. */
  static List<List<Object>> perModel(Lakehouse lh, String runId, String purpose) {
    List<List<Object>> rows = new ArrayList<>();
    if (!lh.exists(Tables.LLM_CALLS)) {
      return rows;
    }
    for (Row r : lh.read(Tables.LLM_CALLS).filter(col("run_id").equalTo(runId).and(col("purpose").equalTo(purpose)))
        .groupBy("teacher", "model")
        .agg(count("*"), sum(when(col("status").equalTo(CallResult.OK), 1).otherwise(0)),
            sum(expr("attempts - 1")), sum("rate_limited"), sum(when(col("parse_error").isNotNull(), 1).otherwise(0)),
            sum("tokens_in"), sum("tokens_out"), sum("cost_usd"))
        .orderBy("teacher").collectAsList()) {
      long calls = r.getLong(2);
      long ok = r.getLong(3);
      rows.add(List.of(r.getString(0), r.getString(1), calls, ok, calls - ok, r.getLong(4), r.getLong(5),
          r.getLong(6), r.getLong(7), r.getLong(8), r.getDouble(9)));
    }
    return rows;
  }

  /** Header of {@link #perModel} rows. */
  public static final List<String> PER_MODEL_HEADER = List.of("teacher", "model", "calls", "ok", "failed", "retries",
      "http_429", "malformed_replies", "tokens_in", "tokens_out", "usd");

  /** Adds a fan-out's figures and per-model table to {@code rep}. */
  public static void report(StageReport rep, Result r, String purpose) {
    rep.put("llm_calls_planned", r.planned()).put("llm_calls_already_ok", r.alreadyDone())
        .put("llm_calls", r.calls()).put("llm_http_429", r.http429()).put("tokens", r.tokens()).put("cost_usd", r.usd());
    rep.table("LLM calls by model (" + purpose + ", this run)", PER_MODEL_HEADER, r.perModel());
  }

  /** The journal: one file per finished call; committed to llm_calls by the driver. */
  static final class Journal {
    private final SparkSession spark;
    private final Lakehouse lh;
    final String dir;
    private final Set<String> folded = new HashSet<>();
    private long calls;
    private long tokens;
    private double usd;

    Journal(SparkSession spark, Lakehouse lh) {
      this.spark = spark;
      this.lh = lh;
      this.dir = lh.filesRoot() + "/" + JOURNAL;
    }

    Map<String, String> hadoopConf() {
      Map<String, String> m = new HashMap<>();
      for (Map.Entry<String, String> e : spark.sparkContext().hadoopConfiguration()) {
        m.put(e.getKey(), e.getValue());
      }
      return m;
    }

    private FileSystem fs() throws IOException {
      return new Path(dir).getFileSystem(spark.sparkContext().hadoopConfiguration());
    }

    void foldQuietly() {
      try {
        fold();
      } catch (RuntimeException e) {
        LOG.warn("llm_calls commit failed (retried at the next interval): {}", e.getMessage(), e);
      }
    }

    /** Commits the journal files not committed yet (one MERGE). */
    synchronized void fold() {
      List<Row> rows = new ArrayList<>();
      List<String> names = new ArrayList<>();
      try {
        FileSystem fs = fs();
        Path d = new Path(dir);
        if (!fs.exists(d)) {
          return;
        }
        for (FileStatus st : fs.listStatus(d)) {
          String n = st.getPath().getName();
          if (!st.isFile() || !n.endsWith(".json") || folded.contains(n)) {
            continue;
          }
          Map<String, Object> m;
          try (InputStream in = fs.open(st.getPath())) {
            m = ChatCall.JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {});
          }
          rows.add(row(m));
          names.add(n);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the LLM call journal " + dir + ": " + e.getMessage(), e);
      }
      if (rows.isEmpty()) {
        return;
      }
      Dataset<Row> df = spark.createDataFrame(rows, Tables.LLM_CALLS_SCHEMA).coalesce(1);
      lh.merge(df, Tables.LLM_CALLS, "t.call_id = s.call_id", "t.status <> 'ok'");
      folded.addAll(names);
      StructType t = Tables.LLM_CALLS_SCHEMA;
      for (Row r : rows) {
        calls++;
        tokens += r.getLong(t.fieldIndex("tokens_in")) + r.getLong(t.fieldIndex("tokens_out"));
        usd += r.getDouble(t.fieldIndex("cost_usd"));
      }
    }

    /** Deletes the journal (after a commit). */
    synchronized void clear() {
      try {
        fs().delete(new Path(dir), true);
        folded.clear();
      } catch (IOException e) {
        throw new IllegalStateException("cannot delete the LLM call journal " + dir + ": " + e.getMessage(), e);
      }
    }

    /** Prints one progress line to stderr: calls committed/total, rate, ETA, tokens, USD. */
    synchronized void progress(String purpose, long total, long t0) {
      double s = Math.max(0.001, (System.currentTimeMillis() - t0) / 1000.0);
      double rate = calls / s;
      long eta = rate > 0 ? (long) ((total - calls) / rate) : -1;
      if (LOG.isInfoEnabled()) {
        LOG.info(String.format("%s: llm calls %d/%d (%.1f%%), %.2f calls/s, ETA %s, tokens %d, USD %.4f", purpose, calls,
            total, 100.0 * calls / Math.max(1, total), rate,
            eta < 0 ? "?" : eta / 60 + "m" + String.format("%02d", eta % 60) + "s", tokens, usd));
      }
    }

    private static Row row(Map<String, Object> m) {
      Object[] v = new Object[Tables.LLM_CALLS_SCHEMA.size()];
      String[] names = Tables.LLM_CALLS_SCHEMA.fieldNames();
      for (int i = 0; i < names.length; i++) {
        Object x = m.get(names[i]);
        v[i] = switch (names[i]) {
          case "http_status", "attempts", "rate_limited" -> x == null ? null : ((Number) x).intValue();
          case "tokens_in", "tokens_out", "latency_ms" -> x == null ? null : ((Number) x).longValue();
          case "cost_usd" -> x == null ? null : ((Number) x).doubleValue();
          case "started_at", "finished_at" -> x == null ? null : Instant.ofEpochMilli(((Number) x).longValue());
          default -> x;
        };
      }
      return RowFactory.create(v);
    }
  }

  /** The executor side: sends a partition's calls and journals each one. */
  static final class CallTask implements ForeachPartitionFunction<Row>, Serializable {
    private static final long serialVersionUID = 1L;
    private final FanoutConfig tc;
    private final String dir;
    private final Map<String, String> conf;
    private final String scope;
    private final double jvmShare;
    private final String runId;

    CallTask(FanoutConfig tc, String dir, Map<String, String> conf, String scope, double jvmShare, String runId) {
      this.tc = tc;
      this.dir = dir;
      this.conf = conf;
      this.scope = scope;
      this.jvmShare = jvmShare;
      this.runId = runId;
    }

    @Override
    public void call(Iterator<Row> rows) throws Exception {
      Configuration c = new Configuration(false);
      conf.forEach(c::set);
      FileSystem fs = new Path(dir).getFileSystem(c);
      Tokens tokens = Tokens.forPath(tc.tokenizer);
      Map<String, LlmClient> clients = new HashMap<>();
      int threads = 1;
      for (ModelSpec m : tc.models) {
        if (!m.called()) {
          continue;
        }
        clients.put(m.name, new LlmClient(m, RateBudget.shared(scope, m, jvmShare),
            new AimdLimiter(m.maxConcurrency, 1000), tokens));
        threads = Math.max(threads, m.maxConcurrency);
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      Semaphore window = new Semaphore(threads * 2);
      AtomicReference<Throwable> err = new AtomicReference<>();
      try {
        while (rows.hasNext() && err.get() == null) {
          Row r = rows.next();
          window.acquire();
          pool.submit(() -> {
            try {
              send(r, fs, clients);
            } catch (Throwable t) {
              err.compareAndSet(null, t);
            } finally {
              window.release();
            }
          });
        }
        pool.shutdown();
        while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
          // calls finish within their timeouts and retries
        }
      } finally {
        pool.shutdownNow();
      }
      if (err.get() != null) {
        throw new IllegalStateException("LLM call task failed: " + err.get().getMessage(), err.get());
      }
    }

    private void send(Row r, FileSystem fs, Map<String, LlmClient> clients) throws IOException {
      String callId = r.getString(0);
      Path done = new Path(dir, callId + ".json");
      if (fs.exists(done)) {
        return;   // sent by an earlier attempt of this task
      }
      String teacher = r.getString(2);
      ModelSpec spec = tc.model(teacher);
      ChatCall call = ChatCall.fromBody(r.getString(5), spec.revision);
      if (!call.callId().equals(callId)) {
        throw new IllegalStateException("plan row " + callId + " does not match its request body");
      }
      CallResult res = clients.get(teacher).call(call);
      String purpose = r.getString(1);
      String parseError = null;
      if (CallResult.OK.equals(res.status()) && !EVALUATE.equals(purpose)) {
        parseError = EVALUATE_JUDGE.equals(purpose) ? AnswerJudge.parse(res.content()).problem()
            : "judge".equals(purpose) ? JudgeRubric.parse(res.content()).problem()
            : TeacherReplies.problems(res.content(), spec.categories);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("call_id", callId);
      m.put("run_id", runId);
      m.put("purpose", purpose);
      m.put("teacher", teacher);
      m.put("model", spec.model);
      m.put("endpoint", spec.endpointLabel());
      m.put("window_id", r.getString(3));
      m.put("qa_id", r.getString(4));
      m.put("request_json", call.body());
      m.put("response_json", res.responseBody());
      m.put("content", res.content());
      m.put("status", res.status());
      m.put("http_status", res.httpStatus());
      m.put("attempts", res.attempts());
      m.put("rate_limited", res.rateLimited());
      m.put("error", res.error());
      m.put("parse_error", parseError);
      m.put("tokens_in", res.tokensIn());
      m.put("tokens_out", res.tokensOut());
      m.put("usage_source", res.usageFromServer() ? "server" : "tokenizer");
      m.put("cost_usd", res.costUsd());
      m.put("latency_ms", res.latencyMs());
      m.put("started_at", res.startedAtMs());
      m.put("finished_at", res.finishedAtMs());
      Path tmp = new Path(dir + "/_tmp", callId + "." + UUID.randomUUID() + ".json");
      try (OutputStream o = fs.create(tmp, true)) {
        ChatCall.JSON.writeValue(o, m);
      }
      if (!fs.rename(tmp, done)) {
        fs.delete(tmp, false);
        if (!fs.exists(done)) {
          throw new IOException("cannot move " + tmp + " to " + done);
        }
      }
    }
  }
}
