package io.distillery.models.lineage;

import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.LossConfig;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.TeacherCard;
import java.nio.file.Path;
import java.util.List;

/**
 * The chain from one checkpoint back to the labels it learned from, and what verifying it found.
 *
 * @param jobId the training job
 * @param step the checkpoint's step
 * @param pass the pass it belongs to
 * @param samplesSeen samples trained on up to it
 * @param isFinal whether it is the job's final checkpoint
 * @param createdAtMs when it was written
 * @param dir its directory
 * @param manifestSha256 sha256 of its {@code manifest.json} as found on disk
 * @param student how the student is built
 * @param loss the loss it trained with
 * @param teachers the teacher cards its manifest records, with what the labels read said of them
 * @param datasets the datasets of the labels read, with their prompt counts
 * @param ranges soft-label offsets consumed up to this checkpoint, merged per pass and partition
 * @param chain the job's checkpoints up to this one, each checked against its event
 * @param labels what reading the cited labels back found
 * @param evaluations the job's evaluations, oldest first
 * @param findings what does not match (or could not be checked)
 */
public record Lineage(
    String jobId,
    long step,
    int pass,
    long samplesSeen,
    boolean isFinal,
    long createdAtMs,
    Path dir,
    String manifestSha256,
    StudentSpec student,
    LossConfig loss,
    List<TeacherLineage> teachers,
    List<DatasetCount> datasets,
    List<PassRange> ranges,
    List<ChainLink> chain,
    LabelCheck labels,
    List<EvaluationEvent> evaluations,
    List<Finding> findings) {

  /**
   * A teacher of the checkpoint.
   *
   * @param card its card as the manifest records it
   * @param labelsRead cited labels read back that this teacher produced
   * @param overrides of those, labels whose teacher forbids distillation and that an operator
   *     labelled anyway with a recorded override
   */
  public record TeacherLineage(TeacherCard card, long labelsRead, long overrides) {

    /** Whether the card says its licence permits distillation. */
    public boolean permitsDistillation() {
      return card.getDistillation()
          == io.distillery.proto.v1.DistillationPolicy.DISTILLATION_ALLOWED;
    }
  }

  /**
   * A dataset of the labels read.
   *
   * @param dataset the prompt's dataset
   * @param prompts distinct cited labels of it that were read
   */
  public record DatasetCount(String dataset, long prompts) {}

  /**
   * A range of soft-label offsets, inclusive, consumed during one pass.
   *
   * @param pass the pass (0-based)
   * @param topic the soft-label topic
   * @param partition its partition
   * @param from first offset
   * @param to last offset
   */
  public record PassRange(int pass, String topic, int partition, long from, long to) {
    /** Offsets in the range. */
    public long count() {
      return to - from + 1;
    }
  }

  /**
   * One checkpoint of the chain and its announcement.
   *
   * @param step its step
   * @param manifestSha256 sha256 of its manifest on disk
   * @param eventSha256 the manifest sha256 its checkpoint event announced; empty when none was
   *     found
   * @param eventLocation where the event is, {@code topic-partition@offset}; empty when none
   */
  public record ChainLink(
      long step, String manifestSha256, String eventSha256, String eventLocation) {
    /** Whether the event announced exactly this manifest. */
    public boolean matches() {
      return manifestSha256.equals(eventSha256);
    }
  }

  /**
   * The cited labels read back.
   *
   * @param cited distinct offsets the chain cites
   * @param read offsets read (all of them, or a sample)
   * @param sampled whether only a sample was read
   * @param fromListedTeachers labels read whose teacher the manifest lists
   * @param fromOtherTeachers labels read whose teacher the manifest does not list
   * @param undecodable records read that are not soft-label events
   * @param deleted cited offsets no longer on the topic (retention)
   * @param skippedByTrainer labels the trainer recorded as skipped (all passes), from its state
   */
  public record LabelCheck(
      long cited,
      long read,
      boolean sampled,
      long fromListedTeachers,
      long fromOtherTeachers,
      long undecodable,
      long deleted,
      long skippedByTrainer) {}

  /** Whether the lineage holds: no finding is a mismatch. */
  public boolean verified() {
    return findings.stream().noneMatch(f -> f.severity() == Finding.Severity.MISMATCH);
  }

  /** The mismatches only. */
  public List<Finding> mismatches() {
    return findings.stream().filter(f -> f.severity() == Finding.Severity.MISMATCH).toList();
  }
}
