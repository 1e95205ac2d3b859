package io.aisdistill.common.sim;

/**
 * Behaviour profiles of simulated vessels: ITU-R M.1371-5 "type of ship" code, transceiver class,
 * service speed range (knots) and hull dimensions (metres), with the share of the fleet.
 */
enum ShipKind {
  CARGO(70, 'A', 12, 19, 140, 300, 8, 14.5, 0.24),
  TANKER(80, 'A', 10, 15, 100, 250, 7, 15, 0.14),
  PASSENGER(60, 'A', 14, 21, 40, 140, 3, 6, 0.09),
  FISHING(30, 'A', 7, 10, 15, 45, 2.5, 5, 0.12),
  TUG(52, 'A', 6, 11, 20, 35, 3, 5.5, 0.10),
  PLEASURE(37, 'B', 6, 18, 8, 25, 0, 0, 0.15),
  MOORED(70, 'A', 0, 0, 60, 200, 4, 10, 0.09),
  ANCHORED(80, 'A', 0, 0, 120, 250, 7, 14, 0.07);

  final int typeCode;
  final char aisClass;
  final double minKn;
  final double maxKn;
  final double minLen;
  final double maxLen;
  final double minDraft;
  final double maxDraft;
  final double share;

  ShipKind(int typeCode, char aisClass, double minKn, double maxKn, double minLen, double maxLen,
      double minDraft, double maxDraft, double share) {
    this.typeCode = typeCode;
    this.aisClass = aisClass;
    this.minKn = minKn;
    this.maxKn = maxKn;
    this.minLen = minLen;
    this.maxLen = maxLen;
    this.minDraft = minDraft;
    this.maxDraft = maxDraft;
    this.share = share;
  }

  boolean classB() {
    return aisClass == 'B';
  }
}
