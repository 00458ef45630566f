package io.distillery.teacher.labeling;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacher.config.TeacherConfig;
import io.distillery.teacher.model.TeacherRuntime;
import io.distillery.teacher.task.ServedModel;
import io.distillery.teacher.watermark.OutputMark;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Checks Label requests and hands them to the served model of the teacher's task. */
@ApplicationScoped
public class LabelService {

  private final TeacherRuntime runtime;
  private final TeacherConfig config;
  // The validator of the card being served, built once per card instead of once per request.
  private volatile RequestValidator validator;

  public LabelService(TeacherRuntime runtime, TeacherConfig config) {
    this.runtime = runtime;
    this.config = config;
  }

  /** The card of the serving teacher. */
  public TeacherCard describe() {
    return serving().card();
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
    return label(request, timeLeft, OutputMark.NONE);
  }

  /** Labels one request, its outputs passed through {@code mark} (the client's watermark). */
  public CompletableFuture<LabelResponse> label(
      LabelRequest request, Optional<Duration> timeLeft, OutputMark mark) {
    ServedModel model = serving();
    validatorFor(model.card()).validate(request);
    model.validateSamples(request);
    return model.label(request, timeLeft, mark);
  }

  private RequestValidator validatorFor(TeacherCard card) {
    RequestValidator current = validator;
    if (current == null || current.card() != card) {
      current = new RequestValidator(card, config.maxRequestSamples());
      validator = current;
    }
    return current;
  }

  private ServedModel serving() {
    return runtime
        .ready()
        .orElseThrow(() -> new TeacherUnavailableException(runtime.notReadyReason()));
  }
}
