package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The out-of-range and misread values of issue 13, found by a user, through the ingest stage: each
 * is rejected with a reason or nulled/cut and flagged, ais_positions holds no row outside the rules
 * afterwards, and every line is accounted for.
 */
class HostileValuesTest {
  @TempDir Path tmp;

  private static String row(int i, String time, String lat, String sog, String cog, String heading, String name) {
    return (367005001 + i) + "," + time + "," + lat + ",-88.5," + sog + "," + cog + "," + heading + "," + name
        + ",,,70,0,100,20,5.0,70,A";
  }

  @Test
  void outOfRangeAndMisreadValuesStayOutOfAisPositions() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    String t = "2022-01-03T00:00:00";
    List<String> lines = List.of(BadInputTest.HEADER,
        // rejected rows
        "367005001,2099-01-01T00:00:00,30.5,-88.5,102.25,90.0,90,T1,,,70,0,100,20,5.0,70,A",
        row(1, "1970-01-01T00:00:00", "30.5", "5", "90", "90", "T"),
        row(2, "1999-06-01T00:00:00", "30.5", "5", "90", "90", "T"),
        row(3, t, "0x1p4", "5", "90", "90", "T"),
        row(4, "01/03/2022 01:00:00", "30.5", "5", "90", "90", "T"),
        row(5, t, "NaN", "5", "90", "90", "T"),
        // accepted with a field nulled or cut and flagged
        row(6, t, "30.5", "102.25", "90", "90", "T"),
        row(7, t, "30.5", "-1", "-5", "600", "T"),
        row(8, t, "30.5", "1e9", "400", "-1", "T"),
        row(9, t, "30.5", "5", "1e9", "90", "A".repeat(5 * 1024 * 1024)),
        row(10, t, "30.5", "102.2", "90", "90", "T"),
        // accepted as is (-0.0 normalised)
        row(11, t, "-0.0", "-0.0", "-0.0", "0", "T"),
        row(12, t, "30.5", "102.3", "360.0", "511", "T"));
    Path csv = in.resolve("hostile.csv");
    Files.write(csv, lines);

    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh").toString());
    var rep = new IngestStage(List.of(in.toString()), null)
        .run(new StageContext(spark, lh, SparkTestSession.config(), "hostile"));

    Map<String, Long> reasons = new TreeMap<>();
    for (Row r : lh.read(Tables.REJECTS).groupBy("reason").count().collectAsList()) {
      reasons.put(r.getString(0), r.getLong(1));
    }
    assertEquals(Map.of("TIME_OUT_OF_RANGE", 3L, "BAD_FIELD", 2L, "BAD_TIMESTAMP", 1L), reasons);
    assertEquals(7L, lh.read(Tables.POSITIONS).count());
    PipelineAssertions.assertInsideRules(lh);
    PipelineAssertions.assertAccounting(lh, rep.report(), List.of(csv));

    Map<Long, List<String>> flags = new TreeMap<>();
    for (Row r : lh.read(Tables.POSITIONS).select("mmsi", "quality_flags").collectAsList()) {
      flags.put(r.getLong(0), r.isNullAt(1) ? null : r.getList(1));
    }
    assertEquals(List.of("SOG_OUT_OF_RANGE=102.25"), flags.get(367005007L));
    assertEquals(List.of("SOG_OUT_OF_RANGE=-1.0", "COG_OUT_OF_RANGE=-5.0", "HEADING_OUT_OF_RANGE=600"),
        flags.get(367005008L));
    assertEquals(List.of("SOG_OUT_OF_RANGE=1.0E9", "COG_OUT_OF_RANGE=400.0",
        "HEADING_OUT_OF_RANGE=-1"), flags.get(367005009L));
    assertEquals(List.of("COG_OUT_OF_RANGE=1.0E9", "VESSEL_NAME_TRUNCATED=" + 5 * 1024 * 1024),
        flags.get(367005010L));
    assertEquals(List.of("SOG_AT_LIMIT"), flags.get(367005011L));
    assertNull(flags.get(367005012L));
    assertNull(flags.get(367005013L));
    Map<String, Object> m = rep.report().metrics();
    assertEquals(3L, ((Number) m.get("noted.quality.SOG_OUT_OF_RANGE")).longValue());
    assertEquals(3L, ((Number) m.get("noted.quality.COG_OUT_OF_RANGE")).longValue());
    assertEquals(1L, ((Number) m.get("noted.quality.VESSEL_NAME_TRUNCATED")).longValue());
    assertTrue(lh.read(Tables.REJECTS).filter("reason = 'TIME_OUT_OF_RANGE'").filter("detail LIKE '%2099-01-01%'")
        .count() == 1);
  }
}
