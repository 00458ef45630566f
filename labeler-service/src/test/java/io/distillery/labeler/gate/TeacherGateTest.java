package io.distillery.labeler.gate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.config.LabelerConfig.ExpectedTask;
import io.distillery.labeler.metrics.LabelerMetrics;
import io.distillery.labeler.support.Cards;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.teacherclient.TeacherDescription;
import io.distillery.teacherclient.outcome.TeacherCallException;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The gate's state machine. Plain JUnit: an unreachable teacher is easiest to play with a describer
 * that fails on demand, and the gate needs nothing from Quarkus.
 */
class TeacherGateTest {

  private final AtomicInteger resumed = new AtomicInteger();
  private final AtomicReference<TeacherDescription> teacher = new AtomicReference<>();

  private TeacherGate gate() {
    ConsumptionControl consumption =
        new ConsumptionControl() {
          @Override
          public void resume() {
            resumed.incrementAndGet();
          }

          @Override
          public void pause() {}
        };
    return new TeacherGate(
        () -> {
          TeacherDescription profile = teacher.get();
          return profile == null
              ? Uni.createFrom()
                  .failure(
                      TeacherCallException.from(
                          "Describe",
                          Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()))
              : Uni.createFrom().item(profile);
        },
        new GatePolicy(ExpectedTask.CLASSIFICATION, List.of(1L, 28L, 28L), 0, 1f, 256, false),
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        consumption,
        new LabelerMetrics(new SimpleMeterRegistry()));
  }

  @Test
  void staysClosedWhileTheTeacherIsUnreachableAndOpensWhenItAnswers() {
    TeacherGate gate = gate();
    gate.start();

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gate.state().reason().startsWith("teacher unreachable: "));
    assertEquals(GateState.Phase.CONNECTING, gate.state().phase());
    assertTrue(gate.state().reason().contains("UNAVAILABLE"), gate.state().reason());
    assertEquals(0, resumed.get(), "nothing is consumed before the teacher answered");
    assertFalse(gate.whenOpen().toCompletableFuture().isDone());

    teacher.set(Cards.allowedFashion());

    await().atMost(Duration.ofSeconds(5)).until(() -> gate.state().isOpen());
    assertEquals(1, resumed.get(), "consumption resumes once");
    assertEquals(10, gate.whenOpen().toCompletableFuture().join().topK());
    gate.stop();
  }

  @Test
  void aForbiddingTeacherNeverResumesConsumption() throws Exception {
    teacher.set(
        new TeacherDescription(Cards.fashion(DistillationPolicy.DISTILLATION_FORBIDDEN).build()));
    TeacherGate gate = gate();
    gate.start();

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gate.state().phase() == GateState.Phase.BLOCKED);
    Thread.sleep(100);
    assertEquals(0, resumed.get());
    assertTrue(gate.state().reason().contains("forbids distillation"));
    assertFalse(gate.whenOpen().toCompletableFuture().isDone());
  }
}
