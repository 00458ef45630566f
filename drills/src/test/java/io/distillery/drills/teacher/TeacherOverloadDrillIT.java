package io.distillery.drills.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.drills.support.DrillReport;
import io.distillery.drills.support.DrillTeacher;
import io.distillery.drills.support.Drills;
import io.distillery.drills.support.FashionPrompts;
import io.distillery.drills.support.JvmProcess;
import io.distillery.drills.support.Ports;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.PromptEvent;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The packaged teacher-service under twice the load it can serve: a Java client measures its
 * saturation (closed loop), then offers 2× that rate on a fixed schedule, every request with a gRPC
 * deadline. The excess must be refused with RESOURCE_EXHAUSTED and what is accepted must be
 * answered. Latency and goodput are measured and reported (RELIABILITY.md), not asserted: on two
 * shared cores timing asserts would be flaky.
 */
class TeacherOverloadDrillIT {

  static final int SAMPLES_PER_REQUEST = 32;
  static final Duration DEADLINE = Duration.ofMillis(250);

  @Test
  void atTwiceItsSaturationTheTeacherRefusesTheExcessAndAnswersWhatItAccepts() throws Exception {
    long started = System.nanoTime();
    Path dir = Drills.workDir("teacher-overload");
    int grpcPort = Ports.free();
    List<LabelRequest> requests = requests();
    List<ManagedChannel> channels = new ArrayList<>();
    try (JvmProcess teacher =
        JvmProcess.service(
            "teacher",
            Drills.quarkusApp("teacher-service"),
            Ports.free(),
            grpcPort,
            Map.of(
                "distillery.teacher.model-dir",
                DrillTeacher.modelDir().toString(),
                "distillery.teacher.engine",
                "OnnxRuntime"),
            List.of("-Xmx1g"),
            dir.resolve("logs/teacher.log"))) {
      teacher.start().awaitReady(Duration.ofMinutes(3));
      for (int i = 0; i < 4; i++) {
        channels.add(
            ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build());
      }
      Duration measure = Duration.ofSeconds(Drills.size(8, 20));
      OverloadClient.saturation(channels, requests, 8, Duration.ofSeconds(3)); // warm-up
      double peak = OverloadClient.saturation(channels, requests, 8, measure);

      double offered = 2 * peak;
      List<OverloadClient.Answer> answers =
          OverloadClient.offer(
              channels, requests, offered / SAMPLES_PER_REQUEST, measure, DEADLINE);

      Map<Status.Code, List<OverloadClient.Answer>> byCode = new EnumMap<>(Status.Code.class);
      for (OverloadClient.Answer answer : answers) {
        byCode.computeIfAbsent(answer.code(), c -> new ArrayList<>()).add(answer);
      }
      List<OverloadClient.Answer> ok = byCode.getOrDefault(Status.Code.OK, List.of());
      List<OverloadClient.Answer> refused =
          byCode.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, List.of());
      List<OverloadClient.Answer> late =
          byCode.getOrDefault(Status.Code.DEADLINE_EXCEEDED, List.of());
      // Late answers are either dropped by the teacher before their forward pass (it counts them)
      // or answered after the client gave up; the split says where the time went.
      String metricsBefore = teacher.metrics();
      double expiredOnServer =
          metric(
              metricsBefore,
              "distillery_teacher_requests_total{outcome=\"expired\",rpc=\"label\"}");
      double goodput = ok.size() * (double) SAMPLES_PER_REQUEST / (measure.toNanos() / 1e9);
      String numbers =
          String.format(
              Locale.ROOT,
              "peak %.0f samples/s; offered %.0f; goodput %.0f (%.0f%% of peak); %d requests:"
                  + " %d ok (p50 %.1f ms, p99 %.1f ms), %d RESOURCE_EXHAUSTED (p50 %.1f ms,"
                  + " p99 %.1f ms), %d DEADLINE_EXCEEDED (%.0f dropped by the teacher before their"
                  + " forward pass); deadline %d ms, %d samples/request",
              peak,
              offered,
              goodput,
              100 * goodput / peak,
              answers.size(),
              ok.size(),
              percentile(ok, 0.5),
              percentile(ok, 0.99),
              refused.size(),
              percentile(refused, 0.5),
              percentile(refused, 0.99),
              late.size(),
              expiredOnServer,
              DEADLINE.toMillis(),
              SAMPLES_PER_REQUEST);
      System.out.println("teacher overload: " + numbers);

      assertEquals(
          Set.of(),
          byCode.keySet().stream()
              .filter(
                  c ->
                      c != Status.Code.OK
                          && c != Status.Code.RESOURCE_EXHAUSTED
                          && c != Status.Code.DEADLINE_EXCEEDED)
              .collect(java.util.stream.Collectors.toSet()),
          "only answers, refusals and missed deadlines: " + numbers);
      assertTrue(refused.size() > answers.size() / 10, "the excess was refused: " + numbers);
      assertTrue(ok.size() > answers.size() / 10, "work was accepted and answered: " + numbers);
      String metrics = teacher.metrics();
      double counted =
          metric(metrics, "distillery_teacher_rejections_total{reason=\"deadline\"}")
              + metric(metrics, "distillery_teacher_rejections_total{reason=\"queue-full\"}");
      assertTrue(
          counted >= refused.size(), "every refusal is counted: " + counted + "; " + numbers);
      assertEquals(200, teacher.readiness(), "still ready after the overload");
      DrillReport.record(
          "teacher overload (2× saturation)",
          answers.size() + " requests × " + SAMPLES_PER_REQUEST + " samples",
          "0",
          answers.size(),
          0,
          0,
          Duration.ofNanos(System.nanoTime() - started),
          numbers);
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  private static double metric(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + series);
  }

  private static double percentile(List<OverloadClient.Answer> answers, double q) {
    if (answers.isEmpty()) {
      return Double.NaN;
    }
    long[] sorted = answers.stream().mapToLong(OverloadClient.Answer::nanos).sorted().toArray();
    return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }

  private static List<LabelRequest> requests() throws Exception {
    List<LabelRequest> requests = new ArrayList<>();
    for (int r = 0; r < 64; r++) {
      LabelRequest.Builder request = LabelRequest.newBuilder().setTopK(10).setTemperature(1f);
      for (int s = 0; s < SAMPLES_PER_REQUEST; s++) {
        PromptEvent prompt = FashionPrompts.prompt("load", r * SAMPLES_PER_REQUEST + s);
        request.addSamples(prompt.getInput());
      }
      requests.add(request.build());
    }
    return requests;
  }
}
