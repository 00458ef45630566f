package io.distillery.teacherclient.testing;

import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic causal language model for the {@link FakeTeacher}: the distribution of the next
 * token depends only on the current one (a bigram table), so tests can compute what any position
 * must hold. After token {@code t} the most probable next token is {@link #favourite(int)}; the
 * logits fall by {@code 1/2} per step away from it (mod the vocabulary). Generation continues a
 * prompt greedily (the favourite) or by sampling with the request's seed, stops at the end-of-text
 * id, after {@code max_new_tokens}, or when the sequence fills the context. The answer holds one
 * distribution per prompt token and per generated token, like teacher-service.
 */
public final class BigramTeacher implements FakeTeacher.Answerer {

  /** The artifact digest of the bigram card. */
  public static final String SHA256 =
      "b16a4a000000000000000000000000000000000000000000000000000000cafe";

  private final int vocabulary;
  private final int endOfTextId;
  private final int context;

  /**
   * @param vocabulary number of token ids
   * @param endOfTextId where generation stops
   * @param context longest sequence (prompt plus generated), 0 for no limit
   */
  public BigramTeacher(int vocabulary, int endOfTextId, int context) {
    this.vocabulary = vocabulary;
    this.endOfTextId = endOfTextId;
    this.context = context;
  }

  /**
   * A causal-LM card: {@code vocabulary} tokens, context {@code context}, batches of at most 8,
   * distillation allowed, and the tokenizer identified by {@code tokenizerSha256}.
   */
  public static TeacherCard card(
      int vocabulary, int context, String tokenizerSha256, int endOfTextId) {
    return TeacherCard.newBuilder()
        .setModelId("fake-bigram-lm")
        .setVersion("test-1")
        .setArtifactSha256(SHA256)
        .setEngine("PyTorch")
        .setTask(Task.TASK_CAUSAL_LM)
        .setOutputSize(vocabulary)
        .setLicenseSpdx("Apache-2.0")
        .setDistillation(DistillationPolicy.DISTILLATION_ALLOWED)
        .setLimits(
            TeacherLimits.newBuilder()
                .setMaxBatchSize(FakeTeacher.MAX_BATCH_SIZE)
                .setMaxTopK(vocabulary)
                .setMaxSequenceLength(context))
        .setTokenizerSha256(tokenizerSha256)
        .setEndOfTextId(endOfTextId)
        .build();
  }

  /** Serves this model on {@code teacher} with its {@link #card} (tokenizer {@code sha256}). */
  public static FakeTeacher serve(
      FakeTeacher teacher, int vocabulary, int context, String tokenizerSha256, int endOfTextId) {
    return teacher
        .card(card(vocabulary, context, tokenizerSha256, endOfTextId))
        .answers(new BigramTeacher(vocabulary, endOfTextId, context));
  }

  /** The most probable token after {@code token}. */
  public int favourite(int token) {
    return Math.floorMod(token * 7 + 1, vocabulary);
  }

  /** Natural-log probabilities of every next token after {@code token} at {@code temperature}. */
  public double[] logProbs(int token, double temperature) {
    int best = favourite(token);
    double[] logits = new double[vocabulary];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < vocabulary; j++) {
      logits[j] = -0.5 * Math.floorMod(j - best, vocabulary) / temperature;
      max = Math.max(max, logits[j]);
    }
    double sum = 0;
    for (double logit : logits) {
      sum += Math.exp(logit - max);
    }
    double log = max + Math.log(sum);
    for (int j = 0; j < vocabulary; j++) {
      logits[j] -= log;
    }
    return logits;
  }

  /**
   * The top-k distribution after {@code token}: ids favourite, favourite + 1, … (mod vocabulary).
   */
  public SparseDistribution distribution(int token, int topK, float temperature) {
    double[] logProbs = logProbs(token, temperature);
    int best = favourite(token);
    int k = Math.min(topK, vocabulary);
    SparseDistribution.Builder d = SparseDistribution.newBuilder();
    double kept = 0;
    for (int i = 0; i < k; i++) {
      int id = Math.floorMod(best + i, vocabulary);
      d.addIds(id).addLogProbs((float) logProbs[id]);
      kept += Math.exp(logProbs[id]);
    }
    return d.setTailMass(k == vocabulary ? 0f : (float) Math.max(0, 1 - kept)).build();
  }

  @Override
  public List<SampleLabels> answer(LabelRequest request) {
    GenerationSettings generation =
        request.hasGeneration() ? request.getGeneration() : GenerationSettings.getDefaultInstance();
    List<SampleLabels> out = new ArrayList<>();
    for (int s = 0; s < request.getSamplesCount(); s++) {
      ModelInput sample = request.getSamples(s);
      List<Integer> sequence = new ArrayList<>(sample.getTokens().getIdsList());
      int prompt = sequence.size();
      Random random = new Random(generation.getSeed() + s);
      SampleLabels.Builder labels = SampleLabels.newBuilder();
      for (int g = 0; g < generation.getMaxNewTokens(); g++) {
        if (context > 0 && sequence.size() >= context) {
          break;
        }
        int next = next(sequence.get(sequence.size() - 1), generation, random);
        sequence.add(next);
        labels.addGeneratedIds(next);
        if (next == endOfTextId) {
          break;
        }
      }
      for (int token : sequence) {
        labels.addPositions(distribution(token, request.getTopK(), request.getTemperature()));
      }
      if (labels.getPositionsCount() != prompt + labels.getGeneratedIdsCount()) {
        throw new IllegalStateException("positions must be prompt + generated");
      }
      out.add(labels.build());
    }
    return out;
  }

  private int next(int token, GenerationSettings generation, Random random) {
    if (generation.getSamplingTemperature() <= 0) {
      return favourite(token);
    }
    double[] logProbs = logProbs(token, generation.getSamplingTemperature());
    double u = random.nextDouble();
    double cumulative = 0;
    for (int j = 0; j < vocabulary; j++) {
      cumulative += Math.exp(logProbs[j]);
      if (u < cumulative) {
        return j;
      }
    }
    return vocabulary - 1;
  }
}
