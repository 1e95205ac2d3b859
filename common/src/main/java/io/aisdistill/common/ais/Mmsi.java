package io.aisdistill.common.ais;

/**
 * MMSI rules of ITU-R M.585-9 (Maritime Mobile Service Identities).
 *
 * <p>A ship station's MMSI is 9 digits {@code MIDXXXXXX} whose first digit (the first MID digit)
 * is 2-7. Other forms belong to non-vessel stations: {@code 00MIDXXXX} coast/base stations,
 * {@code 0MIDXXXXX} group calls, {@code 111MIDXXX} SAR aircraft, {@code 98MIDXXXX} craft associated
 * with a parent ship, {@code 99MIDXXXX} aids to navigation, {@code 970/972/974} AIS-SART, MOB and
 * EPIRB-AIS devices, and {@code 8MIDXXXXX} handheld VHF.
 */
public final class Mmsi {
  private Mmsi() {}

  /** True for a 9-digit ship-station MMSI (first digit 2-7); false for every other form. */
  public static boolean isVessel(long mmsi) {
    return mmsi >= 200_000_000L && mmsi <= 799_999_999L;
  }

  /**
   * Maritime Identification Digits of a ship-station MMSI (its first three digits), e.g. 366 for
   * 366123456 (United States).
   *
   * @throws IllegalArgumentException when {@code mmsi} is not a ship-station MMSI
   */
  public static int mid(long mmsi) {
    if (!isVessel(mmsi)) {
      throw new IllegalArgumentException("not a ship-station MMSI: " + mmsi);
    }
    return (int) (mmsi / 1_000_000L);
  }
}
