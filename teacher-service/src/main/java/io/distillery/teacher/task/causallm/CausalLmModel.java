package io.distillery.teacher.task.causallm;

import io.distillery.models.nn.TopK;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacher.batching.DynamicBatcher;
import io.distillery.teacher.model.LoadedTeacher;
import io.distillery.teacher.task.ServedModel;
import io.distillery.teacher.watermark.OutputMark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A causal language model being served. Labelling a sequence returns one distribution per input
 * token: position {@code i} is the distribution of the token after token {@code i}. With generation
 * settings the prompt is first continued token by token (greedy, or sampled with the request's seed
 * plus the sample's index), each step a forward pass through the shared batcher, until the
 * end-of-text token or {@code max_new_tokens}; the answer then covers prompt and generated tokens.
 */
final class CausalLmModel implements ServedModel {

  private final LoadedTeacher teacher;
  private final TeacherCard card;
  private final DynamicBatcher<int[], float[]> batcher;
  private final TokenSamples samples;
  private final int vocabSize;
  private final int endOfTextId;
  // Top-k over the vocabulary at every position costs about as much as the forward pass; done here
  // rather than on the batcher's worker, the next forward pass overlaps it.
  private final ExecutorService labelling;

  CausalLmModel(LoadedTeacher teacher, TeacherCard card, DynamicBatcher<int[], float[]> batcher) {
    this.teacher = teacher;
    this.card = card;
    this.batcher = batcher;
    this.vocabSize = card.getOutputSize();
    this.endOfTextId = card.getEndOfTextId();
    this.labelling =
        Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()),
            runnable -> {
              Thread thread = new Thread(runnable, "teacher-lm-labelling");
              thread.setDaemon(true);
              return thread;
            });
    this.samples =
        new TokenSamples(
            vocabSize, card.getLimits().getMaxSequenceLength(), card.getTokenizerSha256());
  }

  @Override
  public TeacherCard card() {
    return card;
  }

  @Override
  public void validateSamples(LabelRequest request) {
    samples.validate(request);
  }

  @Override
  public CompletableFuture<LabelResponse> label(LabelRequest request, Optional<Duration> timeLeft) {
    return label(request, timeLeft, OutputMark.NONE);
  }

  /**
   * Labels with each sequence's logits passed through {@code mark} before top-k and temperature;
   * generation itself picks tokens from the unmarked logits (the mark keeps the top-1 token
   * anyway).
   */
  @Override
  public CompletableFuture<LabelResponse> label(
      LabelRequest request, Optional<Duration> timeLeft, OutputMark mark) {
    Deadline deadline = new Deadline(timeLeft);
    List<int[]> prompts = new ArrayList<>(request.getSamplesCount());
    for (ModelInput sample : request.getSamplesList()) {
      prompts.add(toArray(sample));
    }
    GenerationSettings generation = request.getGeneration();
    List<CompletableFuture<SampleLabels>> labelled = new ArrayList<>(prompts.size());
    if (generation.getMaxNewTokens() == 0) {
      // Labelling only: the whole request enters the queue at once.
      List<CompletableFuture<float[]>> logits = deadline.submit(batcher, prompts);
      for (int i = 0; i < prompts.size(); i++) {
        int[] prompt = prompts.get(i);
        labelled.add(
            logits
                .get(i)
                .thenApplyAsync(l -> labels(l, prompt, request, new int[0], mark), labelling));
      }
    } else {
      for (int i = 0; i < prompts.size(); i++) {
        Random random =
            generation.getSamplingTemperature() > 0 ? new Random(generation.getSeed() + i) : null;
        labelled.add(
            continueFrom(prompts.get(i), prompts.get(i).length, request, random, deadline, mark));
      }
    }
    return CompletableFuture.allOf(labelled.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              LabelResponse.Builder response =
                  LabelResponse.newBuilder()
                      .setRequestId(request.getRequestId())
                      .setArtifactSha256(card.getArtifactSha256());
              for (CompletableFuture<SampleLabels> sample : labelled) {
                response.addSamples(sample.join());
              }
              mark.finish();
              return response.build();
            });
  }

  /**
   * One generation step: a forward pass over the sequence so far; then either the answer (the
   * sequence ended in end-of-text or reached its budget) or the next token and the next step.
   */
  private CompletableFuture<SampleLabels> continueFrom(
      int[] sequence,
      int promptLength,
      LabelRequest request,
      Random random,
      Deadline deadline,
      OutputMark mark) {
    GenerationSettings generation = request.getGeneration();
    return deadline
        .submit(batcher, List.of(sequence))
        .get(0)
        .thenCompose(
            logits -> {
              int generated = sequence.length - promptLength;
              boolean ended =
                  generated == generation.getMaxNewTokens()
                      || (generated > 0 && sequence[sequence.length - 1] == endOfTextId);
              if (ended) {
                int[] newIds = Arrays.copyOfRange(sequence, promptLength, sequence.length);
                return CompletableFuture.supplyAsync(
                    () -> labels(logits, sequence, request, newIds, mark), labelling);
              }
              int last = (sequence.length - 1) * vocabSize;
              int next =
                  random == null
                      ? NextToken.greedy(logits, last, vocabSize)
                      : NextToken.sample(
                          logits, last, vocabSize, generation.getSamplingTemperature(), random);
              int[] longer = Arrays.copyOf(sequence, sequence.length + 1);
              longer[sequence.length] = next;
              return continueFrom(longer, promptLength, request, random, deadline, mark);
            });
  }

  private SampleLabels labels(
      float[] clean, int[] sequence, LabelRequest request, int[] generated, OutputMark mark) {
    int length = sequence.length;
    float[] logits = mark.applyToSequence(sequence, clean);
    SampleLabels.Builder labels = SampleLabels.newBuilder();
    for (int position = 0; position < length; position++) {
      labels.addPositions(
          TopK.of(
              logits,
              position * vocabSize,
              vocabSize,
              request.getTopK(),
              request.getTemperature()));
    }
    for (int id : generated) {
      labels.addGeneratedIds(id);
    }
    return labels.build();
  }

  @Override
  public int queueDepth() {
    return batcher.queueDepth();
  }

  @Override
  public void close() {
    batcher.close();
    labelling.shutdown();
    teacher.close();
  }

  private static int[] toArray(ModelInput input) {
    int[] ids = new int[input.getTokens().getIdsCount()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = input.getTokens().getIds(i);
    }
    return ids;
  }

  /** The caller's deadline, kept across the steps of a generation. */
  private static final class Deadline {
    private final boolean present;
    private final long atNanos;

    Deadline(Optional<Duration> timeLeft) {
      this.present = timeLeft.isPresent();
      this.atNanos = System.nanoTime() + timeLeft.map(Duration::toNanos).orElse(0L);
    }

    List<CompletableFuture<float[]>> submit(
        DynamicBatcher<int[], float[]> batcher, List<int[]> inputs) {
      if (!present) {
        return batcher.submit(inputs);
      }
      return batcher.submit(inputs, Duration.ofNanos(Math.max(0, atNanos - System.nanoTime())));
    }
  }
}
