package io.aisdistill.common.sim;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates realistic, deterministic AIS position data as NOAA MarineCadastre 2022-layout CSV
 * ({@link #HEADER}), for volume tests and demos. Everything it writes is SIMULATED.
 *
 * <p><b>Fleet</b> (shares in {@link ShipKind}): cargo and tankers (class A, 10-19 kn) on voyages
 * between real US ports of one region ({@link Port#ALL}) along WGS84 geodesics (GeographicLib,
 * {@code Geodesic.WGS84}): berth, seaward approach point, open-sea leg, approach, berth, then 2-8 h
 * moored (nav status 5); passenger ferries (14-21 kn) with short berth stays; fishing vessels
 * (7-10 kn transit, then 3-8 h loitering at 1.5-4 kn with nav status 7 "engaged in fishing");
 * tugs (6-11 kn) between berth and anchorage; class B pleasure craft (6-18 kn, no nav status, no
 * heading, no IMO); vessels moored all the time (status 5, SOG about 0) and at anchor (status 1,
 * swinging round the anchor with the tide). No land mask: legs between approach points may cross
 * headlands.
 *
 * <p><b>Reporting</b> (MarineCadastre-like, i.e. already thinned to about one report per minute):
 * class A underway every 55-75 s, at anchor or moored every 170-240 s; class B underway every
 * 60-120 s, stationary every 180-360 s. Whole seconds, UTC.
 *
 * <p><b>Realism and dirt</b>: GPS noise (about 4 m class A, 8 m class B, Gaussian); SOG noise
 * 0.15 kn; AIS dropouts ({@link #GAPS_PER_VESSEL_HOUR} per vessel-hour, each 10-60 min without
 * reports); exact duplicate rows ({@link #DUPLICATE_RATE}); sentinels as in real MarineCadastre
 * data: heading 511 for class B and for class A vessels without a heading sensor (about 15 %), COG
 * 360.0 when stationary for most vessels, SOG 102.3 ({@link #SOG_UNAVAILABLE_RATE} of class A
 * underway rows); and, when the fleet has at least {@link #TELEPORT_MIN_VESSELS} vessels, one
 * "teleport" vessel: a second transmitter in another region sharing the MMSI of vessel 0.
 *
 * <p><b>Static data</b>: MMSIs with real MIDs (US 366-369 and 338 for class B; Liberia 636,
 * Marshall Is. 538, Panama, Singapore, Malta, Bahamas, Hong Kong, Greece for ocean-going ships),
 * call signs with the flag's ITU prefix, IMO numbers with a valid check digit written with the
 * MarineCadastre "IMO" prefix, names, and dimensions per type.
 *
 * <p><b>Scale</b>: rows are produced in time order across vessels by a priority queue of vessels
 * (streaming; memory O(vessels)), so {@code 10^7+} rows need no more memory than the fleet.
 * Deterministic: the same {@link Config} gives byte-identical output.
 */
public final class AisSimulator {
  /** The MarineCadastre 2022 header written as the first line. */
  public static final String HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,"
      + "CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass";
  /** Share of rows written twice in a row (exact duplicates). */
  public static final double DUPLICATE_RATE = 0.003;
  /** Share of class A underway rows whose SOG is written as 102.3 (not available). */
  public static final double SOG_UNAVAILABLE_RATE = 0.003;
  /** Expected AIS dropouts (gaps of 10-60 min) per vessel and hour. */
  public static final double GAPS_PER_VESSEL_HOUR = 0.1;
  /** Smallest fleet that gets a teleporting shared-MMSI vessel. */
  public static final int TELEPORT_MIN_VESSELS = 10;

  /**
   * What to simulate.
   *
   * @param vessels fleet size, at least 1
   * @param hours simulated duration in hours, positive
   * @param start first instant (UTC); rows have times in {@code [start, start + hours)}
   * @param seed random seed; equal configs give identical output
   */
  public record Config(int vessels, double hours, Instant start, long seed) {
    /** Validates the values. */
    public Config {
      if (vessels < 1) {
        throw new IllegalArgumentException("vessels must be >= 1: " + vessels);
      }
      if (!(hours > 0)) {
        throw new IllegalArgumentException("hours must be > 0: " + hours);
      }
      Objects.requireNonNull(start, "start");
    }
  }

  private AisSimulator() {}

  /**
   * Writes the header and all rows of the simulation to {@code out} (not closed; flushed).
   *
   * @return the number of data rows written (header excluded, duplicates included)
   * @throws IOException from {@code out}
   */
  public static long write(Config config, Writer out) throws IOException {
    return write(config, out, 0);
  }

  /**
   * {@link #write(Config, Writer)} with every vessel reporting every {@code reportIntervalS}
   * seconds instead of the MarineCadastre-like intervals: raw, unthinned class A reporting is every
   * 2-10 s underway (ITU-R M.1371-5, Annex 1, Table 1), so {@code 2} gives the densest track a real vessel
   * sends, 43,200 reports a day (e.g. for per-vessel memory tests). Dropouts keep their rate per
   * vessel-hour.
   *
   * @param reportIntervalS seconds between a vessel's reports, or 0 for the default intervals
   * @return the number of data rows written (header excluded, duplicates included)
   * @throws IllegalArgumentException when {@code reportIntervalS} is negative
   * @throws IOException from {@code out}
   */
  public static long write(Config config, Writer out, int reportIntervalS) throws IOException {
    if (reportIntervalS < 0) {
      throw new IllegalArgumentException("reportIntervalS must be >= 0: " + reportIntervalS);
    }
    List<SimVessel> fleet = fleet(config);
    long start = config.start().getEpochSecond();
    long end = start + (long) Math.ceil(config.hours() * 3600);
    PriorityQueue<SimVessel> queue = new PriorityQueue<>(Math.max(1, fleet.size()), (a, b) ->
        a.nextReport != b.nextReport ? Long.compare(a.nextReport, b.nextReport)
            : Integer.compare(a.index, b.index));
    for (SimVessel v : fleet) {
      v.init(start);
      v.nextReport = start + v.rng.nextInt(0, 60);
      queue.add(v);
    }
    RowWriter w = new RowWriter(out);
    w.header();
    long rows = 0;
    while (!queue.isEmpty()) {
      SimVessel v = queue.poll();
      if (v.nextReport >= end) {
        continue;
      }
      v.advance(v.nextReport);
      rows += w.row(v);
      long interval = reportIntervalS > 0 ? reportIntervalS : interval(v);
      if (v.rng.nextDouble() < GAPS_PER_VESSEL_HOUR * interval / 3600.0) {
        interval += v.rng.nextLong(600, 3600);
      }
      v.nextReport += interval;
      queue.add(v);
    }
    w.flush();
    return rows;
  }

  private static long interval(SimVessel v) {
    SplittableRandom r = v.rng;
    boolean still = v.stationary();
    if (v.kind.classB()) {
      return still ? 180 + r.nextInt(0, 181) : 60 + r.nextInt(0, 61);
    }
    return still ? 170 + r.nextInt(0, 71) : 55 + r.nextInt(0, 21);
  }

  /** Builds the fleet: kinds mixed by share, static data, home ports, the teleport twin. */
  static List<SimVessel> fleet(Config c) {
    SplittableRandom master = new SplittableRandom(c.seed());
    List<Port> voyagePorts = new ArrayList<>();
    for (Port p : Port.ALL) {
      if (Port.ALL.stream().filter(q -> q.region().equals(p.region())).count() > 1) {
        voyagePorts.add(p);
      }
    }
    Set<Long> used = new HashSet<>();
    List<SimVessel> fleet = new ArrayList<>(c.vessels());
    double phase = master.nextDouble();
    for (int i = 0; i < c.vessels(); i++) {
      SplittableRandom r = master.split();
      ShipKind kind = kindAt((phase + i * 0.6180339887498949) % 1.0);
      boolean teleport = i == c.vessels() - 1 && c.vessels() >= TELEPORT_MIN_VESSELS;
      List<Port> ports = kind == ShipKind.CARGO || kind == ShipKind.TANKER ? voyagePorts : Port.ALL;
      Port home = ports.get(r.nextInt(ports.size()));
      if (teleport) {
        Port first = fleet.get(0).home;
        while (home.region().equals(first.region())) {
          home = ports.get(r.nextInt(ports.size()));
        }
      }
      SimVessel v = new SimVessel(i, kind, r, home);
      staticData(v, used);
      if (teleport) {
        v.mmsi = fleet.get(0).mmsi;
      }
      fleet.add(v);
    }
    return fleet;
  }

  private static ShipKind kindAt(double u) {
    double acc = 0;
    for (ShipKind k : ShipKind.values()) {
      acc += k.share;
      if (u < acc) {
        return k;
      }
    }
    return ShipKind.CARGO;
  }

  private static void staticData(SimVessel v, Set<Long> used) {
    SplittableRandom r = v.rng;
    ShipKind k = v.kind;
    boolean ocean = k == ShipKind.CARGO || k == ShipKind.TANKER || k == ShipKind.ANCHORED
        || (k == ShipKind.MOORED && r.nextBoolean());
    v.mmsi = StaticData.mmsi(r, ocean && r.nextInt(10) < 8, used, k.classB());
    v.name = StaticData.name(r, k);
    switch (k) {
      case CARGO:
        v.typeCode = r.nextInt(10) < 7 ? 70 : 70 + r.nextInt(1, 10);
        break;
      case TANKER:
        v.typeCode = r.nextBoolean() ? 80 : 84;
        break;
      case TUG:
        v.typeCode = r.nextInt(4) == 0 ? 31 : 52;
        break;
      case PLEASURE:
        v.typeCode = r.nextInt(4) == 0 ? 36 : 37;
        break;
      case MOORED: {
        int[] t = {70, 80, 60, 30, 52};
        v.typeCode = t[r.nextInt(t.length)];
        break;
      }
      default:
        v.typeCode = k.typeCode;
    }
    boolean hasImo = k != ShipKind.PLEASURE
        && (k != ShipKind.FISHING && k != ShipKind.TUG || r.nextBoolean());
    v.imo = hasImo ? StaticData.imo(r, k == ShipKind.FISHING || k == ShipKind.TUG ? 7 + r.nextInt(2) : 9)
        : null;
    v.callsign = !k.classB() || r.nextInt(10) < 3 ? StaticData.callsign(r, v.mmsi) : null;
    v.length = Math.round(r.nextDouble(k.minLen, k.maxLen));
    double ratio = k == ShipKind.TUG ? r.nextDouble(2.6, 3.2) : r.nextDouble(5.0, 7.5);
    v.width = k.classB() && r.nextInt(5) == 0 ? 0 : Math.max(2, Math.round(v.length / ratio));
    v.draft = k.maxDraft > 0 ? Math.round(r.nextDouble(k.minDraft, k.maxDraft) * 10) / 10.0 : 0;
    v.headingSensor = !k.classB() && r.nextInt(100) < 85;
    v.cogNaWhenStill = r.nextInt(100) < 60;
    v.headingBias = 2 * r.nextGaussian();
  }

  /** Formats rows into a buffer flushed to the writer in 64 KiB chunks; no String.format. */
  private static final class RowWriter {
    private final Writer out;
    private final StringBuilder b = new StringBuilder(1 << 17);
    private long day = Long.MIN_VALUE;
    private String dayPrefix;

    RowWriter(Writer out) {
      this.out = out;
    }

    void header() throws IOException {
      b.append(HEADER).append('\n');
    }

    /** Appends one report (twice at the duplicate rate); returns the rows written. */
    int row(SimVessel v) throws IOException {
      SplittableRandom r = v.rng;
      int start = b.length();
      boolean still = v.stationary();
      double noiseM = v.kind.classB() ? 8 : 4;
      double lat = v.lat + noiseM * r.nextGaussian() / 111_320.0;
      double lon = v.lon + noiseM * r.nextGaussian() / (111_320.0 * Math.cos(Math.toRadians(v.lat)));
      lat = Math.max(-90, Math.min(90, lat));
      b.append(v.mmsi).append(',');
      time(v.t);
      b.append(',');
      fixed(lat, 5);
      b.append(',');
      fixed(lon, 5);
      b.append(',');
      double sog = still ? Math.abs(0.04 * r.nextGaussian()) : Math.max(0, v.speed + 0.15 * r.nextGaussian());
      if (!still && !v.kind.classB() && r.nextDouble() < SOG_UNAVAILABLE_RATE) {
        b.append("102.3");
      } else {
        fixed(Math.min(sog, 102.2), 1);
      }
      b.append(',');
      if (still && v.cogNaWhenStill) {
        b.append("360.0");
      } else {
        double cog = SimVessel.norm(v.course + (still ? 15 : 1.5) * r.nextGaussian());
        long tenths = Math.round(cog * 10) % 3600;
        fixed(tenths / 10.0, 1);
      }
      b.append(',');
      if (v.headingSensor) {
        b.append(Math.floorMod(Math.round(v.course + v.headingBias + r.nextGaussian()), 360));
      } else {
        b.append(511);
      }
      b.append(',').append(v.name).append(',');
      if (v.imo != null) {
        b.append("IMO").append(v.imo);
      }
      b.append(',');
      if (v.callsign != null) {
        b.append(v.callsign);
      }
      b.append(',').append(v.typeCode).append(',');
      if (v.status >= 0 && !v.kind.classB()) {
        b.append(v.status);
      }
      b.append(',').append((long) v.length).append(',');
      if (v.width > 0) {
        b.append((long) v.width);
      }
      b.append(',');
      if (v.draft > 0) {
        fixed(v.draft, 1);
      }
      b.append(',');
      if (!v.kind.classB()) {
        b.append(v.typeCode);
      }
      b.append(',').append(v.kind.aisClass).append('\n');
      int n = 1;
      if (r.nextDouble() < DUPLICATE_RATE) {
        b.append(b, start, b.length());
        n = 2;
      }
      if (b.length() > 1 << 16) {
        flush();
      }
      return n;
    }

    void flush() throws IOException {
      out.write(b.toString());
      b.setLength(0);
      out.flush();
    }

    private void time(long epochSec) {
      long d = Math.floorDiv(epochSec, 86_400L);
      if (d != day) {
        day = d;
        dayPrefix = LocalDate.ofEpochDay(d).toString() + "T";
      }
      int s = (int) Math.floorMod(epochSec, 86_400L);
      b.append(dayPrefix);
      two(s / 3600);
      b.append(':');
      two(s / 60 % 60);
      b.append(':');
      two(s % 60);
    }

    private void two(int v) {
      b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    /** {@code v} with exactly {@code decimals} decimals, rounded half up in magnitude. */
    private void fixed(double v, int decimals) {
      long scale = decimals == 5 ? 100_000L : decimals == 1 ? 10L : (long) Math.pow(10, decimals);
      long x = Math.round(Math.abs(v) * scale);
      if (v < 0 && x != 0) {
        b.append('-');
      }
      b.append(x / scale).append('.');
      String frac = Long.toString(x % scale);
      for (int i = frac.length(); i < decimals; i++) {
        b.append('0');
      }
      b.append(frac);
    }
  }
}
