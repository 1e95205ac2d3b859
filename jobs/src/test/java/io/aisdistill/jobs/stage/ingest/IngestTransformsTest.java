package io.aisdistill.jobs.stage.ingest;

import io.aisdistill.jobs.config.PipelineConfig;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.DedupResult;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.FileSpec;
import io.aisdistill.jobs.stage.ingest.IngestTransforms.ParsedCounts;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import io.aisdistill.common.ingest.InputFormat;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** {@link IngestTransforms} on small in-memory rows: parsing, counting, deduplication, enrichment. */
class IngestTransformsTest {
  static final String HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
      + "Length,Width,Draft,Cargo,TransceiverClass";
  static final String GOOD = "366940480,2022-01-03T00:00:08,30.37060,-88.56170,0.0,360.0,511,EBONY,IMO8207721,"
      + "WDB4553,31,0,21,9,3.2,31,A";
  static final long T0 = Instant.parse("2024-06-01T23:59:00Z").toEpochMilli();

  private final SparkSession spark = SparkTestSession.get();

  /** A position of the parsed schema: only what the tests vary, the rest fixed. */
  static Row pos(int sourceId, long record, long mmsi, long ts, Double sog, String vesselName, String aisClass) {
    return Rows.parsed(new PositionReport(mmsi, ts, 40.5, -73.9, sog, 90.0, null, 0, 1, aisClass, vesselName,
        null, null, null, null, null, null, "ignored", record, null), sourceId);
  }

  static Row sta(int sourceId, long record, long mmsi, Long ts, String vesselName, Double lengthM) {
    return Rows.parsed(new StaticReport(mmsi, ts, 5, vesselName, null, null, 70, lengthM, null, null, "NYC",
        "ignored", record), sourceId);
  }

  private Dataset<Row> parsed(List<Row> rows) {
    return spark.createDataFrame(rows, Rows.PARSED_SCHEMA);
  }

  @Test
  void dedupKeepsTheFirstRecordOfEachGroupAndCountsTheRestPerSource() {
    Dataset<Row> rows = parsed(List.of(
        pos(1, 10, 111, T0, 5.0, "A", "A"),
        pos(0, 50, 111, T0, 5.0, "A", "A"),   // same key: smallest (source_id, source_record) wins
        pos(1, 5, 111, T0, 5.0, "other name", "A"), // name is not in the key: still a duplicate
        pos(0, 7, 222, T0, null, null, "B"),
        pos(1, 8, 222, T0, null, null, "B"), // null sog equals null sog
        pos(1, 9, 222, T0, 6.0, null, "B"))); // a different sog: kept
    DedupResult d = IngestTransforms.dropExactDuplicates(rows, Tables.POSITION_KEY);
    try {
      List<Row> kept = new ArrayList<>(d.kept().collectAsList());
      kept.sort(Comparator.comparingInt((Row r) -> r.getAs("source_id"))
          .thenComparingLong(r -> r.getAs("source_record")));
      assertEquals(List.of("0/7", "0/50", "1/9"),
          kept.stream().map(r -> r.getAs("source_id") + "/" + r.getAs("source_record")).toList());
      assertArrayEquals(Rows.PARSED_SCHEMA.fieldNames(), d.kept().columns());
      assertEquals(Map.of(1, 3L), d.duplicatesBySource());
    } finally {
      d.release();
    }
  }

  @Test
  void dedupKeepsRowsWhoseHashesCollideButWhoseKeysDiffer() {
    // xxhash64 skips a null column, so (sog null, cog 90) and (sog 90, cog null) hash alike: the
    // first pass makes them candidates, the exact pass over the key columns must keep both
    Row a = Rows.parsed(new PositionReport(333, T0, 40.5, -73.9, null, 90.0, null, 0, 1, "A", null,
        null, null, null, null, null, null, "ignored", 1, null), 0);
    Row b = Rows.parsed(new PositionReport(333, T0, 40.5, -73.9, 90.0, null, null, 0, 1, "A", null,
        null, null, null, null, null, null, "ignored", 2, null), 0);
    Row bAgain = Rows.parsed(new PositionReport(333, T0, 40.5, -73.9, 90.0, null, null, 0, 1, "A", null,
        null, null, null, null, null, null, "ignored", 3, null), 1);
    Dataset<Row> rows = parsed(List.of(a, b, bAgain));
    long hashes = rows.selectExpr("xxhash64(" + String.join(",", Tables.POSITION_KEY) + ") AS h")
        .distinct().count();
    assertEquals(1L, hashes, "the test needs the three rows to share one hash");
    DedupResult d = IngestTransforms.dropExactDuplicates(rows, Tables.POSITION_KEY);
    try {
      List<Long> kept = d.kept().select("source_record").as(org.apache.spark.sql.Encoders.LONG())
          .collectAsList().stream().sorted().toList();
      assertEquals(List.of(1L, 2L), kept);
      assertEquals(Map.of(1, 1L), d.duplicatesBySource());
    } finally {
      d.release();
    }
  }

