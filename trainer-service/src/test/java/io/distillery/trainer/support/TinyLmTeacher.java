package io.distillery.trainer.support;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import com.google.protobuf.ByteString;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.nn.TopK;
import io.distillery.models.runtime.OwnedArrays;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TokenSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A copy of models' test fixture {@code io.distillery.models.testing.TinyLmTeacher}: depending on
 * the models test-jar makes Quarkus load the models classes twice (a LinkageError in every
 * {@code @QuarkusTest} of this module). An in-process causal-LM teacher for tests: a randomly
 * initialised {@link CausalLm} whose token embedding is scaled up so its next-token distributions
 * are peaked (a structured language, not noise), with sampling, greedy continuation and soft labels
 * encoded exactly as the labeler writes them ({@link SparseCodec}, format 2 by default).
 */
public final class TinyLmTeacher implements AutoCloseable {

  /** The tokenizer sha256 on this teacher's card. */
  public static final String TOKENIZER_SHA256 = "7e57".repeat(16);

  private final LmSpec spec;
  private final Model model;
  private final LmRunner runner;

  /**
   * Builds the teacher.
   *
   * @param spec its shape
   * @param seed initialisation seed
   * @param sharpness factor on the token embedding (the logits scale with it); ~8 gives peaked but
   *     not deterministic distributions at width 32
   */
  public TinyLmTeacher(LmSpec spec, int seed, float sharpness) {
    this.spec = spec;
    this.model = Model.newInstance("tiny-lm-teacher", Device.cpu(), "PyTorch");
    CausalLm lm = new CausalLm(spec);
    model.setBlock(lm);
    synchronized (TinyLmTeacher.class) {
      Engine.getEngine("PyTorch").setRandomSeed(seed);
      lm.initialize(
          model.getNDManager(), DataType.FLOAT32, CausalLm.inputShapes(1, spec.contextLength()));
    }
    // In place, outside any autograd graph; the factor is an array (the project's rule).
    lm.freezeParameters(true); // first: PyTorch refuses in-place ops on leaves needing grad
    lm.tokenEmbedding()
        .getArray()
        .muli(new OwnedArrays(model.getNDManager(), DataType.FLOAT32).scalar(sharpness));
    this.runner = new LmRunner(model);
  }

  /** The teacher's shape. */
  public LmSpec spec() {
    return spec;
  }

  /** The model (PyTorch, block a {@link CausalLm}). */
  public Model model() {
    return model;
  }

  /** The card its labels carry. */
  public TeacherCard card() {
    return TeacherCard.newBuilder()
        .setModelId("tiny-lm")
        .setVersion("test")
        .setArtifactSha256("0".repeat(64))
        .setEngine("PyTorch")
        .setTask(Task.TASK_CAUSAL_LM)
        .setOutputSize(spec.vocabSize())
        .setLicenseSpdx("Apache-2.0")
        .setDistillation(DistillationPolicy.DISTILLATION_ALLOWED)
        .setTokenizerSha256(TOKENIZER_SHA256)
        .setEndOfTextId(0)
        .setArchitecture(spec.name())
        .build();
  }

  /** Natural-log next-token probabilities of one sequence, (length, vocab) row-major. */
  public float[] logProbs(int[] sequence) {
    long[][] ids = {Arrays.stream(sequence).asLongStream().toArray()};
    long[][] mask = new long[1][sequence.length];
    Arrays.fill(mask[0], 1);
    return runner.logProbs(ids, mask, spec.vocabSize());
  }

  /** {@code count} sequences of {@code length} tokens sampled from the teacher (first uniform). */
  public List<int[]> sample(int count, int length, long seed) {
    Random random = new Random(seed);
    int vocab = spec.vocabSize();
    long[][] ids = new long[count][1];
    for (long[] row : ids) {
      row[0] = random.nextInt(vocab);
    }
    for (int t = 1; t < length; t++) {
      long[][] mask = new long[count][t];
      for (long[] row : mask) {
        Arrays.fill(row, 1);
      }
      float[] logProbs = runner.logProbs(ids, mask, vocab);
      long[][] next = new long[count][t + 1];
      for (int b = 0; b < count; b++) {
        System.arraycopy(ids[b], 0, next[b], 0, t);
        int base = (b * t + t - 1) * vocab;
        double u = random.nextDouble();
        int chosen = vocab - 1;
        double cumulative = 0;
        for (int c = 0; c < vocab; c++) {
          cumulative += Math.exp(logProbs[base + c]);
          if (u < cumulative) {
            chosen = c;
            break;
          }
        }
        next[b][t] = chosen;
      }
      ids = next;
    }
    List<int[]> out = new ArrayList<>(count);
    for (long[] row : ids) {
      out.add(Arrays.stream(row).mapToInt(x -> (int) x).toArray());
    }
    return out;
  }

  /** The teacher's greedy continuation of {@code prompt}, {@code tokens} long. */
  public int[] greedy(int[] prompt, int tokens) {
    int[] sequence = prompt.clone();
    int vocab = spec.vocabSize();
    int[] generated = new int[tokens];
    for (int g = 0; g < tokens; g++) {
      float[] logProbs = logProbs(sequence);
      int base = (sequence.length - 1) * vocab;
      int best = 0;
      for (int c = 1; c < vocab; c++) {
        best = logProbs[base + c] > logProbs[base + best] ? c : best;
      }
      generated[g] = best;
      sequence = Arrays.copyOf(sequence, sequence.length + 1);
      sequence[sequence.length - 1] = best;
    }
    return generated;
  }

  /** A soft label of {@code tokens} at top-{@code k}, T = {@code temperature}, format 2. */
  public SoftLabelEvent softLabel(String id, int[] tokens, int k, float temperature) {
    return softLabel(id, tokens, new int[0], k, temperature);
  }

  /**
   * A soft label of a prompt and the teacher's continuation of it: one position per prompt and
   * generated token, as the labeler writes a generation.
   */
  public SoftLabelEvent softLabel(
      String id, int[] prompt, int[] generated, int k, float temperature) {
    int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
    System.arraycopy(generated, 0, all, prompt.length, generated.length);
    float[] logProbs = logProbs(all);
    int vocab = spec.vocabSize();
    List<SparseDistribution> positions = new ArrayList<>(all.length);
    for (int p = 0; p < all.length; p++) {
      // log-probs at T=1 are logits up to a constant: TopK re-softmaxes them at the temperature.
      positions.add(TopK.of(logProbs, p * vocab, vocab, k, temperature));
    }
    TokenSequence.Builder input = TokenSequence.newBuilder();
    for (int t : prompt) {
      input.addIds(t);
    }
    SoftLabelEvent.Builder event =
        SoftLabelEvent.newBuilder()
            .setPromptId(id)
            .setDataset("tiny-lm/train")
            .setInput(ModelInput.newBuilder().setTokens(input))
            .setTeacher(card())
            .setTopK(k)
            .setTemperature(temperature)
            .setPositions(all.length)
            .setDistributionsFormat(SparseCodec.Format.QUANTIZED.number())
            .setDistributions(
                ByteString.copyFrom(SparseCodec.encode(positions, SparseCodec.Format.QUANTIZED)))
            .setLabelledAtMs(System.currentTimeMillis());
    for (int g : generated) {
      event.addGeneratedIds(g);
    }
    return event.build();
  }

  @Override
  public void close() {
    model.close();
  }
}
