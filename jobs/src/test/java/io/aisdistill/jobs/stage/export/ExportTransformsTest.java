package io.aisdistill.jobs.stage.export;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.text.TokenCounter;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The export stage's transforms on small in-memory Datasets (no Delta, no files). */
class ExportTransformsTest {
  static SparkSession spark;

  @BeforeAll
  static void session() {
    spark = SparkTestSession.get();
  }

  static Dataset<Row> df(StructType schema, Row... rows) {
    return spark.createDataFrame(Arrays.asList(rows), schema);
  }

  static StructType schema(String... namesAndTypes) {
    StructType s = new StructType();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      s = s.add(namesAndTypes[i], switch (namesAndTypes[i + 1]) {
        case "long" -> DataTypes.LongType;
        case "int" -> DataTypes.IntegerType;
        case "double" -> DataTypes.DoubleType;
        default -> DataTypes.StringType;
      });
    }
    return s;
  }

  static Dataset<Row> examples(Row... rows) {
    return df(ExportTransforms.EXAMPLE_SCHEMA, rows);
  }

  static Row example(String qaId, long mmsi, String category, int nTokens) {
    return RowFactory.create(qaId, "w-" + mmsi, mmsi, category, "user " + qaId, "assistant " + qaId, nTokens);
  }

  @Test
  void acceptedKeepsAcceptedPairsThatHaveAReasoningRowAndAWindow() {
    Dataset<Row> judged = df(schema("qa_id", "string", "window_id", "string", "mmsi", "long", "category", "string",
            "question", "string", "answer", "string", "verdict", "string", "judge", "string"),
        RowFactory.create("q1", "w1", 1L, "route", "Q1", "A1", "accepted", "j"),
        RowFactory.create("q2", "w1", 1L, "route", "Q2", "A2", "rejected", "j"),
        RowFactory.create("q3", "w1", 1L, "route", "Q3", "A3", "accepted", "j"),   // no qa_candidates row
        RowFactory.create("q4", "w9", 1L, "route", "Q4", "A4", "accepted", "j"));  // no window
    Dataset<Row> candidates = df(schema("qa_id", "string", "reasoning", "string", "teacher", "string"),
        RowFactory.create("q1", "because", "t"), RowFactory.create("q2", "r2", "t"), RowFactory.create("q4", "r4", "t"));
    Dataset<Row> windows = df(schema("window_id", "string", "mmsi", "long", "sog_max_kn", "double"),
        RowFactory.create("w1", 999L, 7.5));

    List<Row> rows = ExportTransforms.accepted(judged, candidates, windows).collectAsList();

    assertEquals(1, rows.size(), rows.toString());
    Row r = rows.get(0);
    assertEquals(List.of("window_id", "qa_id", "mmsi", "category", "question", "answer", "reasoning", "sog_max_kn"),
        List.of(r.schema().fieldNames()));
    assertEquals("q1", r.getAs("qa_id"));
    assertEquals(1L, r.<Long>getAs("mmsi"), "mmsi of qa_judged, not of the window");
    assertEquals("because", r.getAs("reasoning"));
    assertEquals(7.5, r.<Double>getAs("sog_max_kn"));
  }

  /** Needs the student tokenizer of ../shared (tag shared-data: fails, never skips, without it). */
  @Test
  @Tag("shared-data")
  void examplesAreChatsCountedExactlyWithTheStudentTokenizer() throws Exception {
    Path tokDir = Path.of(System.getProperty("ais.shared.dir", "../shared")).toAbsolutePath().normalize()
        .resolve("models/qwen2.5-tokenizer");
    byte[] tok = Files.readAllBytes(tokDir.resolve("tokenizer.json"));
    long t0 = Instant.parse("2024-06-01T10:00:00Z").toEpochMilli();
    VesselInfo v = new VesselInfo(366000003L, "NORDIC STAR", "9000003", "WCALL", 70, 183.0, 28.0, 9.5, "A", "USA");
    List<TrackPoint> track = List.of(new TrackPoint(t0, 47.5, -122.25, 8.5, 90.5, 91, 0),
        new TrackPoint(t0 + 60_000, 47.51, -122.23, 9.5, 95.5, 96, 0),
        new TrackPoint(t0 + 120_000, 47.52, -122.21, 9.0, 96.0, 97, 0));
    TrackWindow w = new TrackWindow("w-1", 366000003L, "366000003-1", 0, t0, t0 + 120_000, 3, 0.9, 0.9, 60.0, 9.0,
        9.5, 8.5, 9.1, 9.6, 6.0, 0, 0L, 0.0, 60L, 60L, List.of(0), 0, 47.5, 47.52, -122.25, -122.21, 47.5, -122.25,
        47.52, -122.21, 0, 0, 0, 5.5, 0, v, track, "2024-06-01");
    Dataset<Row> window = df(Tables.WINDOWS_SCHEMA, Rows.window(w));
    Dataset<Row> joined = window.withColumn("qa_id", lit("q1")).withColumn("category", lit("kinematics"))
        .withColumn("question", lit("What was the highest speed?")).withColumn("answer", lit("9.5 knots"))
        .withColumn("reasoning", lit("  The SOG column peaks at 9.5.  "))
        .unionByName(window.withColumn("qa_id", lit("q2")).withColumn("category", lit("identity"))
            .withColumn("question", lit("What is the vessel's name?")).withColumn("answer", lit("NORDIC STAR"))
            .withColumn("reasoning", lit(" ")));
    String system = "You answer questions about vessel tracks.";
    Broadcast<byte[]> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(tok);
    try (TokenCounter tc = TokenCounter.load(tokDir)) {
      ExportStage.ChatLength whole = new ExportStage.ChatLength(tc, system);
      for (boolean reasoning : new boolean[] {true, false}) {
        Map<String, Row> byId = new HashMap<>();
        ExportTransforms.examples(joined, b, system, reasoning).collectAsList()
            .forEach(r -> byId.put(r.getAs("qa_id"), r));
        assertEquals(Set.of("q1", "q2"), byId.keySet());
        Row q1 = byId.get("q1");
        assertEquals(List.of(ExportTransforms.EXAMPLE_SCHEMA.fieldNames()), List.of(q1.schema().fieldNames()));
        assertEquals(WindowPrompt.studentPrompt(w, "What was the highest speed?"), q1.getAs("user"));
        assertEquals(reasoning ? "Reasoning: The SOG column peaks at 9.5.\n\nAnswer: 9.5 knots" : "9.5 knots",
            q1.getAs("assistant"));
        assertEquals("NORDIC STAR", byId.get("q2").getAs("assistant"), "a blank reasoning is left out");
        for (Row r : byId.values()) {
          assertEquals(366000003L, r.<Long>getAs("mmsi"));
          assertEquals(whole.countWhole(r.getAs("user"), r.getAs("assistant")), r.<Integer>getAs("n_tokens"),
              "n_tokens of " + r.getAs("qa_id"));
        }
      }
    } finally {
      b.destroy();
    }
  }

  @Test
  void examplesOverTheLimitAreCountedPerCategoryAndLeftOut() {
    Dataset<Row> ex = examples(example("a", 1, "route", 10), example("b", 1, "route", 20),
        example("c", 2, "route", 21), example("d", 2, "anomaly", 300), example("e", 3, "temporal", 5));

    Map<String, Long> tooLong = ExportTransforms.tooLongByCategory(ex, 20);
    Dataset<Row> kept = ExportTransforms.withinLength(ex, 20);

    assertEquals(List.of("anomaly", "route"), new ArrayList<>(tooLong.keySet()), "sorted by category");
    assertEquals(Map.of("anomaly", 1L, "route", 1L), tooLong);
    assertEquals(Set.of("a", "b", "e"), Set.copyOf(kept.select("qa_id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList()), "exactly max_length tokens is kept");
    assertEquals(Map.of(1L, Set.of("route"), 3L, Set.of("temporal")), ExportTransforms.vesselCategories(kept));
  }

  @Test
  void exportedRowsTakeTheirVesselsSplitAndTheChatMessages() {
    Dataset<Row> kept = examples(example("a", 1, "route", 10), example("b", 1, "anomaly", 11),
        example("c", 2, "route", 12), example("d", 3, "route", 13));
    Map<Long, String> split = new LinkedHashMap<>(Map.of(1L, "train", 2L, "test")); // vessel 3 has no split

    List<Row> plain = ExportTransforms.exported(kept, split, "").orderBy("qa_id").collectAsList();
    assertEquals(ExportStage.COLUMNS, List.of(plain.get(0).schema().fieldNames()));
    assertEquals(List.of("a", "b", "c"), plain.stream().map(r -> r.<String>getAs("qa_id")).toList(),
        "a vessel without a split is left out");
    assertEquals(List.of("train", "train", "test"), plain.stream().map(r -> r.<String>getAs("split")).toList());
    List<Row> ms = plain.get(0).getList(plain.get(0).fieldIndex("messages"));
    assertEquals(List.of("user", "assistant"), ms.stream().map(m -> m.getString(0)).toList());
    assertEquals(List.of("user a", "assistant a"), ms.stream().map(m -> m.getString(1)).toList());
    assertEquals(10, plain.get(0).<Integer>getAs("n_tokens"));

    Dataset<Row> withSystem = ExportTransforms.exported(kept, split, "Be brief.");
    Row c = withSystem.filter("qa_id = 'c'").first();
    List<Row> cm = c.getList(c.fieldIndex("messages"));
    assertEquals(List.of("system", "user", "assistant"), cm.stream().map(m -> m.getString(0)).toList());
    assertEquals("Be brief.", cm.get(0).getString(1));

    Map<String, Map<String, Long>> byCat = ExportTransforms.countsBySplitAndCategory(withSystem);
    assertEquals(ExportStage.SPLITS, new ArrayList<>(byCat.keySet()), "every split, in manifest order");
    assertEquals(Map.of("anomaly", 1L, "route", 1L), byCat.get("train"));
    assertEquals(Map.of(), byCat.get("validation"));
    assertEquals(Map.of("route", 1L), byCat.get("test"));
  }

  @Test
  void cardExamplesFlagTrivialWindowsCopiedAnswersAndStrata() {
    Dataset<Row> kept = df(ExportTransforms.EXAMPLE_SCHEMA,
        RowFactory.create("q1", "w1", 1L, "kinematics", "time | sog\n10:02:11 | 12.3\nQuestion: speed?", "12.3 kn", 40),
        RowFactory.create("q2", "w2", 2L, "route", "time | sog\n10:02:11 | 12.34\nQuestion: speed?", "12.3 kn", 41),
        RowFactory.create("q3", "w3", 2L, "route", "no table\nQuestion: port?", "Seattle", 42));
    Dataset<Row> exported = ExportTransforms.exported(kept, Map.of(1L, "train", 2L, "test"), "sys");
    Dataset<Row> candidates = df(schema("qa_id", "string", "teacher", "string", "template_id", "string",
            "fact_key", "string", "claim", "string", "reasoning", "string"),
        RowFactory.create("q1", "rules", "kin.sog", "sog_max_kn", "12.3", "r"),
        RowFactory.create("q2", "rules", "kin.sog", "sog_max_kn", "12.3", "r"),
        RowFactory.create("q3", "llm:x", "llm:x", null, null, "r"));
    Dataset<Row> windows = df(schema("window_id", "string", "sog_max_kn", "double", "distance_nm", "double"),
        RowFactory.create("w1", 0.1, 0.05), RowFactory.create("w2", 5.0, 0.05)); // w3 missing
    Dataset<Row> selection = df(schema("window_id", "string", "stratum", "string"),
        RowFactory.create("w1", "b"), RowFactory.create("w1", "a"), RowFactory.create("w2", "c"));

    Map<String, DatasetCard.Example> ex = new HashMap<>();
    for (DatasetCard.Example e : ExportTransforms.cardExamples(exported, candidates, windows, selection)) {
      ex.put(e.windowId(), e);
    }
    assertEquals(Set.of("w1", "w2", "w3"), ex.keySet());
    assertTrue(ex.get("w1").copy(), "12.3 is a cell of the prompt");
    assertFalse(ex.get("w2").copy(), "12.3 is not a copy of 12.34");
    assertFalse(ex.get("w3").copy(), "no claim, no copy");
    assertTrue(ex.get("w1").trivial());
    assertFalse(ex.get("w2").trivial(), "moving");
    assertTrue(ex.get("w3").trivial(), "a window missing from track_windows counts as not moving");
    assertEquals("a", ex.get("w1").stratum(), "the smallest stratum of the window");
    assertEquals("c", ex.get("w2").stratum());
    assertNull(ex.get("w3").stratum());
    assertEquals("train", ex.get("w1").split());
    assertEquals("kin.sog", ex.get("w1").templateId());
    assertEquals("llm:x", ex.get("w3").teacher());
    assertEquals(42, ex.get("w3").nTokens());
    assertTrue(ExportTransforms.cardExamples(exported, candidates, windows, null).stream()
        .allMatch(e -> e.stratum() == null), "no window_selection: no strata");

    Dataset<Row> positions = df(schema("mmsi", "long", "source", "string"),
        RowFactory.create(1L, "/d/noaa_marinecadastre/AIS_2024_06_01.csv"),
        RowFactory.create(1L, "/d/noaa_marinecadastre/AIS_2024_06_01.csv"),
        RowFactory.create(2L, "/d/noaa_marinecadastre/AIS_2024_06_01.csv"),
        RowFactory.create(2L, "/d/dma_denmark/aisdk-2024-06-01.csv"),
        RowFactory.create(9L, "/d/uscg_nais/other.ais")); // not exported
    Map<String, DatasetCard.SourceFile> src = new HashMap<>();
    ExportTransforms.sourceFiles(exported, positions).forEach(s -> src.put(s.file(), s));
    assertEquals(Set.of("noaa_marinecadastre/AIS_2024_06_01.csv", "dma_denmark/aisdk-2024-06-01.csv"), src.keySet());
    assertEquals(2, src.get("noaa_marinecadastre/AIS_2024_06_01.csv").vessels());
    assertEquals(DatasetCard.Source.NOAA, src.get("noaa_marinecadastre/AIS_2024_06_01.csv").source());
    assertEquals(1, src.get("dma_denmark/aisdk-2024-06-01.csv").vessels());
  }
}
