package io.aisdistill.common.ingest;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The text values of the DMA aisdk CSV (web.ais.dk, "Navigational status" and "Ship type" columns)
 * mapped to ITU-R M.1371-5 codes (navigational status, Table 48; type of ship, Table 53).
 */
public final class DmaCodes {
  private static final Map<String, Integer> NAV_STATUS = new HashMap<>();
  private static final Map<String, Integer> SHIP_TYPE = new HashMap<>();
  /** Marker for ship-type texts that mean "not available" (mapped to null). */
  private static final int NONE = -1;

  static {
    nav(0, "Under way using engine");
    nav(1, "At anchor");
    nav(2, "Not under command");
    nav(3, "Restricted maneuverability", "Restricted manoeuvrability", "Restricted manoeuverability");
    nav(4, "Constrained by her draught", "Constrained by her draft");
    nav(5, "Moored");
    nav(6, "Aground");
    nav(7, "Engaged in fishing");
    nav(8, "Under way sailing");
    nav(9, "Reserved for future amendment [HSC]");
    nav(10, "Reserved for future amendment [WIG]");
    nav(11, "Power-driven vessel towing astern");
    nav(12, "Power-driven vessel pushing ahead or towing alongside");
    nav(13, "Reserved for future use");
    nav(14, "AIS-SART", "AIS-SART (active)", "AIS-SART is active");
    nav(15, "Unknown value", "Unknown", "Undefined", "Not defined");

    ship(70, "Cargo");
    ship(80, "Tanker");
    ship(60, "Passenger");
    ship(30, "Fishing");
    ship(52, "Tug");
    ship(50, "Pilot");
    ship(36, "Sailing");
    ship(37, "Pleasure");
    ship(35, "Military");
    ship(31, "Towing");
    ship(32, "Towing long/wide");
    ship(51, "SAR");
    ship(40, "HSC");
    ship(55, "Law enforcement");
    ship(33, "Dredging");
    ship(34, "Diving");
    ship(53, "Port tender");
    ship(54, "Anti-pollution");
    ship(58, "Medical");
    ship(20, "WIG");
    ship(59, "Not party to conflict");
    ship(90, "Other");
    ship(NONE, "Undefined", "Reserved", "Spare 1", "Spare 2", "Unknown");
  }

  private DmaCodes() {}

  private static void nav(int code, String... texts) {
    for (String t : texts) {
      NAV_STATUS.put(key(t), code);
    }
  }

  private static void ship(int code, String... texts) {
    for (String t : texts) {
      SHIP_TYPE.put(key(t), code);
    }
  }

  private static String key(String s) {
    return s.trim().toLowerCase(Locale.ROOT);
  }

  /**
   * ITU navigational status 0-15 for a DMA text such as "Under way using engine" (0), "At anchor"
   * (1), "Moored" (5), "Unknown value" (15); case-insensitive; null for an unknown text.
   */
  public static Integer navStatus(String text) {
    return NAV_STATUS.get(key(text));
  }

  /** True when {@code text} is a known DMA ship-type text (including "Undefined"). */
  public static boolean isShipTypeText(String text) {
    return SHIP_TYPE.containsKey(key(text));
  }

  /**
   * A representative ITU "type of ship" code for a DMA ship-type text: Cargo 70, Tanker 80,
   * Passenger 60, Fishing 30, Tug 52, Pilot 50, Sailing 36, Pleasure 37, Military 35, Towing 31,
   * SAR 51, HSC 40, Law enforcement 55, Dredging 33, Diving 34, Port tender 53, Anti-pollution 54,
   * Medical 58, Other 90; null for "Undefined"/"Reserved"/"Spare" and unknown texts.
   */
  public static Integer shipType(String text) {
    Integer c = SHIP_TYPE.get(key(text));
    return c == null || c == NONE ? null : c;
  }
}
