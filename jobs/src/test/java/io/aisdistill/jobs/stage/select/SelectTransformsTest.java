package io.aisdistill.jobs.stage.select;

import static io.aisdistill.jobs.stage.select.TestWindowRows.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Tables;

import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.select.WindowSelector;
import io.aisdistill.common.track.TrackWindow;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * {@link SelectTransforms} on hand-made windows, without a lakehouse: the candidate features, the
 * decisions (a moored vessel's repeated window is a near duplicate of its first, stopped windows
 * capped), the window_selection rows, and the read side that refuses a stale selection.
 */
class SelectTransformsTest {
  private static final PipelineConfig.SelectSection SC = SparkTestSession.config().select;
  private static final long H = 3_600_000L;

  /** Two moored windows of one vessel at one berth an hour apart, and one vessel underway. */
  private static final TrackWindow MOORED_1 = TestWindowRows.moored(219000001L, T0, 56.0384, 12.6138);
  private static final TrackWindow MOORED_2 = TestWindowRows.moored(219000001L, T0 + 2 * H, 56.0384, 12.6138);
  private static final TrackWindow UNDERWAY = TestWindowRows.underway(636000002L, T0 + 5 * H, 55.5, 11.0);

  private static Map<String, Row> byId(List<Row> rows) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : rows) {
      m.put(r.getString(r.fieldIndex("window_id")), r);
    }
    return m;
  }

  @Test
  void candidatesWithoutATeacherFileAreGroundedFreeAndStratified() {
    List<Row> cands = SelectTransforms.candidates(TestWindowRows.rows(MOORED_1, UNDERWAY), SC, null).collectAsList();
    assertEquals(2, cands.size());
    assertEquals(Arrays.asList(SelectTransforms.CANDIDATE_SCHEMA.fieldNames()), Arrays.asList(cands.get(0).schema().fieldNames()));
    Map<String, Row> c = byId(cands);
    Row moored = c.get(MOORED_1.windowId());
    Row underway = c.get(UNDERWAY.windowId());
    assertEquals("stopped", moored.getString(moored.fieldIndex("behaviour")));
    assertEquals("underway", underway.getString(underway.fieldIndex("behaviour")));
    assertEquals("h12", underway.getString(underway.fieldIndex("hour_bucket")), "13:00 UTC in 6-hour buckets");
    for (Row r : cands) {
      assertEquals(List.of(GroundedTeacher.TEACHER), r.getList(r.fieldIndex("teachers")));
      assertTrue(r.isNullAt(r.fieldIndex("est_prompt_tokens")));
      assertEquals(0, r.getInt(r.fieldIndex("est_calls")));
      assertEquals(0.0, r.getDouble(r.fieldIndex("est_usd")));
      assertEquals(SC.regionPrecision, r.getString(r.fieldIndex("region")).length());
      assertEquals(SC.duplicateCellPrecision, r.getString(r.fieldIndex("cell")).length());
      assertEquals(String.join("|", r.getString(r.fieldIndex("behaviour")), r.getString(r.fieldIndex("ship_group")),
          r.getString(r.fieldIndex("region")), r.getString(r.fieldIndex("hour_bucket"))), r.getString(r.fieldIndex("stratum")));
    }
  }

  /** The window_selection rows of {@code windows} under a stopped-window share, no budget. */
  private static Dataset<Row> selection(Dataset<Row> windows, double share, String teachersSha, String digest) {
    Dataset<Row> cands = SelectTransforms.candidates(windows, SC, null);
    DistributedSelector.Decided decided = SelectTransforms.decide(SparkTestSession.get(), cands,
        new WindowSelector.Settings(SC.seed, share, 0, 0, 0));
    // materialized, so that the cached intermediate results can be released
    Dataset<Row> rows = SparkTestSession.get().createDataFrame(
        SelectTransforms.selection(decided.rows(), teachersSha, Map.of(0L, digest), WindowSelector.Scope.ALL, "r1")
            .collectAsList(),
        Tables.WINDOW_SELECTION_SCHEMA);
    decided.cleanup();
    return rows;
  }

  private static long selectedCount(Map<String, Row> sel) {
    return sel.values().stream().filter(r -> r.getBoolean(r.fieldIndex("selected"))).count();
  }

  @Test
  void aRepeatedMooredWindowIsANearDuplicateAndStoppedWindowsAreCapped() {
    Dataset<Row> windows = TestWindowRows.rows(MOORED_2, UNDERWAY, MOORED_1);
    Map<String, Row> sel = byId(selection(windows, 1.0, "none", "3:123").collectAsList());
    Row dup = sel.get(MOORED_2.windowId());
    assertFalse(dup.getBoolean(dup.fieldIndex("selected")));
    assertEquals("NEAR_DUPLICATE", dup.getString(dup.fieldIndex("reason")));
    assertEquals(MOORED_1.windowId(), dup.getString(dup.fieldIndex("duplicate_of")), "the first of the run is kept");
    assertNull(dup.get(dup.fieldIndex("rank")));
    Row kept = sel.get(MOORED_1.windowId());
    assertTrue(kept.getBoolean(kept.fieldIndex("selected")));
    assertEquals("SELECTED", kept.getString(kept.fieldIndex("reason")));
    assertEquals("3:123", kept.getString(kept.fieldIndex("windows_digest")));
    assertEquals("none", kept.getString(kept.fieldIndex("teachers_sha256")));
    assertTrue(sel.get(UNDERWAY.windowId()).getBoolean(kept.fieldIndex("selected")));
    assertEquals(2, selectedCount(sel));
    assertEquals(Arrays.asList(Tables.WINDOW_SELECTION_SCHEMA.fieldNames()), Arrays.asList(kept.schema().fieldNames()));

    Map<String, Row> capped = byId(selection(windows, 0.06, "none", "3:123").collectAsList());
    Row moored = capped.get(MOORED_1.windowId());
    assertEquals("STOPPED_CAP", moored.getString(moored.fieldIndex("reason")),
        "one stopped window of two selected would be 50% > 6%");
    assertEquals(1, selectedCount(capped));
  }

  @Test
  void selectedReadsTheSelectedWindowsAndRefusesAStaleSelection() {
    Dataset<Row> windows = TestWindowRows.rows(MOORED_1, MOORED_2, UNDERWAY);
    String digest = SelectTransforms.windowsDigest(windows);
    assertTrue(digest.startsWith("3:"), digest);
    Dataset<Row> selection = selection(windows, 1.0, SelectTransforms.teachersDigest(null), digest);

    Dataset<Row> sel = SelectTransforms.selected(windows, selection, null);
    assertEquals(Arrays.asList(windows.columns()), Arrays.asList(sel.columns()));
    Set<String> ids = new TreeSet<>(sel.select("window_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    assertEquals(new TreeSet<>(List.of(MOORED_1.windowId(), UNDERWAY.windowId())), ids);

    IllegalStateException changed = assertThrows(IllegalStateException.class,
        () -> SelectTransforms.selected(TestWindowRows.rows(MOORED_1, UNDERWAY), selection, null));
    assertTrue(changed.getMessage().contains("other track_windows"), changed.getMessage());
    Dataset<Row> forOtherTeachers = selection(windows, 1.0, "abc", digest);
    IllegalStateException teachers = assertThrows(IllegalStateException.class,
        () -> SelectTransforms.selected(windows, forOtherTeachers, null));
    assertTrue(teachers.getMessage().contains("another teacher file"), teachers.getMessage());
    IllegalStateException mixed = assertThrows(IllegalStateException.class,
        () -> SelectTransforms.selected(windows, selection.union(forOtherTeachers), null));
    assertTrue(mixed.getMessage().contains("mixes selections"), mixed.getMessage());
  }

  @Test
  void smallerLimitTreatsZeroAsUnlimited() {
    assertEquals(5, SelectTransforms.smallerLimit(0, 5));
    assertEquals(5, SelectTransforms.smallerLimit(5, 0));
    assertEquals(3, SelectTransforms.smallerLimit(5, 3));
    assertEquals(0, SelectTransforms.smallerLimit(0, 0));
  }
  /**
   * {@link SelectStage#daysCondition}, evaluated by Spark on windows at the edges of UTC days: a
   * day's windows from 00:00:00.000 to 23:59:59.999 match, consecutive days form one range, and
   * no day matches nothing.
   */
  @Test
  void daysConditionSelectsTheWindowsOfExactlyTheGivenUtcDays() {
    long day = Math.floorDiv(T0, 86_400_000L);
    long d0 = day * 86_400_000L;
    TrackWindow first = TestWindowRows.underway(636000011L, d0, 55.5, 11.0);
    TrackWindow lastMs = TestWindowRows.underway(636000012L, d0 + 86_400_000L - 1, 55.5, 11.0);
    TrackWindow next = TestWindowRows.underway(636000013L, d0 + 86_400_000L, 55.5, 11.0);
    TrackWindow skipped = TestWindowRows.underway(636000014L, d0 + 2 * 86_400_000L + 12 * H, 55.5, 11.0);
    TrackWindow later = TestWindowRows.underway(636000015L, d0 + 4 * 86_400_000L, 55.5, 11.0);
    TrackWindow before = TestWindowRows.underway(636000016L, d0 - 1, 55.5, 11.0);
    Dataset<Row> windows = TestWindowRows.rows(first, lastMs, next, skipped, later, before);

    String cond = SelectStage.daysCondition(List.of(day + 4, day, day + 1, day));
    assertEquals(2, cond.split(" OR ").length, "days d, d+1 joined into one range, d+4 apart: " + cond);
    Set<String> got = new TreeSet<>(windows.where(cond).select("window_id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList());
    assertEquals(new TreeSet<>(List.of(first.windowId(), lastMs.windowId(), next.windowId(), later.windowId())), got);
    assertEquals("false", SelectStage.daysCondition(List.of()));
    assertEquals(0, windows.where(SelectStage.daysCondition(List.of())).count());
  }
}
