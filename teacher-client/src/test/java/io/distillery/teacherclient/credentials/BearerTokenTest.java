package io.distillery.teacherclient.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.teacherclient.ClientSettings;
import io.distillery.teacherclient.Inputs;
import io.distillery.teacherclient.LabelCall;
import io.distillery.teacherclient.TeacherClient;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a server on a real socket receives in {@code authorization} from an attached stub. */
class BearerTokenTest {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final AtomicReference<String> seen = new AtomicReference<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    TeacherGrpc.TeacherImplBase teacher =
        new TeacherGrpc.TeacherImplBase() {
          @Override
          public void describe(DescribeRequest request, StreamObserver<TeacherCard> answer) {
            answer.onNext(TeacherCard.newBuilder().setModelId("m").build());
            answer.onCompleted();
          }

          @Override
          public void label(LabelRequest request, StreamObserver<LabelResponse> answer) {
            LabelResponse.Builder response = LabelResponse.newBuilder();
            for (int i = 0; i < request.getSamplesCount(); i++) {
              response.addSamples(
                  SampleLabels.newBuilder()
                      .addPositions(SparseDistribution.newBuilder().addIds(0).addLogProbs(0f)));
            }
            answer.onNext(response.build());
            answer.onCompleted();
          }
        };
    ServerInterceptor capture =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            seen.set(headers.get(AUTHORIZATION));
            return next.startCall(call, headers);
          }
        };
    server =
        ServerBuilder.forPort(0).addService(ServerInterceptors.intercept(teacher, capture)).build();
    server.start();
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private String sentBy(TeacherGrpc.TeacherBlockingStub stub) {
    seen.set(null);
    stub.describe(DescribeRequest.getDefaultInstance());
    return seen.get();
  }

  @Test
  void aConfiguredTokenIsSentOnEveryCall() {
    TeacherGrpc.TeacherBlockingStub stub =
        BearerToken.attach(
            TeacherGrpc.newBlockingStub(channel), Optional.of(" abc.def.ghi\n"), Optional.empty());
    assertEquals("Bearer abc.def.ghi", sentBy(stub));
    assertEquals("Bearer abc.def.ghi", sentBy(stub));
  }

  @Test
  void aLabelCallWithPreEncodedSamplesCarriesTheTokenToo() throws Exception {
    TeacherClient client =
        new TeacherClient(
            BearerToken.attach(
                MutinyTeacherGrpc.newMutinyStub(channel), Optional.of("abc"), Optional.empty()),
            new ClientSettings(
                "t-",
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                RetryPolicy.retries(0, Duration.ofMillis(10), Duration.ofMillis(10)),
                RetryPolicy.retries(0, Duration.ofMillis(10), Duration.ofMillis(10))),
            call -> {});
    List<ModelInput> samples = Inputs.tensors(new float[8], 0, 2, new long[] {4});
    LabelCall call =
        new LabelCall(samples, 1, 1f, 0)
            .withEncodedSamples(samples.stream().map(ModelInput::toByteString).toList());
    seen.set(null);
    assertEquals(2, client.label(call).get(10, TimeUnit.SECONDS).samples().size());
    assertEquals("Bearer abc", seen.get());
  }

  @Test
  void withoutATokenNothingIsSent() {
    TeacherGrpc.TeacherBlockingStub stub =
        BearerToken.attach(
            TeacherGrpc.newBlockingStub(channel), Optional.empty(), Optional.empty());
    assertNull(sentBy(stub));
  }

  @Test
  void aTokenFileIsReadAgainWhenItChanges(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "first-token\n");
    TeacherGrpc.TeacherBlockingStub stub =
        BearerToken.attach(
            TeacherGrpc.newBlockingStub(channel), Optional.empty(), Optional.of(file));
    assertEquals("Bearer first-token", sentBy(stub));
    Files.writeString(file, "rotated-token");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    assertEquals("Bearer rotated-token", sentBy(stub));
  }

  @Test
  void aMissingOrEmptyTokenFileFailsAtOnceNamingTheFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                BearerToken.attach(
                    TeacherGrpc.newBlockingStub(channel), Optional.empty(), Optional.of(missing)));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    Path empty = Files.writeString(dir.resolve("empty"), "  \n");
    IllegalArgumentException blank =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BearerToken.attach(
                    TeacherGrpc.newBlockingStub(channel), Optional.empty(), Optional.of(empty)));
    assertTrue(blank.getMessage().contains("empty"), blank.getMessage());
  }
}
