package io.distillery.teacher.labeling;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.config.TeacherConfig;
import io.distillery.teacher.model.TeacherRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Validates Label requests, queues their samples for batching, and builds sparse labels. */
@ApplicationScoped
public class LabelService {

  private final TeacherRuntime runtime;
  private final TeacherConfig config;

  public LabelService(TeacherRuntime runtime, TeacherConfig config) {
    this.runtime = runtime;
    this.config = config;
  }

  /** The card of the serving teacher. */
  public TeacherCard describe() {
    return serving().teacher().card();
  }

  /**
   * Labels one request.
   *
   * @throws TeacherUnavailableException when no model is serving
   * @throws InvalidRequestException when the request breaks the contract
   * @throws io.distillery.teacher.batching.QueueFullException when the queue cannot take it now
   */
  public CompletableFuture<LabelResponse> label(LabelRequest request) {
    return label(request, Optional.empty());
  }

  /**
   * Labels one request whose caller waits at most {@code timeLeft} (its gRPC deadline).
   *
   * @throws io.distillery.teacher.batching.DeadlineUnreachableException when the queue ahead is
   *     expected to take longer than that
   */
  public CompletableFuture<LabelResponse> label(LabelRequest request, Optional<Duration> timeLeft) {
    TeacherRuntime.Ready ready = serving();
    TeacherCard card = ready.teacher().card();
    new RequestValidator(card, config.maxRequestSamples()).validate(request);
    List<float[]> inputs = new ArrayList<>(request.getSamplesCount());
    for (ModelInput sample : request.getSamplesList()) {
      inputs.add(toArray(sample));
    }
    List<CompletableFuture<float[]>> logits =
        timeLeft.isPresent()
            ? ready.batcher().submit(inputs, timeLeft.get())
            : ready.batcher().submit(inputs);
    int k = request.getTopK();
    float temperature = request.getTemperature();
    int outputs = card.getOutputSize();
    return CompletableFuture.allOf(logits.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              LabelResponse.Builder response =
                  LabelResponse.newBuilder()
                      .setRequestId(request.getRequestId())
                      .setArtifactSha256(card.getArtifactSha256());
              for (CompletableFuture<float[]> row : logits) {
                response.addSamples(
                    SampleLabels.newBuilder()
                        .addPositions(TopK.of(row.join(), 0, outputs, k, temperature)));
              }
              return response.build();
            });
  }

  private TeacherRuntime.Ready serving() {
    return runtime
        .ready()
        .orElseThrow(() -> new TeacherUnavailableException(runtime.notReadyReason()));
  }

  private static float[] toArray(ModelInput sample) {
    Tensor tensor = sample.getTensor();
    float[] array = new float[tensor.getValuesCount()];
    for (int i = 0; i < array.length; i++) {
      array[i] = tensor.getValues(i); // the primitive accessor: no boxing on the hot path
    }
    return array;
  }
}
