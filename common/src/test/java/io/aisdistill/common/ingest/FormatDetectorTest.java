package io.aisdistill.common.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.SharedData;
import io.aisdistill.common.ais.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class FormatDetectorTest {

  private static Detection detect(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return FormatDetector.detect("x", b, b.length);
  }

  @Test
  void parsesFormatFlag() {
    assertEquals(InputFormat.MARINECADASTRE_CSV, InputFormat.parse("MarineCadastre"));
    assertEquals(InputFormat.MARINECADASTRE_CSV, InputFormat.parse("marinecadastre_csv"));
    assertEquals(InputFormat.DMA_CSV, InputFormat.parse(" DMA "));
    assertEquals(InputFormat.NMEA, InputFormat.parse("nmea"));
    assertThrows(IllegalArgumentException.class, () -> InputFormat.parse("gpx"));
    assertThrows(IllegalArgumentException.class, () -> InputFormat.parse(null));
  }

  @Test
  void inlineRules() {
    assertEquals(RejectReason.EMPTY_FILE, FormatDetector.detect("e.csv", new byte[0], 0).reason());
    assertEquals(RejectReason.EMPTY_FILE, detect("\n\r\n  \n").reason());
    Detection gpkg = detect("SQLite format 3\0\u0010\u0000rest");
    assertEquals(RejectReason.UNSUPPORTED_FORMAT, gpkg.reason());
    assertEquals("GeoPackage/SQLite database", gpkg.detail());
    assertEquals(RejectReason.BINARY_CONTENT, detect("MMSI,BaseDateTime\0,LAT,LON\n").reason());
    assertEquals(RejectReason.BINARY_CONTENT, detect("\u0001\u0002\u0003\n\u0004x\n").reason());
    assertEquals(RejectReason.BINARY_CONTENT, detect("ok line\n\u0001bad\n").reason(), "half the lines");
    assertEquals(InputFormat.MARINECADASTRE_CSV, detect("MMSI,BaseDateTime,LAT,LON\n1,2,3,4\n1,\0\0,3,4\n"
        + "1,2,3,4\n").format(), "a NUL byte in one data line is a line-level reject, not a binary file");
    byte[] gzip = new byte[4096];
    new java.util.Random(3).nextBytes(gzip);
    gzip[0] = 0x1f;
    gzip[1] = (byte) 0x8b;
    assertEquals(RejectReason.BINARY_CONTENT, FormatDetector.detect("x.csv", gzip, gzip.length).reason(),
        "compressed bytes read undecompressed are binary");
    assertEquals(InputFormat.NMEA, detect("!AIVDM,1,1,,B,15NBj>PP1gG>1PVKTDTUJOv00<0M,0*09\n"
        + "not a sentence \u0001\u0002\n!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23\n").format(),
        "one stray control line in a text file is a line-level reject, not a binary file");
    assertEquals(RejectReason.UNSUPPORTED_FORMAT, detect("*T*,uuid,terrestrial,2,0,*P*\n").reason());
    assertEquals(InputFormat.MARINECADASTRE_CSV, detect("LON,LAT,BaseDateTime,MMSI\n1,2,3,4\n").format());
    assertEquals(InputFormat.MARINECADASTRE_CSV,
        detect("\uFEFFMMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,ROT,Status,VoyageID,BroadcastID\r\n").format());
    assertEquals(InputFormat.DMA_CSV,
        detect("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG\n").format());
    Detection unk = detect("MMSI,SOG,COG,Heading\n1,2,3,4\n");
    assertEquals(RejectReason.UNKNOWN_CSV_HEADER, unk.reason());
    assertTrue(unk.detail().contains("lacks time, lat, lon"), unk.detail());
    assertTrue(unk.detail().contains("--columns time=<name>,lat=<name>,lon=<name>"),
        unk.detail());
    assertNull(unk.format());
    assertEquals(RejectReason.UNSUPPORTED_FORMAT, detect("# Title, with a comma\n\nSome prose.\n").reason());
    assertEquals(InputFormat.NMEA, detect("!AIVDM,1,1,,B,15NBj>PP1gG>1PVKTDTUJOv00<0M,0*09\n").format());
    assertEquals(InputFormat.NMEA, detect("\\s:42809,c:1635731889*6A\\!AIVDM,1,1,,,403t>B1vFhQr5`NonbBw?>G00<0n,0*7B\n").format());
    assertEquals(InputFormat.NMEA, detect("# comment\n$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17\n"
        + "$GPRMC,213950,A,5250.4,N,00542.0,E,0,0,070420,,*00\n!BSVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23\n").format());
    assertEquals(RejectReason.UNSUPPORTED_FORMAT, detect("hello\nworld\nfoo\n!AIVDM,1,1,,A,1,0*00\n").reason(),
        "garbage dominating a single sentence is not NMEA");
  }

  static byte[] head(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      return in.readNBytes(FormatDetector.HEAD_BYTES);
    }
  }

  @Test
  @Tag("shared-data")
  void everySharedFile() throws IOException {
    Map<String, String> expected = new TreeMap<>();
    expected.put("SOURCES.md", "UNSUPPORTED_FORMAT");
    expected.put("dma_denmark/aislib_stream_example.nmea", "NMEA");
    expected.put("dma_denmark/trajectools_ais_dk_cpa.gpkg", "UNSUPPORTED_FORMAT");
    expected.put("dma_denmark/trajectools_ais_dk_cpa_2017-07-05.csv", "DMA_CSV");
    expected.put("nmea_raw/aisdb_test_data_20211101.nm4", "NMEA");
    expected.put("nmea_raw/ggencoder_AisHubSample.nmea", "NMEA");
    expected.put("nmea_raw/gpsd_ais-nmea-type6-fid55.log", "NMEA");
    expected.put("nmea_raw/gpsd_ais-nmea.log", "NMEA");
    expected.put("nmea_raw/gpsd_sample.aivdm", "NMEA");
    expected.put("nmea_raw/pyais_nmea_data_sample.txt", "NMEA");
    expected.put("nmea_raw/pyais_timestamped.ais", "NMEA");
    expected.put("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv", "MARINECADASTRE_CSV");
    expected.put("noaa_marinecadastre/aisdb_test_data_noaa_20230101.csv", "MARINECADASTRE_CSV");
    expected.put("noaa_marinecadastre/metabase_small-sample.csv", "MARINECADASTRE_CSV");
    expected.put("noaa_marinecadastre/trajectools_ais.gpkg", "UNSUPPORTED_FORMAT");
    expected.put("noaa_marinecadastre/trajectools_ais_boston_2014-01-01_to_07.csv", "MARINECADASTRE_CSV");
    expected.put("noaa_tracktable_traj/NYHarbor_2020_12_08.points.csv", "MARINECADASTRE_CSV");
    expected.put("noaa_tracktable_traj/NYHarbor_2020_12_08.traj", "UNSUPPORTED_FORMAT");
    expected.put("noaa_tracktable_traj/VirginiaBeach_2020_06_04_to_06_filtered.points.csv", "MARINECADASTRE_CSV");
    expected.put("noaa_tracktable_traj/VirginiaBeach_2020_06_04_to_06_filtered.traj", "UNSUPPORTED_FORMAT");
    expected.put("uscg_nais/aisdb_test_data_201201.nmea", "NMEA");
    expected.put("uscg_nais/noaadata_test.ais", "NMEA");
    Path root = SharedData.ais(".");
    Map<String, String> actual = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        byte[] h = head(f);
        Detection d = FormatDetector.detect(f.toString(), h, h.length);
        actual.put(root.relativize(f).normalize().toString().replace('\\', '/'),
            d.readable() ? d.format().name() : d.reason().name());
        assertTrue(d.detail() != null && !d.detail().isBlank());
      }
    }
    assertEquals(expected, actual);
  }

  @Test
  void jsonLinesOfGpsdioOrAishubAreDetected() {
    assertEquals(InputFormat.JSON_LINES, detect(JsonLinesParserTest.GPSDIO + "\n" + JsonLinesParserTest.GPSDIO + "\n").format());
    assertEquals(InputFormat.JSON_LINES,
        detect(JsonLinesParserTest.AISHUB_HUMAN + "\n" + JsonLinesParserTest.AISHUB_RAW + "\n").format());
    // a broken first line does not lose the file; a cut last line does not count against it
    assertEquals(InputFormat.JSON_LINES, detect("{broken\n" + JsonLinesParserTest.GPSDIO + "\n"
        + JsonLinesParserTest.GPSDIO + "\n{\"ssvid\": \"3669").format());
    assertEquals(InputFormat.JSON_LINES, InputFormat.parse("jsonl"));
    assertEquals(InputFormat.JSON_LINES, InputFormat.parse("NDJSON"));
    assertTrue(!InputFormat.JSON_LINES.isCsv());
  }

  @Test
  void jsonWithoutAisKeysOrAJsonArrayIsUnsupported() {
    Detection d = detect("{\"id\": 1, \"name\": \"x\", \"value\": 3}\n{\"id\": 2, \"name\": \"y\", \"value\": 4}\n");
    assertEquals(RejectReason.UNSUPPORTED_FORMAT, d.reason(), d.detail());
    assertTrue(d.detail().contains("MMSI"), d.detail());
    d = detect("[{\"ERROR\":false,\"FORMAT\":\"HUMAN\"},[" + JsonLinesParserTest.AISHUB_HUMAN + "]]\n");
    assertEquals(RejectReason.UNSUPPORTED_FORMAT, d.reason(), d.detail());
    assertTrue(d.detail().contains("JSON array"), d.detail());
  }
}
