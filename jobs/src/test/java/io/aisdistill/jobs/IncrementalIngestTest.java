package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "incremental = full" on real NMEA: the DMA AisLib stream ({@code $PGHP} times, types
 * 1-3, 5, 18, 24) cut in two at a message boundary half-way and ingested as two runs gives the
 * same ais_positions, ais_static and ais_rejects as one run over both parts. The log holds
 * vessels whose first static report (type 5/24) comes after the cut while their positions come
 * before it: a position's static fields are filled as of its time, so the earlier run cannot
 * differ from the one run (before, they were filled from the vessel's latest report of the same
 * run, which the earlier run had not seen).
 */
@Tag("shared-data")
class IncrementalIngestTest {
  @TempDir Path tmp;

  @Test
  void twoRunsOverARealLogCutInTwoEqualOneRun() throws Exception {
    List<String> lines = Files.readAllLines(
        SparkTestSession.sharedAis().resolve("dma_denmark/aislib_stream_example.nmea"), StandardCharsets.ISO_8859_1);
    int cut = lines.size() / 2;
    while (!lines.get(cut).startsWith("$PGHP")) {   // a $PGHP line opens each message
      cut++;
    }
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path first = in.resolve("part1.nmea");
    Path second = in.resolve("part2.nmea");
    Files.write(first, lines.subList(0, cut), StandardCharsets.ISO_8859_1);
    Files.write(second, lines.subList(cut, lines.size()), StandardCharsets.ISO_8859_1);

    SparkSession spark = SparkTestSession.get();
    Path daily = tmp.resolve("daily");
    FeedsIngestTest.ingest(first, daily, FeedsIngestTest.config());
    FeedsIngestTest.ingest(second, daily, FeedsIngestTest.config());
    Path full = tmp.resolve("full");
    FeedsIngestTest.ingest(in, full, FeedsIngestTest.config());
    Lakehouse a = new Lakehouse(spark, daily.toString());
    Lakehouse b = new Lakehouse(spark, full.toString());

    // the cut matters: vessels with positions before it and their first timed static report after it
    Set<Long> before = new HashSet<>();
    for (Row r : b.read(Tables.POSITIONS).filter("source like '%part1.nmea'").select("mmsi").collectAsList()) {
      before.add(r.getLong(0));
    }
    Set<Long> staticBefore = new HashSet<>();
    Set<Long> staticAfter = new HashSet<>();
    for (Row r : b.read(Tables.STATIC).filter("ts is not null").select("mmsi", "source").collectAsList()) {
      (r.getString(1).endsWith("part1.nmea") ? staticBefore : staticAfter).add(r.getLong(0));
    }
    staticAfter.removeAll(staticBefore);
    staticAfter.retainAll(before);
    assertTrue(staticAfter.size() >= 3, "vessels named only after the cut: " + staticAfter);
    long named = b.read(Tables.POSITIONS).filter("vessel_name is not null").count();
    assertTrue(named > 100, named + " positions named");

    for (String table : List.of(Tables.POSITIONS, Tables.STATIC, Tables.REJECTS)) {
      PipelineAssertions.assertSameRows(b.read(table), a.read(table), table + ": two runs against one run");
    }
  }
}
