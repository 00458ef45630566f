package io.distillery.evaluator.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.evaluator.support.EvaluatorTestResource;
import io.distillery.evaluator.support.Students;
import io.distillery.evaluator.support.TinyTeacherModel;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.models.data.LabeledImages;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Arrays;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC client over a real socket against the tiny teacher: mapping, deadlines with quick
 * retries, and which failures are retried.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(EvaluatorTestResource.class)
class TeacherGatewayTest {

  @Inject TeacherGateway gateway;
  FakeTeacher teacher;

  @ConfigProperty(name = "distillery.evaluator.teacher.retry.max-retries")
  int maxRetries;

  @AfterEach
  void teacherBackToNormal() {
    TinyTeacherModel.serve(teacher);
  }

  @Test
  void fullDistributionsComeBackAsDenseRowsInClassOrder() {
    TeacherInfo info = gateway.describe();
    LabeledImages images = Students.evalImages().head(5);

    float[] logProbs = gateway.logProbs(info, images.images(), 5);

    assertEquals(TinyTeacherModel.realSha256(), info.artifactSha256());
    assertEquals(TinyTeacherModel.MAX_BATCH_SIZE, info.maxBatchSize());
    assertArrayEquals(TinyTeacherModel.logProbs(images.images(), 5), logProbs, 1e-6f);
  }

  @Test
  void anUnreachableTeacherIsRetriedQuicklyThenReportedUnavailable() {
    teacher.failWith(Status.UNAVAILABLE);
    int before = teacher.describeCalls();

    TeacherUnavailableException e =
        assertThrows(TeacherUnavailableException.class, () -> gateway.describe());

    assertEquals(1 + maxRetries, teacher.describeCalls() - before);
    assertTrue(e.getMessage().contains("UNAVAILABLE"), e.getMessage());
  }

  @Test
  void aRejectedRequestIsNotRetried() {
    TeacherInfo info = gateway.describe();
    int count = TinyTeacherModel.MAX_BATCH_SIZE + 1;
    float[] tooMany = Arrays.copyOf(Students.evalImages().images(), count * 784);
    int before = teacher.labelCalls(TinyTeacherModel.realSha256());

    TeacherRejectedException e =
        assertThrows(TeacherRejectedException.class, () -> gateway.logProbs(info, tooMany, count));

    assertEquals(1, teacher.labelCalls(TinyTeacherModel.realSha256()) - before);
    assertTrue(e.getMessage().contains("INVALID_ARGUMENT"), e.getMessage());
  }

  @Test
  void anAnswerFromAnotherArtifactIsNotUsed() {
    TeacherInfo info = gateway.describe();
    teacher.artifactSha256("2".repeat(64));
    float[] one = Arrays.copyOf(Students.evalImages().images(), 784);

    TeacherUnavailableException e =
        assertThrows(TeacherUnavailableException.class, () -> gateway.logProbs(info, one, 1));

    assertTrue(e.getMessage().contains("changed"), e.getMessage());
  }
}
