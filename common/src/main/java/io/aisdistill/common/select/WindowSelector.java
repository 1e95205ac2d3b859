package io.aisdistill.common.select;

import io.aisdistill.common.text.Sha256;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chooses the windows that get QA pairs: near-identical stopped windows dropped, the rest ordered
 * by a seeded stratified round-robin, stopped windows capped, and a budget (windows, LLM calls,
 * estimated USD) that is never exceeded. Pure function of its input: the same candidates and
 * settings give the same decisions, in any order of the input list.
 *
 * <p>Steps:
 * <ol>
 *   <li><b>Near duplicates</b>: per vessel (MMSI) in time order, a stopped window that follows a
 *       stopped window in the same small geohash cell repeats it (a vessel moored for days): only
 *       the first of such a run is kept, the others get {@link Reason#NEAR_DUPLICATE} and
 *       {@code duplicateOf} = the first.</li>
 *   <li><b>Order</b>: within each stratum the windows are ordered by SHA-256 of
 *       {@code seed:window_id}, the strata by SHA-256 of {@code seed:stratum}; the order takes the
 *       first window of every stratum, then the second of every stratum, and so on (round-robin),
 *       so any prefix of it holds the same mix of strata.</li>
 *   <li><b>Walk</b>: the windows are admitted in that order. A stopped window is admitted only
 *       while stopped windows stay at most {@code maxStoppedShare} of the admitted windows; else it
 *       waits (first come, first served) until enough other windows are admitted. The walk stops
 *       at the first window that would exceed a budget: it and every later window get
 *       {@link Reason#OVER_BUDGET}, windows still waiting for the cap {@link Reason#STOPPED_CAP}.
 *       The selection is thus a prefix of the admission order: a larger budget selects a superset.</li>
 * </ol>
 *
 * <p><b>Scope</b> ({@link Scope}): with {@link Scope#ALL} the steps run once over every candidate;
 * with {@link Scope#DAY} they run on each UTC day's windows (by window start) on its own: near
 * duplicates within the day, ranks, the cap, the budgets (per day) and the running totals restart
 * each day. A day's decisions then depend on that day's windows only, which is what lets a daily
 * run decide the new days alone (a scheduled workflow budgets each day; a new day neither displaces
 * older selected windows nor re-opens their paid calls).
 */
public final class WindowSelector {
  private WindowSelector() {}

  /** Why a window is or is not selected (stable codes, stored in {@code window_selection.reason}). */
  public enum Reason {
    /** Selected. */
    SELECTED,
    /** A stopped window repeating the previous stopped window of its vessel in the same cell. */
    NEAR_DUPLICATE,
    /** Left out to keep stopped windows at most {@code max_stopped_share} of the selection. */
    STOPPED_CAP,
    /** Left out: admitting it (or an earlier window of the order) would exceed a budget. */
    OVER_BUDGET
  }

  /** Over which windows the steps run: all candidates at once, or each UTC day's windows on its own. */
  public enum Scope {
    /** One selection over every candidate: the budgets and the cap are totals. */
    ALL,
    /** One selection per UTC day of window start: the budgets and the cap hold per day. */
    DAY;

    /**
     * The scope's key of a window start: 0 for {@link #ALL}; for {@link #DAY}, the UTC day
     * (days since 1970-01-01, floor).
     */
    public long key(long startMillis) {
      return this == ALL ? 0L : Math.floorDiv(startMillis, 86_400_000L);
    }

    /**
     * The scope named {@code name} (case-insensitive: all, day).
     *
     * @throws IllegalArgumentException for another name
     */
    public static Scope of(String name) {
      for (Scope s : values()) {
        if (s.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
          return s;
        }
      }
      throw new IllegalArgumentException("select scope must be all or day, got " + name);
    }
  }

  /**
   * One window to choose from.
   *
   * @param windowId track_windows.window_id
   * @param mmsi the vessel
   * @param startMillis window start, UTC epoch milliseconds (orders a vessel's windows)
   * @param stratum the window's stratum ({@link WindowStrata#stratum})
   * @param stopped true for behaviour {@code stopped}
   * @param cell small geohash cell of the window start (near-duplicate test)
   * @param calls LLM calls generating QA for this window costs (0 for the grounded teacher)
   * @param usd estimated USD of those calls (worst case: every call answers max_tokens)
   */
  public record Candidate(String windowId, long mmsi, long startMillis, String stratum, boolean stopped,
      String cell, int calls, double usd) {}

  /**
   * Selection settings.
   *
   * @param seed seed of the order's hashes
   * @param maxStoppedShare most stopped windows as a share (0-1) of the selected windows; 1 = no cap
   * @param maxWindows most windows selected (0 = unlimited)
   * @param maxCalls most LLM calls of the selected windows (0 = unlimited)
   * @param maxUsd most estimated USD of the selected windows (0 = unlimited)
   * @param scope over which windows the cap and the budgets hold ({@link Scope})
   * @throws IllegalArgumentException for a share outside 0-1, a negative budget or a null scope
   */
  public record Settings(long seed, double maxStoppedShare, long maxWindows, long maxCalls, double maxUsd,
      Scope scope) {
    /** Settings over all candidates at once ({@link Scope#ALL}). */
    public Settings(long seed, double maxStoppedShare, long maxWindows, long maxCalls, double maxUsd) {
      this(seed, maxStoppedShare, maxWindows, maxCalls, maxUsd, Scope.ALL);
    }

    public Settings {
      if (scope == null) {
        throw new IllegalArgumentException("scope must be all or day, got null");
      }
      if (!(maxStoppedShare >= 0 && maxStoppedShare <= 1)) {
        throw new IllegalArgumentException("max_stopped_share must be within 0-1, got " + maxStoppedShare);
      }
      if (maxWindows < 0 || maxCalls < 0 || !(maxUsd >= 0)) {
        throw new IllegalArgumentException("budgets must be >= 0 (0 = unlimited): windows " + maxWindows
            + ", calls " + maxCalls + ", usd " + maxUsd);
      }
    }
  }

  /**
   * The decision on one window.
   *
   * @param windowId the window
   * @param reason why it is (not) selected
   * @param duplicateOf the window it repeats ({@link Reason#NEAR_DUPLICATE}), else null
   * @param rank 1-based position in the stratified round-robin order (of its scope); null for a
   *     near duplicate
   * @param stratumRank 1-based position within its stratum (and scope); null for a near duplicate
   * @param selectedOrder 1-based position in the admission order (of its scope); null when not selected
   * @param cumCalls LLM calls of the selected windows (of its scope) up to this one; null when not selected
   * @param cumUsd estimated USD of the selected windows (of its scope) up to this one; null when not selected
   */
  public record Decision(String windowId, Reason reason, String duplicateOf, Long rank, Integer stratumRank,
      Long selectedOrder, Long cumCalls, Double cumUsd) {
    /** True when selected. */
    public boolean selected() {
      return reason == Reason.SELECTED;
    }
  }

  /**
   * Decides every candidate (see the class Javadoc).
   *
   * @return one decision per candidate, ordered by window_id
   * @throws IllegalArgumentException when two candidates share a window_id
   */
  public static List<Decision> select(List<Candidate> candidates, Settings s) {
    Map<String, Decision> out = new HashMap<>();
    Map<Long, List<Candidate>> byScope = new TreeMap<>();
    for (Candidate c : candidates) {
      byScope.computeIfAbsent(s.scope().key(c.startMillis()), k -> new ArrayList<>()).add(c);
    }
    Set<String> seen = new HashSet<>();
    for (List<Candidate> l : byScope.values()) {
      for (Candidate c : l) {
        if (!seen.add(c.windowId())) {
          throw new IllegalArgumentException("window_id twice among the candidates: " + c.windowId());
        }
      }
      selectScope(l, s, out);
    }
    return new ArrayList<>(new TreeMap<>(out).values());
  }

  /** The steps on one scope's candidates; decisions into {@code out}. */
  private static void selectScope(List<Candidate> candidates, Settings s, Map<String, Decision> out) {
    List<Candidate> kept = dropNearDuplicates(candidates, out);
    List<Candidate> order = new ArrayList<>();
    Map<String, Integer> stratumRank = new HashMap<>();
    roundRobin(kept, s.seed(), order, stratumRank);

    Walk walk = new Walk(s);
    Deque<Candidate> waiting = new ArrayDeque<>();
    Map<String, Long> rank = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      rank.put(order.get(i).windowId(), i + 1L);
    }
    for (Candidate c : order) {
      if (walk.full) {
        walk.over.add(c);
      } else if (c.stopped() && (!waiting.isEmpty() || !walk.capAllows())) {
        waiting.add(c);
      } else {
        walk.admit(c);
        while (!walk.full && !waiting.isEmpty() && walk.capAllows()) {
          walk.admit(waiting.poll());
        }
      }
    }
    for (Candidate c : walk.admitted) {
      String id = c.windowId();
      out.put(id, new Decision(id, Reason.SELECTED, null, rank.get(id), stratumRank.get(id), walk.order.get(id),
          walk.cumCalls.get(id), walk.cumUsd.get(id)));
    }
    for (Candidate c : walk.over) {
      out.put(c.windowId(), new Decision(c.windowId(), Reason.OVER_BUDGET, null, rank.get(c.windowId()),
          stratumRank.get(c.windowId()), null, null, null));
    }
    for (Candidate c : waiting) {
      out.put(c.windowId(), new Decision(c.windowId(), Reason.STOPPED_CAP, null, rank.get(c.windowId()),
          stratumRank.get(c.windowId()), null, null, null));
    }
  }

  /** The admission walk's state. */
  private static final class Walk {
    final Settings s;
    final List<Candidate> admitted = new ArrayList<>();
    final List<Candidate> over = new ArrayList<>();
    final Map<String, Long> order = new HashMap<>();
    final Map<String, Long> cumCalls = new HashMap<>();
    final Map<String, Double> cumUsd = new HashMap<>();
    long stopped;
    long calls;
    double usd;
    boolean full;

    Walk(Settings s) {
      this.s = s;
    }

    /** True when one more stopped window keeps stopped windows within the share. */
    boolean capAllows() {
      return s.maxStoppedShare() >= 1 || stopped + 1 <= s.maxStoppedShare() * (admitted.size() + 1) + 1e-9;
    }

    /** Admits {@code c}, or marks the budget full (c and all later windows over budget). */
    void admit(Candidate c) {
      long n = admitted.size() + 1L;
      long k = calls + c.calls();
      double u = usd + c.usd();
      if (s.maxWindows() > 0 && n > s.maxWindows() || s.maxCalls() > 0 && k > s.maxCalls()
          || s.maxUsd() > 0 && u > s.maxUsd()) {
        full = true;
        over.add(c);
        return;
      }
      admitted.add(c);
      calls = k;
      usd = u;
      stopped += c.stopped() ? 1 : 0;
      order.put(c.windowId(), n);
      cumCalls.put(c.windowId(), k);
      cumUsd.put(c.windowId(), u);
    }
  }

  /** Marks near duplicates in {@code out}; returns the other candidates. */
  private static List<Candidate> dropNearDuplicates(List<Candidate> candidates, Map<String, Decision> out) {
    List<Candidate> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingLong(Candidate::mmsi).thenComparingLong(Candidate::startMillis)
        .thenComparing(Candidate::windowId));
    List<Candidate> kept = new ArrayList<>();
    Candidate prev = null;
    String runFirst = null;
    for (Candidate c : sorted) {
      boolean repeat = prev != null && prev.mmsi() == c.mmsi() && prev.stopped() && c.stopped()
          && prev.cell() != null && prev.cell().equals(c.cell());
      if (repeat) {
        out.put(c.windowId(), new Decision(c.windowId(), Reason.NEAR_DUPLICATE, runFirst, null, null, null, null, null));
      } else {
        kept.add(c);
        runFirst = c.windowId();
      }
      prev = c;
    }
    return kept;
  }

  /** Fills {@code order} with the seeded stratified round-robin order and each window's rank in its stratum. */
  private static void roundRobin(List<Candidate> kept, long seed, List<Candidate> order, Map<String, Integer> stratumRank) {
    Map<String, List<Candidate>> byStratum = new LinkedHashMap<>();
    for (Candidate c : kept) {
      byStratum.computeIfAbsent(c.stratum(), k -> new ArrayList<>()).add(c);
    }
    Map<String, String> hash = new HashMap<>();
    for (Candidate c : kept) {
      hash.put(c.windowId(), hash(seed, c.windowId()));
    }
    Comparator<Candidate> within = Comparator.<Candidate, String>comparing(c -> hash.get(c.windowId()))
        .thenComparing(Candidate::windowId);
    List<String> strata = new ArrayList<>(byStratum.keySet());
    strata.sort(Comparator.<String, String>comparing(k -> hash(seed, k)).thenComparing(k -> k));
    Map<String, Integer> stratumIndex = new HashMap<>();
    for (int i = 0; i < strata.size(); i++) {
      stratumIndex.put(strata.get(i), i);
    }
    for (List<Candidate> l : byStratum.values()) {
      l.sort(within);
      for (int i = 0; i < l.size(); i++) {
        stratumRank.put(l.get(i).windowId(), i + 1);
      }
      order.addAll(l);
    }
    // round r holds the r-th window of every stratum, strata in their hash order
    order.sort(Comparator.<Candidate>comparingInt(c -> stratumRank.get(c.windowId()))
        .thenComparingInt(c -> stratumIndex.get(c.stratum())));
  }

  /** Hex SHA-256 of {@code seed:key}. */
  static String hash(long seed, String key) {
    return Sha256.hex(seed + ":" + key);
  }
}
