package io.aisdistill.jobs.lakehouse;

import io.aisdistill.jobs.lakehouse.Tables;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Conversions between the domain records of {@code common} and Spark Rows of the schemas in
 * {@link Tables}. Timestamps are {@link Instant} (UTC) and dates {@link LocalDate}, as Spark's
 * java8 API gives them.
 */
public final class Rows {
  private Rows() {}

  /** Kind tag of a parsed record. */
  public static final String KIND_POSITION = "P", KIND_STATIC = "S", KIND_REJECT = "R", KIND_SKIPPED = "K",
      KIND_NOTE = "N";

  /**
   * Schema of the ingest parser's output: one row per input line, {@code kind} P (position), S
   * (static), R (reject) or K (skipped line), the position columns, {@code destination} (static),
   * and the reject columns. The input file is a compact {@code source_id} (its index in the
   * sorted list of inputs), joined back to its path when rows are written.
   */
  public static final StructType PARSED_SCHEMA = new StructType()
      .add("kind", DataTypes.StringType, false)
      .add("mmsi", DataTypes.LongType).add("ts", DataTypes.TimestampType)
      .add("lat", DataTypes.DoubleType).add("lon", DataTypes.DoubleType)
      .add("sog", DataTypes.DoubleType).add("cog", DataTypes.DoubleType)
      .add("heading", DataTypes.IntegerType).add("nav_status", DataTypes.IntegerType)
      .add("msg_type", DataTypes.IntegerType).add("ais_class", DataTypes.StringType)
      .add("vessel_name", DataTypes.StringType).add("imo", DataTypes.StringType)
      .add("callsign", DataTypes.StringType).add("ship_type", DataTypes.IntegerType)
      .add("length_m", DataTypes.DoubleType).add("width_m", DataTypes.DoubleType)
      .add("draft_m", DataTypes.DoubleType).add("destination", DataTypes.StringType)
      .add("source_id", DataTypes.IntegerType).add("source_record", DataTypes.LongType)
      .add("raw", DataTypes.StringType).add("reason", DataTypes.StringType)
      .add("detail", DataTypes.StringType)
      .add("quality_flags", DataTypes.createArrayType(DataTypes.StringType, false));

  /** A position as a {@link #PARSED_SCHEMA} row. */
  public static Row parsed(PositionReport p, int sourceId) {
    return RowFactory.create(KIND_POSITION, p.mmsi(), Instant.ofEpochMilli(p.tsMillis()), p.lat(), p.lon(),
        p.sog(), p.cog(), p.heading(), p.navStatus(), p.msgType(), p.aisClass(), p.vesselName(), p.imo(),
        p.callsign(), p.shipType(), p.lengthM(), p.widthM(), p.draftM(), null, sourceId,
        p.sourceRecord(), null, null, null, flagsOf(p));
  }

  private static scala.collection.immutable.Seq<String> flagsOf(PositionReport p) {
    return p.qualityFlags() == null ? null
        : scala.jdk.javaapi.CollectionConverters.asScala(p.qualityFlags()).toList();
  }

  /** Whether a {@link #PARSED_SCHEMA} row is a position. */
  public static boolean isPosition(Row r) {
    return KIND_POSITION.equals(r.getString(0));
  }

  /** A static report as a {@link #PARSED_SCHEMA} row. */
  public static Row parsed(StaticReport s, int sourceId) {
    return RowFactory.create(KIND_STATIC, s.mmsi(), s.tsMillis() == null ? null : Instant.ofEpochMilli(s.tsMillis()),
        null, null, null, null, null, null, s.msgType(), null, s.vesselName(), s.imo(), s.callsign(),
        s.shipType(), s.lengthM(), s.widthM(), s.draftM(), s.destination(), sourceId, s.sourceRecord(),
        null, null, null, null);
  }

  /** A skipped line (header, blank, comment, other sentence, folded fragment) as a parsed row. */
  public static Row skipped(int sourceId, String kind) {
    return RowFactory.create(KIND_SKIPPED, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, sourceId, -1L, null, kind, null, null);
  }

  /** A note ({@code RecordSink.note}) as a {@link #PARSED_SCHEMA} row: counted, never a line. */
  public static Row note(int sourceId, String kind) {
    return RowFactory.create(KIND_NOTE, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, sourceId, -1L, null, kind, null, null);
  }

