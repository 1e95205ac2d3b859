package io.aisdistill.common.ais;

import java.util.List;

/**
 * ITU-R M.1371-5 navigational status (message 1-3, 4 bits, Table 45 "Navigational status"),
 * 0-15 -> lower-case text.
 */
public final class NavStatus {
  private NavStatus() {}

  /** 15 = not defined, the default value. */
  public static final int NOT_DEFINED = 15;

  private static final List<String> TEXT = List.of(
      "under way using engine",
      "at anchor",
      "not under command",
      "restricted manoeuvrability",
      "constrained by her draught",
      "moored",
      "aground",
      "engaged in fishing",
      "under way sailing",
      "reserved for high-speed craft",
      "reserved for wing in ground",
      "power-driven vessel towing astern",
      "power-driven vessel pushing ahead or towing alongside",
      "reserved for future use",
      "AIS-SART, MOB-AIS or EPIRB-AIS active",
      "not defined");

  /**
   * Text of a status, e.g. 0 -> "under way using engine", 1 -> "at anchor", 5 -> "moored";
   * null when {@code status} is null or outside 0-15.
   */
  public static String text(Integer status) {
    return status == null || status < 0 || status > 15 ? null : TEXT.get(status);
  }
}
