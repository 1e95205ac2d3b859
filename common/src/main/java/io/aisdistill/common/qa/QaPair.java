package io.aisdistill.common.qa;

import java.util.Map;

/**
 * One question-answer candidate: a row of {@code qa_candidates}.
 *
 * @param qaId deterministic id: hex SHA-256 prefix of (window_id, category, template id, teacher,
 *     prompt_version)
 * @param windowId the window the pair is about
 * @param mmsi the vessel
 * @param category one of {@link Category}
 * @param question the question text as the student will see it
 * @param answer the reference answer text (units spelled out: knots, nautical miles, degrees, minutes)
 * @param reasoning a short step-by-step trace from the facts to the answer
 * @param teacher teacher name ("grounded" for the offline grounded teacher)
 * @param promptVersion version of the window prompt the pair was made from
 * @param templateId stable id of the question template (e.g. "kinematics.sog_mean.v1")
 * @param claimKind the kind of claim the answer makes, used by the grounded judge to recompute it
 *     (e.g. "number", "category", "yes_no", "text")
 * @param claim the machine-readable claim: a number as text for "number" ("12.4"), a normalized
 *     label for "category" ("moored"), "yes"/"no" for "yes_no", null for "text"
 * @param unit the claim's unit ("knots", "nm", "degrees", "minutes", "seconds", "count", null)
 * @param facts the window facts the answer rests on, as name -> value (JSON-serializable values)
 * @param factKey the {@link WindowFacts} key the answer states (e.g. "sog_mean_kn"), the fact the
 *     grounded judge recomputes; null for free-text pairs that rest on no single fact
 */
public record QaPair(
    String qaId,
    String windowId,
    long mmsi,
    Category category,
    String question,
    String answer,
    String reasoning,
    String teacher,
    String promptVersion,
    String templateId,
    String claimKind,
    String claim,
    String unit,
    Map<String, Object> facts,
    String factKey) {}