  @Test
  void dedupShufflesTheRowsOnceWhenDuplicatesAreFew() throws Exception {
    // 300,000 rows (planned as several MB: above the 1 MB broadcast threshold set here), one
    // duplicate group: ids 0, 7, 70001 and 200003 (sources 0, 1, 1, 1)
    int n = 300_000;
    String threshold = "spark.sql.autoBroadcastJoinThreshold";
    String before = spark.conf().get(threshold);
    Dataset<Row> rows = spark.range(n).selectExpr("CAST(id % 2 AS INT) AS source_id", "id AS source_record",
        "CASE WHEN id IN (7, 70001, 200003) THEN 211000000 ELSE 211000000 + id END AS mmsi",
        "TIMESTAMP'2024-06-01 00:00:00' AS ts", "55.0 AS lat", "12.0 AS lon", "CAST(NULL AS DOUBLE) AS sog",
        "90.0 AS cog", "CAST(NULL AS INT) AS heading", "0 AS nav_status", "1 AS msg_type", "'A' AS ais_class");
    long[] shuffled = {0};
    org.apache.spark.scheduler.SparkListener counter = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          synchronized (shuffled) {
            shuffled[0] += end.taskMetrics().shuffleWriteMetrics().recordsWritten();
          }
        }
      }
    };
    spark.sparkContext().addSparkListener(counter);
    spark.conf().set(threshold, "1048576");
    DedupResult d = null;
    try {
      d = IngestTransforms.dropExactDuplicates(rows, Tables.POSITION_KEY);
      assertEquals(Map.of(1, 3L), d.duplicatesBySource()); // 7, 70001 and 200003 lose to 0
      spark.sparkContext().listenerBus().waitUntilEmpty();
      synchronized (shuffled) {
        // the aggregate that finds the groups shuffles each row's key once; the join that finds
        // the losers broadcasts the 1 group instead of shuffling the rows a second time
        assertTrue(shuffled[0] <= n + 1000, "records shuffled: " + shuffled[0]);
      }
      assertEquals(n - 3, d.kept().count());
    } finally {
      spark.conf().set(threshold, before);
      spark.sparkContext().removeSparkListener(counter);
      if (d != null) {
        d.release();
      }
    }
  }

  @Test
  void repeatedValuesAreTheValuesMoreThanOneRowHasEachOnce() {
    // runs of equal values across partitions and at partition ends; Long.MIN_VALUE and 0 included
    Dataset<Row> values = spark.createDataFrame(
        java.util.stream.LongStream.of(3, 1, 3, 2, 2, 2, 5, Long.MIN_VALUE, 0, Long.MIN_VALUE, -4, 9, 0)
            .mapToObj(v -> org.apache.spark.sql.RowFactory.create(v)).toList(),
        new org.apache.spark.sql.types.StructType().add("_key_hash", "long", false)).repartition(3);
    List<Long> repeated = IngestTransforms.repeatedValues(values).collectAsList().stream()
        .map(r -> r.getLong(0)).sorted().toList();
    assertEquals(List.of(Long.MIN_VALUE, 0L, 2L, 3L), repeated);
    assertEquals(values.schema(), IngestTransforms.repeatedValues(values).schema());
    assertEquals(0, IngestTransforms.repeatedValues(values.filter("_key_hash = 1")).count());
  }

  @Test
  void countsEveryLineOnceAndAWholeFileRejectAsNoLine() {
    Dataset<Row> rows = parsed(List.of(
        Rows.skipped(0, "header"),
        pos(0, 10, 111, T0, 5.0, null, "A"),
        pos(0, 20, 111, T0, 5.0, null, "A"),
        sta(0, 30, 111, T0, "A", 100.0),
        Rows.parsed(RejectRecord.of("a", 40, "1,2", RejectReason.TRUNCATED_RECORD, "short"), 0),
        Rows.skipped(0, "blank"),
        Rows.parsed(RejectRecord.of("b", -1, "", RejectReason.EMPTY_FILE, "empty"), 1)));
    List<String> sources = List.of("file:/in/a.csv", "file:/in/b.csv");
    ParsedCounts c = IngestTransforms.countParsed(IngestTransforms.ofKind(rows, Rows.KIND_POSITION),
        rows.filter(col("kind").notEqual(Rows.KIND_POSITION)), sources,
        Map.of(sources.get(0), "MARINECADASTRE_CSV", sources.get(1), "rejected: EMPTY_FILE"));

    FileCounts a = c.perFile().get(sources.get(0));
    assertEquals(List.of(6L, 2L, 1L, 1L, 2L), List.of(a.lines, a.positions, a.statics, a.rejected, a.skipped));
    FileCounts b = c.perFile().get(sources.get(1));
    assertEquals(List.of(0L, 0L, 0L, 1L, 0L), List.of(b.lines, b.positions, b.statics, b.rejected, b.skipped));
    assertEquals(Map.of("TRUNCATED_RECORD", 1L, "EMPTY_FILE", 1L), c.rejectsByReason());
    assertEquals(Map.of("header", 1L, "blank", 1L), c.skippedByKind());
    assertEquals(1L, c.staticsParsed());
  }

  @Test
  void positionsGetTableColumnsSourceDateAndTheStaticFieldsAsOfTheirTime() {
    List<String> sources = List.of("file:/in/a.csv", "file:/in/b.nmea");
    Dataset<Row> names = IngestTransforms.sourceNames(spark, sources);
    Dataset<Row> positions = parsed(List.of(
        pos(0, 10, 111, T0, 5.0, null, null),         // filled from the report of the same time
        pos(1, 20, 111, T0, 5.0, "OWN NAME", "A"),    // a name already set is kept
        pos(1, 30, 333, T0, 5.0, null, null),          // no static report: stays null
        pos(1, 40, 111, T0 - 30_000, 5.0, null, null), // between the two reports: the older one
        pos(1, 50, 111, T0 - 90_000, 5.0, null, null), // before every report: stays null
        pos(1, 60, 444, T0, 5.0, null, null)));        // two reports of its time: the first by source
    Dataset<Row> statics = IngestTransforms.statics(parsed(List.of(
        sta(1, 1, 111, T0 - 60_000, "OLDER", 50.0),
        sta(1, 2, 111, T0, "LATEST", 120.0),
        sta(1, 3, 111, null, "NO TIME", 10.0),         // no time: fills nothing
        sta(1, 4, 111, T0 + 60_000, "LATER", 99.0),    // after every position: fills nothing
        sta(1, 6, 444, T0, "SECOND", 20.0),
        sta(0, 7, 444, T0, "FIRST", 10.0))), names, "r1");
    assertArrayEquals(Tables.STATIC_SCHEMA.fieldNames(), statics.columns());

    Dataset<Row> out = IngestTransforms.positions(positions, names, statics, "r1");
    assertArrayEquals(Tables.POSITIONS_SCHEMA.fieldNames(), out.columns());
    List<Row> rows = new ArrayList<>(out.collectAsList());
    rows.sort(Comparator.comparingLong(r -> r.getAs("source_record")));
    assertEquals(6, rows.size());

    Row filled = rows.get(0);
    assertEquals("LATEST", filled.getAs("vessel_name"));
    assertEquals(120.0, (Double) filled.getAs("length_m"));
    assertEquals(70, (Integer) filled.getAs("ship_type"));
    assertNull(filled.getAs("ais_class"), "ais_class is never filled from static reports");
    assertEquals("file:/in/a.csv", filled.getAs("source"));
    assertEquals("r1", filled.getAs("run_id"));
    assertEquals(LocalDate.of(2024, 6, 1), filled.getAs("date"));

    assertEquals("OWN NAME", rows.get(1).getAs("vessel_name"));
    assertEquals(120.0, (Double) rows.get(1).getAs("length_m"));
    assertEquals("file:/in/b.nmea", rows.get(1).getAs("source"));
    assertNull(rows.get(2).getAs("vessel_name"));
    assertEquals("OLDER", rows.get(3).getAs("vessel_name"));
    assertEquals(50.0, (Double) rows.get(3).getAs("length_m"));
    assertNull(rows.get(4).getAs("vessel_name"));
    assertNull(rows.get(4).getAs("length_m"));
    assertEquals("FIRST", rows.get(5).getAs("vessel_name"));

    // without static rows to enrich from, the static fields stay as parsed
    Row plain = IngestTransforms.positions(positions, names, null, "r1")
        .filter("source_record = 10").collectAsList().get(0);
    assertNull(plain.getAs("vessel_name"));
  }

  @Test
  void parseGivesOneRowPerLineWithByteOffsetsAndTheFilesSourceId() {
    String src = "file:/in/x/a.csv";
    Map<String, FileSpec> specs = Map.of("/in/x/a.csv", new FileSpec(3, src, InputFormat.MARINECADASTRE_CSV, HEADER, "UTF-8", true));
    FileSplit split = new FileSplit(new Path(src), 0, 1000, new String[0]);
    long second = HEADER.length() + 1;
    long third = second + GOOD.length() + 1;
    List<Tuple2<LongWritable, Text>> lines = List.of(
        new Tuple2<>(new LongWritable(0), new Text(HEADER)),
        new Tuple2<>(new LongWritable(second), new Text(GOOD)),
        new Tuple2<>(new LongWritable(third), new Text("366940480,2022-01-03T00:02:08,30.3")));
    List<Row> out = new ArrayList<>();
    IngestTransforms.parse(split, lines.iterator(), specs, new PipelineConfig.IngestSection()).forEachRemaining(out::add);

    assertEquals(List.of(Rows.KIND_SKIPPED, Rows.KIND_POSITION, Rows.KIND_REJECT),
        out.stream().map(r -> r.getString(0)).toList());
    out.forEach(r -> assertEquals(3, (Integer) r.getAs(Rows.PARSED_SCHEMA.fieldIndex("source_id"))));
    Row p = out.get(1);
    assertEquals(second, (Long) p.get(Rows.PARSED_SCHEMA.fieldIndex("source_record")));
    assertEquals(366940480L, (Long) p.get(Rows.PARSED_SCHEMA.fieldIndex("mmsi")));
    assertEquals(Instant.parse("2022-01-03T00:00:08Z"), p.get(Rows.PARSED_SCHEMA.fieldIndex("ts")));
    Row rej = out.get(2);
    assertEquals(third, (Long) rej.get(Rows.PARSED_SCHEMA.fieldIndex("source_record")));
    assertEquals("TRUNCATED_RECORD", rej.get(Rows.PARSED_SCHEMA.fieldIndex("reason")));

    Iterator<Tuple2<LongWritable, Text>> none = List.<Tuple2<LongWritable, Text>>of().iterator();
    FileSplit unplanned = new FileSplit(new Path("file:/in/x/b.csv"), 0, 10, new String[0]);
    assertThrows(IllegalStateException.class, () -> IngestTransforms.parse(unplanned, none, specs, new PipelineConfig.IngestSection()));
  }

  @Test
  void parseDecodesEachLineWithTheFilesCharsetAndTheColumnMapping() {
    String src = "file:/in/x/dk.csv";
    String header = "ship_id,ts_utc,LAT,LON,VesselName";
    String line = "219000001,2022-01-03T00:00:08,55.1,10.2,S\u00d8NDERBORG";
    FileSplit split = new FileSplit(new Path(src), 0, 1000, new String[0]);
    PipelineConfig.IngestSection settings = new PipelineConfig.IngestSection();
    settings.columns.put("mmsi", "ship_id");
    settings.columns.put("time", "ts_utc");
    java.nio.charset.Charset cp1252 = java.nio.charset.Charset.forName("windows-1252");
    int name = Rows.PARSED_SCHEMA.fieldIndex("vessel_name");

    // a UTF-8 file (auto): a UTF-8 line as UTF-8, a Latin-1 line as Windows-1252 plus a note row
    Map<String, FileSpec> utf8 = Map.of("/in/x/dk.csv",
        new FileSpec(0, src, InputFormat.MARINECADASTRE_CSV, header, "UTF-8", true));
    List<Row> out = new ArrayList<>();
    IngestTransforms.parse(split, List.of(
        new Tuple2<>(new LongWritable(0), new Text(header.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        new Tuple2<>(new LongWritable(40), new Text(line.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        new Tuple2<>(new LongWritable(90), new Text(line.replace(":08", ":09").getBytes(cp1252)))).iterator(),
        utf8, settings).forEachRemaining(out::add);
    assertEquals(List.of(Rows.KIND_SKIPPED, Rows.KIND_POSITION, Rows.KIND_NOTE, Rows.KIND_POSITION),
        out.stream().map(r -> r.getString(0)).toList());
    assertEquals("S\u00d8NDERBORG", out.get(1).getString(name));
    assertEquals("decoded_windows_1252", out.get(2).getString(Rows.PARSED_SCHEMA.fieldIndex("reason")));
    assertEquals("S\u00d8NDERBORG", out.get(3).getString(name));

    // a Windows-1252 file: every line with that charset, no note
    Map<String, FileSpec> latin = Map.of("/in/x/dk.csv",
        new FileSpec(0, src, InputFormat.MARINECADASTRE_CSV, header, "windows-1252", true));
    List<Row> out2 = new ArrayList<>();
    IngestTransforms.parse(split, List.of(
        new Tuple2<>(new LongWritable(0), new Text(header.getBytes(cp1252))),
        new Tuple2<>(new LongWritable(40), new Text(line.getBytes(cp1252)))).iterator(),
        latin, settings).forEachRemaining(out2::add);
    assertEquals(List.of(Rows.KIND_SKIPPED, Rows.KIND_POSITION), out2.stream().map(r -> r.getString(0)).toList());
    assertEquals("S\u00d8NDERBORG", out2.get(1).getString(name));
  }
}
