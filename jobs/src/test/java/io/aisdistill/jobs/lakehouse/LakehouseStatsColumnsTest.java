package io.aisdistill.jobs.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aisdistill.jobs.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables listed in {@link Tables#STATS_COLUMNS} are created with per-file statistics of those
 * columns only (Delta table property {@code delta.dataSkippingStatsColumns}), on a path and on a
 * catalog lakehouse; other tables keep Delta's default; the rows are the ones written; and the
 * session setting used for it is restored. The columns of {@link Tables#PLAIN_ENCODED_COLUMNS} are
 * written without Parquet dictionary, by the first write and by a MERGE, and only in their table.
 */
class LakehouseStatsColumnsTest {
  @TempDir Path tmp;

  /** Five ais_positions rows: mmsi, ts, lat, lon and date set, sog 10.5, the rest null. */
  static Dataset<Row> positions(SparkSession spark) {
    return positions(spark, 5);
  }

  /** {@code n} ais_positions rows as {@link #positions(SparkSession)}. */
  static Dataset<Row> positions(SparkSession spark, int n) {
    List<String> cols = new ArrayList<>();
    for (StructField f : Tables.POSITIONS_SCHEMA.fields()) {
      String e = switch (f.name()) {
        case "mmsi" -> "211000000 + id";
        case "ts" -> "TIMESTAMP'2024-06-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id)";
        case "lat" -> "55.0 + id / 100.0";
        case "lon" -> "12.0";
        case "sog" -> "10.5";
        case "date" -> "DATE'2024-06-01'";
        default -> "NULL";
      };
      cols.add("CAST(" + e + " AS " + f.dataType().sql() + ") AS `" + f.name() + "`");
    }
    return spark.range(n).selectExpr(cols.toArray(String[]::new));
  }

  /** The column names with statistics in the add actions of the table's first commit. */
  static TreeSet<String> statsColumns(Path table) throws Exception {
    ObjectMapper om = new ObjectMapper();
    TreeSet<String> cols = new TreeSet<>();
    try (Stream<String> lines = Files.lines(table.resolve("_delta_log/00000000000000000000.json"))) {
      for (String line : lines.toList()) {
        JsonNode add = om.readTree(line).get("add");
        if (add != null && add.hasNonNull("stats")) {
          om.readTree(add.get("stats").asText()).get("minValues").fieldNames().forEachRemaining(cols::add);
        }
      }
    }
    return cols;
  }

  @Test
  void positionsKeepStatisticsOfTheFilteredColumnsOnly() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh").toString());
    assertEquals(5, lh.insertNew(positions(spark), Tables.POSITIONS, Tables.POSITION_KEY, List.of("date")));
    Map<String, String> props = spark.sql("SHOW TBLPROPERTIES delta.`" + lh.path(Tables.POSITIONS) + "`")
        .collectAsList().stream().collect(java.util.stream.Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
    assertEquals("mmsi,ts", props.get("delta.dataSkippingStatsColumns"));
    assertEquals(new TreeSet<>(List.of("mmsi", "ts")), statsColumns(tmp.resolve("lh").resolve(Tables.POSITIONS)));
    assertEquals(positions(spark).collectAsList(), lh.read(Tables.POSITIONS).orderBy("mmsi")
        .select(Tables.POSITIONS_SCHEMA.fieldNames()[0], dropFirst(Tables.POSITIONS_SCHEMA.fieldNames())).collectAsList());
    assertEquals(2, lh.read(Tables.POSITIONS).where("mmsi = 211000002 OR ts < TIMESTAMP'2024-06-01 00:00:01'").count());
    assertFalse(spark.conf().getOption(Lakehouse.STATS_COLUMNS_DEFAULT).isDefined(), "session setting restored");

    // another table: Delta's default statistics, all its (here 10) columns
    lh.overwrite(positions(spark).select("mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "nav_status", "msg_type",
        "source"), Tables.REJECTS + "_like", List.of());
    assertEquals(new TreeSet<>(List.of("lat", "lon", "mmsi", "sog", "ts")),
        statsColumns(tmp.resolve("lh").resolve(Tables.REJECTS + "_like")), "all-null columns have no min, the rest all do");
  }

  @Test
  void catalogTablesGetTheSameProperty() {
    SparkSession spark = SparkTestSession.get();
    spark.sql("CREATE DATABASE IF NOT EXISTS ais_stats_test LOCATION '" + tmp.resolve("db").toUri() + "'");
    Lakehouse cat = new Lakehouse(spark, "catalog:spark_catalog.ais_stats_test");
    assertEquals(5, cat.insertNew(positions(spark), Tables.POSITIONS, Tables.POSITION_KEY, List.of("date")));
    assertTrue(spark.sql("SHOW TBLPROPERTIES " + cat.path(Tables.POSITIONS)).where(
        "key = 'delta.dataSkippingStatsColumns' AND value = 'mmsi,ts'").count() == 1);
    spark.sql("DROP DATABASE ais_stats_test CASCADE");
  }

  @Test
  void plainEncodedColumnsAreWrittenWithoutDictionaryInTheirTableOnly() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh").toString());
    Dataset<Row> first = positions(spark, 1000).coalesce(1);
    // lon (12.0) and sog (10.5) are the same in every row: columns Parquet writes with a dictionary
    // unless told not to
    assertEquals(1000, lh.insertNew(first, Tables.POSITIONS, Tables.POSITION_KEY, List.of("date")));
    int created = encodings(tmp.resolve("lh").resolve(Tables.POSITIONS)).size();
    Dataset<Row> more = first.withColumn("mmsi", first.col("mmsi").plus(10000));
    assertEquals(1000, lh.insertNew(more, Tables.POSITIONS, Tables.POSITION_KEY, List.of("date")), "a MERGE");
    List<Map<String, java.util.Set<String>>> files = encodings(tmp.resolve("lh").resolve(Tables.POSITIONS));
    assertTrue(created > 0 && files.size() > created, "files of the first write and of the MERGE");
    for (Map<String, java.util.Set<String>> f : files) {
      for (String c : Tables.PLAIN_ENCODED_COLUMNS.get(Tables.POSITIONS)) {
        assertFalse(f.get(c).stream().anyMatch(e -> e.contains("DICTIONARY")), c + ": " + f.get(c));
      }
      assertTrue(f.get("sog").stream().anyMatch(e -> e.contains("DICTIONARY")), "sog: " + f.get("sog"));
    }
    assertEquals(2000, lh.read(Tables.POSITIONS).where("lon = 12.0").count());
    assertFalse(spark.conf().contains(Lakehouse.DICTIONARY_PREFIX + "lon"), "session setting restored");

    // another table: Parquet's default, a dictionary for the repeated lon
    lh.overwrite(first.select("mmsi", "lat", "lon"), Tables.REJECTS + "_like", List.of());
    List<Map<String, java.util.Set<String>>> other = encodings(tmp.resolve("lh").resolve(Tables.REJECTS + "_like"));
    assertTrue(other.stream().allMatch(f -> f.get("lon").stream().anyMatch(e -> e.contains("DICTIONARY"))),
        other.toString());
  }

  /** Per Parquet file of the table: column path to the encodings of its first row group. */
  static List<Map<String, java.util.Set<String>>> encodings(Path table) throws Exception {
    List<Map<String, java.util.Set<String>>> out = new ArrayList<>();
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(table)) {
      files = walk.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
    for (Path f : files) {
      try (var r = org.apache.parquet.hadoop.ParquetFileReader.open(org.apache.parquet.hadoop.util.HadoopInputFile
          .fromPath(new org.apache.hadoop.fs.Path(f.toUri()), conf))) {
        Map<String, java.util.Set<String>> cols = new java.util.TreeMap<>();
        for (var c : r.getFooter().getBlocks().get(0).getColumns()) {
          cols.put(c.getPath().toDotString(), new TreeSet<>(c.getEncodings().stream().map(Enum::name).toList()));
        }
        out.add(cols);
      }
    }
    return out;
  }

  private static String[] dropFirst(String[] a) {
    return java.util.Arrays.copyOfRange(a, 1, a.length);
  }
}