  /** A reject as a {@link #PARSED_SCHEMA} row. */
  public static Row parsed(RejectRecord r, int sourceId) {
    return RowFactory.create(KIND_REJECT, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, sourceId, r.sourceRecord(), r.raw(), r.reason().name(),
        r.detail(), null);
  }

  /** UTC date of an epoch-millisecond time. */
  public static LocalDate utcDate(long millis) {
    return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate();
  }

  private static Double dbl(Row r, String c) {
    int i = r.fieldIndex(c);
    return r.isNullAt(i) ? null : r.getDouble(i);
  }

  private static Integer intg(Row r, String c) {
    int i = r.fieldIndex(c);
    return r.isNullAt(i) ? null : r.getInt(i);
  }

  private static String str(Row r, String c) {
    int i = r.fieldIndex(c);
    return r.isNullAt(i) ? null : r.getString(i);
  }

  private static long millis(Row r, String c) {
    return ((Instant) r.get(r.fieldIndex(c))).toEpochMilli();
  }

  /**
   * Reads {@code ais_positions} rows of one schema as reports, with the column indices resolved
   * once (the windows stage calls it for every position).
   */
  public static final class PositionReader implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final int mmsi, ts, lat, lon, sog, cog, heading, navStatus, msgType, aisClass, name, imo, callsign,
        shipType, length, width, draft, source, sourceRecord, flags;

    /** @param schema the rows' schema: the position columns, source columns optional */
    public PositionReader(StructType schema) {
      mmsi = schema.fieldIndex("mmsi");
      ts = schema.fieldIndex("ts");
      lat = schema.fieldIndex("lat");
      lon = schema.fieldIndex("lon");
      sog = schema.fieldIndex("sog");
      cog = schema.fieldIndex("cog");
      heading = schema.fieldIndex("heading");
      navStatus = schema.fieldIndex("nav_status");
      msgType = schema.fieldIndex("msg_type");
      aisClass = schema.fieldIndex("ais_class");
      name = schema.fieldIndex("vessel_name");
      imo = schema.fieldIndex("imo");
      callsign = schema.fieldIndex("callsign");
      shipType = schema.fieldIndex("ship_type");
      length = schema.fieldIndex("length_m");
      width = schema.fieldIndex("width_m");
      draft = schema.fieldIndex("draft_m");
      source = schema.getFieldIndex("source").isDefined() ? schema.fieldIndex("source") : -1;
      sourceRecord = source >= 0 ? schema.fieldIndex("source_record") : -1;
      flags = schema.getFieldIndex("quality_flags").isDefined() ? schema.fieldIndex("quality_flags") : -1;
    }

    /** The report in {@code r}. */
    public PositionReport read(Row r) {
      return new PositionReport(r.getLong(mmsi), ((Instant) r.get(ts)).toEpochMilli(), r.getDouble(lat),
          r.getDouble(lon), dbl(r, sog), dbl(r, cog), intg(r, heading), intg(r, navStatus), r.getInt(msgType),
          (String) r.get(aisClass), (String) r.get(name), (String) r.get(imo), (String) r.get(callsign),
          intg(r, shipType), dbl(r, length), dbl(r, width), dbl(r, draft),
          source >= 0 ? (String) r.get(source) : null, source >= 0 ? r.getLong(sourceRecord) : -1,
          flags >= 0 && !r.isNullAt(flags) ? r.getList(flags) : null);
    }

    private static Double dbl(Row r, int i) {
      return r.isNullAt(i) ? null : r.getDouble(i);
    }

