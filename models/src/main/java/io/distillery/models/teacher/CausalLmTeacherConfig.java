package io.distillery.models.teacher;

import io.distillery.models.tokenizer.BpeTrainer;
import java.nio.file.Path;

/**
 * Settings of one causal-LM teacher run: the tokenizer, the network, the optimisation and its
 * budget, and what the card says.
 *
 * @param outputDir model directory to write (created if missing)
 * @param vocabSize BPE vocabulary size, end-of-text token included
 * @param contextLength tokens per training sequence, the model's maximum
 * @param layers decoder blocks
 * @param width model width
 * @param heads attention heads
 * @param mlpWidth MLP hidden width
 * @param batchSize sequences per update
 * @param learningRate Adam's peak learning rate
 * @param finalLearningRate learning rate at the end (cosine decay)
 * @param warmupSteps linear warm-up steps; with a step budget at most a tenth of it
 * @param seed seeds the initialisation (PyTorch) and the batch sampling
 * @param maxSteps stop after this many updates, 0 for no step limit
 * @param maxSeconds stop after this much training time, 0 for no time limit; with both, whichever
 *     comes first (and the schedule follows the nearer one)
 * @param evalStride window advance of the held-out evaluation
 * @param modelId teacher id written to the card
 * @param version teacher version written to the card
 * @param licenseSpdx SPDX licence id of the trained model
 */
public record CausalLmTeacherConfig(
    Path outputDir,
    int vocabSize,
    int contextLength,
    int layers,
    int width,
    int heads,
    int mlpWidth,
    int batchSize,
    float learningRate,
    float finalLearningRate,
    int warmupSteps,
    int seed,
    int maxSteps,
    double maxSeconds,
    int evalStride,
    String modelId,
    String version,
    String licenseSpdx) {

  /** Default model id. */
  public static final String DEFAULT_ID = "austen-lm";

  /** Validates the values and names the first bad one. */
  public CausalLmTeacherConfig {
    require(vocabSize >= 257, "vocabSize", vocabSize, ">= 257 (256 bytes + end of text)");
    require(contextLength >= 2, "contextLength", contextLength, ">= 2");
    require(layers >= 1, "layers", layers, ">= 1");
    require(heads >= 1, "heads", heads, ">= 1");
    require(width >= 1 && width % heads == 0, "width", width, "a positive multiple of heads");
    require(mlpWidth >= 1, "mlpWidth", mlpWidth, ">= 1");
    require(batchSize >= 1, "batchSize", batchSize, ">= 1");
    require(learningRate > 0, "learningRate", learningRate, "> 0");
    require(
        finalLearningRate > 0 && finalLearningRate <= learningRate,
        "finalLearningRate",
        finalLearningRate,
        "in (0, learningRate]");
    require(warmupSteps >= 0, "warmupSteps", warmupSteps, ">= 0");
    require(maxSteps >= 0, "maxSteps", maxSteps, ">= 0");
    require(maxSeconds >= 0, "maxSeconds", maxSeconds, ">= 0");
    require(maxSteps > 0 || maxSeconds > 0, "maxSteps/maxSeconds", 0, "a step or time budget");
    require(
        evalStride >= 1 && evalStride <= contextLength,
        "evalStride",
        evalStride,
        "in [1, contextLength]");
    require(modelId != null && !modelId.isBlank(), "modelId", modelId, "non-blank");
    require(version != null && !version.isBlank(), "version", version, "non-blank");
    require(licenseSpdx != null && !licenseSpdx.isBlank(), "licenseSpdx", licenseSpdx, "non-blank");
  }

  /**
   * The teacher recipe: BPE-512, 4 layers of width 128 with 4 heads and MLP 512, context 128, batch
   * 16, Adam 2e-3 (100 warm-up steps) decaying to 1e-4, 15 minutes of training. Batch 16 was chosen
   * over 32 in 3-minute runs on Persuasion (2.56 against 2.72 bits/byte: at a few thousand tokens
   * per second, more updates beat larger ones).
   *
   * @param outputDir model directory to write
   * @return the configuration
   */
  public static CausalLmTeacherConfig defaults(Path outputDir) {
    return new CausalLmTeacherConfig(
        outputDir,
        BpeTrainer.DEFAULT_VOCAB_SIZE,
        128,
        4,
        128,
        4,
        512,
        16,
        2e-3f,
        1e-4f,
        100,
        1,
        0,
        15 * 60,
        64,
        DEFAULT_ID,
        "1.0.0",
        "Apache-2.0");
  }

  /** A copy with another budget. */
  public CausalLmTeacherConfig withBudget(int newMaxSteps, double newMaxSeconds) {
    return new CausalLmTeacherConfig(
        outputDir,
        vocabSize,
        contextLength,
        layers,
        width,
        heads,
        mlpWidth,
        batchSize,
        learningRate,
        finalLearningRate,
        warmupSteps,
        seed,
        newMaxSteps,
        newMaxSeconds,
        evalStride,
        modelId,
        version,
        licenseSpdx);
  }

  /** A copy with another optimisation schedule. */
  public CausalLmTeacherConfig withSchedule(
      int newBatchSize, float newLearningRate, float newFinalLearningRate, int newWarmupSteps) {
    return new CausalLmTeacherConfig(
        outputDir,
        vocabSize,
        contextLength,
        layers,
        width,
        heads,
        mlpWidth,
        newBatchSize,
        newLearningRate,
        newFinalLearningRate,
        newWarmupSteps,
        seed,
        maxSteps,
        maxSeconds,
        evalStride,
        modelId,
        version,
        licenseSpdx);
  }

  /** A copy with another network shape. */
  public CausalLmTeacherConfig withNetwork(
      int newVocab, int newContext, int newLayers, int newWidth, int newHeads, int newMlp) {
    return new CausalLmTeacherConfig(
        outputDir,
        newVocab,
        newContext,
        newLayers,
        newWidth,
        newHeads,
        newMlp,
        batchSize,
        learningRate,
        finalLearningRate,
        warmupSteps,
        seed,
        maxSteps,
        maxSeconds,
        Math.min(evalStride, newContext),
        modelId,
        version,
        licenseSpdx);
  }

  private static void require(boolean ok, String field, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "causal-LM teacher config: " + field + " must be " + expected + ", got " + value);
    }
  }
}
