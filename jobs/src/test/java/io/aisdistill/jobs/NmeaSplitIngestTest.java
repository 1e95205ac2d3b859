package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.ingest.IngestResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 2 through the real ingest stage: a plain NMEA log concatenated from the real
 * samples (tag blocks, $PGHP, $GPRMC, NAIS trailers, multi-sentence messages) read with 32 KiB
 * splits gives the same ais_positions, ais_static and ais_rejects as the same log read as one
 * split, and every line is counted once per file. The context bound is 16 KiB in both runs, so
 * splits re-read 16 KiB before their start.
 */
@Tag("shared-data")
class NmeaSplitIngestTest {
  private static final long SPLIT = 32 * 1024;

  @TempDir
  Path tmp;

  @Test
  void splitReadEqualsOneSplitRead() throws Exception {
    Path ais = SparkTestSession.sharedAis();
    Path log = Files.createDirectories(tmp.resolve("in")).resolve("concatenated.nmea");
    try (OutputStream out = Files.newOutputStream(log)) {
      for (String f : List.of("uscg_nais/noaadata_test.ais", "nmea_raw/gpsd_ais-nmea.log",
          "nmea_raw/aisdb_test_data_20211101.nm4", "dma_denmark/aislib_stream_example.nmea")) {
        byte[] b = Files.readAllBytes(ais.resolve(f));
        int n = b.length;
        if (n > 100_000) {
          // the first 100 kB of the $PGHP log, to its next line end (CI time)
          n = 100_000;
          while (b[n - 1] != '\n') {
            n++;
          }
        }
        out.write(b, 0, n);
      }
    }
    long len = Files.size(log);
    long splits = (len + SPLIT - 1) / SPLIT;
    assertTrue(splits >= 8, len + " bytes");

    SparkSession spark = SparkTestSession.get();
    AtomicInteger tasks = new AtomicInteger();
    SparkListener counter = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd e) {
        tasks.incrementAndGet();
      }
    };
    spark.sparkContext().addSparkListener(counter);
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    String before = hconf.get(FileInputFormat.SPLIT_MAXSIZE);
    IngestResult one;
    IngestResult many;
    int tasksOne;
    int tasksMany;
    try {
      hconf.setLong(FileInputFormat.SPLIT_MAXSIZE, Long.MAX_VALUE);
      one = FeedsIngestTest.ingest(log, tmp.resolve("lh-one"), FeedsIngestTest.config("ingest.nmea.lookback_bytes=16384"));
      spark.sparkContext().listenerBus().waitUntilEmpty();
      tasksOne = tasks.getAndSet(0);
      hconf.setLong(FileInputFormat.SPLIT_MAXSIZE, SPLIT);
      many = FeedsIngestTest.ingest(log, tmp.resolve("lh-many"), FeedsIngestTest.config("ingest.nmea.lookback_bytes=16384"));
      spark.sparkContext().listenerBus().waitUntilEmpty();
      tasksMany = tasks.get();
    } finally {
      spark.sparkContext().removeSparkListener(counter);
      if (before == null) {
        hconf.unset(FileInputFormat.SPLIT_MAXSIZE);
      } else {
        hconf.set(FileInputFormat.SPLIT_MAXSIZE, before);
      }
    }
    // the parse ran one task per split: at least splits - 1 more tasks than the one-split run (the
    // stages over the parsed rows run one task per partition, so usually a multiple of that)
    assertTrue(tasksMany - tasksOne >= splits - 1, "tasks " + tasksOne + " vs " + tasksMany + ", " + splits + " splits");

    Lakehouse lhOne = new Lakehouse(spark, tmp.resolve("lh-one").toString());
    Lakehouse lhMany = new Lakehouse(spark, tmp.resolve("lh-many").toString());
    PipelineAssertions.assertAccounting(lhOne, one.report(), List.of(log));
    PipelineAssertions.assertAccounting(lhMany, many.report(), List.of(log));
    assertTrue(one.positionsAccepted() > 1000, one.report().metrics().toString());
    assertTrue(one.staticAccepted() > 100, one.report().metrics().toString());
    assertTrue(one.report().getLong("skipped.fragment") > 100, one.report().metrics().toString());
    assertEquals(PipelineAssertions.perFile(one.report()), PipelineAssertions.perFile(many.report()));
    for (String table : List.of(Tables.POSITIONS, Tables.STATIC, Tables.REJECTS)) {
      PipelineAssertions.assertSameRows(lhOne.read(table), lhMany.read(table),
          table + ": split read against the one-split read");
    }
  }
}
