package io.distillery.trainer.training;

import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.task.DistillationTask;
import io.distillery.models.task.Example;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.labels.SoftLabel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Targets from the soft labels stored in the log: the inputs as they are, the teacher's labels. */
public final class OfflineTargets implements TargetSource {

  private final DistillationTask task;
  private final NetworkSpec student;
  private final boolean needSoft;

  public OfflineTargets(DistillationTask task, NetworkSpec student, LossSettings loss) {
    this.task = task;
    this.student = student;
    this.needSoft = loss.alpha() < 1;
  }

  /** Targets of a job's task, student and loss. */
  public static OfflineTargets of(JobSpec spec) {
    return new OfflineTargets(spec.task(), spec.network(), spec.loss());
  }

  @Override
  public boolean usesStoredDistributions() {
    return true;
  }

  @Override
  public CompletableFuture<LabeledBatch> label(List<SoftLabel> labels, long seed) {
    return CompletableFuture.completedFuture(batch(labels));
  }

  /** The batch of these labels (synchronously). */
  public LabeledBatch batch(List<SoftLabel> labels) {
    List<Example> examples = new ArrayList<>(labels.size());
    // Labels of one teacher share one card instance (LabelDecoder interns them).
    Map<TeacherCard, Boolean> cards = new IdentityHashMap<>();
    for (SoftLabel label : labels) {
      examples.add(label.example());
      cards.put(label.teacher(), Boolean.TRUE);
    }
    return new LabeledBatch(task.batch(examples, student, needSoft), List.copyOf(cards.keySet()));
  }
}
