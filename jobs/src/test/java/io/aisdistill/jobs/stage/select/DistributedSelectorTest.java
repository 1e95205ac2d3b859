package io.aisdistill.jobs.stage.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aisdistill.jobs.SparkTestSession;

import io.aisdistill.common.select.WindowSelector;
import io.aisdistill.common.select.WindowSelector.Candidate;
import io.aisdistill.common.select.WindowSelector.Decision;
import io.aisdistill.common.select.WindowStrata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * {@link DistributedSelector} (the executors' computation of the selection rule) against
 * {@link WindowSelector} (the rule's reference, one list on one thread) on random candidates:
 * every window's reason, duplicate_of, rank, stratum_rank, selected_order and running calls and
 * USD must be equal, the USD bit for bit. The inputs vary the number of windows, vessels, strata,
 * the share of stopped windows, the cells (near duplicates), costs (zero and not), the cap, the
 * budgets and the number of partitions.
 */
class DistributedSelectorTest {
  private static final String COALESCE = "spark.sql.adaptive.coalescePartitions.enabled";
  private static final String[] BEHAVIOURS = {"underway", "stopped", "manoeuvring", "anomalous"};

  /** Random candidates: rows (CANDIDATE_SCHEMA) and the same as selector candidates. */
  private record Input(List<Row> rows, List<Candidate> cands) {}

  private static Input input(Random r) {
    int windows = r.nextInt(6) == 0 ? r.nextInt(4) : 1 + r.nextInt(400);
    int vessels = 1 + r.nextInt(12);
    int strataPerDim = 1 + r.nextInt(4);
    double stoppedP = r.nextDouble();
    int cells = 1 + r.nextInt(3);
    boolean paid = r.nextBoolean();
    List<Row> rows = new ArrayList<>();
    List<Candidate> cands = new ArrayList<>();
    for (int w = 0; w < windows; w++) {
      String id = String.format("w%05x", r.nextInt(1 << 20)) + "-" + w;
      long mmsi = 200_000_000L + r.nextInt(vessels);
      long start = 1_700_000_000_000L + 3_600_000L * r.nextInt(200) + (r.nextBoolean() ? 0 : 60_000L * r.nextInt(3));
      String behaviour = r.nextDouble() < stoppedP ? "stopped" : BEHAVIOURS[r.nextInt(BEHAVIOURS.length)];
      String group = "g" + r.nextInt(strataPerDim);
      String region = "u" + r.nextInt(strataPerDim);
      String hour = "h" + (6 * r.nextInt(2));
      String stratum = behaviour + "|" + group + "|" + region + "|" + hour;
      String cell = r.nextInt(10) == 0 ? null : "c" + r.nextInt(cells);
      int calls = paid ? r.nextInt(3) : 0;
      double usd = paid && calls > 0 ? calls * (0.0001 + r.nextDouble() * 0.003) : 0.0;
      rows.add(RowFactory.create(id, mmsi, Instant.ofEpochMilli(start), stratum, behaviour, group, region, hour, cell,
          scala.jdk.javaapi.CollectionConverters.asScala(List.of("grounded")).toSeq(), paid ? 500L : null, calls,
          usd));
      cands.add(new Candidate(id, mmsi, start, stratum, WindowStrata.Behaviour.STOPPED.label().equals(behaviour), cell,
          calls, usd));
    }
    return new Input(rows, cands);
  }

  private static WindowSelector.Settings settings(Random r, List<Candidate> cands) {
    double[] shares = {0, 0.06, 0.25, 0.5, 0.9, 1.0};
    // the day scope: 200 hours of starts are 9 UTC days; the budgets then hold per day
    WindowSelector.Scope scope = r.nextBoolean() ? WindowSelector.Scope.DAY : WindowSelector.Scope.ALL;
    int n = Math.max(1, scope == WindowSelector.Scope.DAY ? cands.size() / 9 : cands.size());
    long maxWindows = r.nextInt(3) == 0 ? 1 + r.nextInt(n) : 0;
    long maxCalls = r.nextInt(3) == 0 ? r.nextInt(2 * n) : 0;
    double maxUsd = r.nextInt(3) == 0 ? r.nextDouble() * 0.0015 * n : 0;
    return new WindowSelector.Settings(r.nextLong(), shares[r.nextInt(shares.length)], maxWindows, maxCalls, maxUsd,
        scope);
  }

  @Test
  void decidesEveryWindowAsTheSelectorDoes() {
    SparkSession spark = SparkTestSession.get();
    Random r = new Random(20261201L);
    int budgetCuts = 0;
    int capped = 0;
    int dayCuts = 0;
    for (int round = 0; round < 40; round++) {
      Input in = input(r);
      WindowSelector.Settings s = settings(r, in.cands());
      Map<String, Decision> want = new HashMap<>();
      for (Decision d : WindowSelector.select(in.cands(), s)) {
        want.put(d.windowId(), d);
        budgetCuts += d.reason() == WindowSelector.Reason.OVER_BUDGET ? 1 : 0;
        dayCuts += s.scope() == WindowSelector.Scope.DAY && d.reason() == WindowSelector.Reason.OVER_BUDGET ? 1 : 0;
        capped += d.reason() == WindowSelector.Reason.STOPPED_CAP ? 1 : 0;
      }
      Dataset<Row> cands = spark.createDataFrame(in.rows(), SelectTransforms.CANDIDATE_SCHEMA)
          .repartition(1 + r.nextInt(5));
      // every other round keeps all shuffle partitions (some empty): running totals cross partitions
      boolean split = round % 2 == 0;
      spark.conf().set(COALESCE, Boolean.toString(!split));
      DistributedSelector.Decided decided = DistributedSelector.decide(spark, cands, s);
      List<Row> got;
      try {
        got = decided.rows().collectAsList();
      } finally {
        decided.cleanup();
        spark.conf().unset(COALESCE);
      }
      // cleanup destroys what was broadcast for the decisions (offsets per partition, budget cuts)
      assertFalse(decided.broadcasts().isEmpty());
      for (org.apache.spark.broadcast.Broadcast<?> b : decided.broadcasts()) {
        assertThrows(org.apache.spark.SparkException.class, b::value, "broadcast destroyed by cleanup");
      }
      String where = "round " + round + ", " + in.rows().size() + " windows, " + s;
      assertEquals(want.size(), got.size(), where);
      for (Row g : got) {
        String id = g.getString(g.fieldIndex("window_id"));
        Decision d = want.get(id);
        String at = where + ", window " + id;
        assertEquals(d.reason().name(), g.getString(g.fieldIndex("reason")), at);
        assertEquals(d.selected(), g.getBoolean(g.fieldIndex("selected")), at);
        assertEquals(d.duplicateOf(), g.get(g.fieldIndex("duplicate_of")), at);
        assertEquals(d.rank(), g.get(g.fieldIndex("rank")), at);
        assertEquals(d.stratumRank(), g.get(g.fieldIndex("stratum_rank")), at);
        assertEquals(d.selectedOrder(), g.get(g.fieldIndex("selected_order")), at);
        assertEquals(d.cumCalls(), g.get(g.fieldIndex("cum_calls")), at);
        assertEquals(d.cumUsd(), g.get(g.fieldIndex("cum_usd")), at);
      }
    }
    // the random inputs exercise the budget cut and the cap, not only the open case
    org.junit.jupiter.api.Assertions.assertTrue(budgetCuts > 0 && capped > 0 && dayCuts > 0, budgetCuts
        + " over budget (" + dayCuts + " in the day scope), " + capped + " capped");
  }

  @Test
  void needIsTheFewestNonStoppedWindowsTheCapAdmitsAStoppedWindowAfter() {
    for (double share : new double[] {0.06, 0.1, 0.25, 1.0 / 3, 0.5, 0.9}) {
      for (long j = 1; j < 2000; j++) {
        long m = DistributedSelector.need(j, share);
        assertEquals(true, j <= share * (m + j) + 1e-9, share + " " + j);
        assertEquals(true, m == 0 || !(j <= share * (m - 1 + j) + 1e-9), share + " " + j);
      }
    }
    assertEquals(0, DistributedSelector.need(5, 1.0));
    assertEquals(Long.MAX_VALUE, DistributedSelector.need(1, 0.0));
  }
}
