package io.aisdistill.common.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import net.sf.geographiclib.Geodesic;
import net.sf.geographiclib.GeodesicData;
import net.sf.geographiclib.GeodesicLine;
import net.sf.geographiclib.GeodesicMask;

/**
 * One simulated vessel: static data plus a kinematic state advanced in time through a plan of
 * segments (sail a geodesic leg, stay moored/anchored, loiter). Memory is O(1) per vessel.
 */
final class SimVessel {
  static final double KN = 1852.0 / 3600.0; // metres per second per knot
  private static final Geodesic G = Geodesic.WGS84;
  private static final int MASK = GeodesicMask.LATITUDE | GeodesicMask.LONGITUDE | GeodesicMask.AZIMUTH;

  /** Navigational status codes (ITU-R M.1371-5 Table 48). */
  static final int UNDERWAY = 0;
  static final int AT_ANCHOR = 1;
  static final int MOORED = 5;
  static final int FISHING = 7;

  private static final int SAIL = 0;
  private static final int STAY = 1;
  private static final int LOITER = 2;

  /** A plan step. */
  private static final class Seg {
    int mode;
    double lat2;
    double lon2;
    double cruise;
    boolean harbour;
    int status;
    long durationS;
    boolean swing;
  }

  final int index;
  final ShipKind kind;
  final SplittableRandom rng;
  final Port home;
  long mmsi;
  String name;
  String imo;
  String callsign;
  int typeCode;
  double length;
  double width;
  double draft;
  boolean headingSensor;
  boolean cogNaWhenStill;
  double headingBias;

  // kinematic state
  long t;
  double lat;
  double lon;
  double course;
  double speed;
  int status;
  long nextReport;
  private Port at;
  private final Deque<Seg> plan = new ArrayDeque<>();
  private Seg cur;
  private GeodesicLine line;
  private double legDist;
  private double legS;
  private long segEnd;
  private double anchorLat;
  private double anchorLon;
  private double swingR;

  SimVessel(int index, ShipKind kind, SplittableRandom rng, Port home) {
    this.index = index;
    this.kind = kind;
    this.rng = rng;
    this.home = home;
    this.at = home;
  }

  boolean stationary() {
    return cur != null && cur.mode == STAY;
  }

  /** Places the vessel at {@code start} somewhere along its first plan. */
  void init(long start) {
    t = start;
    double[] p = offset(home.lat(), home.lon(), rng.nextDouble(360), rng.nextDouble(100, 600));
    lat = p[0];
    lon = p[1];
    course = rng.nextDouble(360);
    switch (kind) {
      case MOORED:
        stay(lat, lon, Long.MAX_VALUE / 4, MOORED, false);
        break;
      case ANCHORED: {
        double[] a = approach(home, rng.nextDouble(2, 8), 50);
        lat = a[0];
        lon = a[1];
        stay(lat, lon, Long.MAX_VALUE / 4, AT_ANCHOR, true);
        break;
      }
      case CARGO:
      case TANKER:
      case PASSENGER:
        if (kind == ShipKind.PASSENGER && rng.nextBoolean()) {
          plan();
        } else {
          // start at sea, part way along a voyage
          Port from = otherPort(home);
          double[] a = approach(from, 0, 0);
          lat = a[0];
          lon = a[1];
          at = from;
          voyageTo(home);
        }
        break;
      default:
        stay(lat, lon, rng.nextLong(600, 4 * 3600), kind.classB() ? -1 : MOORED, false);
        break;
    }
    next(start);
    if (kind == ShipKind.CARGO || kind == ShipKind.TANKER) {
      legS = legDist * rng.nextDouble(0, 0.7);
      GeodesicData g = line.Position(legS, MASK);
      lat = g.lat2;
      lon = g.lon2;
      course = norm(g.azi2);
    }
  }

