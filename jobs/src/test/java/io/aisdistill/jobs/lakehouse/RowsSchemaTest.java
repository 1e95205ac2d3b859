package io.aisdistill.jobs.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * {@link Rows} against the schemas of {@link Tables} (no Spark session): every row Rows builds has
 * exactly the schema's columns, each value of the schema's type, and each column, looked up by
 * name, holds the record component of the same name (snake_case = camelCase; {@code x_ts} =
 * {@code xTsMillis}); the readers give the records back. The records are filled with distinct
 * non-default values, so a column added to one side only, or two arguments swapped, fails here.
 */
class RowsSchemaTest {
  private static final long T0 = Instant.parse("2024-06-01T10:00:00Z").toEpochMilli();

  static PositionReport position() {
    return new PositionReport(366000001L, T0 + 1, 47.25, -122.5, 11.5, 212.5, 211, 3, 1, "A", "NAME", "9000001",
        "CALL", 70, 181.5, 28.5, 9.5, "file:/in/a.csv", 4242L, List.of("SOG_AT_LIMIT"));
  }

  static StaticReport staticReport() {
    return new StaticReport(366000002L, T0 + 2, 5, "SNAME", "9000002", "SCALL", 80, 210.5, 32.5, 11.25, "SEATTLE",
        "file:/in/b.nmea", 77L);
  }

  static TrackWindow window() {
    VesselInfo v = new VesselInfo(366000003L, "WNAME", "9000003", "WCALL", 52, 30.5, 9.25, 4.5, "B", "USA");
    List<TrackPoint> track = List.of(new TrackPoint(T0 + 10, 47.5, -122.25, 8.5, 90.5, 91, 0),
        new TrackPoint(T0 + 20, 47.75, -122.125, 9.5, 95.5, 96, 8));
    return new TrackWindow("w-1", 366000003L, "366000003-1", 7, T0 + 10, T0 + 20, 2, 1.25, 1.125, 33.5, 9.0, 9.5,
        8.5, 12.5, 13.5, 14.5, 15, 16L, 0.25, 17L, 18L, List.of(0, 8), 8, 47.5, 47.75, -122.25, -122.125, 47.51,
        -122.24, 47.74, -122.126, 19, 20, 21, 22.5, 23, v, track, "2024-06-01");
  }

  @Test
  void positionParsedRow() {
    PositionReport p = position();
    Row r = withSchema(Rows.parsed(p, 12), Rows.PARSED_SCHEMA);
    checkColumns(r, Rows.PARSED_SCHEMA, p, Map.of("kind", Rows.KIND_POSITION, "source_id", 12), Set.of("source"));
    PositionReport back = new Rows.PositionReader(Rows.PARSED_SCHEMA).read(r);
    assertEquals(copyWithSource(p, null, -1), back, "no source column in the parsed schema: source null, -1");
  }

  @Test
  void staticParsedRow() {
    StaticReport s = staticReport();
    Row r = withSchema(Rows.parsed(s, 13), Rows.PARSED_SCHEMA);
    checkColumns(r, Rows.PARSED_SCHEMA, s, Map.of("kind", Rows.KIND_STATIC, "source_id", 13), Set.of("source"));
    StaticReport noTs = new StaticReport(s.mmsi(), null, s.msgType(), s.vesselName(), s.imo(), s.callsign(),
        s.shipType(), s.lengthM(), s.widthM(), s.draftM(), s.destination(), s.source(), s.sourceRecord());
    assertNull(withSchema(Rows.parsed(noTs, 13), Rows.PARSED_SCHEMA).get(Rows.PARSED_SCHEMA.fieldIndex("ts")));
  }

  @Test
  void rejectAndSkippedParsedRows() {
    RejectRecord j = RejectRecord.of("file:/in/c.csv", 99L, "raw,line", RejectReason.UNPARSEABLE, "bad field 3");
    checkColumns(withSchema(Rows.parsed(j, 14), Rows.PARSED_SCHEMA), Rows.PARSED_SCHEMA, j,
        Map.of("kind", Rows.KIND_REJECT, "source_id", 14), Set.of("source"));
    Row k = withSchema(Rows.skipped(15, "header"), Rows.PARSED_SCHEMA);
    checkColumns(k, Rows.PARSED_SCHEMA, null,
        Map.of("kind", Rows.KIND_SKIPPED, "source_id", 15, "source_record", -1L, "reason", "header"), Set.of());
  }

