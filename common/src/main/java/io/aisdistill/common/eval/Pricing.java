package io.aisdistill.common.eval;

import java.util.Objects;

/**
 * How a model's inference is paid for, in US dollars. Two bases:
 * <ul>
 *   <li>{@link Api}: pay per token at the provider's list price, USD per million input
 *       (prompt) and output (completion) tokens;</li>
 *   <li>{@link SelfHosted}: rent a GPU by the hour and serve the model yourself; the cost of a
 *       query is the GPU time it takes at the measured throughput.</li>
 * </ul>
 */
public sealed interface Pricing permits Pricing.Api, Pricing.SelfHosted {

  /**
   * USD for one query with {@code tokensIn} prompt and {@code tokensOut} completion tokens (means
   * may be passed; both formulas are linear in the token counts).
   */
  double usdPerQuery(double tokensIn, double tokensOut);

  /** "api" or "self-hosted", as stored in {@code eval_summary.cost_basis}. */
  String basis();

  /**
   * Per-token list prices. USD per query = tokensIn x usdPerMillionInput / 10^6 + tokensOut x
   * usdPerMillionOutput / 10^6.
   *
   * @param usdPerMillionInput USD per 1,000,000 prompt tokens, finite and >= 0
   * @param usdPerMillionOutput USD per 1,000,000 completion tokens, finite and >= 0
   */
  record Api(double usdPerMillionInput, double usdPerMillionOutput) implements Pricing {
    /**
     * Validates the prices.
     *
     * @throws IllegalArgumentException when a price is negative or not finite
     */
    public Api {
      if (!(usdPerMillionInput >= 0) || !(usdPerMillionOutput >= 0) || Double.isInfinite(usdPerMillionInput)
          || Double.isInfinite(usdPerMillionOutput)) {
        throw new IllegalArgumentException("prices must be finite and >= 0: " + usdPerMillionInput + ", "
            + usdPerMillionOutput);
      }
    }

    @Override
    public double usdPerQuery(double tokensIn, double tokensOut) {
      return (tokensIn * usdPerMillionInput + tokensOut * usdPerMillionOutput) / 1_000_000.0;
    }

    @Override
    public String basis() {
      return "api";
    }
  }

  /**
   * A self-hosted server on rented GPUs. USD per query = gpuUsdPerHour / (3600 x queriesPerSecond),
   * where queriesPerSecond is the measured sustained throughput of the whole server (completed
   * queries per second at the benchmark's concurrency, prefill and decode included), and
   * gpuUsdPerHour the rent for all GPUs the server uses. Token counts do not enter: the
   * throughput already reflects the workload's prompt and answer lengths. With a tokens-per-second
   * measurement use {@link #fromTokenThroughput}.
   *
   * @param gpu GPU description for the report (e.g. "1x NVIDIA L4"), non-null
   * @param gpuUsdPerHour USD per hour for the GPUs, finite and > 0
   * @param queriesPerSecond measured throughput, queries per second, finite and > 0
   */
  record SelfHosted(String gpu, double gpuUsdPerHour, double queriesPerSecond) implements Pricing {
    /**
     * Validates the fields.
     *
     * @throws NullPointerException when {@code gpu} is null
     * @throws IllegalArgumentException when a number is not finite and positive
     */
    public SelfHosted {
      Objects.requireNonNull(gpu, "gpu");
      if (!(gpuUsdPerHour > 0) || !(queriesPerSecond > 0) || Double.isInfinite(gpuUsdPerHour)
          || Double.isInfinite(queriesPerSecond)) {
        throw new IllegalArgumentException(
            "gpuUsdPerHour and queriesPerSecond must be finite and > 0: " + gpuUsdPerHour + ", " + queriesPerSecond);
      }
    }

    /**
     * From an output-token throughput: queriesPerSecond = outputTokensPerSecond / meanTokensOut.
     *
     * @param outputTokensPerSecond aggregate completion tokens per second the server sustains, > 0
     * @param meanTokensOut mean completion tokens per query of the workload, > 0
     * @throws IllegalArgumentException when a number is not finite and positive
     */
    public static SelfHosted fromTokenThroughput(String gpu, double gpuUsdPerHour, double outputTokensPerSecond,
        double meanTokensOut) {
      if (!(meanTokensOut > 0)) {
        throw new IllegalArgumentException("meanTokensOut must be > 0: " + meanTokensOut);
      }
      return new SelfHosted(gpu, gpuUsdPerHour, outputTokensPerSecond / meanTokensOut);
    }

    @Override
    public double usdPerQuery(double tokensIn, double tokensOut) {
      return gpuUsdPerHour / (3600.0 * queriesPerSecond);
    }

    @Override
    public String basis() {
      return "self-hosted";
    }
  }
}
