package io.distillery.teacherclient;

import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import java.util.List;
import java.util.Objects;

/**
 * What the teacher says about itself (Describe), read from its card. The card itself is kept
 * verbatim because soft labels and checkpoints carry it as lineage.
 */
public record TeacherDescription(TeacherCard card) {

  public TeacherDescription {
    Objects.requireNonNull(card, "card");
  }

  /** What the outputs mean. */
  public Task task() {
    return card.getTask();
  }

  /** Shape of one input sample; empty for token inputs. */
  public List<Long> inputShape() {
    return card.getInputShapeList();
  }

  /** Shape of one input sample as an array; empty for token inputs. */
  public long[] inputShapeArray() {
    return card.getInputShapeList().stream().mapToLong(Long::longValue).toArray();
  }

  /** Whether the teacher takes dense tensors (it declares an input shape) or token sequences. */
  public boolean takesTensors() {
    return card.getInputShapeCount() > 0;
  }

  /** Number of values in one input tensor: the product of the input shape. */
  public long inputSize() {
    long size = 1;
    for (long dimension : card.getInputShapeList()) {
      size *= dimension;
    }
    return size;
  }

  /** Number of classes or vocabulary size. */
  public int outputSize() {
    return card.getOutputSize();
  }

  /** Largest batch the teacher accepts, or 0 when it states no limit. */
  public int maxBatchSize() {
    return card.getLimits().getMaxBatchSize();
  }

  /** Largest top-k the teacher accepts, or 0 when it states no limit. */
  public int maxTopK() {
    return card.getLimits().getMaxTopK();
  }

  /** Longest token sequence accepted, or 0 when it states no limit. */
  public int maxSequenceLength() {
    return card.getLimits().getMaxSequenceLength();
  }

  /**
   * Whether the teacher is a causal language model (token sequences in, one distribution per
   * token).
   */
  public boolean causalLm() {
    return card.getTask() == Task.TASK_CAUSAL_LM;
  }

  /** Causal LM: the vocabulary size (the card's output size). */
  public int vocabularySize() {
    return card.getOutputSize();
  }

  /**
   * Causal LM: the longest token sequence one request sample may hold (its context), or 0 when the
   * teacher states no limit.
   */
  public int contextLength() {
    return card.getLimits().getMaxSequenceLength();
  }

  /**
   * Causal LM: lower-case hex sha256 of the tokenizer.json every stage must use; empty if unstated.
   */
  public String tokenizerSha256() {
    return card.getTokenizerSha256();
  }

  /** Causal LM: id of the end-of-text token. */
  public int endOfTextId() {
    return card.getEndOfTextId();
  }

  /** Whether the licence permits distillation. */
  public DistillationPolicy distillation() {
    return card.getDistillation();
  }

  /** Lower-case hex sha256 of the artifact behind the card. */
  public String artifactSha256() {
    return card.getArtifactSha256();
  }

  /** A one-line description for logs and health checks, e.g. {@code fashion-cnn 1.0 (...)}. */
  public String describe() {
    String sha = card.getArtifactSha256();
    return card.getModelId()
        + " "
        + card.getVersion()
        + " (engine "
        + card.getEngine()
        + ", licence "
        + (card.getLicenseSpdx().isEmpty() ? "unstated" : card.getLicenseSpdx())
        + ", sha256 "
        + (sha.length() > 12 ? sha.substring(0, 12) + "…" : sha)
        + ")";
  }
}
