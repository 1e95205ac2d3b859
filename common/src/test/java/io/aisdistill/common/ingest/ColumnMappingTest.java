package io.aisdistill.common.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code ingest.columns} header mapping in {@link CsvHeader}, {@link FormatDetector} and {@link CsvPositionParser}. */
class ColumnMappingTest {
  static final String HEADER = "ship_id,ts_utc,latitude,longitude,sog,vessel_label";
  static final String ROW = "219000123,2024-06-01T12:00:00,55.487,9.472,8.3,MAAGEN";

  private static ColumnMapping mapping(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return ColumnMapping.of(m);
  }

  private static Detection detect(String text, ColumnMapping m) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return FormatDetector.detect("x.csv", b, b.length, StandardCharsets.UTF_8, m);
  }

  @Test
  void unknownHeaderNamesTheColumnsItCouldNotMap() {
    CsvHeader h = CsvHeader.parse(HEADER);
    assertEquals(List.of(CsvColumn.MMSI, CsvColumn.TIME), h.missing());
    assertEquals(List.of("ship_id", "ts_utc", "vessel_label"), h.unmapped());
    Detection d = detect(HEADER + "\n" + ROW + "\n", ColumnMapping.NONE);
    assertEquals(RejectReason.UNKNOWN_CSV_HEADER, d.reason());
    assertTrue(d.detail().startsWith("CSV header lacks mmsi, time (needs mmsi, time, lat, lon); "
        + "could not map: ship_id, ts_utc, vessel_label; map them with --columns mmsi=<name>,time=<name> "
        + "(or --set ingest.columns.mmsi=<name>): ship_id,"), d.detail());
  }

  @Test
  void theMappingFixesDetectionAndParsing() {
    ColumnMapping m = mapping("MMSI", "ship_id", "time", "TS UTC", "Name", "vessel_label");
    CsvHeader h = CsvHeader.parse(HEADER, m);
    assertEquals(List.of(), h.missing());
    assertEquals(0, h.indexOf(CsvColumn.MMSI));
    assertEquals(1, h.indexOf(CsvColumn.TIME), "header names compare as the built-in ones: case, spaces, _ ignored");
    assertEquals(5, h.indexOf(CsvColumn.NAME));
    assertEquals(2, h.indexOf(CsvColumn.LAT), "built-in names fill the columns the mapping leaves");
    assertEquals(List.of(), h.unmapped());
    Detection d = detect(HEADER + "\n" + ROW + "\n", m);
    assertEquals(InputFormat.MARINECADASTRE_CSV, d.format(), d.detail());

    CollectingSink sink = new CollectingSink();
    CsvPositionParser p = new CsvPositionParser("x.csv", HEADER, InputFormat.MARINECADASTRE_CSV, m);
    p.line(0, HEADER, sink);
    p.line(HEADER.length() + 1, ROW, sink);
    p.finish(sink);
    assertEquals(1, sink.positions.size(), () -> "rejects: " + sink.rejects);
    PositionReport r = sink.positions.get(0);
    assertEquals(219000123L, r.mmsi());
    assertEquals(Instant.parse("2024-06-01T12:00:00Z").toEpochMilli(), r.tsMillis());
    assertEquals(8.3, r.sog().doubleValue());
    assertEquals("MAAGEN", r.vesselName());
    assertEquals(1, sink.skipped.get("header"));
    assertThrows(IllegalArgumentException.class,
        () -> new CsvPositionParser("x.csv", HEADER, InputFormat.MARINECADASTRE_CSV),
        "without the mapping the parser refuses the header, as detection does");
  }

  @Test
  void aMappedNameTakesPrecedenceAndAnAbsentOneFallsBackToBuiltIns() {
    // the file has both MMSI and ship_id: the mapping decides
    CsvHeader both = CsvHeader.parse("MMSI,ship_id,BaseDateTime,LAT,LON", mapping("mmsi", "ship_id"));
    assertEquals(1, both.indexOf(CsvColumn.MMSI));
    assertEquals(List.of(), both.unmapped(), "MMSI is a known name even though the mapping won");
    // a standard file in the same run: no ship_id column, MMSI by its built-in name
    CsvHeader standard = CsvHeader.parse("MMSI,BaseDateTime,LAT,LON", mapping("mmsi", "ship_id"));
    assertEquals(0, standard.indexOf(CsvColumn.MMSI));
    // a mapped name is not also read as a built-in name of another column
    CsvHeader taken = CsvHeader.parse("MMSI,time,stamp,LAT,LON", mapping("imo", "time", "time", "stamp"));
    assertEquals(1, taken.indexOf(CsvColumn.IMO));
    assertEquals(2, taken.indexOf(CsvColumn.TIME));
  }

  @Test
  void configurationErrorsAreClear() {
    assertSame(ColumnMapping.NONE, ColumnMapping.of(null));
    assertSame(ColumnMapping.NONE, ColumnMapping.of(Map.of()));
    assertNull(ColumnMapping.NONE.columnFor("MMSI"));
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> mapping("shipid", "x"));
    assertEquals("ingest.columns: unknown column 'shipid'; the columns are mmsi, time, lat, lon, sog, cog, heading, "
        + "status, name, imo, callsign, ship_type, length, width, draft, class", unknown.getMessage());
    assertEquals(CsvColumn.SHIP_TYPE, mapping("Ship-Type", "kind").columnFor("KIND"));
    IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> mapping("mmsi", " "));
    assertTrue(blank.getMessage().contains("header name is empty"), blank.getMessage());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> mapping("lat", "pos", "lon", "POS"));
    assertTrue(twice.getMessage().contains("maps both lat and lon"), twice.getMessage());
    IllegalArgumentException sameColumn = assertThrows(IllegalArgumentException.class,
        () -> mapping("mmsi", "a", "MMSI", "b"));
    assertTrue(sameColumn.getMessage().contains("names the column mmsi twice"), sameColumn.getMessage());
    assertEquals("{mmsi=shipid,time=tsutc}", mapping("time", "ts_utc", "mmsi", "ship_id").toString());
  }
}
