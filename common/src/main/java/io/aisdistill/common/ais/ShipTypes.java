package io.aisdistill.common.ais;

/**
 * ITU-R M.1371-5 Table 53 "Identifiers to be used by ships to report their type" (the "type of
 * ship and cargo" field of message 5 and 24B): code 0-99 -> description and coarse group.
 *
 * <p>Code layout: 0 not available; 1-19 reserved for future use; 20-29 wing in ground (WIG);
 * 30-39 fishing, towing, dredging, diving, military, sailing, pleasure; 40-49 high-speed craft
 * (HSC); 50-59 special craft (pilot, SAR, tug, port tender, anti-pollution, law enforcement,
 * local, medical, RR Resolution 18); 60-69 passenger; 70-79 cargo; 80-89 tanker; 90-99 other.
 * In the 2x and 4x-9x decades the second digit is: 0 all ships of this type, 1-4 carrying
 * dangerous goods / harmful substances / marine pollutants of hazard category A-D, 5-8 reserved,
 * 9 no additional information.
 */
public final class ShipTypes {
  private ShipTypes() {}

  /** The coarse groups {@link #group} returns, in code order. */
  public static final java.util.List<String> GROUPS = java.util.List.of(
      "wing in ground", "fishing", "towing", "dredging", "diving", "military", "sailing",
      "pleasure", "high-speed craft", "pilot", "search and rescue", "tug", "law enforcement",
      "passenger", "cargo", "tanker", "other");

  /** True when {@code code} is a real type (20-99); false for 0 (not available), 1-19 and out of range. */
  public static boolean isKnown(Integer code) {
    return code != null && code >= 20 && code <= 99;
  }

  /**
   * Table 53 description, e.g. 52 -> "Tug", 71 -> "Cargo, hazardous category A", 60 ->
   * "Passenger"; null for 0 (not available), null or outside 0-99. Codes 1-19 give "Reserved for
   * future use".
   */
  public static String description(Integer code) {
    if (code == null || code <= 0 || code > 99) {
      return null;
    }
    if (code < 20) {
      return "Reserved for future use";
    }
    int decade = code / 10;
    int digit = code % 10;
    return switch (decade) {
      case 2 -> withCategory("Wing in ground", digit);
      case 3 -> switch (digit) {
        case 0 -> "Fishing";
        case 1 -> "Towing";
        case 2 -> "Towing, length exceeds 200 m or breadth exceeds 25 m";
        case 3 -> "Dredging or underwater operations";
        case 4 -> "Diving operations";
        case 5 -> "Military operations";
        case 6 -> "Sailing";
        case 7 -> "Pleasure craft";
        default -> "Reserved for future use";
      };
      case 4 -> withCategory("High-speed craft", digit);
      case 5 -> switch (digit) {
        case 0 -> "Pilot vessel";
        case 1 -> "Search and rescue vessel";
        case 2 -> "Tug";
        case 3 -> "Port tender";
        case 4 -> "Anti-pollution equipment";
        case 5 -> "Law enforcement";
        case 6, 7 -> "Spare, for assignment to local vessels";
        case 8 -> "Medical transport";
        default -> "Noncombatant ship according to RR Resolution No. 18";
      };
      case 6 -> withCategory("Passenger", digit);
      case 7 -> withCategory("Cargo", digit);
      case 8 -> withCategory("Tanker", digit);
      default -> withCategory("Other type", digit);
    };
  }

  private static String withCategory(String base, int digit) {
    return switch (digit) {
      case 0 -> base;
      case 1, 2, 3, 4 -> base + ", hazardous category " + (char) ('A' + digit - 1);
      case 9 -> base + ", no additional information";
      default -> base + ", reserved for future use";
    };
  }

  /**
   * Coarse group of a code (one of {@link #GROUPS}), e.g. 52 -> "tug", 31 -> "towing", 84 ->
   * "tanker"; null when {@link #isKnown} is false. Port tender, anti-pollution, local, medical,
   * RR Resolution 18 and 90-99 are "other".
   */
  public static String group(Integer code) {
    if (!isKnown(code)) {
      return null;
    }
    int c = code;
    return switch (c / 10) {
      case 2 -> "wing in ground";
      case 3 -> switch (c) {
        case 30 -> "fishing";
        case 31, 32 -> "towing";
        case 33 -> "dredging";
        case 34 -> "diving";
        case 35 -> "military";
        case 36 -> "sailing";
        case 37 -> "pleasure";
        default -> "other";
      };
      case 4 -> "high-speed craft";
      case 5 -> switch (c) {
        case 50 -> "pilot";
        case 51 -> "search and rescue";
        case 52 -> "tug";
        case 55 -> "law enforcement";
        default -> "other";
      };
      case 6 -> "passenger";
      case 7 -> "cargo";
      case 8 -> "tanker";
      default -> "other";
    };
  }
}
