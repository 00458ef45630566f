package io.distillery.teacher.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class TeacherMetricsTest {

  @Test
  void requestAndRejectionCountersStartAtZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TeacherMetrics metrics = new TeacherMetrics(registry);
    for (String reason : TeacherMetrics.REJECTION_REASONS) {
      assertNotNull(registry.find("distillery_teacher_rejections").tag("reason", reason).counter());
    }
    assertEquals(
        0.0,
        registry
            .get("distillery_teacher_requests")
            .tag("rpc", "label")
            .tag("outcome", "rejected")
            .counter()
            .count());
    assertEquals(
        TeacherMetrics.RPCS.size() * TeacherMetrics.OUTCOMES.size(),
        registry.get("distillery_teacher_requests").counters().size());

    metrics.rejection("queue-full");
    assertEquals(
        1.0,
        registry
            .get("distillery_teacher_rejections")
            .tag("reason", "queue-full")
            .counter()
            .count());
  }
}