    private static Integer intg(Row r, int i) {
      return r.isNullAt(i) ? null : r.getInt(i);
    }
  }

  /** A window as a {@code track_windows} row ({@link Tables#WINDOWS_SCHEMA}). */
  public static Row window(TrackWindow w) {
    VesselInfo v = w.vessel();
    Row vessel = RowFactory.create(v.vesselName(), v.imo(), v.callsign(), v.shipType(), v.lengthM(), v.widthM(),
        v.draftM(), v.aisClass(), v.flagState());
    List<Row> track = new ArrayList<>(w.track().size());
    for (TrackPoint p : w.track()) {
      track.add(RowFactory.create(Instant.ofEpochMilli(p.tsMillis()), p.lat(), p.lon(), p.sog(), p.cog(),
          p.heading(), p.navStatus()));
    }
    return RowFactory.create(w.windowId(), w.mmsi(), w.segmentId(), w.windowIndex(),
        Instant.ofEpochMilli(w.startTsMillis()), Instant.ofEpochMilli(w.endTsMillis()), w.nPoints(),
        w.distanceNm(), w.displacementNm(), w.bearingDeg(), w.sogMeanKn(), w.sogMaxKn(), w.sogMinKn(),
        w.impliedSpeedKn(), w.maxLegSpeedKn(), w.totalTurnDeg(), w.stopCount(), w.stoppedS(),
        w.stationaryFraction(), w.maxGapS(), w.medianIntervalS(),
        scala.jdk.javaapi.CollectionConverters.asScala(w.navStatuses()).toSeq(), w.dominantNavStatus(),
        w.minLat(), w.maxLat(), w.minLon(), w.maxLon(), w.startLat(), w.startLon(), w.endLat(), w.endLon(),
        w.sogMissing(), w.cogMissing(), w.headingMissing(), w.headingCogMaxDiffDeg(), w.headingCogDisagreements(),
        vessel, scala.jdk.javaapi.CollectionConverters.asScala(track).toSeq(), LocalDate.parse(w.date()));
  }

  /** A {@code track_windows} row as a window (inverse of {@link #window(TrackWindow)}). */
  public static TrackWindow window(Row r) {
    Row v = r.getStruct(r.fieldIndex("vessel"));
    long mmsi = r.getLong(r.fieldIndex("mmsi"));
    VesselInfo vessel = new VesselInfo(mmsi, str(v, "vessel_name"), str(v, "imo"), str(v, "callsign"),
        intg(v, "ship_type"), dbl(v, "length_m"), dbl(v, "width_m"), dbl(v, "draft_m"), str(v, "ais_class"),
        str(v, "flag_state"));
    List<TrackPoint> track = new ArrayList<>();
    for (Row p : r.<Row>getList(r.fieldIndex("track"))) {
      track.add(new TrackPoint(millis(p, "ts"), p.getDouble(p.fieldIndex("lat")), p.getDouble(p.fieldIndex("lon")),
          dbl(p, "sog"), dbl(p, "cog"), intg(p, "heading"), intg(p, "nav_status")));
    }
    return new TrackWindow(str(r, "window_id"), mmsi, str(r, "segment_id"), r.getInt(r.fieldIndex("window_index")),
        millis(r, "start_ts"), millis(r, "end_ts"), r.getInt(r.fieldIndex("n_points")),
        r.getDouble(r.fieldIndex("distance_nm")), r.getDouble(r.fieldIndex("displacement_nm")), dbl(r, "bearing_deg"),
        dbl(r, "sog_mean_kn"), dbl(r, "sog_max_kn"), dbl(r, "sog_min_kn"), dbl(r, "implied_speed_kn"),
        r.getDouble(r.fieldIndex("max_leg_speed_kn")), r.getDouble(r.fieldIndex("total_turn_deg")),
        r.getInt(r.fieldIndex("stop_count")), r.getLong(r.fieldIndex("stopped_s")), dbl(r, "stationary_fraction"),
        r.getLong(r.fieldIndex("max_gap_s")), r.getLong(r.fieldIndex("median_interval_s")),
        List.copyOf(r.<Integer>getList(r.fieldIndex("nav_statuses"))), intg(r, "dominant_nav_status"),
        r.getDouble(r.fieldIndex("min_lat")), r.getDouble(r.fieldIndex("max_lat")),
        r.getDouble(r.fieldIndex("min_lon")), r.getDouble(r.fieldIndex("max_lon")),
        r.getDouble(r.fieldIndex("start_lat")), r.getDouble(r.fieldIndex("start_lon")),
        r.getDouble(r.fieldIndex("end_lat")), r.getDouble(r.fieldIndex("end_lon")),
        r.getInt(r.fieldIndex("sog_missing")), r.getInt(r.fieldIndex("cog_missing")),
        r.getInt(r.fieldIndex("heading_missing")), dbl(r, "heading_cog_max_diff_deg"),
        r.getInt(r.fieldIndex("heading_cog_disagreements")), vessel, List.copyOf(track),
        ((LocalDate) r.get(r.fieldIndex("date"))).toString());
  }
}
