package io.distillery.teacher.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.TopicReader;
import io.distillery.models.watermark.CosineWatermark;
import io.distillery.models.watermark.WatermarkKey;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.TinyTeacherResource;
import io.distillery.teacher.access.BearerTokenMechanism;
import io.distillery.teacher.access.SecuredTeacherProfile;
import io.distillery.teacher.access.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Over a real gRPC socket: the client set to receive marked outputs gets exactly the owner's
 * watermark applied to what an unmarked client gets for the same inputs; the perturbation is
 * measured; the audit log on a real broker says which call was marked.
 */
@QuarkusTest
@QuarkusTestResource(value = TinyTeacherResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = LocalKafkaTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(WatermarkedLabelsTest.Marked.class)
class WatermarkedLabelsTest {

  static final String TOPIC = "distill.audit.watermark-" + UUID.randomUUID();
  static final double EPSILON = 0.1;
  static final WatermarkKey KEY =
      WatermarkKey.generate(784, 10, WatermarkKey.DEFAULT_FREQUENCY, WatermarkKey.DEFAULT_GRID);

  /** The secured teacher; client "rival" is marked, "partner" is not. */
  public static class Marked implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new HashMap<>(new SecuredTeacherProfile().getConfigOverrides());
      config.put("distillery.teacher.access.audit.enabled", "true");
      config.put("distillery.teacher.access.audit.topic", TOPIC);
      config.put("distillery.teacher.access.clients.rival.watermark", "true");
      config.put("distillery.teacher.access.clients.rival.max-top-k", "10");
      config.put("distillery.teacher.access.clients.partner.max-top-k", "10");
      config.put("distillery.teacher.watermark.key-file", keyFile().toString());
      config.put("distillery.teacher.watermark.epsilon", Double.toString(EPSILON));
      return config;
    }

    private static Path keyFile() {
      try {
        Path file = Files.createTempDirectory("wm-key").resolve("teacher.key");
        KEY.write(file);
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @ConfigProperty(name = "quarkus.grpc.server.test-port")
  int grpcPort;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Inject MeterRegistry registry;

  private static float[] image(int seed) {
    float[] x = new float[784];
    for (int i = 0; i < x.length; i++) {
      x[i] = ((i * 31 + seed * 17) % 101) / 100f;
    }
    return x;
  }

  private static LabelRequest request(List<float[]> images) {
    LabelRequest.Builder request = LabelRequest.newBuilder().setTopK(10).setTemperature(1f);
    for (float[] x : images) {
      Tensor.Builder tensor = Tensor.newBuilder().addAllShape(List.of(1L, 28L, 28L));
      for (float v : x) {
        tensor.addValues(v);
      }
      request.addSamples(ModelInput.newBuilder().setTensor(tensor));
    }
    return request.build();
  }

  private static double[] probs(SparseDistribution d) {
    double[] p = new double[10];
    for (int i = 0; i < d.getIdsCount(); i++) {
      p[d.getIds(i)] = Math.exp(d.getLogProbs(i));
    }
    return p;
  }

  private MutinyTeacherGrpc.MutinyTeacherStub as(ManagedChannel channel, String client) {
    Metadata headers = new Metadata();
    headers.put(BearerTokenMechanism.AUTHORIZATION, "Bearer " + TestTokens.token(client, "label"));
    return MutinyTeacherGrpc.newMutinyStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void onlyTheMarkedClientGetsTheWatermark() throws Exception {
    List<float[]> images = List.of(image(1), image(2), image(3), image(4), image(5));
    DistributionSummary perturbation =
        registry.find("distillery_teacher_watermark_perturbation").summary();
    long before = perturbation.count();
    LabelResponse partner;
    LabelResponse rival;
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    try {
      partner =
          as(channel, "partner").label(request(images)).await().atMost(Duration.ofSeconds(30));
      rival = as(channel, "rival").label(request(images)).await().atMost(Duration.ofSeconds(30));
    } finally {
      channel.shutdownNow();
    }

    CosineWatermark mark = new CosineWatermark(KEY, EPSILON);
    double largestChange = 0;
    for (int i = 0; i < images.size(); i++) {
      double[] clean = probs(partner.getSamples(i).getPositions(0));
      double[] expected = clean.clone();
      mark.markProbabilities(images.get(i), expected);
      double[] received = probs(rival.getSamples(i).getPositions(0));
      for (int c = 0; c < 10; c++) {
        assertEquals(expected[c], received[c], 1e-5, "sample " + i + " class " + c);
        largestChange = Math.max(largestChange, Math.abs(received[c] - clean[c]));
      }
    }
    assertTrue(largestChange > 0.01, "the marked outputs differ visibly: " + largestChange);
    assertTrue(
        largestChange <= 2 * EPSILON / (1 + 2 * EPSILON) + 1e-5, "bounded: " + largestChange);
    assertEquals(before + 1, perturbation.count(), "one marked request measured");
    assertTrue(perturbation.max() > 0.01 && perturbation.max() <= 2 * EPSILON / (1 + 2 * EPSILON));

    List<ConsumerRecord<String, byte[]>> records =
        TopicReader.read(bootstrap, TOPIC, 2, Duration.ofSeconds(30));
    Map<String, AuditEvent> byClient = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      byClient.put(record.key(), AuditEvent.parseFrom(record.value()));
    }
    assertTrue(byClient.get("rival").getWatermarked(), "the audit log records the marked call");
    assertFalse(byClient.get("partner").getWatermarked());
  }
}
