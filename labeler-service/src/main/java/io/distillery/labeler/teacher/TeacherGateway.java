package io.distillery.labeler.teacher;

import com.google.protobuf.ByteString;
import io.distillery.labeler.config.LabelerConfig;
import io.distillery.labeler.metrics.LabelerMetrics;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc.MutinyTeacherStub;
import io.distillery.teacherclient.ClientSettings;
import io.distillery.teacherclient.LabelAnswer;
import io.distillery.teacherclient.LabelCall;
import io.distillery.teacherclient.TeacherClient;
import io.distillery.teacherclient.TeacherDescription;
import io.distillery.teacherclient.credentials.BearerToken;
import io.distillery.teacherclient.retry.CircuitBreakerPolicy;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * The labeler's side of the shared {@link TeacherClient} (gRPC client {@code teacher}): deadlines,
 * the status table, and quick Label retries with exponential backoff inside a circuit breaker
 * ({@code distillery.labeler.teacher.retry}, {@code .circuit-breaker}) are the client's. Describe
 * is tried once per call: the start-up gate ({@link io.distillery.labeler.gate.TeacherGate}) waits
 * out an unreachable teacher, and the labeling service waits out outages with the prompts held.
 */
@ApplicationScoped
public class TeacherGateway implements TeacherLabeler, TeacherDescriber {

  private final TeacherClient client;

  @Inject
  public TeacherGateway(
      @GrpcClient("teacher") MutinyTeacherStub stub, LabelerConfig config, LabelerMetrics metrics) {
    this.client =
        new TeacherClient(
            BearerToken.attach(stub, config.teacher().token(), config.teacher().tokenFile()),
            settings(config.teacher()),
            new TeacherCalls(metrics));
  }

  private static ClientSettings settings(LabelerConfig.Teacher teacher) {
    LabelerConfig.Retry retry = teacher.retry();
    LabelerConfig.CircuitBreaker breaker = teacher.circuitBreaker();
    RetryPolicy label =
        RetryPolicy.retries(retry.maxRetries(), retry.initialDelay(), retry.maxDelay())
            .withCircuitBreaker(
                new CircuitBreakerPolicy(
                    breaker.requestVolumeThreshold(), breaker.failureRatio(), breaker.delay()));
    RetryPolicy once =
        RetryPolicy.retries(
            0, teacher.describeBackoff().initial(), teacher.describeBackoff().initial());
    return new ClientSettings(
        "labeler-", teacher.describeDeadline(), teacher.labelDeadline(), once, label);
  }

  @Override
  public Uni<TeacherDescription> describe() {
    return Uni.createFrom().completionStage(client::describe);
  }

  @Override
  public Uni<LabelAnswer> label(List<ModelInput> samples, int topK, float temperature) {
    // The labeling service already cut the chunk to the teacher's limit: one request.
    return Uni.createFrom()
        .completionStage(() -> client.label(new LabelCall(samples, topK, temperature, 0)));
  }

  @Override
  public Uni<LabelAnswer> label(
      List<ModelInput> samples, int topK, float temperature, GenerationSettings generation) {
    return Uni.createFrom()
        .completionStage(
            () -> client.label(new LabelCall(samples, topK, temperature, 0, generation)));
  }

  @Override
  public Uni<LabelAnswer> label(
      List<ModelInput> samples,
      List<ByteString> encoded,
      int topK,
      float temperature,
      GenerationSettings generation) {
    return Uni.createFrom()
        .completionStage(
            () ->
                client.label(
                    new LabelCall(samples, topK, temperature, 0, generation)
                        .withEncodedSamples(encoded)));
  }
}
