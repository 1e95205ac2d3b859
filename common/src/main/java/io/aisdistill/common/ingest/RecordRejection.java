package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.RejectReason;

/**
 * Internal signal that the record being parsed must be quarantined: carries the stable
 * {@link RejectReason} and a human-readable detail. Never escapes {@link NmeaLineParser#line}; the
 * parser turns it into a {@link io.aisdistill.common.ais.RejectRecord}.
 */
final class RecordRejection extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the record is rejected. */
  final RejectReason reason;

  RecordRejection(RejectReason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  /** The human-readable detail (which field, which value). */
  String detail() {
    return getMessage();
  }
}
