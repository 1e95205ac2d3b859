package io.aisdistill.common.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One row of {@code eval_summary}: a model's results on one category, or on all items
 * (category {@link EvalSummary#ALL}). Serialized to {@code summary.json} with snake_case names.
 *
 * @param model model name
 * @param role "student", "base" or "teacher"
 * @param category category label, or "all"
 * @param n items answered (scored or not)
 * @param scored items with a correct/incorrect score (n minus items left to an LLM judge)
 * @param correct items scored correct
 * @param accuracy correct / scored, in [0, 1]; null when scored is 0
 * @param ciLow lower bound of the 95 % Wilson score interval of accuracy; null when scored is 0
 * @param ciHigh upper bound of that interval; null when scored is 0
 * @param latencyP50Ms median call latency, milliseconds (linear interpolation, see {@link EvalSummary#percentile})
 * @param latencyP95Ms 95th percentile call latency, milliseconds
 * @param meanTokensIn mean prompt tokens per call
 * @param meanTokensOut mean completion tokens per call
 * @param usdPer1kQueries USD per 1,000 queries ({@link CostModel#usdPer1k}); null when the model is unpriced
 * @param costBasis "api", "self-hosted", or null when unpriced
 */
public record SummaryRow(
    String model,
    String role,
    String category,
    long n,
    long scored,
    long correct,
    Double accuracy,
    Double ciLow,
    Double ciHigh,
    double latencyP50Ms,
    double latencyP95Ms,
    double meanTokensIn,
    double meanTokensOut,
    @JsonProperty("usd_per_1k_queries") Double usdPer1kQueries,
    String costBasis) {}
