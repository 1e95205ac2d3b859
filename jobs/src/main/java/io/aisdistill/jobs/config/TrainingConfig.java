package io.aisdistill.jobs.config;


import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code export} and {@code train} sections of the pipeline configuration
 * ({@code conf/ais-distill.yaml}): how accepted QA becomes a chat-format training set, and the
 * LoRA hyperparameters recorded in the export's {@code manifest.json} for the Python trainer
 * ({@code jobs/lora-trainer}).
 */
public final class TrainingConfig {
  private TrainingConfig() {}

  /** Default system message of the student (an empty string leaves the system turn out). */
  public static final String DEFAULT_SYSTEM_PROMPT = "You are a maritime analyst. You answer questions about "
      + "one window of a vessel's AIS track using only the data given, with units spelled out.";

  /** Export stage. */
  public static class ExportSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /**
     * Directory holding the student's {@code tokenizer.json} (or the file itself); empty = {@code
     * $AIS_DISTILL_HOME/../shared/models/qwen2.5-tokenizer}.
     */
    public String tokenizer = "";
    /** Name of the tokenizer recorded in the manifest. */
    public String tokenizerName = "Qwen/Qwen2.5-7B-Instruct";
    /** System message of every example; empty = no system turn. */
    public String systemPrompt = DEFAULT_SYSTEM_PROMPT;
    /** True to put the teacher's reasoning trace before the answer in the assistant turn. */
    public boolean includeReasoning = true;
    /** Share of vessels (by hash of MMSI) in the train split. */
    public double trainFraction = 0.8;
    /** Share of vessels in the validation split (the rest is test). */
    public double validationFraction = 0.1;
    /** Salt of the MMSI hash that assigns vessels to splits (change it to draw another split). */
    public String splitSalt = "ais-distill-split-v1";

    /** The tokenizer directory or file, resolved against {@code AIS_DISTILL_HOME}. */
    public Path tokenizerPath() {
      if (tokenizer != null && !tokenizer.isBlank()) {
        return Path.of(tokenizer);
      }
      String home = System.getenv("AIS_DISTILL_HOME");
      Path base = Path.of(home == null ? "." : home).toAbsolutePath().normalize();
      Path shared = base.resolve("../shared/models/qwen2.5-tokenizer").normalize();
      if (!Files.exists(shared) && System.getProperty("ais.shared.dir") != null) {
        shared = Path.of(System.getProperty("ais.shared.dir"), "models/qwen2.5-tokenizer");
      }
      return shared;
    }
  }

  /** LoRA training hyperparameters (recorded in the manifest; the trainer reads them from there). */
  public static class TrainSection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Hugging Face id or local directory of the base causal LM. */
    public String baseModel = "Qwen/Qwen2.5-7B-Instruct";
    /** LoRA rank. */
    public int loraR = 16;
    /** LoRA alpha (scaling = alpha / r). */
    public int loraAlpha = 32;
    /** LoRA dropout. */
    public double loraDropout = 0.05;
    /** Modules that get LoRA adapters (Qwen2 / Llama names). */
    public List<String> targetModules = new ArrayList<>(
        List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"));
    /** Passes over the train split. */
    public double epochs = 3;
    /** Peak learning rate (cosine schedule after warmup). */
    public double learningRate = 2e-4;
    /** Student's maximum sequence length in tokens (whole chat in ChatML); longer examples are left out. */
    public int maxLength = 4096;
    /** Examples per device batch. */
    public int batchSize = 4;
    /** Batches accumulated per optimizer step. */
    public int gradientAccumulationSteps = 4;
    /** Share of steps with linear learning-rate warmup. */
    public double warmupRatio = 0.03;
    /** Random seed of the trainer (data order, LoRA init, dropout). */
    public long seed = 42;
    /**
     * Python interpreter that runs the trainer; empty = {@code $AIS_DISTILL_PYTHON}, else
     * {@code jobs/lora-trainer/.venv/bin/python} when present, else {@code python3}.
     */
    public String python = "";
  }
}
