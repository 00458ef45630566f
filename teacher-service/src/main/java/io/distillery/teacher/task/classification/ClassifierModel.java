package io.distillery.teacher.task.classification;

import io.distillery.models.nn.TopK;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.batching.DynamicBatcher;
import io.distillery.teacher.labeling.InvalidRequestException;
import io.distillery.teacher.model.LoadedTeacher;
import io.distillery.teacher.task.ServedModel;
import io.distillery.teacher.watermark.OutputMark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A classifier being served: tensors batched into forward passes, top-k per sample. */
final class ClassifierModel implements ServedModel {

  private final LoadedTeacher teacher;
  private final DynamicBatcher<Tensor, float[]> batcher;
  private final TensorSamples samples;

  ClassifierModel(LoadedTeacher teacher, DynamicBatcher<Tensor, float[]> batcher) {
    this.teacher = teacher;
    this.batcher = batcher;
    this.samples = new TensorSamples(teacher.card());
  }

  @Override
  public TeacherCard card() {
    return teacher.card();
  }

  @Override
  public void validateSamples(LabelRequest request) {
    if (request.getGeneration().getMaxNewTokens() != 0) {
      throw new InvalidRequestException(
          "generation",
          "generation.max_new_tokens: "
              + request.getGeneration().getMaxNewTokens()
              + "; a classifier does not generate (leave generation unset)");
    }
    for (int i = 0; i < request.getSamplesCount(); i++) {
      samples.validate(i, request.getSamples(i));
    }
  }

  @Override
  public CompletableFuture<LabelResponse> label(LabelRequest request, Optional<Duration> timeLeft) {
    return label(request, timeLeft, OutputMark.NONE);
  }

  @Override
  public CompletableFuture<LabelResponse> label(
      LabelRequest request, Optional<Duration> timeLeft, OutputMark mark) {
    // The parsed tensors go to the batcher as they are: their values are copied once, into the
    // forward pass's batch, instead of into a float[] per sample first.
    List<Tensor> inputs = new ArrayList<>(request.getSamplesCount());
    for (ModelInput sample : request.getSamplesList()) {
      inputs.add(sample.getTensor());
    }
    List<CompletableFuture<float[]>> logits =
        timeLeft.isPresent() ? batcher.submit(inputs, timeLeft.get()) : batcher.submit(inputs);
    int k = request.getTopK();
    float temperature = request.getTemperature();
    int outputs = card().getOutputSize();
    return CompletableFuture.allOf(logits.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              LabelResponse.Builder response =
                  LabelResponse.newBuilder()
                      .setRequestId(request.getRequestId())
                      .setArtifactSha256(card().getArtifactSha256());
              for (int i = 0; i < logits.size(); i++) {
                float[] row = logits.get(i).join();
                if (mark.marks()) {
                  row = mark.apply(toArray(inputs.get(i)), row);
                }
                response.addSamples(
                    SampleLabels.newBuilder()
                        .addPositions(TopK.of(row, 0, outputs, k, temperature)));
              }
              mark.finish();
              return response.build();
            });
  }

  @Override
  public int queueDepth() {
    return batcher.queueDepth();
  }

  @Override
  public void close() {
    batcher.close();
    teacher.close();
  }

  /** A sample's values as an array, for the watermark (which needs the input). */
  private static float[] toArray(Tensor tensor) {
    float[] array = new float[tensor.getValuesCount()];
    for (int i = 0; i < array.length; i++) {
      array[i] = tensor.getValues(i); // the primitive accessor: no boxing on the hot path
    }
    return array;
  }
}
