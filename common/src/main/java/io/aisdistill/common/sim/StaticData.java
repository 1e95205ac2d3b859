package io.aisdistill.common.sim;

import java.util.Set;
import java.util.SplittableRandom;

/**
 * Realistic static data for simulated vessels: MMSI with real Maritime Identification Digits
 * (ITU MID table), call signs with the flag's ITU prefix, IMO numbers with a valid check digit
 * (IMO Resolution A.1117(30)), plausible names.
 */
final class StaticData {
  /** Flag: MIDs (ITU), call-sign prefix and pattern (L letter, D digit). */
  private record Flag(int[] mids, String prefix, String pattern) {}

  private static final Flag USA = new Flag(new int[] {366, 367, 368, 369}, "WD", "LDDDD");
  private static final Flag[] FOREIGN = {
    new Flag(new int[] {636}, "D5", "LLD"), // Liberia
    new Flag(new int[] {538}, "V7", "LLDD"), // Marshall Islands
    new Flag(new int[] {351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373}, "3E", "LLD"), // Panama
    new Flag(new int[] {563, 564, 565, 566}, "9V", "DDDD"), // Singapore
    new Flag(new int[] {215, 229, 248, 249, 256}, "9H", "LDDDD"), // Malta
    new Flag(new int[] {311}, "C6", "LLD"), // Bahamas
    new Flag(new int[] {477}, "VR", "LLD"), // Hong Kong
    new Flag(new int[] {240, 241}, "SV", "LLD"), // Greece
  };

  private static final String[] WORDS_A = {"ATLANTIC", "PACIFIC", "NORDIC", "GOLDEN", "OCEAN",
    "BLUE", "GREAT", "CAPE", "SILVER", "NORTHERN", "EASTERN", "STAR", "SEA", "AURORA", "CORAL",
    "BRIGHT", "GLOBAL", "ROYAL", "HAPPY", "ENERGY"};
  private static final String[] WORDS_B = {"SPIRIT", "TRADER", "PIONEER", "HARMONY", "GLORY",
    "VOYAGER", "HORIZON", "FORTUNE", "EXPRESS", "BRIDGE", "EAGLE", "JADE", "PEARL", "VENTURE",
    "DAWN", "HOPE", "PRIDE", "BREEZE", "WAVE", "QUEEN"};
  private static final String[] PEOPLE = {"MARY", "ELIZABETH", "JOHN", "GRACE", "ANNA", "KATIE",
    "JAMES", "ELLEN", "LUCY", "SARAH", "MARGARET", "THOMAS", "ROSE", "CAROL", "HENRY", "ALICE"};
  private static final String[] BOAT = {"REEL TIME", "SEA DREAMER", "KNOT WORKING", "SALTY DOG",
    "AQUA VITAE", "FREE SPIRIT", "SEAS THE DAY", "SOLITUDE", "WINDSONG", "BLUE MOON", "TRADEWINDS",
    "SERENITY", "MISCHIEF", "OFF DUTY", "LAST DANCE", "SEA BREEZE"};
  private static final String[] ROMAN = {"", "", "", " II", " III", " IV", " V"};

  private StaticData() {}

  /** A ship-station MMSI not in {@code used}; US flag unless {@code foreign}. */
  static long mmsi(SplittableRandom r, boolean foreign, Set<Long> used, boolean classB) {
    Flag f = foreign ? FOREIGN[r.nextInt(FOREIGN.length)] : USA;
    while (true) {
      int mid = classB && r.nextInt(3) == 0 ? 338 : f.mids[r.nextInt(f.mids.length)];
      long m = mid * 1_000_000L + r.nextInt(1_000_000);
      if (used.add(m)) {
        return m;
      }
    }
  }

  /** A call sign whose ITU prefix matches the MMSI's MID. */
  static String callsign(SplittableRandom r, long mmsi) {
    int mid = (int) (mmsi / 1_000_000L);
    Flag f = USA;
    for (Flag g : FOREIGN) {
      for (int m : g.mids) {
        if (m == mid) {
          f = g;
        }
      }
    }
    StringBuilder b = new StringBuilder(f.prefix);
    for (char c : f.pattern.toCharArray()) {
      b.append(c == 'L' ? (char) ('A' + r.nextInt(26)) : (char) ('0' + r.nextInt(10)));
    }
    return b.toString();
  }

  /** A 7-digit IMO number with a valid check digit, first digit {@code first}. */
  static String imo(SplittableRandom r, int first) {
    int[] d = new int[7];
    d[0] = first;
    for (int i = 1; i < 6; i++) {
      d[i] = r.nextInt(10);
    }
    int sum = 0;
    for (int i = 0; i < 6; i++) {
      sum += d[i] * (7 - i);
    }
    d[6] = sum % 10;
    StringBuilder b = new StringBuilder(7);
    for (int x : d) {
      b.append(x);
    }
    return b.toString();
  }

  /** True when {@code imo} (7 digits) has a valid check digit. */
  static boolean validImo(String imo) {
    if (imo.length() != 7) {
      return false;
    }
    int sum = 0;
    for (int i = 0; i < 6; i++) {
      sum += (imo.charAt(i) - '0') * (7 - i);
    }
    return sum % 10 == imo.charAt(6) - '0';
  }

  static String name(SplittableRandom r, ShipKind k) {
    switch (k) {
      case TUG:
        return (r.nextBoolean() ? "MISS " : "CAPT ") + pick(r, PEOPLE);
      case FISHING:
        return (r.nextBoolean() ? "LADY " + pick(r, PEOPLE) : pick(r, PEOPLE) + " " + pick(r, WORDS_B))
            + pick(r, ROMAN);
      case PLEASURE:
        return pick(r, BOAT);
      default:
        return pick(r, WORDS_A) + " " + pick(r, WORDS_B) + pick(r, ROMAN);
    }
  }

  private static String pick(SplittableRandom r, String[] a) {
    return a[r.nextInt(a.length)];
  }
}
