package io.aisdistill.jobs.stage.select;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.when;

import io.aisdistill.common.select.WindowSelector;
import io.aisdistill.common.select.WindowSelector.Reason;
import io.aisdistill.common.select.WindowStrata;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.jobs.lakehouse.ScalaSeqs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * {@link WindowSelector}'s rule computed on the executors, for any number of windows: the driver
 * holds the per-stratum counts, one number pair per partition, and at most one partition's
 * (calls, USD) pairs at a time. {@link WindowSelector} stays the rule's reference: tests compare
 * the two on random inputs.
 *
 * <p>Every step runs per scope ({@link WindowSelector.Scope}): the scope key (0, or the UTC day
 * of start_ts) leads every partitioning and sort key, and the per-partition counts and totals are
 * kept per run of one scope within a partition, so the ranks, the cap and the budget cut restart
 * with each scope.
 *
 * <p>How each step of the rule is computed:
 * <ol>
 *   <li><b>Near duplicates</b>: a window function per MMSI in (start_ts, window_id) order: the
 *       previous window's behaviour and cell ({@code lag}), the run's first window ({@code last}
 *       non-duplicate id).</li>
 *   <li><b>Order</b>: {@code stratum_rank} = {@code row_number} per stratum by (SHA-256 of
 *       {@code seed:window_id}, window_id); the strata's order by SHA-256 of {@code seed:stratum}
 *       (the strata and their counts are collected: one row per stratum). The round-robin order
 *       is a global sort by (stratum_rank, stratum index); {@code rank} is the position in it,
 *       from per-partition counts.</li>
 *   <li><b>Walk</b>, in closed form. Non-stopped windows are admitted on arrival; the j-th stopped
 *       window (in rank order) is admitted after m_j = max(n_j, need(j)) non-stopped ones, where
 *       n_j = rank_j - j is the number of non-stopped windows ranked before it and need(j) the
 *       fewest that let the cap admit it ({@code j <= share * (m + j)}, as the selector computes
 *       it); it is never admitted when need(j) exceeds the non-stopped count. Sorting the
 *       admittable windows by (m_j, stopped after non-stopped, j), with non-stopped window i keyed
 *       by i, gives the admission order, and its position is {@code selected_order}. The budget
 *       cut is the first position whose running windows, calls or USD exceed a budget: the driver
 *       walks the per-partition totals and reads a partition's (calls, USD) pairs only where the
 *       cut may fall in it or its USD are not all zero (so that the running USD are summed in the
 *       selector's order, bit for bit). Windows admitted before the cut are SELECTED; the window
 *       at the cut and every window ranked after the moment it was tried (its rank, or for a
 *       stopped window the rank of the m_j-th non-stopped window when that is later) are
 *       OVER_BUDGET; the other windows are STOPPED_CAP.</li>
 * </ol>
 */
final class DistributedSelector {
  private DistributedSelector() {}

  /** Columns added to the candidate columns by {@link #decide}. */
  static final StructType DECISION_SCHEMA = new StructType()
      .add("selected", DataTypes.BooleanType).add("reason", DataTypes.StringType)
      .add("duplicate_of", DataTypes.StringType).add("rank", DataTypes.LongType)
      .add("stratum_rank", DataTypes.IntegerType).add("selected_order", DataTypes.LongType)
      .add("cum_calls", DataTypes.LongType).add("cum_usd", DataTypes.DoubleType);

  /**
   * The decision of every candidate, as {@link WindowSelector#select} would make it on the
   * collected rows (same reasons, duplicate_of, ranks, orders and running totals).
   *
   * @param cands candidate rows ({@link SelectTransforms#CANDIDATE_SCHEMA}), unique window_id
   *     (track_windows' key); read several times, so persist it when it is costly to compute
   * @return the candidate columns followed by {@link #DECISION_SCHEMA}'s, one row per candidate,
   *     in no particular order; computed when first used and kept in memory or on disk until
   *     {@code cleanup} runs
   */
  static Decided decide(SparkSession spark, Dataset<Row> cands, WindowSelector.Settings s) {
    Decided d = new Decided(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    // the scope key travels as the last candidate column; rows() drops it
    Dataset<Row> in = cands.withColumn(SCOPE, scopeKey(s.scope()));
    Dataset<Row> marked = d.persist(nearDuplicates(in));
    d.parts().add(marked.filter(col("_dup")).select(decisionColumns(in,
        lit(false), lit(Reason.NEAR_DUPLICATE.name()), col("_first"), lit(null), lit(null), lit(null), lit(null),
        lit(null))));
    Dataset<Row> ranked = ranked(spark, in, marked.filter(not(col("_dup"))), s, d);
    walk(spark, in, ranked, s, d);
    return d;
  }

  /** The name of the scope key column (long) while deciding. */
  private static final String SCOPE = "_scope";

  /**
   * The scope key of each candidate as a column, equal to {@link WindowSelector.Scope#key}: 0 for
   * {@code ALL}, the UTC day of start_ts (days since 1970-01-01, floor) for {@code DAY}.
   */
  static org.apache.spark.sql.Column scopeKey(WindowSelector.Scope scope) {
    return scope == WindowSelector.Scope.ALL ? lit(0L)
        : expr("(unix_millis(start_ts) - pmod(unix_millis(start_ts), 86400000L)) div 86400000L");
  }

  /**
   * Step 1: the candidates with {@code _stopped}, {@code _dup} (a near duplicate) and
   * {@code _first} (the first window of its run), per vessel and scope.
   */
  private static Dataset<Row> nearDuplicates(Dataset<Row> cands) {
    String stoppedLabel = WindowStrata.Behaviour.STOPPED.label();
    WindowSpec byVessel = Window.partitionBy(SCOPE, "mmsi").orderBy("start_ts", "window_id");
    Dataset<Row> marked = cands
        .withColumn("_stopped", col("behaviour").equalTo(lit(stoppedLabel)))
        .withColumn("_dup", coalesce(lag("_stopped", 1).over(byVessel).and(col("_stopped"))
            .and(lag("cell", 1).over(byVessel).equalTo(col("cell"))), lit(false)))
        .withColumn("_first", last(when(not(col("_dup")), col("window_id")), true)
            .over(byVessel.rowsBetween(Window.unboundedPreceding(), Window.currentRow())));
    return marked;
  }

  /**
   * Step 2: the kept windows in the round-robin order of their scope: the candidate columns, then
   * {@code _stopped}, {@code _stratum_rank}, {@code _stratum_index}, {@code _rank}, {@code _j}
   * (1-based index among the scope's stopped windows, 0 for the others), {@code _i} (1-based index
   * among the scope's non-stopped windows, 0 for stopped ones) and {@code _m} (the admission key:
   * i for a non-stopped window, m_j for a stopped one, -1 when it is never admitted); persisted.
   */
  private static Dataset<Row> ranked(SparkSession spark, Dataset<Row> cands, Dataset<Row> kept,
      WindowSelector.Settings s, Decided d) {
    int nc = cands.columns().length;
    final int iScope = nc - 1;
    List<Row> strataCounts = kept.groupBy("stratum").count().collectAsList();
    List<String> strata = new ArrayList<>();
    for (Row r : strataCounts) {
      strata.add(r.getString(0));
    }
    strata.sort(Comparator.<String, String>comparing(k -> Sha256.hex(s.seed() + ":" + k)).thenComparing(k -> k));
    List<Row> index = new ArrayList<>();
    for (int i = 0; i < strata.size(); i++) {
      index.add(RowFactory.create(strata.get(i), i));
    }
    Dataset<Row> strataIndex = spark.createDataFrame(index, new StructType()
        .add("stratum", DataTypes.StringType).add("_stratum_index", DataTypes.IntegerType));
    WindowSpec byStratum = Window.partitionBy(SCOPE, "stratum")
        .orderBy(sha2(concat(lit(s.seed() + ":"), col("window_id")), 256), col("window_id"));
    Dataset<Row> ordered = kept.join(org.apache.spark.sql.functions.broadcast(strataIndex), "stratum")
        .withColumn("_stratum_rank", row_number().over(byStratum))
        .select(cols(cands, col("_stopped"), col("_stratum_rank"), col("_stratum_index")))
        .orderBy(SCOPE, "_stratum_rank", "_stratum_index");

    // rank and j (stopped index) from per-partition counts of each scope: row layout cands.. (_scope last),
    // _stopped, _stratum_rank, _stratum_index, then appended rank, j, i, m
    JavaRDD<Row> sorted = d.persist(ordered.javaRDD());
    final int iStopped = nc;
    // per run of a scope in a partition: {windows, stopped windows}
    List<ScopeRuns.Run> runs = ScopeRuns.count(sorted, iScope, 2, (c, r) -> {
      c[0]++;
      c[1] += r.getBoolean(iStopped) ? 1 : 0;
    });
    Map<Long, long[]> scopeTotals = new HashMap<>(); // windows, stopped windows
    for (ScopeRuns.Run run : runs) {
      long[] t = scopeTotals.computeIfAbsent(run.scope(), k -> new long[2]);
      t[0] += run.counts()[0];
      t[1] += run.counts()[1];
    }
    // per run: {windows before it in its scope, stopped ones before it, non-stopped in the scope}
    List<long[]> perRun = new ArrayList<>();
    Map<Long, long[]> before = new HashMap<>();
    for (ScopeRuns.Run run : runs) {
      long[] at = before.computeIfAbsent(run.scope(), k -> new long[2]);
      long[] t = scopeTotals.get(run.scope());
      perRun.add(new long[] {at[0], at[1], t[0] - t[1]});
      at[0] += run.counts()[0];
      at[1] += run.counts()[1];
    }
    final double share = s.maxStoppedShare();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<ScopeRuns.Offsets<long[]>> bOff =
        d.broadcast(jsc, ScopeRuns.offsets(runs, perRun, sorted.getNumPartitions()));
    // appended: _rank, _j (stopped index, 0 for non-stopped), _i (non-stopped index, 0 for stopped),
    // _m (admission key: non-stopped i; stopped m_j; -1 = never admitted)
    JavaRDD<Row> ranked = sorted.mapPartitionsWithIndex((p, it) -> {
      ScopeRuns.Cursor<long[]> runOf = bOff.value().cursor(p);
      long[] at = {0, 0, 0}; // rank, stopped windows so far, non-stopped windows of the scope
      return map(it, r -> {
        long[] start = runOf.enter(r.getLong(iScope));
        if (start != null) {
          at[0] = start[0];
          at[1] = start[1];
          at[2] = start[2];
        }
        long rank = ++at[0];
        long j = 0;
        long i = 0;
        long m;
        if (r.getBoolean(iStopped)) {
          j = ++at[1];
          long need = need(j, share);
          m = need > at[2] ? -1 : Math.max(rank - j, need);
        } else {
          i = rank - at[1];
          m = i;
        }
        return append(r, rank, j, i, m);
      });
    }, true);
    StructType rankedSchema = ordered.schema().add("_rank", DataTypes.LongType).add("_j", DataTypes.LongType)
        .add("_i", DataTypes.LongType).add("_m", DataTypes.LongType);
    return d.persist(spark.createDataFrame(ranked, rankedSchema));
  }

  /**
   * Step 3: the walk's decisions of the {@link #ranked} windows, per scope, added to {@code d}:
   * the admission order, the budget cut, and the reasons.
   */
  private static void walk(SparkSession spark, Dataset<Row> cands, Dataset<Row> rankedDf, WindowSelector.Settings s,
      Decided d) {
    int nc = cands.columns().length;
    final int iScope = nc - 1;
    final int iStopped = nc;
    final int iStratumRank = nc + 1;
    StructType rankedSchema = rankedDf.schema();
    Dataset<Row> admission = rankedDf.filter(col("_m").geq(0))
        .orderBy(col(SCOPE), col("_m"), col("_stopped"), col("_j"));
    JavaRDD<Row> adm = d.persist(admission.javaRDD());
    final int iCalls = cands.schema().fieldIndex("est_calls");
    final int iUsd = cands.schema().fieldIndex("est_usd");
    // per run of a scope in a partition: {windows, calls, 1 when any USD is non-zero else 0}
    List<ScopeRuns.Run> runs = ScopeRuns.count(adm, iScope, 3, (c, r) -> {
      c[0]++;
      c[1] += r.getInt(iCalls);
      c[2] |= r.getDouble(iUsd) != 0.0 ? 1 : 0;
    });
    // per run: {admission rows of its scope before it, calls before it, USD before it}
    List<Object[]> perRun = new ArrayList<>();
    final int iRank = rankedSchema.fieldIndex("_rank");
    final int iM = rankedSchema.fieldIndex("_m");
    JavaRDD<Object[]> costs = adm.map(r -> new Object[] {r.getInt(iCalls), r.getDouble(iUsd), r.getLong(iRank),
        r.getLong(iM), r.getBoolean(iStopped), r.getLong(iScope)});
    // per scope with a cut: {selected_order of the window that overflows, the rank up to which arrived
    // windows wait (STOPPED_CAP) rather than being over budget}
    HashMap<Long, long[]> cuts = new HashMap<>();
    List<Row> triggers = new ArrayList<>(); // (scope, i of the non-stopped window a cut stopped window waited for)
    Long scope = null;
    long pos = 0; // admission rows of the scope before the run
    long n = 0;
    long calls = 0;
    double usd = 0;
    boolean cutFound = false;
    int readPart = -1;
    Object[][] readRows = null; // the (calls, USD, rank, m, stopped, scope) of partition readPart
    for (ScopeRuns.Run run : runs) {
      int p = run.part();
      long sc = run.scope();
      if (scope == null || scope != sc) {
        scope = sc;
        pos = 0;
        n = 0;
        calls = 0;
        usd = 0;
        cutFound = false;
      }
      perRun.add(new Object[] {pos, calls, usd});
      long pn = run.counts()[0];
      long pc = run.counts()[1];
      boolean pu = run.counts()[2] != 0;
      pos += pn;
      if (cutFound) {
        continue;
      }
      boolean mayCut = s.maxWindows() > 0 && n + pn > s.maxWindows() || s.maxCalls() > 0 && calls + pc > s.maxCalls()
          || s.maxUsd() > 0 && (pu || usd > s.maxUsd());
      if (!mayCut && !pu) {
        n += pn;
        calls += pc;
        continue;
      }
      if (readPart != p) {
        List<Object[]> rows = costs.collectPartitions(new int[] {p})[0];
        readRows = rows.toArray(new Object[0][]);
        readPart = p;
      }
      for (Object[] r : readRows) {
        if ((Long) r[5] != sc) {
          continue;
        }
        long k = calls + (Integer) r[0];
        double u = usd + (Double) r[1];
        if (s.maxWindows() > 0 && n + 1 > s.maxWindows() || s.maxCalls() > 0 && k > s.maxCalls()
            || s.maxUsd() > 0 && u > s.maxUsd()) {
          cutFound = true;
          cuts.put(sc, new long[] {n + 1, (Long) r[2]});
          long m = (Long) r[3];
          if ((Boolean) r[4] && m > 0) {
            triggers.add(RowFactory.create(sc, m));
          }
          break;
        }
        n++;
        calls = k;
        usd = u;
      }
    }
    if (!triggers.isEmpty()) {
      Dataset<Row> t = spark.createDataFrame(triggers, new StructType().add(SCOPE, DataTypes.LongType)
          .add("_i", DataTypes.LongType));
      for (Row x : rankedDf.join(org.apache.spark.sql.functions.broadcast(t), ScalaSeqs.of(SCOPE, "_i"))
          .select(SCOPE, "_rank").collectAsList()) {
        long[] c = cuts.get(x.getLong(0));
        c[1] = Math.max(c[1], x.getLong(1));
      }
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<ScopeRuns.Offsets<Object[]>> bOff =
        d.broadcast(jsc, ScopeRuns.offsets(runs, perRun, adm.getNumPartitions()));
    Broadcast<HashMap<Long, long[]>> bCuts = d.broadcast(jsc, cuts);
    JavaRDD<Row> admitted = adm.mapPartitionsWithIndex((p, it) -> {
      ScopeRuns.Cursor<Object[]> runOf = bOff.value().cursor(p);
      long[] at = {0, 0, Long.MAX_VALUE, Long.MAX_VALUE}; // selected_order, calls so far, cut order, tried rank
      double[] u = {0};
      return map(it, r -> {
        long sc = r.getLong(iScope);
        Object[] start = runOf.enter(sc);
        if (start != null) {
          at[0] = (Long) start[0];
          at[1] = (Long) start[1];
          u[0] = (Double) start[2];
          long[] c = bCuts.value().get(sc);
          at[2] = c == null ? Long.MAX_VALUE : c[0];
          at[3] = c == null ? Long.MAX_VALUE : c[1];
        }
        long o = ++at[0];
        Object[] v = values(r, nc);
        long rank = r.getLong(iRank);
        if (o < at[2]) {
          at[1] += r.getInt(iCalls);
          u[0] += r.getDouble(iUsd);
          return RowFactory.create(concatValues(v, new Object[] {true, Reason.SELECTED.name(), null, rank,
              r.getInt(iStratumRank), o, at[1], u[0]}));
        }
        boolean over = o == at[2] || rank > at[3];
        return RowFactory.create(concatValues(v, new Object[] {false,
            (over ? Reason.OVER_BUDGET : Reason.STOPPED_CAP).name(), null, rank, r.getInt(iStratumRank),
            null, null, null}));
      });
    }, true);
    StructType outSchema = cands.schema();
    for (var f : DECISION_SCHEMA.fields()) {
      outSchema = outSchema.add(f);
    }
    d.parts().add(spark.createDataFrame(admitted, outSchema));
    List<Row> tried = new ArrayList<>();
    cuts.forEach((sc, c) -> tried.add(RowFactory.create(sc, c[1])));
    Dataset<Row> triedDf = spark.createDataFrame(tried, new StructType().add(SCOPE, DataTypes.LongType)
        .add("_tried", DataTypes.LongType));
    d.parts().add(rankedDf.filter(col("_m").lt(0))
        .join(org.apache.spark.sql.functions.broadcast(triedDf), ScalaSeqs.of(SCOPE), "left")
        .select(decisionColumns(cands, lit(false),
            when(col("_rank").gt(col("_tried")), lit(Reason.OVER_BUDGET.name()))
                .otherwise(lit(Reason.STOPPED_CAP.name())),
            lit(null), col("_rank"), col("_stratum_rank"), lit(null), lit(null), lit(null))));
  }

  /**
   * The runs of one scope in the partitions of an RDD sorted by scope key: a run is the
   * consecutive rows of one scope within one partition (a scope may span several partitions, and
   * a partition hold several scopes). {@link #count} collects the caller's counts per run to the
   * driver; the caller turns them into per-run offsets (its running values at the run's first
   * row), {@link #offsets} groups those by partition for a broadcast, and on the executors a
   * {@link Cursor} finds the offsets of each row's run again, row by row.
   */
  private static final class ScopeRuns {
    private ScopeRuns() {}

    /** Adds one row to the counts of its run. */
    interface Counter extends java.io.Serializable {
      void add(long[] counts, Row r);
    }

    /** One run: its partition, its scope key, and the caller's counts of its rows. */
    record Run(int part, long scope, long[] counts) implements java.io.Serializable {}

    /**
     * The runs of {@code rdd}, in partition then row order, each with {@code nCounts} counts
     * (starting at 0) that {@code counter} updates for each of the run's rows.
     */
    static List<Run> count(JavaRDD<Row> rdd, int iScope, int nCounts, Counter counter) {
      return rdd.mapPartitionsWithIndex((p, it) -> {
        List<Run> out = new ArrayList<>();
        Run cur = null;
        while (it.hasNext()) {
          Row r = it.next();
          long sc = r.getLong(iScope);
          if (cur == null || cur.scope() != sc) {
            cur = new Run(p, sc, new long[nCounts]);
            out.add(cur);
          }
          counter.add(cur.counts(), r);
        }
        return out.iterator();
      }, true).collect();
    }

    /** {@code perRun.get(i)}, the offsets of {@code runs.get(i)}, grouped by partition. */
    static <T> Offsets<T> offsets(List<Run> runs, List<T> perRun, int partitions) {
      List<List<Long>> scopes = new ArrayList<>();
      List<List<T>> offsets = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        scopes.add(new ArrayList<>());
        offsets.add(new ArrayList<>());
      }
      for (int i = 0; i < runs.size(); i++) {
        scopes.get(runs.get(i).part()).add(runs.get(i).scope());
        offsets.get(runs.get(i).part()).add(perRun.get(i));
      }
      long[][] sc = new long[partitions][];
      for (int p = 0; p < partitions; p++) {
        sc[p] = scopes.get(p).stream().mapToLong(Long::longValue).toArray();
      }
      return new Offsets<>(sc, offsets);
    }

    /** Per partition, its runs' scope keys and offsets, in row order. */
    record Offsets<T>(long[][] scopes, List<List<T>> offsets) implements java.io.Serializable {
      Cursor<T> cursor(int part) {
        return new Cursor<>(scopes[part], offsets.get(part));
      }
    }

    /** Follows one partition's rows through its runs, in row order. */
    static final class Cursor<T> {
      private final long[] scopes;
      private final List<T> offsets;
      private int k = 0;
      private boolean started = false;
      private long cur;

      private Cursor(long[] scopes, List<T> offsets) {
        this.scopes = scopes;
        this.offsets = offsets;
      }

      /**
       * The offsets of the run that the next row, of scope key {@code sc}, starts; null when it
       * continues the current run.
       */
      T enter(long sc) {
        if (started && cur == sc) {
          return null;
        }
        while (scopes[k] != sc) {
          k++;
        }
        cur = sc;
        started = true;
        return offsets.get(k);
      }
    }
  }

  /**
   * The decisions of {@link #decide} and what it keeps cached for them.
   *
   * @param parts the decided rows, in parts of the same columns (near duplicates, admittable
   *     windows, never admitted windows)
   * @param broadcasts the per-partition offsets and cuts the executors read while computing them
   */
  record Decided(List<Dataset<Row>> parts, List<Dataset<?>> cached, List<JavaRDD<?>> cachedRdds,
      List<Broadcast<?>> broadcasts) {
    /** The candidate columns and {@link #DECISION_SCHEMA}'s, one row per candidate. */
    Dataset<Row> rows() {
      Dataset<Row> all = parts.get(0);
      for (int i = 1; i < parts.size(); i++) {
        all = all.unionByName(parts.get(i));
      }
      return all.drop(SCOPE);
    }

    /** Releases the cached intermediate results and destroys the broadcasts (after the rows are written). */
    void cleanup() {
      cached.forEach(Dataset::unpersist);
      cachedRdds.forEach(JavaRDD::unpersist);
      broadcasts.forEach(b -> b.destroy());
    }

    /** {@code value} broadcast to the executors, destroyed by {@link #cleanup}. */
    private <T> Broadcast<T> broadcast(JavaSparkContext jsc, T value) {
      Broadcast<T> b = jsc.broadcast(value);
      broadcasts.add(b);
      return b;
    }

    private Dataset<Row> persist(Dataset<Row> ds) {
      Dataset<Row> p = ds.persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(p);
      return p;
    }

    private JavaRDD<Row> persist(JavaRDD<Row> rdd) {
      JavaRDD<Row> p = rdd.persist(StorageLevel.MEMORY_AND_DISK());
      cachedRdds.add(p);
      return p;
    }
  }

  /**
   * need(j): the fewest non-stopped admitted windows with which the walk's cap admits the j-th
   * stopped window, evaluated as {@code WindowSelector}'s walk does ({@code stopped + 1 <= share
   * * (admitted + 1) + 1e-9} with stopped = j - 1 and admitted = m + j - 1); 0 for a share of 1
   * or more, {@link Long#MAX_VALUE} for 0.
   */
  static long need(long j, double share) {
    if (share >= 1) {
      return 0;
    }
    if (share <= 0) {
      return Long.MAX_VALUE;
    }
    long m = Math.max(0, (long) Math.floor(j / share - j) - 2);
    while (!capAllows(j, m, share)) {
      m++;
    }
    while (m > 0 && capAllows(j, m - 1, share)) {
      m--;
    }
    return m;
  }

  private static boolean capAllows(long j, long m, double share) {
    return (double) j <= share * (double) (m + j) + 1e-9;
  }

  /** The candidate columns, then {@code extra}. */
  private static org.apache.spark.sql.Column[] cols(Dataset<Row> cands, org.apache.spark.sql.Column... extra) {
    List<org.apache.spark.sql.Column> c = new ArrayList<>();
    for (String name : cands.columns()) {
      c.add(col(name));
    }
    c.addAll(List.of(extra));
    return c.toArray(new org.apache.spark.sql.Column[0]);
  }

  /** The candidate columns, then the decision columns with {@link #DECISION_SCHEMA}'s names and types. */
  private static org.apache.spark.sql.Column[] decisionColumns(Dataset<Row> cands, org.apache.spark.sql.Column... d) {
    org.apache.spark.sql.Column[] named = new org.apache.spark.sql.Column[d.length];
    for (int i = 0; i < d.length; i++) {
      var f = DECISION_SCHEMA.fields()[i];
      named[i] = d[i].cast(f.dataType()).as(f.name());
    }
    return cols(cands, named);
  }

  private static Object[] values(Row r, int n) {
    Object[] v = new Object[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.get(i);
    }
    return v;
  }

  private static Object[] concatValues(Object[] a, Object[] b) {
    Object[] v = new Object[a.length + b.length];
    System.arraycopy(a, 0, v, 0, a.length);
    System.arraycopy(b, 0, v, a.length, b.length);
    return v;
  }

  private static Row append(Row r, Object... extra) {
    return RowFactory.create(concatValues(values(r, r.size()), extra));
  }

  /** {@code it} mapped by {@code f}, lazily, in order (one row in memory at a time). */
  private static Iterator<Row> map(Iterator<Row> it, java.util.function.Function<Row, Row> f) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Row next() {
        return f.apply(it.next());
      }
    };
  }
}
