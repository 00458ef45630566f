package io.distillery.models.task.causallm;

import io.distillery.models.loss.HardLabel;
import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.nn.Layer;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.task.DistillationTask;
import io.distillery.models.task.Distributions;
import io.distillery.models.task.Example;
import io.distillery.models.task.ExampleInput;
import io.distillery.models.task.InvalidExampleException;
import io.distillery.models.task.InvalidExampleException.Problem;
import io.distillery.models.task.TrainingBatch;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Causal language modelling: token ids in, one distribution over the vocabulary per token out
 * (position i is the distribution of the token after token i). Every position of every soft label
 * is a training row; its ground truth is the next token of the sequence (none after the last one).
 * With the teacher's continuation ({@code generated_ids}) the sequence is the prompt followed by
 * the generated tokens.
 */
public final class CausalLmTask implements DistillationTask {

  @Override
  public Task kind() {
    return Task.TASK_CAUSAL_LM;
  }

  @Override
  public String name() {
    return "causal-lm";
  }

  @Override
  public Example decode(SoftLabelEvent event, int outputSize) throws InvalidExampleException {
    if (!event.getInput().hasTokens()) {
      throw new InvalidExampleException(
          Problem.BAD_INPUT, "input is " + event.getInput().getKindCase() + ", not tokens");
    }
    List<Integer> prompt = event.getInput().getTokens().getIdsList();
    if (prompt.isEmpty()) {
      throw new InvalidExampleException(Problem.BAD_INPUT, "input has no tokens");
    }
    int generated = event.getGeneratedIdsCount();
    int[] ids = new int[prompt.size() + generated];
    for (int i = 0; i < ids.length; i++) {
      int id = i < prompt.size() ? prompt.get(i) : event.getGeneratedIds(i - prompt.size());
      if (id < 0 || id >= outputSize) {
        throw new InvalidExampleException(
            Problem.BAD_INPUT,
            (i < prompt.size() ? "input token " + i : "generated token " + (i - prompt.size()))
                + " is "
                + id
                + ", outside the vocabulary of "
                + outputSize);
      }
      ids[i] = id;
    }
    if (event.getPositions() != ids.length) {
      throw new InvalidExampleException(
          Problem.WRONG_POSITIONS,
          "positions is "
              + event.getPositions()
              + " but the label has "
              + prompt.size()
              + " input and "
              + generated
              + " generated tokens (one position per token)");
    }
    List<SparseDistribution> positions;
    try {
      positions =
          SparseCodec.decode(
              event.getDistributions().toByteArray(),
              ids.length,
              SparseCodec.Format.of(event.getDistributionsFormat()));
    } catch (IllegalArgumentException e) {
      throw new InvalidExampleException(Problem.BAD_DISTRIBUTION, e.getMessage());
    }
    for (SparseDistribution d : positions) {
      Distributions.check(d, outputSize);
    }
    List<HardLabel> truths = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      truths.add(i + 1 < ids.length ? HardLabel.of(ids[i + 1]) : HardLabel.none());
    }
    return new Example(new ExampleInput.Tokens(ids, generated, 0), positions, truths);
  }

  @Override
  public Example continuation(Example example) throws InvalidExampleException {
    if (!(example.input() instanceof ExampleInput.Tokens tokens) || tokens.generated() == 0) {
      throw new InvalidExampleException(
          Problem.WRONG_POSITIONS,
          "the label has no generated tokens (label the prompts with"
              + " distillery.labeler.generation.* for a seqkd job)");
    }
    // Position p predicts token p + 1: the generated tokens are predicted by positions
    // promptLength - 1 .. length - 2 (relative to the example's first position).
    int first = tokens.promptLength() - 1 - tokens.firstTrained();
    int end = tokens.ids().length - 1 - tokens.firstTrained();
    if (first < 0 || end > example.positions().size()) {
      throw new InvalidExampleException(
          Problem.WRONG_POSITIONS, "the example's positions do not cover the generated tokens");
    }
    return new Example(
        new ExampleInput.Tokens(tokens.ids(), tokens.generated(), tokens.firstTrained() + first),
        example.positions().subList(first, end),
        example.truths().subList(first, end));
  }

  @Override
  public Optional<String> incompatibility(TeacherCard card, NetworkSpec student) {
    Optional<Layer.Decoder> decoder = student.decoder();
    if (card.getTask() != Task.TASK_CAUSAL_LM || decoder.isEmpty()) {
      return Optional.of(
          "teacher "
              + describe(card)
              + " is a "
              + card.getTask()
              + " model, student "
              + student.name()
              + (decoder.isEmpty() ? " is not a language model" : " a causal language model"));
    }
    if (card.getOutputSize() != student.outputSize()) {
      return Optional.of(
          "teacher "
              + describe(card)
              + " has a vocabulary of "
              + card.getOutputSize()
              + " tokens but student "
              + student.name()
              + " has "
              + student.outputSize());
    }
    String studentTokenizer = decoder.get().tokenizerSha256();
    if (!studentTokenizer.isEmpty()
        && !studentTokenizer.equalsIgnoreCase(card.getTokenizerSha256())) {
      return Optional.of(
          "teacher "
              + describe(card)
              + " tokenizes with tokenizer sha256 "
              + (card.getTokenizerSha256().isEmpty()
                  ? "(none on its card)"
                  : card.getTokenizerSha256())
              + " but student "
              + student.name()
              + " was configured for tokenizer sha256 "
              + studentTokenizer);
    }
    return Optional.empty();
  }

  @Override
  public Optional<String> inputProblem(Example example, NetworkSpec student) {
    if (!(example.input() instanceof ExampleInput.Tokens tokens)) {
      return Optional.of("input is a tensor, student " + student.name() + " takes token ids");
    }
    Optional<Layer.Decoder> decoder = student.decoder();
    if (decoder.isEmpty()) {
      return Optional.of("input is token ids, student " + student.name() + " takes a tensor");
    }
    int context = decoder.get().lm().contextLength();
    if (tokens.ids().length > context) {
      return Optional.of(
          "sequence of "
              + tokens.ids().length
              + " tokens is longer than student "
              + student.name()
              + "'s context of "
              + context);
    }
    return Optional.empty();
  }

  @Override
  public TrainingBatch batch(List<Example> examples, NetworkSpec student, boolean withSoft) {
    int n = examples.size();
    int length = 1;
    int rows = 0;
    for (Example example : examples) {
      length = Math.max(length, example.input().size());
      rows += example.positions().size();
    }
    int vocab = student.outputSize();
    long[] ids = new long[n * length];
    long[] mask = new long[n * length];
    long[] rowIndex = new long[rows];
    SoftTargets.Builder soft = withSoft ? SoftTargets.builder(vocab, rows) : null;
    HardTargets.Builder hard = HardTargets.builder(vocab, rows);
    int row = 0;
    for (int b = 0; b < n; b++) {
      Example example = examples.get(b);
      ExampleInput.Tokens tokens = (ExampleInput.Tokens) example.input();
      int[] seq = tokens.ids();
      for (int t = 0; t < seq.length; t++) {
        ids[b * length + t] = seq[t];
        mask[b * length + t] = 1;
      }
      for (int p = 0; p < example.positions().size(); p++) {
        rowIndex[row++] = (long) b * length + tokens.firstTrained() + p;
        if (soft != null) {
          soft.add(example.positions().get(p));
        }
        hard.add(example.truths().get(p));
      }
    }
    return new TrainingBatch(
        new TokenInputs(ids, mask, n, length, rowIndex, vocab),
        soft == null ? null : soft.build(),
        hard.build());
  }

  private static String describe(TeacherCard card) {
    return card.getModelId() + " " + card.getVersion();
  }
}
