package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.RejectReason;

/**
 * Result of {@link FormatDetector#detect}: either a readable {@code format} (reason null) or a
 * whole-file {@code reason} why the file is not read (format null), with a human-readable detail.
 *
 * @param format the detected format, null when the file is not readable
 * @param reason the whole-file reject reason, null when {@code format} is set
 * @param detail what was recognised (e.g. "MarineCadastre header: MMSI,BaseDateTime,...") or what
 *     is missing
 */
public record Detection(InputFormat format, RejectReason reason, String detail) {

  /** A readable file of {@code format}. */
  public static Detection of(InputFormat format, String detail) {
    return new Detection(format, null, detail);
  }

  /** An unreadable file. */
  public static Detection rejected(RejectReason reason, String detail) {
    return new Detection(null, reason, detail);
  }

  /** True when a format was detected. */
  public boolean readable() {
    return format != null;
  }
}
