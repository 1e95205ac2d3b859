package io.aisdistill.common.qa;

/**
 * The six QA categories (after arXiv 2509.13047's maritime task families).
 *
 * <ul>
 *   <li>{@link #IDENTITY}: ship type, flag state from the MID, size, AIS class A/B.</li>
 *   <li>{@link #KINEMATICS}: SOG statistics, speed changes.</li>
 *   <li>{@link #BEHAVIOUR}: moored / anchored / underway, stops, loitering, manoeuvres.</li>
 *   <li>{@link #ROUTE}: distance, displacement, direction, start / end, area.</li>
 *   <li>{@link #TEMPORAL}: durations, report intervals, AIS gaps.</li>
 *   <li>{@link #ANOMALY}: implied-speed jumps, missing / sentinel data, heading vs COG disagreement.</li>
 * </ul>
 */
public enum Category {
  IDENTITY, KINEMATICS, BEHAVIOUR, ROUTE, TEMPORAL, ANOMALY;

  /** Lower-case label as stored in the tables ("identity", ...). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