  /**
   * The ingest stage writes {@code ais_positions}, {@code ais_static} and {@code ais_rejects} by
   * selecting their columns, by name, from parsed rows plus {@code source}, {@code run_id} (and
   * {@code date}): each of their columns must be a parsed column of the same type, or one of those.
   */
  @Test
  void tableColumnsComeFromParsedRows() {
    Map<String, DataType> added = Map.of("source", DataTypes.StringType, "run_id", DataTypes.StringType,
        "date", DataTypes.DateType);
    for (StructType t : List.of(Tables.POSITIONS_SCHEMA, Tables.STATIC_SCHEMA, Tables.REJECTS_SCHEMA)) {
      for (StructField f : t.fields()) {
        DataType type = added.containsKey(f.name()) ? added.get(f.name())
            : Rows.PARSED_SCHEMA.getFieldIndex(f.name()).isDefined()
                ? Rows.PARSED_SCHEMA.apply(f.name()).dataType() : null;
        assertEquals(f.dataType(), type, "column " + f.name() + " of " + t.simpleString());
      }
    }
  }

  /** An {@code ais_positions} row (as ingest selects it) read back by {@link Rows.PositionReader}. */
  @Test
  void positionsTableRowReadsBack() {
    PositionReport p = position();
    Row parsed = withSchema(Rows.parsed(p, 12), Rows.PARSED_SCHEMA);
    StructType schema = Tables.POSITIONS_SCHEMA;
    Object[] v = new Object[schema.length()];
    for (int i = 0; i < v.length; i++) {
      String c = schema.fields()[i].name();
      v[i] = switch (c) {
        case "source" -> p.source();
        case "run_id" -> "run-1";
        case "date" -> Rows.utcDate(p.tsMillis());
        default -> parsed.get(parsed.fieldIndex(c));
      };
    }
    Row r = new GenericRowWithSchema(v, schema);
    checkColumns(r, schema, p, Map.of("run_id", "run-1", "date", "2024-06-01"), Set.of());
    assertEquals(p, new Rows.PositionReader(schema).read(r));
  }

  @Test
  void windowRowRoundTrip() {
    TrackWindow w = window();
    Row r = withSchema(Rows.window(w), Tables.WINDOWS_SCHEMA);
    checkColumns(r, Tables.WINDOWS_SCHEMA, w, Map.of(), Set.of());
    assertEquals(w, Rows.window(r));
  }

  // ---------------------------------------------------------------- helpers

  /** {@code p} with another source. */
  private static PositionReport copyWithSource(PositionReport p, String source, long sourceRecord) {
    return new PositionReport(p.mmsi(), p.tsMillis(), p.lat(), p.lon(), p.sog(), p.cog(), p.heading(),
        p.navStatus(), p.msgType(), p.aisClass(), p.vesselName(), p.imo(), p.callsign(), p.shipType(),
        p.lengthM(), p.widthM(), p.draftM(), source, sourceRecord, p.qualityFlags());
  }

  /**
   * {@code r} (a schema-less RowFactory row) with {@code schema} attached, nested structs too, after
   * checking its width and every value's type against the schema.
   */
  static Row withSchema(Row r, StructType schema) {
    assertEquals(schema.length(), r.size(), "row width vs " + schema.simpleString());
    Object[] v = new Object[r.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = conform(r.get(i), schema.fields()[i]);
    }
    return new GenericRowWithSchema(v, schema);
  }