  /** Advances the state to time {@code to} (epoch seconds). */
  void advance(long to) {
    int guard = 0;
    while (t < to && guard++ < 100_000) {
      if (cur == null) {
        next(t);
        continue;
      }
      switch (cur.mode) {
        case SAIL: {
          long step = Math.min(to - t, 60);
          double d = Math.min(legDist, legS);
          double toEnd = legDist - d;
          double v = cur.cruise * (1 + 0.03 * rng.nextGaussian());
          if (cur.harbour) {
            v = Math.min(v, 5 + Math.min(d, toEnd) / 1852.0 * 1.2);
          }
          v = Math.max(v, 1.0);
          double need = toEnd / (v * KN);
          if (need <= step) {
            t += Math.max(1, (long) Math.ceil(need));
            lat = cur.lat2;
            lon = cur.lon2;
            next(t);
          } else {
            legS += v * KN * step;
            t += step;
            speed = v;
            GeodesicData g = line.Position(legS, MASK);
            lat = g.lat2;
            lon = g.lon2;
            course = norm(g.azi2);
          }
          break;
        }
        case STAY: {
          long end = Math.min(to, segEnd);
          t = end;
          speed = 0;
          if (cur.swing) {
            // swinging round the anchor with the tide (12.42 h M2 period)
            double ang = 2 * Math.PI * t / 44_712.0;
            double a = norm(index * 47.0 + 70 * Math.sin(ang));
            double[] p = offset(anchorLat, anchorLon, a, swingR);
            lat = p[0];
            lon = p[1];
            course = norm(a + 180); // bow towards the anchor
            speed = Math.abs(Math.cos(ang)) * 0.3;
          }
          if (t >= segEnd) {
            next(t);
          }
          break;
        }
        default: { // LOITER
          long step = Math.min(to - t, 60);
          course = norm(course + 12 * rng.nextGaussian());
          speed = Math.max(0.3, Math.min(cur.cruise * 1.5, speed + 0.4 * rng.nextGaussian()));
          GeodesicData g = G.Direct(lat, lon, course, speed * KN * step);
          lat = g.lat2;
          lon = g.lon2;
          t += step;
          if (t >= segEnd) {
            next(t);
          }
          break;
        }
      }
    }
  }

  /** Starts the next plan segment at time {@code now}, refilling the plan when empty. */
  private void next(long now) {
    if (plan.isEmpty()) {
      plan();
    }
    cur = plan.removeFirst();
    status = cur.status;
    if (cur.mode == SAIL) {
      line = G.InverseLine(lat, lon, cur.lat2, cur.lon2, MASK | GeodesicMask.DISTANCE_IN);
      legDist = line.Distance();
      legS = 0;
      if (legDist > 1) {
        course = norm(line.Position(0, MASK).azi2);
      }
      speed = cur.harbour ? 5 : cur.cruise;
    } else if (cur.mode == STAY) {
      segEnd = now + cur.durationS;
      anchorLat = cur.lat2;
      anchorLon = cur.lon2;
      swingR = 40 + length * 0.5;
      if (!cur.swing) {
        lat = cur.lat2;
        lon = cur.lon2;
      }
    } else {
      segEnd = now + cur.durationS;
      speed = cur.cruise;
    }
  }

  /** One cycle of the kind's behaviour, from the current port/position. */
  private void plan() {
    switch (kind) {
      case CARGO:
      case TANKER:
        voyageTo(otherPort(at));
        break;
      case PASSENGER: {
        // ferry/excursion: out to a terminal beyond the approach, back, short berth stays
        double[] a = approach(home, 0, 0);
        double[] term = approach(home, rng.nextDouble(10, 30), 60);
        double cruise = cruise();
        sail(a, cruise, true, UNDERWAY);
        sail(term, cruise, false, UNDERWAY);
        stay(term[0], term[1], rng.nextLong(1200, 3600), MOORED, false);
        sail(a, cruise, false, UNDERWAY);
        sail(berth(home), cruise, true, UNDERWAY);
        stay(berth(home), rng.nextLong(1200, 3600), MOORED);
        break;
      }
      case FISHING: {
        double[] a = approach(home, 0, 0);
        double[] ground = approach(home, rng.nextDouble(10, 50), 50);
        double cruise = cruise();
        sail(a, cruise, true, UNDERWAY);
        sail(ground, cruise, false, UNDERWAY);
        loiter(rng.nextLong(3 * 3600, 8 * 3600), rng.nextDouble(1.5, 4), FISHING);
        sail(a, cruise, false, UNDERWAY);
        sail(berth(home), cruise, true, UNDERWAY);
        stay(berth(home), rng.nextLong(4 * 3600, 10 * 3600), MOORED);
        break;
      }
      case TUG: {
        double[] anch = approach(home, rng.nextDouble(0, 5), 30);
        double cruise = cruise();
        sail(anch, cruise, true, rng.nextInt(4) == 0 ? 12 : UNDERWAY);
        Seg s = stay(anch[0], anch[1], rng.nextLong(1200, 5400), UNDERWAY, false);
        s.swing = false;
        sail(berth(home), cruise, true, UNDERWAY);
        stay(berth(home), rng.nextLong(1800, 7200), MOORED);
        break;
      }
      case PLEASURE: {
        double[] spot = approach(home, rng.nextDouble(0, 10), 70);
        double cruise = cruise();
        sail(spot, cruise, true, -1);
        loiter(rng.nextLong(1800, 3 * 3600), rng.nextDouble(0.5, 3), -1);
        sail(berth(home), cruise, true, -1);
        stay(berth(home), rng.nextLong(3600, 8 * 3600), -1);
        break;
      }
      default:
        stay(lat, lon, Long.MAX_VALUE / 4, kind == ShipKind.ANCHORED ? AT_ANCHOR : MOORED, false);
        break;
    }
  }

