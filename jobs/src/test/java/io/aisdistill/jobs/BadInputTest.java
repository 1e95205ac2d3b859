package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.ingest.IngestStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input never crashes the ingest or loses the rest of a file: clear rejects instead. */
class BadInputTest {
  static final String HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
      + "Length,Width,Draft,Cargo,TransceiverClass";
  static final String GOOD = "366940480,2022-01-03T00:00:08,30.37060,-88.56170,0.0,360.0,511,EBONY,IMO8207721,"
      + "WDB4553,31,0,21,9,3.2,31,A";

  @TempDir Path tmp;

  @Test
  void badFilesAndLinesBecomeRejectsWithReasonCodes() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.write(in.resolve("empty.csv"), new byte[0]);
    Files.writeString(in.resolve("truncated.csv"), HEADER + "\n" + GOOD + "\n"
        + GOOD.replace("00:00:08", "00:01:08") + "\n" + "366940480,2022-01-03T00:02:08,30.3");
    Files.writeString(in.resolve("notes.md"), "# Notes\n\nNot AIS data.\n");
    byte[] garbage = new byte[4096];
    new Random(7).nextBytes(garbage);
    garbage[10] = 0;
    Files.write(in.resolve("garbage.bin"), garbage);
    Files.writeString(in.resolve("unknown_header.csv"), "foo,bar,baz\n1,2,3\n");
    String typeOneA = "AIVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0";
    String typeOneB = "AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0";
    Files.writeString(in.resolve("mixed.nmea"), String.join("\n",
        tagged("s:station,c:1635731887", typeOneA),
        "this is not a sentence \u0001\u0002",
        "!" + typeOneB + "*00",
        tagged("s:station,c:1635731890", typeOneB),
        ""));
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh").toString());
    var rep = new IngestStage(List.of(in.toString()), null).run(new StageContext(spark, lh, SparkTestSession.config(), "bad-1"));

    Map<String, String> formats = new TreeMap<>();
    for (List<Object> r : rep.report().tables().get(0).rows()) {
      formats.put((String) r.get(0), (String) r.get(1));
    }
    assertEquals("rejected: EMPTY_FILE", formats.get("in/empty.csv"));
    assertEquals("rejected: UNSUPPORTED_FORMAT", formats.get("in/notes.md"));
    assertEquals("rejected: BINARY_CONTENT", formats.get("in/garbage.bin"));
    assertEquals("rejected: UNKNOWN_CSV_HEADER", formats.get("in/unknown_header.csv"));
    assertEquals("MARINECADASTRE_CSV", formats.get("in/truncated.csv"));
    assertEquals("NMEA", formats.get("in/mixed.nmea"));

    Map<String, String> reasons = new TreeMap<>();
    for (Row r : lh.read(Tables.REJECTS).collectAsList()) {
      String src = r.getString(0);
      reasons.merge(src.substring(src.lastIndexOf('/') + 1), r.getString(3), (a, b) -> a + "," + b);
    }
    assertEquals("TRUNCATED_RECORD", reasons.get("truncated.csv"));
    assertTrue(reasons.get("mixed.nmea").contains("BAD_CHECKSUM"), reasons.toString());
    assertTrue(reasons.get("mixed.nmea").contains("BINARY_CONTENT") || reasons.get("mixed.nmea").contains("UNPARSEABLE"),
        reasons.toString());
    // the rest of each file is not lost: good lines on both sides of the bad ones are accepted
    Map<String, Long> pos = PipelineAssertions.countBySource(lh.read(Tables.POSITIONS));
    assertEquals(2L, pos.get(in.resolve("truncated.csv").toUri().toString().replace("file:///", "file:/")));
    assertEquals(2L, pos.get(in.resolve("mixed.nmea").toUri().toString().replace("file:///", "file:/")));
    PipelineAssertions.assertAccounting(lh, rep.report(), List.of(in.resolve("truncated.csv"), in.resolve("mixed.nmea"),
        in.resolve("empty.csv"), in.resolve("notes.md"), in.resolve("garbage.bin"), in.resolve("unknown_header.csv")));
  }

  /** IEC 61162-1 checksum: XOR of the characters between the delimiters, two hex digits. */
  static String checksum(String body) {
    int x = 0;
    for (char c : body.toCharArray()) {
      x ^= c;
    }
    return String.format("%02X", x);
  }

  /** A sentence with a valid checksum behind a tag block with a valid checksum. */
  static String tagged(String tag, String sentence) {
    return "\\" + tag + "*" + checksum(tag) + "\\!" + sentence + "*" + checksum(sentence);
  }

  @Test
  void missingInputIsAClearError() {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh2").toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new IngestStage(List.of(tmp.resolve("nope").toString()), null).run(new StageContext(spark, lh, SparkTestSession.config(), "x")));
    assertTrue(e.getMessage().startsWith("input not found"), e.getMessage());
  }

  @Test
  void forcedFormatIsApplied() throws IOException {
    // a MarineCadastre file named .txt, forced: read as CSV; forced NMEA on it: lines rejected, none lost
    Path f = tmp.resolve("positions.txt");
    Files.writeString(f, HEADER + "\n" + GOOD + "\n", StandardCharsets.UTF_8);
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, tmp.resolve("lh3").toString());
    var rep = new IngestStage(List.of(f.toString()), "marinecadastre").run(new StageContext(spark, lh, SparkTestSession.config(), "forced"));
    assertEquals(1L, rep.positionsAccepted());
    Lakehouse lh2 = new Lakehouse(spark, tmp.resolve("lh4").toString());
    var rep2 = new IngestStage(List.of(f.toString()), "nmea").run(new StageContext(spark, lh2, SparkTestSession.config(), "forced"));
    assertEquals(0L, rep2.positionsAccepted());
    assertEquals(2L, rep2.rejected() + rep2.linesSkipped());
  }
}
