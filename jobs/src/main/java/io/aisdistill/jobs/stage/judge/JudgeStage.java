package io.aisdistill.jobs.stage.judge;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.CommitMetadata;
import io.aisdistill.jobs.lakehouse.DatePartitions;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.report.StageReport;

import io.aisdistill.common.judge.GroundedJudge;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.teacher.JudgeRubric;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Encoders;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 4, judge: {@code qa_candidates} (+ {@code track_windows}) to {@code qa_judged}.
 *
 * <p>Three checks, in order; a pair is accepted only when it passes all:
 * <ol>
 *   <li>grounded: {@link GroundedJudge} re-computes the answer's claim from the window facts and
 *       compares it with the value read from the answer text within the fact's tolerance, plus
 *       format and length checks (reason codes of {@code judge.ReasonCode});</li>
 *   <li>exact duplicates: pairs of the same vessel whose normalized question + answer text
 *       (lower case, collapsed white space) is identical: the oldest is kept (the pair of the window
 *       that starts first, then the smallest qa_id), the others get {@code DUPLICATE_EXACT} and
 *       {@code duplicate_of};</li>
 *   <li>near duplicates: Spark ML {@link MinHashLSH} over word 3-gram shingles of the normalized
 *       text; a pair whose Jaccard similarity with an older pair of the same vessel (same order) is
 *       at least {@code judge.near_duplicate_similarity} gets {@code NEAR_DUPLICATE} and
 *       {@code duplicate_of} = the oldest such pair (an order-based rule).</li>
 * </ol>
 * The older pair wins so that the verdicts already written stay put when new days arrive: a pair's
 * duplicate verdict depends only on older pairs of its vessel.
 * Duplicates are scoped to one vessel: the student sees each question with its window's context,
 * so the same templated question about two different vessels is two different examples, while
 * the same question and answer about the same vessel in several windows teaches one fact twice.
 * With {@code judge.duplicate_horizon_days} N &gt; 0 the scope is one vessel in one N-day period of
 * UTC dates counted from 1970-01-01 (tumbling periods, {@link JudgeTransforms#scope}): a pair is
 * compared only with the older pairs of its vessel in its period, so that a daily increment reads
 * at most N days of history for duplicates; 0, the default, compares with the whole history.
 * Duplicate detection runs over the pairs that passed the grounded checks. Last, the answer balance
 * ({@link #balance}) is applied per template and date (the window's UTC date) over every pair that
 * passed all other checks, all vessels together: the cap then holds over any set of days, and a
 * later day never changes an earlier day's verdicts. The table is a pure function of its inputs;
 * it is updated in place (one atomic commit): only verdicts that are new or changed are written,
 * and verdicts of pairs no longer in qa_candidates' selection are deleted, so reruns write nothing.
 *
 * <p><b>Incremental update</b> ({@code judge.incremental: true}, the default). The verdicts have
 * three scopes: the grounded checks and the LLM judge depend on the pair alone (its candidate row,
 * its window, its LLM call); duplicates on the pairs of its vessel; the answer balance on all pairs
 * of its template and date. So a run judges again only what can have changed since the checkpoint
 * (JSON in the user metadata of qa_judged's newest commit: the qa_candidates and track_windows
 * versions judged, a digest of the selected window ids and one of the judge configuration):
 * <ol>
 *   <li>the pairs to judge again: inserted or updated in qa_candidates since the checkpoint (Delta
 *       change data feed, which the first judge run turns on for qa_candidates and track_windows),
 *       of a window changed in track_windows, selected now but not in qa_judged (a changed
 *       selection), and, with an LLM judge, those whose call failed (a full run would send it
 *       again); their grounded checks and LLM verdicts are computed;</li>
 *   <li>the vessels of those pairs, of any changed qa_candidates row and of qa_judged rows no longer
 *       selected: a pair is a duplicate when an older pair of its vessel repeats it, so only these
 *       pairs' duplicates are recomputed: the changed pairs, the pairs qa_judged records as
 *       duplicates of a changed or no longer selected pair, and the younger pairs of the vessel
 *       with a changed pair's text or near it ({@link JudgeTransforms#affected}); each is compared
 *       with all of the vessel's pairs (the new per-pair verdicts and the stored per-pair verdicts
 *       of the others: qa_judged reasons less DUPLICATE_EXACT, NEAR_DUPLICATE and ANSWER_BALANCE,
 *       which are only ever appended to them); the vessel's other pairs keep their verdicts, so a
 *       day of new data compares that day's pairs with the vessel's history instead of the history
 *       with itself;</li>
 *   <li>the other vessels' verdicts are taken from qa_judged, less ANSWER_BALANCE (only ever the
 *       single reason of a pair that passed everything else), and the balance runs again over all
 *       pairs of the dates the run touches (those of the checked pairs, old and new, and of the
 *       deleted ones): a day's new pairs change that day's answer counts, so pairs of vessels the run
 *       did not touch can gain or lose ANSWER_BALANCE (IncrementalJudgeTest constructs that case);
 *       the pairs of other dates keep theirs.</li>
 * </ol>
 * MinHashLSH's hash functions depend only on its seed and the number of features, not on the
 * data, so near duplicates of a vessel are the same whichever vessels are hashed with it. The
 * result is the table a full run writes (IncrementalJudgeTest, IncrementalPipelineTest). A run is
 * full when there is no checkpoint, the judge configuration changed, the change data feed does not
 * cover the range, more than {@value #VESSELS_MAX} vessels are affected, or
 * {@code judge.incremental} is false ({@code --full}); nothing changed (same versions, same
 * selection, no failed LLM call) = mode {@code unchanged}: no judging, no commit. When the sync
 * finds nothing to write, no commit is made and the checkpoint stays where it was (the next run
 * reads a longer change range, which is as correct), except after a full run, whose checkpoint is
 * then recorded by a metadata-only commit so that the next run need not be full again. The report
 * says {@code mode}, {@code full_because}, {@code vessels_rejudged}, {@code pairs_rejudged} and
 * {@code pairs_duplicate_checked} (the pairs whose duplicates were computed).
 *
 * <p>The transforms (grounded checks, duplicates, LLM verdicts, answer balance, report figures)
 * are in {@link JudgeTransforms}; the table is written by one {@link Lakehouse#sync}.
 */
public final class JudgeStage extends AbstractStage<JudgeResult> {
  private final TeacherConfig teachers;

  /**
   * The judge stage with its options.
   *
   * @param teachers the teacher file (its judge-role model), or null for the grounded judge alone
   */
  public JudgeStage(TeacherConfig teachers) {
    super("judge", List.of(Tables.QA_CANDIDATES, Tables.WINDOWS, Tables.LLM_CALLS),
        List.of(Tables.QA_JUDGED, Tables.LLM_CALLS));
    this.teachers = teachers;
  }

  /** Judge model name recorded for the grounded checks. */
  public static final String GROUNDED_JUDGE = JudgeTransforms.GROUNDED_JUDGE;

  /**
   * Runs the stage; with a teacher file whose models include the judge role, every pair that
   * passed the grounded checks is also scored by an LLM judge ({@link JudgeRubric}; one judge per
   * pair, picked by share from a hash of qa_id) through {@link LlmFanout} (llm_calls.run_id = the
   * context's run id). Such a pair is accepted only when every rubric score is at least
   * {@code judge_min_score}; else it gets {@code LLM_JUDGE_LOW_SCORE}, {@code LLM_JUDGE_UNPARSEABLE}
   * (malformed reply) or {@code LLM_JUDGE_FAILED} (no answer). judge_scores holds the rubric
   * scores, judge_model "grounded-v1+MODEL". Judges every selected pair, or only what changed since
   * the checkpoint (see the class comment); the table is the same.
   *
   * @throws IllegalStateException when qa_candidates or track_windows do not exist
   * @throws IllegalArgumentException when {@code judge.duplicate_horizon_days} is negative
   * @throws io.aisdistill.jobs.llm.LlmCallsFailedException when more than {@code llm.max_failed_share}
   *     of the LLM judge calls sent failed (after the ok ones are committed to llm_calls; qa_judged
   *     is not written)
   */
  @Override
  public JudgeResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    Lakehouse lh = ctx.lakehouse();
    PipelineConfig cfg = ctx.config();
    List<ModelSpec> judges = teachers == null ? List.of() : teachers.byRole(ModelSpec.Role.JUDGE);
    if (cfg.judge.duplicateHorizonDays < 0) {
      throw new IllegalArgumentException("judge.duplicate_horizon_days must be 0 (the whole history) or a number of "
          + "days, not " + cfg.judge.duplicateHorizonDays);
    }

    // what the verdicts depend on, and the checkpoint of the last run
    Dataset<Row> allCands = lh.read(Tables.QA_CANDIDATES);
    lh.read(Tables.WINDOWS);
    String why = null;
    for (String t : List.of(Tables.QA_CANDIDATES, Tables.WINDOWS)) {
      if (!lh.changeFeedEnabled(t)) {
        lh.enableChangeFeed(t);
        why = (why == null ? "" : why + "; ") + t + " had no change data feed (turned on now)";
      }
    }
    long candVersion = lh.version(Tables.QA_CANDIDATES);
    long winVersion = lh.version(Tables.WINDOWS);
    allCands = lh.readAt(Tables.QA_CANDIDATES, candVersion);
    Dataset<Row> windows = lh.readAt(Tables.WINDOWS, winVersion);
    Dataset<Row> selection = lh.exists(Tables.WINDOW_SELECTION) ? lh.read(Tables.WINDOW_SELECTION) : null;
    Dataset<Row> cands = selection == null ? allCands : JudgeTransforms.selectedOnly(allCands, selection);
    boolean judgedExists = lh.exists(Tables.QA_JUDGED);
    long judgedVersion = lh.version(Tables.QA_JUDGED);
    Checkpoint cp = judgedExists ? Checkpoint.read(lh) : null;
    Checkpoint next = new Checkpoint(candVersion, winVersion, JudgeTransforms.selectionDigest(selection),
        configDigest(cfg.judge, judges, teachers));
    if (why == null) {
      why = fullBecause(cfg.judge.incremental, cp, next);
    }
    long candidates = cands.count();
    // the pairs a run judges: the selected candidates whose window is in track_windows
    cands = cands.join(windows.select("window_id"), "window_id", "left_semi");
    StageReport modeRep = new StageReport("judge");
    Increment inc = null;
    Dataset<Row> selectedIds = null;
    if (why == null && (!cp.equals(next) || !judges.isEmpty() && JudgeTransforms.anyLlmFailed(
        lh.readAt(Tables.QA_JUDGED, judgedVersion)))) {
      // the keys of the pairs a run judges, computed once: an incremental run joins with them several times, and
      // each would read qa_candidates, window_selection and track_windows again
      selectedIds = cands.select("qa_id", "window_id", "mmsi", "date").localCheckpoint();
      inc = Increment.plan(lh, cp, next, selectedIds, windows, lh.readAt(Tables.QA_JUDGED, judgedVersion),
          !judges.isEmpty(), VESSELS_MAX);
      if (inc.fallback() != null) {
        why = inc.fallback();
        inc = null;
      }
    }

    long written;
    Lakehouse.Synced synced;
    LlmFanout.Result fan = null;
    if (why == null && inc == null) {
      // nothing the verdicts depend on changed since the checkpoint: no judging, no commit
      synced = new Lakehouse.Synced(0, 0, 0);
      modeRep.put("mode", "unchanged").put("vessels_rejudged", 0).put("pairs_rejudged", 0);
    } else {
      // full: every selected pair; incremental: the changed pairs, and the other pairs of their vessels
      // (duplicates) from qa_judged, the remaining vessels' verdicts from qa_judged as they are
      // (an incremental run reads only the partitions of the pairs it judges again: a pair's date is its window's)
      Dataset<Row> freshWindows = inc == null ? windows : windows.where(inc.onDates());
      Dataset<Row> fresh = inc == null ? cands : cands.where(inc.onDates()).join(inc.pairs(), "qa_id", "left_semi");
      Dataset<Row> joined = JudgeTransforms.withWindows(fresh, freshWindows);
      Dataset<Row> g = JudgeTransforms.grounded(joined).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        long pairsRejudged = g.count();
        Dataset<Row> llm = null;
        if (!judges.isEmpty()) {
          Dataset<Row> plan = JudgeTransforms.plan(joined, JudgeTransforms.passed(g), judges);
          fan = LlmFanout.run(ctx.spark(), lh, plan, teachers, "judge", ctx.runId());
          fan.requireFailedShareAtMost("judge", cfg.llm.maxFailedShare);
          llm = JudgeTransforms.llmVerdicts(lh.exists(Tables.LLM_CALLS) ? lh.read(Tables.LLM_CALLS) : null, plan,
              teachers.judgeMinScore);
        }
        // the pairs whose duplicates are computed (targets) and those they are compared with (perPair)
        Dataset<Row> perPair = JudgeTransforms.perPair(JudgeTransforms.withLlm(g, llm));
        Dataset<Row> targets = perPair;
        Dataset<Row> notKept = null;
        Dataset<Row> storedRows = null;
        Dataset<Row> dupIn;
        Dataset<Row> exactDup;
        Dataset<Row> checkIds = null;
        long dupChecked = -1;
        JudgeTransforms.MinHashed sig = null;
        if (inc != null) {
          Dataset<Row> stored = lh.readAt(Tables.QA_JUDGED, judgedVersion);
          Column inScope = inc.vessels().isEmpty() ? lit(false) : col("mmsi").isin(inc.vessels().toArray());
          Dataset<Row> unselected = inc.unselected().select("qa_id");
          // the scope vessels' other pairs that are still selected and unchanged (with a duplicate horizon,
          // only those of the periods whose duplicates can change)
          Dataset<Row> others = stored.where(inScope.and(horizonPeriods(cfg.judge.duplicateHorizonDays, inc, stored)))
              .join(selectedIds.select("qa_id"), "qa_id", "left_semi")
              .join(inc.pairs(), "qa_id", "left_anti");
          // the duplicate input of the changed pairs and of the vessels' other pairs (narrow: the history is read
          // for duplicates only), ranked by text once; materialized without lineage (localCheckpoint): the datasets
          // below are built on each other several times, and cached plans nest in the plan string, which Delta's
          // MERGE prints (it exhausted a 6 GiB heap)
          Dataset<Row> ranked = JudgeTransforms.exactRanked(
              JudgeTransforms.dupInput(perPair, freshWindows, cfg.judge.duplicateHorizonDays)
                  .unionByName(JudgeTransforms.dupInputFromJudged(others, windows, cfg.judge.duplicateHorizonDays)))
              .localCheckpoint();
          dupIn = ranked.select("qa_id", "scope", "start_ts", "norm");
          exactDup = JudgeTransforms.exactOfRanked(ranked);
          // checked: the changed pairs, the pairs recorded as duplicates of a changed or no longer
          // selected pair, and the younger pairs like a changed pair; the others keep their verdicts
          Dataset<Row> gone = inc.pairs().unionByName(unselected).withColumnRenamed("qa_id", "duplicate_of");
          sig = JudgeTransforms.minHashed(JudgeTransforms.firstOfRanked(ranked), cfg.judge.minhashTables, true);
          checkIds = perPair.select("qa_id")
              .unionByName(others.join(gone, "duplicate_of", "left_semi").select("qa_id"))
              .unionByName(JudgeTransforms.affected(dupIn, sig, perPair.select("qa_id"),
                  cfg.judge.nearDuplicateSimilarity, pairsRejudged <= JudgeTransforms.BROADCAST_PAIRS_MAX))
              .distinct().localCheckpoint();
          // the pairs whose duplicates are checked: targets = (perPair ∪ others) ⋈ checkIds, and every checkIds
          // qa_id is once in perPair ∪ others (disjoint, each unique by qa_id; the affected pairs come from dupIn, a
          // part of them): so count the materialized ids instead of computing targets again (about 3 s of a one-day
          // increment on 30 days of history)
          dupChecked = checkIds.count();
          // every changed pair is checked; of the others only the checked ones are made per-pair rows again, read
          // from the dates of the checked pairs only (a pair's date is its window's in qa_judged and qa_candidates
          // alike; the checked pairs are selected, so selectedIds has their dates)
          Column onChecked = org.apache.spark.sql.functions.expr(DatePartitions.in("date",
              selectedIds.join(checkIds, "qa_id", "left_semi").select("date").distinct().collectAsList().stream()
                  .map(r -> r.get(0)).toList()));
          targets = perPair.unionByName(JudgeTransforms.perPairFromJudged(
              others.where(onChecked).join(checkIds, "qa_id", "left_semi"), allCands.where(onChecked)));
          // the stored verdicts that are not kept as they are: the checked pairs' and those to delete (the
          // scope vessels' pairs no longer selected); every other stored verdict is kept, balance aside
          notKept = stored.where(inScope).select("qa_id", "date")
              .join(checkIds.unionByName(unselected), "qa_id", "left_semi");
          storedRows = stored;
        } else {
          dupIn = JudgeTransforms.dupInput(perPair, windows, cfg.judge.duplicateHorizonDays);
          exactDup = JudgeTransforms.exactDuplicates(dupIn);
        }
        Dataset<Row> nearDup = sig != null
            ? JudgeTransforms.nearDuplicates(sig, cfg.judge.nearDuplicateSimilarity, checkIds,
                dupChecked <= JudgeTransforms.BROADCAST_PAIRS_MAX)
            : JudgeTransforms.nearDuplicates(JudgeTransforms.firstOfEach(dupIn), cfg.judge.nearDuplicateSimilarity,
                cfg.judge.minhashTables);
        Dataset<Row> unbalanced = JudgeTransforms.withDuplicates(targets, exactDup, nearDup);
        // answer balance: per template and date, over every vessel's pairs; an incremental run balances the dates
        // it touches and writes only the checked pairs and the kept pairs whose ANSWER_BALANCE changes (the rest
        // of qa_judged is already so)
        Dataset<Row> judged;
        Dataset<Row> within;
        String scope;
        if (notKept == null) {
          judged = JudgeTransforms.balanced(unbalanced, cfg.judge.maxAnswerShare);
          within = null;
          scope = null;
        } else {
          JudgeTransforms.Rebalanced rb = JudgeTransforms.rebalanced(unbalanced.localCheckpoint(), notKept,
              storedRows, allCands, cfg.judge.maxAnswerShare);
          judged = rb.rows();
          within = rb.ids();
          scope = rb.scope();
        }

        // sink: only the verdicts that changed are written, with the checkpoint in the commit
        // (a full run that changed no verdict records its checkpoint still, so that the next run need not be full)
        synced = lh.writeWithCheckpoint(Tables.QA_JUDGED, CHECKPOINT_PROPERTY, next.toJson(),
            inc == null && !next.equals(cp),
            () -> lh.sync(judged, Tables.QA_JUDGED, List.of("qa_id"), scope, within, List.of("date")));
        if (checkIds == null) {
          dupChecked = targets.count();
        }
        if (inc == null) {
          modeRep.put("mode", "full").put("full_because", why).put("vessels_rejudged",
              cands.select("mmsi").distinct().count());
        } else {
          modeRep.put("mode", "incremental").put("vessels_rejudged", inc.vessels().size());
        }
        modeRep.put("pairs_rejudged", pairsRejudged).put("pairs_duplicate_checked", dupChecked);
      } finally {
        g.unpersist();
        if (inc != null) {
          inc.pairs().unpersist();
        }
        if (selectedIds != null) {
          selectedIds.unpersist();
        }
      }
    }
    // report and result
    JudgeTransforms.ReportCounts counts =
        JudgeTransforms.reportCounts(lh.read(Tables.QA_JUDGED), lh.read(Tables.QA_CANDIDATES));
    written = counts.total();
    StageReport rep = report(counts, candidates)
        .put("judged_new_in_table", synced.inserted()).put("judged_updated_in_table", synced.updated())
        .put("judged_deleted_from_table", synced.deleted());
    modeRep.metrics().forEach(rep::put);
    rep.put("candidates_version", candVersion).put("windows_version", winVersion);
    if (fan != null) {
      rep.put("judge_model", GROUNDED_JUDGE + "+" + String.join(",", judges.stream().map(m -> m.model).toList()));
      LlmFanout.report(rep, fan, "judge");
    }
    rep.elapsedMs(System.currentTimeMillis() - t0);
    return new JudgeResult(candidates, written, rep);
  }

  /** Why a run must judge every pair, or null when it can judge only what changed. */
  private static String fullBecause(boolean incremental, Checkpoint cp, Checkpoint next) {
    if (!incremental) {
      return "judge.incremental is false (--full)";
    } else if (cp == null) {
      return "no checkpoint in qa_judged";
    } else if (!cp.config().equals(next.config())) {
      return "judge configuration changed";
    } else if (cp.candidatesVersion() > next.candidatesVersion() || cp.windowsVersion() > next.windowsVersion()) {
      return "qa_candidates or track_windows is older than the checkpoint";
    }
    return null;
  }

  /** Table property of qa_judged that a metadata-only checkpoint commit sets ({@link Lakehouse#recordUserMetadata}). */
  static final String CHECKPOINT_PROPERTY = "aisdistill.judge.checkpoint";

  /**
   * The version of the duplicate rule, part of {@link #configDigest}: "older-first" keeps the pair of
   * the older window (then the smaller qa_id); qa_judged tables written under the earlier rule (the
   * smallest qa_id kept) are judged in full once.
   */
  static final String DUPLICATE_RULE = "older-first";

  /**
   * The version of the answer balance rule, part of {@link #configDigest}: "per-day" balances per
   * template and date; qa_judged tables balanced per template over all dates are judged in full once.
   */
  static final String BALANCE_RULE = "per-day";

  /** Above this many vessels to re-judge, an incremental run judges everything instead. */
  static final int VESSELS_MAX = 10_000;

  /**
   * The judge configuration the verdicts depend on, as one string: the judge section (but
   * {@code incremental}), the grounded judge's version, and each LLM judge's request settings and
   * the least passing score.
   */
  static String configDigest(PipelineConfig.JudgeSection j, List<ModelSpec> judges, TeacherConfig teachers) {
    StringBuilder b = new StringBuilder().append(GROUNDED_JUDGE).append("|duplicates=").append(DUPLICATE_RULE)
        .append("|near=").append(j.nearDuplicateSimilarity)
        .append("|tables=").append(j.minhashTables).append("|share=").append(j.maxAnswerShare)
        .append("|balance=").append(BALANCE_RULE);
    if (j.duplicateHorizonDays > 0) {
      b.append("|horizon_days=").append(j.duplicateHorizonDays);   // absent at 0, so older checkpoints still match
    }
    for (ModelSpec m : judges) {
      b.append("|judge=").append(String.join(",", m.name, String.valueOf(m.model), String.valueOf(m.kind),
          String.valueOf(m.baseUrl), String.valueOf(m.revision), String.valueOf(m.share),
          String.valueOf(m.maxTokens), String.valueOf(m.temperature), String.valueOf(m.reasoningEffort),
          String.valueOf(m.responseFormat), String.valueOf(m.categories)));
    }
    if (!judges.isEmpty()) {
      b.append("|min_score=").append(teachers.judgeMinScore);
    }
    return b.toString();
  }

  /**
   * What qa_judged covers, recorded as the user metadata of its commits (JSON).
   *
   * @param candidatesVersion the qa_candidates version judged
   * @param windowsVersion the track_windows version judged
   * @param selection {@link JudgeTransforms#selectionDigest} of the window_selection judged
   * @param config {@link #configDigest} of the run
   */
  record Checkpoint(long candidatesVersion, long windowsVersion, String selection, String config) {
    String toJson() {
      return CommitMetadata.json(Map.of("candidates_version", candidatesVersion,
          "windows_version", windowsVersion, "selection", selection, "judge_config", config));
    }

    /**
     * The checkpoint of the newest qa_judged commit, or null when that commit has none (a commit
     * by anything else than this stage makes the next run full).
     */
    static Checkpoint read(Lakehouse lh) {
      JsonNode n = CommitMetadata.last(lh, Tables.QA_JUDGED, 1, "candidates_version", "windows_version", "selection",
          "judge_config");
      return n == null ? null : new Checkpoint(n.get("candidates_version").asLong(), n.get("windows_version").asLong(),
          n.get("selection").asText(), n.get("judge_config").asText());
    }
  }

  /**
   * The condition on qa_judged rows that keeps the periods whose duplicates an increment can change,
   * with a duplicate horizon ({@code judge.duplicate_horizon_days} N &gt; 0; see
   * {@link JudgeTransforms#scope}): every date of the N-day periods of the changed pairs (their new
   * dates, and their stored dates) and of the stored pairs no longer selected. A pair's duplicates
   * lie in its own period, so no other period's verdicts can change, and an increment then reads at
   * most N days of its vessels' history for duplicates. {@code true} (every date) without a horizon
   * or when a date is unknown.
   *
   * @param stored qa_judged rows
   */
  static Column horizonPeriods(int horizonDays, Increment inc, Dataset<Row> stored) {
    if (horizonDays <= 0 || inc.dates() == null) {
      return lit(true);
    }
    List<Object> dates = new ArrayList<>(inc.dates());
    stored.join(inc.pairs().select("qa_id"), "qa_id", "left_semi").select("date")
        .unionByName(inc.unselected().select("date"))
        .distinct().collectAsList().forEach(r -> dates.add(r.get(0)));
    TreeSet<Long> periods = new TreeSet<>();
    for (Object d : dates) {
      if (d == null) {
        return lit(true);
      }
      LocalDate day = d instanceof java.sql.Date sd ? sd.toLocalDate() : LocalDate.parse(d.toString());
      periods.add(JudgeTransforms.periodOf(day, horizonDays));
    }
    List<Object> all = new ArrayList<>();
    for (long p : periods) {
      for (long e = p * horizonDays; e < (p + 1) * horizonDays; e++) {
        all.add(LocalDate.ofEpochDay(e));
      }
    }
    return org.apache.spark.sql.functions.expr(DatePartitions.in("date", all));
  }

  /**
   * The input of an incremental run.
   *
   * @param pairs (qa_id) of the selected pairs to judge again: inserted or updated in qa_candidates,
   *     of a window inserted, updated or deleted in track_windows, selected but not in qa_judged, or
   *     (with an LLM judge) {@code LLM_JUDGE_FAILED} in qa_judged (a full run would send the call again)
   * @param vessels the MMSIs whose duplicates are recomputed: those of {@code pairs}, of qa_candidates
   *     rows changed in any way, and of qa_judged rows no longer selected; sorted
   * @param dates the distinct dates of {@code pairs}: the partitions of qa_candidates and
   *     track_windows that hold them and their windows (a pair's date is its window's, as generate
   *     writes it); null when a pair has no date (then every partition is read)
   * @param unselected (qa_id, mmsi, date) of the qa_judged rows no longer selected (to delete),
   *     materialized once (localCheckpoint): the run reads them up to four times
   * @param fallback why a full run is needed instead (then the rest is null), or null
   */
  record Increment(Dataset<Row> pairs, List<Long> vessels, List<Object> dates, Dataset<Row> unselected,
      String fallback) {

    /** The condition {@code date IN (dates)}: false when there are none, true when {@code dates} is null. */
    Column onDates() {
      return dates == null ? lit(true) : org.apache.spark.sql.functions.expr(DatePartitions.in("date", dates));
    }

    /**
     * Plans the run.
     *
     * @param selected (qa_id, window_id, mmsi, date) of the pairs a run judges: the selected
     *     candidates whose window is in track_windows
     */
    static Increment plan(Lakehouse lh, Checkpoint cp, Checkpoint next, Dataset<Row> selected, Dataset<Row> windows,
        Dataset<Row> judged, boolean llmJudge, int vesselsMax) {
      Dataset<Row> candChanges;
      Dataset<Row> winChanges;
      TreeSet<Long> vessels = new TreeSet<>();
      try {
        candChanges = changes(lh, Tables.QA_CANDIDATES, cp.candidatesVersion(), next.candidatesVersion());
        winChanges = changes(lh, Tables.WINDOWS, cp.windowsVersion(), next.windowsVersion());
        if (candChanges != null) {
          vessels.addAll(mmsis(candChanges));
        }
        if (winChanges != null) {
          List<String> changedWindows = winChanges.select("window_id").distinct().as(Encoders.STRING())
              .collectAsList();
          winChanges = selected.sparkSession().createDataset(changedWindows, Encoders.STRING()).toDF("window_id");
        }
      } catch (RuntimeException e) {
        return new Increment(null, null, null, null, "no change data feed for qa_candidates versions "
            + (cp.candidatesVersion() + 1) + "-" + next.candidatesVersion() + " or track_windows versions "
            + (cp.windowsVersion() + 1) + "-" + next.windowsVersion() + " (" + e.getClass().getSimpleName() + ")");
      }
      Dataset<Row> ids = selected;
      Dataset<Row> have = judged.select("qa_id");
      Dataset<Row> pairs = ids.join(have, "qa_id", "left_anti").select("qa_id");
      if (candChanges != null) {
        pairs = pairs.unionByName(candChanges.where("_change_type IN ('insert', 'update_postimage')").select("qa_id"));
      }
      if (winChanges != null) {
        pairs = pairs.unionByName(ids.join(winChanges, "window_id", "left_semi").select("qa_id"));
      }
      if (llmJudge) {
        pairs = pairs.unionByName(judged.where("array_contains(reasons, 'LLM_JUDGE_FAILED')").select("qa_id"));
      }
      // only pairs that are selected now
      pairs = pairs.distinct().join(ids, "qa_id", "left_semi").persist(StorageLevel.MEMORY_AND_DISK());
      // the vessels and dates of the pairs to judge again, in one pass
      List<Object> dates = new ArrayList<>();
      boolean undated = false;
      for (Row r : ids.join(pairs, "qa_id", "left_semi").select("mmsi", "date").distinct().collectAsList()) {
        if (!r.isNullAt(0)) {
          vessels.add(r.getLong(0));
        }
        if (r.isNullAt(1)) {
          undated = true;
        } else {
          dates.add(r.get(1));
        }
      }
      Dataset<Row> unselected = judged.join(ids, "qa_id", "left_anti").select("qa_id", "mmsi", "date")
          .localCheckpoint();
      vessels.addAll(mmsis(unselected));
      if (vessels.size() > vesselsMax) {
        pairs.unpersist();
        return new Increment(null, null, null, null,
            vessels.size() + " vessels to re-judge (more than " + vesselsMax + ")");
      }
      return new Increment(pairs, new ArrayList<>(vessels), undated ? null : dates, unselected, null);
    }

    /** The distinct non-null MMSIs of {@code rows}. */
    private static List<Long> mmsis(Dataset<Row> rows) {
      return rows.where("mmsi IS NOT NULL").select("mmsi").distinct().as(Encoders.LONG()).collectAsList();
    }

    /** The change data feed of {@code table} after version {@code from} up to {@code to}, or null when none. */
    private static Dataset<Row> changes(Lakehouse lh, String table, long from, long to) {
      return from >= to ? null : lh.readChanges(table, from + 1, to);
    }
  }

  /**
   * Answer balance ({@link JudgeTransforms#balance}): per template and date, an answer that is more
   * than {@code maxShare} of the pairs that passed every other check keeps only its first K pairs by
   * SHA-256 of qa_id; the rest get {@code ANSWER_BALANCE}.
   *
   * @param df rows with qa_id, date (the window's UTC date), template_id, claim and reasons (empty =
   *     passed so far)
   * @param maxShare the cap, in (0, 1); 1 or more disables balancing (then {@code df} itself)
   */
  public static Dataset<Row> balance(Dataset<Row> df, double maxShare) {
    return JudgeTransforms.balance(df, maxShare);
  }

  /**
   * The candidate row (joined with its window) as a pair ({@link JudgeTransforms#pair}).
   *
   * @throws java.io.IOException when its facts are not a JSON object
   */
  public static QaPair pair(Row r) throws java.io.IOException {
    return JudgeTransforms.pair(r);
  }

  /**
   * The stage summary, from the table just written: judge model, candidates, judged,
   * accepted/rejected, rows per reason, and the tables per category and per teacher.
   *
   * @param counts the figures of qa_judged (with qa_candidates' claim_kind)
   * @param candidates the selected candidates
   */
  private static StageReport report(JudgeTransforms.ReportCounts counts, long candidates) {
    StageReport rep = new StageReport("judge").put("judge_model", GROUNDED_JUDGE).put("candidates", candidates)
        .put("judged", counts.total());
    long acc = counts.byCategory().values().stream().mapToLong(c -> c[0]).sum();
    rep.put("accepted", acc).put("rejected", counts.total() - acc);
    counts.byReason().forEach((reason, n) -> rep.put("reason." + reason, n));
    List<List<Object>> rows = new ArrayList<>();
    counts.byCategory().forEach((k, c) -> rows.add(List.of(k, c[0], c[1])));
    rep.table("QA by category and verdict", List.of("category", "accepted", "rejected"), rows);
    rep.table("QA by teacher (hallucination rate = numeric answers failing recomputation / numeric answers)",
        List.of("teacher", "pairs", "accepted", "acceptance_rate", "numeric", "numeric_failed", "hallucination_rate"),
        counts.byTeacher());
    return rep;
  }
}
