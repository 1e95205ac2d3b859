package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.judge.JudgeStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.text.Sha256;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The judge stage's answer balance ({@link JudgeStage#balance}): per template and date, an answer
 * above the cap share of the passed pairs keeps only K = floor(share x others / (1 - share)) pairs,
 * the first by SHA-256 of qa_id; the rest get ANSWER_BALANCE.
 */
class JudgeBalanceTest {
  static final StructType SCHEMA = new StructType().add("qa_id", DataTypes.StringType)
      .add("template_id", DataTypes.StringType).add("claim", DataTypes.StringType)
      .add("reasons", DataTypes.createArrayType(DataTypes.StringType)).add("other", DataTypes.IntegerType)
      .add("date", DataTypes.DateType);

  static Row row(String qaId, String template, String claim, String... reasons) {
    return dated(qaId, template, claim, "2024-06-01", reasons);
  }

  static Row dated(String qaId, String template, String claim, String date, String... reasons) {
    return RowFactory.create(qaId, template, claim, Arrays.asList(reasons), qaId.length(), java.sql.Date.valueOf(date));
  }

  static List<Row> rows() {
    List<Row> rs = new ArrayList<>();
    // a yes/no template: 9 "no", 1 "yes", all passed so far; one more "no" already rejected
    for (int i = 0; i < 9; i++) {
      rs.add(row("tele-no-" + i, "anomaly.teleport.v2", i == 3 ? " No " : "no"));
    }
    rs.add(row("tele-yes", "anomaly.teleport.v2", "yes"));
    rs.add(row("tele-rejected", "anomaly.teleport.v2", "no", "CLAIM_MISMATCH"));
    // a continuous answer: every value differs, nothing is cut
    for (int i = 0; i < 5; i++) {
      rs.add(row("sog-" + i, "kinematics.sog_mean.v2", String.format(java.util.Locale.ROOT, "%.1f", 10 + 1.3 * i)));
    }
    // at the cap: 6 of 11 = 54.5 % <= 55 %, nothing is cut
    for (int i = 0; i < 11; i++) {
      rs.add(row("trend-" + i, "kinematics.speed_trend.v2", i < 6 ? "steady" : i < 9 ? "accelerating" : "decelerating"));
    }
    // one answer only: no other answer, K = 0, nothing kept
    for (int i = 0; i < 4; i++) {
      rs.add(row("state-" + i, "behaviour.state.v2", "moored"));
    }
    return rs;
  }

  static Map<String, List<String>> reasons(Dataset<Row> df) {
    Map<String, List<String>> m = new TreeMap<>();
    for (Row r : df.collectAsList()) {
      m.put(r.getString(0), r.getList(r.fieldIndex("reasons")));
    }
    return m;
  }

  @Test
  void theMostFrequentAnswerIsCutToTheShare() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> in = spark.createDataFrame(rows(), SCHEMA);
    Dataset<Row> out = JudgeStage.balance(in, 0.55);
    assertEquals(Arrays.asList(SCHEMA.fieldNames()), Arrays.asList(out.columns()), "no helper column left");
    assertEquals(in.count(), out.count());
    Map<String, List<String>> r = reasons(out);

    // teleport: others = 1 -> K = floor(0.55 x 1 / 0.45) = 1: one "no" stays, the first by SHA-256 of qa_id
    String keptNo = java.util.stream.IntStream.range(0, 9).mapToObj(i -> "tele-no-" + i)
        .min(Comparator.comparing(Sha256::hex)).orElseThrow();
    for (int i = 0; i < 9; i++) {
      String id = "tele-no-" + i;
      assertEquals(id.equals(keptNo) ? List.of() : List.of("ANSWER_BALANCE"), r.get(id), id);
    }
    assertEquals(List.of(), r.get("tele-yes"));
    assertEquals(List.of("CLAIM_MISMATCH"), r.get("tele-rejected")); // already rejected: untouched
    for (int i = 0; i < 5; i++) {
      assertEquals(List.of(), r.get("sog-" + i));
    }
    for (int i = 0; i < 11; i++) {
      assertEquals(List.of(), r.get("trend-" + i));
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(List.of("ANSWER_BALANCE"), r.get("state-" + i));
    }
    long accepted = r.entrySet().stream().filter(e -> e.getKey().startsWith("tele") && e.getValue().isEmpty()).count();
    assertEquals(2, accepted); // 1 yes + 1 no: the "no" share is 50 % <= 55 %
    // other columns pass through
    for (Row x : out.collectAsList()) {
      assertEquals(x.getString(0).length(), x.getInt(4));
    }
  }

  @Test
  void deterministicWhateverTheOrderAndPartitioning() {
    SparkSession spark = SparkTestSession.get();
    List<Row> rs = rows();
    Map<String, List<String>> a = reasons(JudgeStage.balance(spark.createDataFrame(rs, SCHEMA), 0.55));
    List<Row> reversed = new ArrayList<>(rs);
    java.util.Collections.reverse(reversed);
    Map<String, List<String>> b = reasons(JudgeStage.balance(spark.createDataFrame(reversed, SCHEMA).repartition(3), 0.55));
    assertEquals(a, b);
    // a looser cap keeps more: at 0.75, K = floor(0.75 x 1 / 0.25) = 3 "no"
    Map<String, List<String>> loose = reasons(JudgeStage.balance(spark.createDataFrame(rs, SCHEMA), 0.75));
    assertEquals(3, loose.entrySet().stream()
        .filter(e -> e.getKey().startsWith("tele-no") && e.getValue().isEmpty()).count());
    assertTrue(loose.get("tele-yes").isEmpty());
  }

  /**
   * Each day is balanced on its own: over both days "no" and "yes" are 4 of 8 each (50 %, nothing to
   * cut globally), but "no" is 3 of 4 on the first day and "yes" 3 of 4 on the second (75 %), so each
   * day keeps K = floor(0.55 x 1 / 0.45) = 1 of its top answer, the first by SHA-256 of qa_id.
   */
  @Test
  void eachDayIsBalancedOnItsOwn() {
    SparkSession spark = SparkTestSession.get();
    List<Row> rs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rs.add(dated("d1-no-" + i, "anomaly.teleport.v2", "no", "2024-06-01"));
      rs.add(dated("d2-yes-" + i, "anomaly.teleport.v2", "yes", "2024-06-02"));
    }
    rs.add(dated("d1-yes", "anomaly.teleport.v2", "yes", "2024-06-01"));
    rs.add(dated("d2-no", "anomaly.teleport.v2", "no", "2024-06-02"));
    Map<String, List<String>> r = reasons(JudgeStage.balance(spark.createDataFrame(rs, SCHEMA), 0.55));
    for (String day : List.of("d1-no-", "d2-yes-")) {
      String kept = java.util.stream.IntStream.range(0, 3).mapToObj(i -> day + i)
          .min(Comparator.comparing(Sha256::hex)).orElseThrow();
      for (int i = 0; i < 3; i++) {
        assertEquals((day + i).equals(kept) ? List.of() : List.of("ANSWER_BALANCE"), r.get(day + i), day + i);
      }
    }
    assertEquals(List.of(), r.get("d1-yes"));
    assertEquals(List.of(), r.get("d2-no"));
  }

  @Test
  void aShareOfOneOrMoreDisablesBalancing() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> in = spark.createDataFrame(rows(), SCHEMA);
    assertSame(in, JudgeStage.balance(in, 1.0));
  }
}