  private static Object conform(Object x, StructField f) {
    if (x == null) {
      assertTrue(f.nullable(), f.name() + " is not nullable");
      return null;
    }
    DataType t = f.dataType();
    if (t instanceof StructType st) {
      return withSchema(assertInstanceOf(Row.class, x, f.name()), st);
    }
    if (t instanceof ArrayType at) {
      List<Object> out = new ArrayList<>();
      StructField el = new StructField(f.name() + "[]", at.elementType(), at.containsNull(),
          org.apache.spark.sql.types.Metadata.empty());
      for (Object e : scala.jdk.javaapi.CollectionConverters.asJava(
          assertInstanceOf(scala.collection.Seq.class, x, f.name()))) {
        out.add(conform(e, el));
      }
      return scala.jdk.javaapi.CollectionConverters.asScala(out).toSeq();
    }
    Class<?> expected = t.equals(DataTypes.LongType) ? Long.class
        : t.equals(DataTypes.IntegerType) ? Integer.class
        : t.equals(DataTypes.DoubleType) ? Double.class
        : t.equals(DataTypes.StringType) ? String.class
        : t.equals(DataTypes.BooleanType) ? Boolean.class
        : t.equals(DataTypes.TimestampType) ? Instant.class
        : t.equals(DataTypes.DateType) ? LocalDate.class : null;
    assertNotNull(expected, "type " + t + " not covered by this test");
    return assertInstanceOf(expected, x, f.name() + " as " + t.simpleString());
  }

  /**
   * Each column of {@code r}, by name: {@code fixed} when named there, else the component of
   * {@code rec} of that name (nested records against nested rows), else null. Every component of
   * {@code rec} but those in {@code notStored} must have been used by a column.
   */
  static void checkColumns(Row r, StructType schema, Record rec, Map<String, Object> fixed, Set<String> notStored) {
    Set<String> used = new HashSet<>();
    for (StructField f : schema.fields()) {
      Object actual = r.get(schema.fieldIndex(f.name()));
      RecordComponent c = fixed.containsKey(f.name()) || rec == null ? null : component(rec, f.name());
      Object expected = fixed.containsKey(f.name()) ? fixed.get(f.name()) : c == null ? null : value(rec, c);
      if (c != null) {
        used.add(c.getName());
      }
      check(f.name(), f.dataType(), expected, actual);
    }
    if (rec != null) {
      Set<String> unused = new TreeSet<>();
      for (RecordComponent c : rec.getClass().getRecordComponents()) {
        if (!used.contains(c.getName()) && !notStored.contains(c.getName())) {
          unused.add(c.getName());
        }
      }
      assertEquals(Set.of(), unused, rec.getClass().getSimpleName() + " components without a column");
    }
  }

  private static void check(String name, DataType t, Object expected, Object actual) {
    if (expected instanceof Record nested && t instanceof StructType st) {
      // a nested record's identity (mmsi) is stored once, in the enclosing row
      checkColumns(assertInstanceOf(Row.class, actual, name), st, nested, Map.of(), Set.of("mmsi"));
    } else if (expected instanceof List<?> list && t instanceof ArrayType at) {
      List<?> got = scala.jdk.javaapi.CollectionConverters.asJava(
          assertInstanceOf(scala.collection.Seq.class, actual, name));
      assertEquals(list.size(), got.size(), name + " length");
      for (int i = 0; i < list.size(); i++) {
        check(name + "[" + i + "]", at.elementType(), list.get(i), got.get(i));
      }
    } else {
      assertEquals(expected, plain(actual), "column " + name);
    }
  }

  /** A column value as a record holds it: epoch millis for timestamps, ISO text for dates. */
  private static Object plain(Object x) {
    if (x instanceof Instant i) {
      return i.toEpochMilli();
    }
    if (x instanceof LocalDate d) {
      return d.toString();
    }
    return x;
  }

  /** The component stored in column {@code column}: camelCase of it, or that + "Millis". */
  private static RecordComponent component(Record rec, String column) {
    StringBuilder camel = new StringBuilder();
    boolean up = false;
    for (char ch : column.toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        camel.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    for (String name : List.of(camel.toString(), camel + "Millis")) {
      for (RecordComponent c : rec.getClass().getRecordComponents()) {
        if (c.getName().equals(name)) {
          return c;
        }
      }
    }
    return null;
  }

  private static Object value(Record rec, RecordComponent c) {
    try {
      Object v = c.getAccessor().invoke(rec);
      return v instanceof Enum<?> e ? e.name() : v;
    } catch (ReflectiveOperationException e) {
      return fail(e);
    }
  }
}
