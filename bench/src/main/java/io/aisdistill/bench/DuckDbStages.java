package io.aisdistill.bench;

import io.aisdistill.common.ais.Sentinels;
import io.aisdistill.common.track.WindowConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * The peer of ais-distill's ingest and windows stages in DuckDB (embedded, over JDBC): the SQL a
 * single-machine user would write for the same two stages on the same CSV files, measured.
 *
 * <p><b>Ingest</b> ({@link #ingest}): one typed read of every {@code *.csv} file of the input
 * directory ({@code read_csv}, header, every column as text, structurally broken lines kept aside by
 * {@code store_rejects}), {@code TRY_CAST} to the types of {@code ais_positions}, the CSV value rules
 * of ais-distill's {@code CsvPositionParser} that matter here (IMO prefix, 0 = null for IMO and
 * dimensions, ship type 1-99, class "A"/"B"/"Class A"), sentinel nulling (SOG
 * {@value Sentinels#SOG_NOT_AVAILABLE}, COG {@value Sentinels#COG_NOT_AVAILABLE}, heading
 * {@value Sentinels#HEADING_NOT_AVAILABLE}), rejects with ais-distill's reason codes (BAD_MMSI,
 * NON_VESSEL_MMSI, NO_TIMESTAMP, BAD_TIMESTAMP, TIME_OUT_OF_RANGE, LAT_OUT_OF_RANGE, LON_OUT_OF_RANGE,
 * BAD_FIELD; structurally broken lines as UNPARSEABLE, counted), exact-duplicate removal on the
 * position key (mmsi, ts, lat, lon, sog, cog, heading, nav_status) and Parquet output:
 * {@code ais_positions/} partitioned by date, {@code ais_rejects.parquet}.
 *
 * <p><b>Windows</b> ({@link #windows}): reads {@code ais_positions/}, orders each vessel's reports
 * by (time, lat, lon, sog, cog, heading, status) with window functions, skips same-time repeats
 * (same time, leg at most {@link WindowConfig#teleportMinNm()}), starts a segment on a gap over
 * {@link WindowConfig#maxGapS()} or a jump (leg over the noise floor at an implied speed over
 * {@link WindowConfig#maxSpeedKn()}), cuts segments into windows of
 * {@link WindowConfig#windowLengthS()} counted from the segment start, drops windows under
 * {@link WindowConfig#minPoints()} reports, and writes {@code track_windows/} partitioned by date
 * with: window id (SHA-256 prefix), segment id, index, start/end, points, path distance,
 * displacement, SOG mean/min/max, implied speed, highest leg speed, stationary share, longest and
 * median report interval, navigational statuses and the dominant one, bounding box, first and last
 * position, missing SOG/COG/heading counts, and the last name, ship type and class seen.
 *
 * <p><b>Not the same work</b> (a reader weighs the figures with this): distances are haversine on a
 * sphere of radius 6,371,008.8 m, not WGS84 geodesics (GeographicLib); a report that fits none of a
 * vessel's tracks starts a new segment instead of keeping up to {@code max_open_tracks} tracks apart
 * (a shared MMSI zig-zags into one-report segments, whose windows are then dropped as short); windows are a fixed grid from the segment start,
 * not "closes at the first report {@code window_length_s} after the window's first"; no total
 * turn, stops, heading/COG disagreement, downsampled track (TD-TR observed rows) or flag state; no
 * Delta tables, no MERGE into existing tables (so no rerun idempotence), no static-report
 * enrichment, no per-file accounting or byte offsets, no plausibility flags; the value rules of
 * the CSV parser (number syntax, the DMA layout, control characters, text caps) are left to
 * DuckDB's casts.
 */
final class DuckDbStages implements AutoCloseable {
  /** Mean Earth radius (IUGG), metres, of the haversine distance. */
  static final double EARTH_RADIUS_M = 6_371_008.8;

  private final Connection conn;
  private final WindowConfig wc;
  private final Instant minTime;
  private final Instant maxTime;

  /**
   * Counts of the ingest.
   *
   * @param rows data lines read (kept + duplicates + rejects)
   * @param positions positions written (after duplicates)
   * @param rejects rejected lines, structurally broken ones included
   * @param duplicates exact duplicates dropped
   */
  record IngestCounts(long rows, long positions, long rejects, long duplicates) {}

  /**
   * Counts of the windows stage.
   *
   * @param positionsRead rows of ais_positions read
   * @param sameTimeRepeats reports skipped as same-time repeats
   * @param segments segments
   * @param windows windows written
   * @param shortWindows windows dropped for fewer than min_points reports
   */
  record WindowsCounts(long positionsRead, long sameTimeRepeats, long segments, long windows, long shortWindows) {}

  /**
   * An in-memory DuckDB database.
   *
   * @param threads DuckDB worker threads ({@code SET threads})
   * @param memoryLimitBytes DuckDB's memory limit ({@code SET memory_limit}); it spills beyond it
   * @param tempDir where DuckDB spills
   * @param wc segmentation and window parameters (ais-distill's {@code windows} section)
   * @param minTime earliest accepted report time ({@code ingest.min_time})
   * @param maxTime latest accepted report time (run start + {@code ingest.max_time_ahead_s})
   * @throws SQLException when DuckDB cannot start or refuses a setting
   */
  DuckDbStages(int threads, long memoryLimitBytes, Path tempDir, WindowConfig wc, Instant minTime, Instant maxTime)
      throws SQLException {
    this.conn = DriverManager.getConnection("jdbc:duckdb:");
    this.wc = wc;
    this.minTime = minTime;
    this.maxTime = maxTime;
    exec("SET threads = " + threads);
    exec("SET memory_limit = '" + Math.max(1, memoryLimitBytes >> 20) + "MiB'");
    exec("SET temp_directory = " + lit(tempDir.toString()));
    // row order of the written files is not part of the contract (ais-distill's is not either)
    exec("SET preserve_insertion_order = false");
    exec("CREATE MACRO nm(lat1, lon1, lat2, lon2) AS 2 * " + EARTH_RADIUS_M + " / 1852.0 * asin(sqrt("
        + "pow(sin(radians(lat2 - lat1) / 2), 2) + cos(radians(lat1)) * cos(radians(lat2)) "
        + "* pow(sin(radians(lon2 - lon1) / 2), 2)))");
  }

  /** DuckDB's version string ({@code SELECT version()}). */
  String version() throws SQLException {
    try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("SELECT version()")) {
      r.next();
      return r.getString(1);
    }
  }

  /**
   * The ingest: every {@code *.csv} in {@code input} to {@code out/ais_positions/} (Parquet,
   * partitioned by {@code date}) and {@code out/ais_rejects.parquet}.
   *
   * @throws SQLException when DuckDB fails (an unreadable file, a full disk)
   */
  IngestCounts ingest(Path input, Path out) throws SQLException {
    String csv = lit(input.resolve("*.csv").toString());
    // kept: the typed columns and the reason; the raw line only for a reject
    exec("CREATE OR REPLACE TEMP TABLE typed AS "
        + "SELECT source, mmsi, ts, lat, lon, sog0, cog0, heading0, nav_status, ais_class, vessel_name, imo, "
        + "  callsign, ship_type, length_m, width_m, draft_m, reason, CASE WHEN reason IS NOT NULL THEN "
        + "  concat_ws(',', t_MMSI, t_BaseDateTime, t_LAT, t_LON, t_SOG, t_COG, t_Heading, t_VesselName, t_IMO, "
        + "    t_CallSign, t_VesselType, t_Status, t_Length, t_Width, t_Draft, t_Cargo, t_TransceiverClass) "
        + "  END AS raw FROM ("
        + "SELECT *, CASE "
        + "  WHEN mmsi IS NULL THEN 'BAD_MMSI' "
        + "  WHEN mmsi NOT BETWEEN 200000000 AND 799999999 THEN 'NON_VESSEL_MMSI' "
        + "  WHEN ts_text IS NULL THEN 'NO_TIMESTAMP' "
        + "  WHEN ts IS NULL THEN 'BAD_TIMESTAMP' "
        + "  WHEN ts < " + ts(minTime) + " OR ts > " + ts(maxTime) + " THEN 'TIME_OUT_OF_RANGE' "
        + "  WHEN lat IS NULL AND lat_text IS NOT NULL AND TRY_CAST(lat_text AS DOUBLE) IS NULL THEN 'BAD_FIELD' "
        + "  WHEN lat IS NULL OR lat NOT BETWEEN -90 AND 90 THEN 'LAT_OUT_OF_RANGE' "
        + "  WHEN lon IS NULL AND lon_text IS NOT NULL AND TRY_CAST(lon_text AS DOUBLE) IS NULL THEN 'BAD_FIELD' "
        + "  WHEN lon IS NULL OR lon NOT BETWEEN -180 AND 180 THEN 'LON_OUT_OF_RANGE' "
        + "  WHEN (sog0 IS NULL AND sog_text IS NOT NULL) OR (cog0 IS NULL AND cog_text IS NOT NULL) "
        + "    OR (heading0 IS NULL AND heading_text IS NOT NULL) OR (nav_status IS NULL AND status_text IS NOT NULL) "
        + "    OR nav_status NOT BETWEEN 0 AND 15 THEN 'BAD_FIELD' "
        + "END AS reason FROM ("
        + "SELECT filename AS source, "
        + "  MMSI AS t_MMSI, BaseDateTime AS t_BaseDateTime, LAT AS t_LAT, LON AS t_LON, SOG AS t_SOG, "
        + "  COG AS t_COG, Heading AS t_Heading, VesselName AS t_VesselName, IMO AS t_IMO, "
        + "  CallSign AS t_CallSign, VesselType AS t_VesselType, Status AS t_Status, Length AS t_Length, "
        + "  Width AS t_Width, Draft AS t_Draft, Cargo AS t_Cargo, TransceiverClass AS t_TransceiverClass, "
        + "  TRY_CAST(MMSI AS BIGINT) AS mmsi, "
        + "  NULLIF(trim(BaseDateTime), '') AS ts_text, "
        + "  TRY_CAST(replace(BaseDateTime, 'T', ' ') AS TIMESTAMP) AS ts, "
        + "  NULLIF(trim(LAT), '') AS lat_text, NULLIF(trim(LON), '') AS lon_text, "
        + "  TRY_CAST(LAT AS DOUBLE) AS lat, TRY_CAST(LON AS DOUBLE) AS lon, "
        + "  NULLIF(trim(SOG), '') AS sog_text, NULLIF(trim(COG), '') AS cog_text, "
        + "  NULLIF(trim(Heading), '') AS heading_text, NULLIF(trim(Status), '') AS status_text, "
        + "  TRY_CAST(SOG AS DOUBLE) AS sog0, TRY_CAST(COG AS DOUBLE) AS cog0, "
        + "  TRY_CAST(TRY_CAST(Heading AS DOUBLE) AS INTEGER) AS heading0, "
        + "  TRY_CAST(TRY_CAST(Status AS DOUBLE) AS INTEGER) AS nav_status, "
        + "  CASE WHEN length(TransceiverClass) = 1 THEN upper(TransceiverClass) "
        + "       WHEN lower(TransceiverClass) IN ('class a', 'class b') THEN upper(right(TransceiverClass, 1)) END AS ais_class, "
        + "  NULLIF(trim(VesselName), '') AS vessel_name, "
        + "  CAST(NULLIF(TRY_CAST(trim(CASE WHEN upper(IMO) LIKE 'IMO%' THEN substr(IMO, 4) ELSE IMO END) AS BIGINT), 0) AS VARCHAR) AS imo, "
        + "  NULLIF(trim(CallSign), '') AS callsign, "
        + "  CASE WHEN TRY_CAST(TRY_CAST(VesselType AS DOUBLE) AS INTEGER) BETWEEN 1 AND 99 "
        + "       THEN TRY_CAST(TRY_CAST(VesselType AS DOUBLE) AS INTEGER) END AS ship_type, "
        + "  NULLIF(TRY_CAST(Length AS DOUBLE), 0) AS length_m, NULLIF(TRY_CAST(Width AS DOUBLE), 0) AS width_m, "
        + "  NULLIF(TRY_CAST(Draft AS DOUBLE), 0) AS draft_m "
        + "FROM read_csv(" + csv + ", header = true, all_varchar = true, filename = true, store_rejects = true)))");
    // reject_errors has a row per bad column of a line: count the lines
    long broken = scalar("SELECT count(*) FROM (SELECT DISTINCT scan_id, file_id, line FROM reject_errors)");
    long read = scalar("SELECT count(*) FROM typed");
    long rejects = scalar("COPY (SELECT source, raw, reason FROM typed WHERE reason IS NOT NULL) TO "
        + lit(out.resolve("ais_rejects.parquet").toString()) + " (FORMAT parquet)");
    long positions = scalar("COPY (SELECT DISTINCT ON (mmsi, ts, lat, lon, sog, cog, heading, nav_status) "
        + "  mmsi, ts, lat, lon, sog, cog, heading, nav_status, 0 AS msg_type, ais_class, vessel_name, imo, "
        + "  callsign, ship_type, length_m, width_m, draft_m, source, CAST(ts AS DATE) AS date "
        + "FROM (SELECT *, "
        + "  CASE WHEN sog0 = " + Sentinels.SOG_NOT_AVAILABLE + " THEN NULL ELSE sog0 END AS sog, "
        + "  CASE WHEN cog0 = " + Sentinels.COG_NOT_AVAILABLE + " THEN NULL ELSE cog0 END AS cog, "
        + "  CASE WHEN heading0 = " + Sentinels.HEADING_NOT_AVAILABLE + " THEN NULL ELSE heading0 END AS heading "
        + "  FROM typed WHERE reason IS NULL)) TO " + lit(out.resolve("ais_positions").toString())
        + " (FORMAT parquet, PARTITION_BY (date), OVERWRITE_OR_IGNORE)");
    exec("DROP TABLE typed");
    long valid = read - rejects;
    return new IngestCounts(read + broken, positions, rejects + broken, valid - positions);
  }

  /**
   * The windows stage: {@code out/ais_positions/} to {@code out/track_windows/} (Parquet,
   * partitioned by {@code date}), one statement.
   *
   * @return windows written
   * @throws SQLException when DuckDB fails
   */
  long windows(Path out) throws SQLException {
    // a window's legs and intervals are those of its reports after the first (k > 1)
    return scalar("COPY (WITH " + cutCtes(out) + " SELECT "
        + "  left(sha256(concat_ws('|', mmsi, epoch_ms(seg_start), epoch_ms(min(ts)))), 32) AS window_id, "
        + "  mmsi, concat(mmsi, '-', epoch_ms(seg_start)) AS segment_id, widx AS window_index, "
        + "  min(ts) AS start_ts, max(ts) AS end_ts, count(*) AS n_points, "
        + "  coalesce(sum(leg) FILTER (WHERE k > 1), 0) AS distance_nm, "
        + "  nm(arg_min(lat, ts), arg_min(lon, ts), arg_max(lat, ts), arg_max(lon, ts)) AS displacement_nm, "
        + "  avg(sog) AS sog_mean_kn, max(sog) AS sog_max_kn, min(sog) AS sog_min_kn, "
        + "  CASE WHEN max(ts) > min(ts) THEN coalesce(sum(leg) FILTER (WHERE k > 1), 0) "
        + "    / ((epoch(max(ts)) - epoch(min(ts))) / 3600.0) END AS implied_speed_kn, "
        + "  coalesce(max(leg / (dt / 3600.0)) FILTER (WHERE k > 1 AND dt > 0), 0) AS max_leg_speed_kn, "
        + "  count(*) FILTER (WHERE sog < " + wc.stopSogKn() + ") / NULLIF(count(sog), 0) AS stationary_fraction, "
        + "  coalesce(max(dt) FILTER (WHERE k > 1), 0) AS max_gap_s, "
        + "  coalesce(median(dt) FILTER (WHERE k > 1), 0) AS median_interval_s, "
        + "  list_sort(list(DISTINCT nav_status) FILTER (WHERE nav_status IS NOT NULL)) AS nav_statuses, "
        + "  mode(nav_status) AS dominant_nav_status, "
        + "  min(lat) AS min_lat, max(lat) AS max_lat, min(lon) AS min_lon, max(lon) AS max_lon, "
        + "  arg_min(lat, ts) AS start_lat, arg_min(lon, ts) AS start_lon, "
        + "  arg_max(lat, ts) AS end_lat, arg_max(lon, ts) AS end_lon, "
        + "  count(*) - count(sog) AS sog_missing, count(*) - count(cog) AS cog_missing, "
        + "  count(*) - count(heading) AS heading_missing, "
        + "  arg_max(vessel_name, ts) AS vessel_name, arg_max(ship_type, ts) AS ship_type, "
        + "  arg_max(ais_class, ts) AS ais_class, CAST(min(ts) AS DATE) AS date "
        + "FROM cut GROUP BY mmsi, seg, seg_start, widx HAVING count(*) >= " + wc.minPoints() + ") TO "
        + lit(out.resolve("track_windows").toString()) + " (FORMAT parquet, PARTITION_BY (date), OVERWRITE_OR_IGNORE)");
  }

  /**
   * The windows stage's counts, recomputed by a second query over {@code out/ais_positions/} (so
   * that {@link #windows} stays the one statement a user would write; call it outside the measured
   * span).
   *
   * @param windowsWritten what {@link #windows} returned
   * @throws SQLException when DuckDB fails
   */
  WindowsCounts windowsCounts(Path out, long windowsWritten) throws SQLException {
    try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("WITH " + cutCtes(out)
        + " SELECT (SELECT count(*) FROM p0), (SELECT count(*) FROM cut), "
        + "(SELECT count(*) FROM (SELECT DISTINCT mmsi, seg FROM cut)), "
        + "(SELECT count(*) FROM (SELECT DISTINCT mmsi, seg, widx FROM cut))")) {
      r.next();
      long read = r.getLong(1);
      return new WindowsCounts(read, read - r.getLong(2), r.getLong(3), windowsWritten, r.getLong(4) - windowsWritten);
    }
  }

  /**
   * The common table expressions p0 (positions with the time step and leg from the previous report
   * of the vessel), p (same-time repeats skipped), s (segment number), g (segment start) and cut
   * (window index widx and 1-based rank k of the report in its window).
   */
  private String cutCtes(Path out) {
    String positions = lit(out.resolve("ais_positions").toString() + "/**/*.parquet");
    String order = "ORDER BY ts, lat, lon, sog, cog, heading, nav_status";
    String widx = "CAST(floor((epoch(ts) - epoch(seg_start)) / " + wc.windowLengthS() + ") AS INTEGER)";
    double noise = wc.teleportMinNm();
    return "p0 AS ("
        + "  SELECT mmsi, ts, lat, lon, sog, cog, heading, nav_status, ais_class, vessel_name, ship_type, "
        + "    epoch(ts) - lag(epoch(ts)) OVER v AS dt, nm(lag(lat) OVER v, lag(lon) OVER v, lat, lon) AS leg "
        + "  FROM read_parquet(" + positions + ", hive_partitioning = true) "
        + "  WINDOW v AS (PARTITION BY mmsi " + order + ")), "
        + "p AS (SELECT * FROM p0 WHERE dt IS NULL OR dt > 0 OR leg > " + noise + "), "
        + "s AS (SELECT *, sum(CASE WHEN dt IS NULL OR dt > " + wc.maxGapS() + " OR (leg > " + noise
        + "    AND (dt = 0 OR leg / (dt / 3600.0) > " + wc.maxSpeedKn() + ")) THEN 1 ELSE 0 END) "
        + "    OVER (PARTITION BY mmsi " + order + " ROWS UNBOUNDED PRECEDING) AS seg FROM p), "
        + "g AS (SELECT *, min(ts) OVER (PARTITION BY mmsi, seg) AS seg_start FROM s), "
        + "cut AS (SELECT *, " + widx + " AS widx, "
        + "  row_number() OVER (PARTITION BY mmsi, seg, " + widx + " " + order + ") AS k FROM g)";
  }

  @Override
  public void close() throws SQLException {
    conn.close();
  }

  private void exec(String sql) throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute(sql);
    }
  }

  /** The first column of the first row of the statement's result, or its update count. */
  private long scalar(String sql) throws SQLException {
    try (Statement s = conn.createStatement()) {
      if (s.execute(sql)) {
        try (ResultSet r = s.getResultSet()) {
          r.next();
          return r.getLong(1);
        }
      }
      return s.getUpdateCount();
    }
  }

  private static String lit(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String ts(Instant t) {
    return "TIMESTAMP '" + t.toString().replace('T', ' ').replace("Z", "") + "'";
  }
}