  /** Berth -> approach -> open sea -> approach -> berth, then a stay of 2-8 h. */
  private void voyageTo(Port to) {
    double cruise = cruise();
    double[] berthFrom = berth(at);
    if (distance(lat, lon, berthFrom[0], berthFrom[1]) < 2000) {
      sail(approach(at, 0, 0), cruise, true, UNDERWAY);
    }
    double[] a1 = approach(at, 0, 0);
    double[] a2 = approach(to, 0, 0);
    double leg = distance(a1[0], a1[1], a2[0], a2[1]);
    if (leg > 50_000) {
      // keep coastal voyages offshore: via the midpoint pushed out along the ports' mean seaward
      // bearing by a quarter of the leg (at most 150 km); there is no land mask
      double[] mid = midpoint(a1, a2);
      double sx = Math.sin(Math.toRadians(at.seawardDeg())) + Math.sin(Math.toRadians(to.seawardDeg()));
      double sy = Math.cos(Math.toRadians(at.seawardDeg())) + Math.cos(Math.toRadians(to.seawardDeg()));
      double seaward = Math.toDegrees(Math.atan2(sx, sy));
      sail(offset(mid[0], mid[1], seaward, Math.min(leg / 4, 150_000)), cruise, false, UNDERWAY);
    }
    sail(a2, cruise, false, UNDERWAY);
    sail(berth(to), cruise, true, UNDERWAY);
    stay(berth(to), rng.nextLong(2 * 3600, 8 * 3600), MOORED);
    at = to;
  }

  private double cruise() {
    return rng.nextDouble(kind.minKn, kind.maxKn);
  }

  private void sail(double[] to, double cruise, boolean harbour, int st) {
    Seg s = new Seg();
    s.mode = SAIL;
    s.lat2 = to[0];
    s.lon2 = to[1];
    s.cruise = cruise;
    s.harbour = harbour;
    s.status = st;
    plan.addLast(s);
  }

  private void stay(double[] p, long durationS, int st) {
    stay(p[0], p[1], durationS, st, false);
  }

  private Seg stay(double la, double lo, long durationS, int st, boolean swing) {
    Seg s = new Seg();
    s.mode = STAY;
    s.lat2 = la;
    s.lon2 = lo;
    s.durationS = durationS;
    s.status = kind.classB() ? -1 : st;
    s.swing = swing;
    plan.addLast(s);
    return s;
  }

  private void loiter(long durationS, double kn, int st) {
    Seg s = new Seg();
    s.mode = LOITER;
    s.durationS = durationS;
    s.cruise = kn;
    s.status = st;
    plan.addLast(s);
  }

  /** A berth 100-500 m from the port's terminal position (fixed per vessel and port). */
  private double[] berth(Port p) {
    long h = mmsi * 31 + p.name().hashCode();
    double az = Math.floorMod(h, 360);
    double d = 100 + Math.floorMod(h / 360, 400);
    return offset(p.lat(), p.lon(), az, d);
  }

  /** The port's approach point, plus {@code extraKm} further out within +-{@code spreadDeg}. */
  private double[] approach(Port p, double extraKm, double spreadDeg) {
    double[] a = offset(p.lat(), p.lon(), p.seawardDeg(), p.approachKm() * 1000);
    if (extraKm <= 0) {
      return a;
    }
    double az = p.seawardDeg() + (spreadDeg > 0 ? rng.nextDouble(-spreadDeg, spreadDeg) : 0);
    return offset(a[0], a[1], az, extraKm * 1000);
  }

  private Port otherPort(Port from) {
    java.util.List<Port> same = new java.util.ArrayList<>();
    for (Port p : Port.ALL) {
      if (p.region().equals(from.region()) && p != from) {
        same.add(p);
      }
    }
    return same.isEmpty() ? from : same.get(rng.nextInt(same.size()));
  }

  static double[] offset(double lat, double lon, double azDeg, double metres) {
    GeodesicData g = G.Direct(lat, lon, azDeg, metres);
    return new double[] {g.lat2, g.lon2};
  }

  static double[] midpoint(double[] a, double[] b) {
    GeodesicLine l = G.InverseLine(a[0], a[1], b[0], b[1], MASK | GeodesicMask.DISTANCE_IN);
    GeodesicData g = l.Position(l.Distance() / 2, MASK);
    return new double[] {g.lat2, g.lon2};
  }

  static double distance(double lat1, double lon1, double lat2, double lon2) {
    return G.Inverse(lat1, lon1, lat2, lon2, GeodesicMask.DISTANCE).s12;
  }

  static double norm(double deg) {
    double d = deg % 360;
    return d < 0 ? d + 360 : d;
  }
}
