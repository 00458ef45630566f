package io.distillery.trainer.training;

import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.loss.SoftTargets;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.trainer.labels.SoftLabel;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Targets from the soft labels stored in the log: the inputs as they are, the teacher's labels. */
public final class OfflineTargets implements TargetSource {

  private final int sampleSize;
  private final int classes;
  private final boolean needSoft;

  public OfflineTargets(int sampleSize, int classes, LossSettings loss) {
    this.sampleSize = sampleSize;
    this.classes = classes;
    this.needSoft = loss.alpha() < 1;
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
    int n = labels.size();
    float[] inputs = new float[n * sampleSize];
    SoftTargets.Builder soft = needSoft ? SoftTargets.builder(classes, n) : null;
    HardTargets.Builder hard = HardTargets.builder(classes, n);
    // Labels of one teacher share one card instance (LabelDecoder interns them).
    Map<TeacherCard, Boolean> cards = new IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      SoftLabel label = labels.get(i);
      System.arraycopy(label.input(), 0, inputs, i * sampleSize, sampleSize);
      if (soft != null) {
        soft.add(label.distribution());
      }
      hard.add(label.truth());
      cards.put(label.teacher(), Boolean.TRUE);
    }
    return new LabeledBatch(
        inputs, n, soft == null ? null : soft.build(), hard.build(), List.copyOf(cards.keySet()));
  }
}
