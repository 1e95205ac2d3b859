package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz test of issue 13 through the real ingest stage (Spark, Delta): 32 mutated copies of real
 * samples (bytes flipped, NUL bytes, cuts, hostile values, CRLF) ingested in one run; the stage does
 * not fail, every file's lines are accounted for, and ais_positions holds no row outside the rules.
 * The many-case fuzz of the same read path is common's {@code IngestFuzzTest}.
 */
@Tag("shared-data")
class IngestFuzzStageTest {
  private static final String[] HOSTILE = {"1e9", "-1", "-0.0", "0x1p4", "NaN", "102.25", "400", "600", "91",
      "2099-01-01T00:00:00", "1970-01-01T00:00:00", "01/03/2022 01:00:00", "", "A".repeat(300)};

  @TempDir Path tmp;

  @Test
  void mutatedSamplesIngestWithoutLossOrImplausibleRows() throws Exception {
    Path ais = SparkTestSession.sharedAis();
    List<Path> seeds = List.of(ais.resolve("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv"),
        ais.resolve("dma_denmark/trajectools_ais_dk_cpa_2017-07-05.csv"),
        ais.resolve("nmea_raw/gpsd_sample.aivdm"), ais.resolve("nmea_raw/aisdb_test_data_20211101.nm4"),
        ais.resolve("uscg_nais/noaadata_test.ais"), ais.resolve("noaa_tracktable_traj/NYHarbor_2020_12_08.points.csv"));
    Path in = Files.createDirectories(tmp.resolve("in"));
    Random r = new Random(1130);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      Path seed = seeds.get(i % seeds.size());
      byte[] b = Files.readAllBytes(seed);
      b = Arrays.copyOf(b, Math.min(b.length, 16 * 1024));
      for (int m = 1 + r.nextInt(3); m > 0; m--) {
        b = mutate(b, r);
      }
      String name = seed.getFileName().toString();
      Path f = in.resolve(String.format("case%02d-%s", i, name));
      Files.write(f, b);
      files.add(f);
    }
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh").toString());
    var rep = new IngestStage(List.of(in.toString()), null)
        .run(new StageContext(spark, lh, SparkTestSession.config(), "fuzz"));
    PipelineAssertions.assertAccounting(lh, rep.report(), files);
    PipelineAssertions.assertInsideRules(lh);
    // the copies of one seed share most rows: those are dropped as exact duplicates
    long positions = lh.read(Tables.POSITIONS).count();
    assertTrue(positions > 300, "rows survive the mutations: " + positions);
    assertTrue(lh.read(Tables.REJECTS).count() > 0, "the mutations are rejected somewhere");
  }

  private static byte[] mutate(byte[] in, Random r) {
    byte[] b = in.clone();
    if (b.length == 0) {
      return b;
    }
    switch (r.nextInt(5)) {
      case 0 -> {
        for (int k = 1 + r.nextInt(8); k > 0; k--) {
          b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
        }
        return b;
      }
      case 1 -> {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int at = r.nextInt(b.length);
        o.write(b, 0, at);
        o.write(0);
        o.write(b, at, b.length - at);
        return o.toByteArray();
      }
      case 2 -> {
        return Arrays.copyOf(b, r.nextInt(b.length));
      }
      case 3 -> {
        String[] ls = new String(b, StandardCharsets.UTF_8).split("\n", -1);
        for (int k = 1 + r.nextInt(10); k > 0 && ls.length > 1; k--) {
          int i = 1 + r.nextInt(ls.length - 1);
          String[] f = ls[i].split(",", -1);
          f[r.nextInt(f.length)] = HOSTILE[r.nextInt(HOSTILE.length)];
          ls[i] = String.join(",", f);
        }
        return String.join("\n", ls).getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        return new String(b, StandardCharsets.ISO_8859_1).replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      }
    }
  }
}
