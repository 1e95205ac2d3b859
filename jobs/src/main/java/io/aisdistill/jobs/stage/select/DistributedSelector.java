package io.aisdistill.jobs.stage.select;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
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
    Decided d = new Decided(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    Dataset<Row> marked = d.persist(nearDuplicates(cands));
    d.parts().add(marked.filter(col("_dup")).select(decisionColumns(cands,
        lit(false), lit(Reason.NEAR_DUPLICATE.name()), col("_first"), lit(null), lit(null), lit(null), lit(null),
        lit(null))));
    Dataset<Row> ranked = ranked(spark, cands, marked.filter(not(col("_dup"))), s, d);
    walk(spark, cands, ranked, s, d);
    return d;
  }

  /**
   * Step 1: the candidates with {@code _stopped}, {@code _dup} (a near duplicate) and
   * {@code _first} (the first window of its run), per vessel.
   */
  private static Dataset<Row> nearDuplicates(Dataset<Row> cands) {
    String stoppedLabel = WindowStrata.Behaviour.STOPPED.label();
    WindowSpec byVessel = Window.partitionBy("mmsi").orderBy("start_ts", "window_id");
    Dataset<Row> marked = cands
        .withColumn("_stopped", col("behaviour").equalTo(lit(stoppedLabel)))
        .withColumn("_dup", coalesce(lag("_stopped", 1).over(byVessel).and(col("_stopped"))
            .and(lag("cell", 1).over(byVessel).equalTo(col("cell"))), lit(false)))
        .withColumn("_first", last(when(not(col("_dup")), col("window_id")), true)
            .over(byVessel.rowsBetween(Window.unboundedPreceding(), Window.currentRow())));
    return marked;
  }

  /**
   * Step 2: the kept windows in the round-robin order: the candidate columns, then
   * {@code _stopped}, {@code _stratum_rank}, {@code _stratum_index}, {@code _rank}, {@code _j}
   * (1-based index among the stopped windows, 0 for the others), {@code _i} (1-based index among
   * the non-stopped windows, 0 for stopped ones) and {@code _m} (the admission key: i for a
   * non-stopped window, m_j for a stopped one, -1 when it is never admitted); persisted.
   */
  private static Dataset<Row> ranked(SparkSession spark, Dataset<Row> cands, Dataset<Row> kept,
      WindowSelector.Settings s, Decided d) {
    int nc = cands.columns().length;
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
    WindowSpec byStratum = Window.partitionBy("stratum")
        .orderBy(sha2(concat(lit(s.seed() + ":"), col("window_id")), 256), col("window_id"));
    Dataset<Row> ordered = kept.join(org.apache.spark.sql.functions.broadcast(strataIndex), "stratum")
        .withColumn("_stratum_rank", row_number().over(byStratum))
        .select(cols(cands, col("_stopped"), col("_stratum_rank"), col("_stratum_index")))
        .orderBy("_stratum_rank", "_stratum_index");

    // rank and j (stopped index) from per-partition counts: row layout cands.., _stopped, _stratum_rank,
    // _stratum_index, then appended rank, j (stopped: 1-based index among stopped; else 0)
    JavaRDD<Row> sorted = d.persist(ordered.javaRDD());
    final int iStopped = nc;
    List<long[]> counts = sorted.mapPartitionsWithIndex((p, it) -> {
      long n = 0;
      long st = 0;
      while (it.hasNext()) {
        n++;
        st += it.next().getBoolean(iStopped) ? 1 : 0;
      }
      return List.of(new long[] {p, n, st}).iterator();
    }, true).collect();
    int parts = sorted.getNumPartitions();
    long[] rankOff = new long[parts];
    long[] stoppedOff = new long[parts];
    long total = 0;
    long totalStopped = 0;
    long[][] byPart = new long[parts][];
    for (long[] c : counts) {
      byPart[(int) c[0]] = c;
    }
    for (int p = 0; p < parts; p++) {
      rankOff[p] = total;
      stoppedOff[p] = totalStopped;
      total += byPart[p][1];
      totalStopped += byPart[p][2];
    }
    final long nonStopped = total - totalStopped;
    final double share = s.maxStoppedShare();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<long[]> bRank = jsc.broadcast(rankOff);
    Broadcast<long[]> bStopped = jsc.broadcast(stoppedOff);
    // appended: _rank, _j (stopped index, 0 for non-stopped), _i (non-stopped index, 0 for stopped),
    // _m (admission key: non-stopped i; stopped m_j; -1 = never admitted)
    JavaRDD<Row> ranked = sorted.mapPartitionsWithIndex((p, it) -> {
      long[] at = {bRank.value()[p], bStopped.value()[p]}; // rank, stopped windows so far
      return map(it, r -> {
        long rank = ++at[0];
        long j = 0;
        long i = 0;
        long m;
        if (r.getBoolean(iStopped)) {
          j = ++at[1];
          long need = need(j, share);
          m = need > nonStopped ? -1 : Math.max(rank - j, need);
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
   * Step 3: the walk's decisions of the {@link #ranked} windows, added to {@code d}: the admission
   * order, the budget cut, and the reasons.
   */
  private static void walk(SparkSession spark, Dataset<Row> cands, Dataset<Row> rankedDf, WindowSelector.Settings s,
      Decided d) {
    int nc = cands.columns().length;
    final int iStopped = nc;
    final int iStratumRank = nc + 1;
    StructType rankedSchema = rankedDf.schema();
    Dataset<Row> admission = rankedDf.filter(col("_m").geq(0)).orderBy(col("_m"), col("_stopped"), col("_j"));
    JavaRDD<Row> adm = d.persist(admission.javaRDD());
    final int iCalls = cands.schema().fieldIndex("est_calls");
    final int iUsd = cands.schema().fieldIndex("est_usd");
    List<Object[]> totals = adm.mapPartitionsWithIndex((p, it) -> {
      long n = 0;
      long calls = 0;
      boolean usd = false;
      while (it.hasNext()) {
        Row r = it.next();
        n++;
        calls += r.getInt(iCalls);
        usd |= r.getDouble(iUsd) != 0.0;
      }
      return List.<Object[]>of(new Object[] {p, n, calls, usd}).iterator();
    }, true).collect();
    int admParts = adm.getNumPartitions();
    Object[][] admByPart = new Object[admParts][];
    for (Object[] t : totals) {
      admByPart[(Integer) t[0]] = t;
    }
    long[] orderOff = new long[admParts];
    long[] callsOff = new long[admParts];
    double[] usdOff = new double[admParts];
    for (int p = 1; p < admParts; p++) {
      orderOff[p] = orderOff[p - 1] + (Long) admByPart[p - 1][1];
    }
    long n = 0;
    long calls = 0;
    double usd = 0;
    long cut = Long.MAX_VALUE; // selected_order of the window that overflows
    Object[] cutRow = null; // est_calls, est_usd, _rank, _m, _stopped of that window
    final int iRank = rankedSchema.fieldIndex("_rank");
    final int iM = rankedSchema.fieldIndex("_m");
    JavaRDD<Object[]> costs = adm.map(r -> new Object[] {r.getInt(iCalls), r.getDouble(iUsd), r.getLong(iRank),
        r.getLong(iM), r.getBoolean(iStopped)});
    for (int p = 0; p < admParts && cutRow == null; p++) {
      callsOff[p] = calls;
      usdOff[p] = usd;
      long pn = (Long) admByPart[p][1];
      long pc = (Long) admByPart[p][2];
      boolean pu = (Boolean) admByPart[p][3];
      boolean mayCut = s.maxWindows() > 0 && n + pn > s.maxWindows() || s.maxCalls() > 0 && calls + pc > s.maxCalls()
          || s.maxUsd() > 0 && (pu || usd > s.maxUsd());
      if (!mayCut && !pu) {
        n += pn;
        calls += pc;
        continue;
      }
      for (Object[] r : costs.collectPartitions(new int[] {p})[0]) {
        long k = calls + (Integer) r[0];
        double u = usd + (Double) r[1];
        if (s.maxWindows() > 0 && n + 1 > s.maxWindows() || s.maxCalls() > 0 && k > s.maxCalls()
            || s.maxUsd() > 0 && u > s.maxUsd()) {
          cut = n + 1;
          cutRow = r;
          break;
        }
        n++;
        calls = k;
        usd = u;
      }
    }
    // the rank up to which arrived windows wait (STOPPED_CAP) rather than being over budget
    long tried = Long.MAX_VALUE;
    if (cutRow != null) {
      tried = (Long) cutRow[2];
      long m = (Long) cutRow[3];
      if ((Boolean) cutRow[4] && m > 0) {
        List<Row> trigger = rankedDf.filter(col("_i").equalTo(m)).select("_rank").collectAsList();
        tried = Math.max(tried, trigger.get(0).getLong(0));
      }
    }
    final long cutAt = cut;
    final long triedRank = tried;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<long[]> bOrder = jsc.broadcast(orderOff);
    Broadcast<long[]> bCalls = jsc.broadcast(callsOff);
    Broadcast<double[]> bUsd = jsc.broadcast(usdOff);
    JavaRDD<Row> admitted = adm.mapPartitionsWithIndex((p, it) -> {
      long[] at = {bOrder.value()[p], bCalls.value()[p]}; // selected_order, calls so far
      double[] u = {bUsd.value()[p]};
      return map(it, r -> {
        long o = ++at[0];
        Object[] v = values(r, nc);
        long rank = r.getLong(iRank);
        if (o < cutAt) {
          at[1] += r.getInt(iCalls);
          u[0] += r.getDouble(iUsd);
          return RowFactory.create(concatValues(v, new Object[] {true, Reason.SELECTED.name(), null, rank,
              r.getInt(iStratumRank), o, at[1], u[0]}));
        }
        boolean over = o == cutAt || rank > triedRank;
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
    d.parts().add(rankedDf.filter(col("_m").lt(0)).select(decisionColumns(cands, lit(false),
        when(col("_rank").gt(triedRank), lit(Reason.OVER_BUDGET.name())).otherwise(lit(Reason.STOPPED_CAP.name())),
        lit(null), col("_rank"), col("_stratum_rank"), lit(null), lit(null), lit(null))));
  }

  /**
   * The decisions of {@link #decide} and what it keeps cached for them.
   *
   * @param parts the decided rows, in parts of the same columns (near duplicates, admittable
   *     windows, never admitted windows)
   */
  record Decided(List<Dataset<Row>> parts, List<Dataset<?>> cached, List<JavaRDD<?>> cachedRdds) {
    /** The candidate columns and {@link #DECISION_SCHEMA}'s, one row per candidate. */
    Dataset<Row> rows() {
      Dataset<Row> all = parts.get(0);
      for (int i = 1; i < parts.size(); i++) {
        all = all.unionByName(parts.get(i));
      }
      return all;
    }

    /** Releases the cached intermediate results (after the rows are written). */
    void cleanup() {
      cached.forEach(Dataset::unpersist);
      cachedRdds.forEach(JavaRDD::unpersist);
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
