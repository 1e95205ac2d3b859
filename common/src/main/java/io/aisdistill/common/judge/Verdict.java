package io.aisdistill.common.judge;

import java.util.List;

/**
 * The grounded judge's decision on one pair.
 *
 * @param accepted true when {@code reasons} is empty
 * @param reasons the failed checks, in check order (empty when accepted)
 * @param groundedOk true/false when the answer's claim was compared with the recomputed fact;
 *     null when not checkable (free-text pair without fact key, unknown or missing fact, empty or
 *     unparseable answer)
 * @param recomputed the fact value recomputed from the window (a {@code Double}/{@code Long} in
 *     the fact's unit, or a canonical label / "yes" / "no"); null when not recomputed
 * @param extracted the value read from the answer text, same shapes; null when none
 * @param traceUnsupported the numbers of the reasoning trace that are neither in the student
 *     prompt nor derived from it, as written ({@link TraceChecker}); empty when none
 */
public record Verdict(
    boolean accepted, List<ReasonCode> reasons, Boolean groundedOk, Object recomputed, Object extracted,
    List<String> traceUnsupported) {

  /** The reason codes as their stable strings. */
  public List<String> reasonCodes() {
    return reasons.stream().map(Enum::name).toList();
  }
}
