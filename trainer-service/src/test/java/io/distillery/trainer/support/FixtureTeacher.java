package io.distillery.trainer.support;

import ai.djl.Model;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.TopK;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.testing.FakeTeacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fixture's MLP teacher on PyTorch as the answers of the shared {@link FakeTeacher}, for the
 * online-mode tests and the benchmark: it labels every view with the real DJL model and remembers a
 * hash of each view it saw.
 */
public final class FixtureTeacher implements AutoCloseable {

  /** The card it serves: the fixture teacher, under its own id. */
  public static final String MODEL_ID = "online-fixture-mlp";

  private final Model model;
  private final ModelRunner runner;
  private final TeacherCard card;
  private final Set<Integer> viewHashes = ConcurrentHashMap.newKeySet();

  public FixtureTeacher() throws Exception {
    this.model = TeacherArtifacts.loadPyTorch(FashionLabels.teacherDir());
    this.runner = new ModelRunner(model, new long[] {1, 28, 28});
    this.card = FashionLabels.card().toBuilder().setModelId(MODEL_ID).build();
  }

  /** Makes {@code teacher} serve this model, healthy and with zero counts. */
  public FakeTeacher serve(FakeTeacher teacher) {
    viewHashes.clear();
    return teacher.reset().card(card).answers(this::answer);
  }

  /** Hashes of every view labelled since {@link #serve}. */
  public Set<Integer> viewHashes() {
    return viewHashes;
  }

  private List<SampleLabels> answer(LabelRequest request) {
    int n = request.getSamplesCount();
    int size = 28 * 28;
    float[] inputs = new float[n * size];
    for (int i = 0; i < n; i++) {
      ModelInput sample = request.getSamples(i);
      for (int v = 0; v < size; v++) {
        inputs[i * size + v] = sample.getTensor().getValues(v);
      }
      viewHashes.add(sample.getTensor().getValuesList().hashCode());
    }
    float[] logits;
    synchronized (runner) {
      logits = runner.forward(inputs, n);
    }
    List<SampleLabels> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          SampleLabels.newBuilder()
              .addPositions(
                  TopK.of(
                      logits,
                      i * FashionMnist.NUM_CLASSES,
                      FashionMnist.NUM_CLASSES,
                      request.getTopK(),
                      request.getTemperature()))
              .build());
    }
    return out;
  }

  @Override
  public void close() {
    model.close();
  }
}
