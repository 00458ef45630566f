package io.distillery.trainer.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.nn.Networks;
import io.distillery.models.student.StudentModels;
import io.distillery.trainer.config.TrainerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Job validation names the configuration key. Plain JUnit: pure logic. */
class JobSpecTest {

  private static final JobSpec DEFAULTS = JobSpec.defaults("job-1", Path.of("/tmp/c"));

  /** A student configuration with the defaults but for family, widths and channels. */
  private record Student(
      TrainerConfig.Family family, List<Integer> hiddenSizes, List<Integer> convChannels)
      implements TrainerConfig.Student {

    @Override
    public float dropout() {
      return 0f;
    }

    @Override
    public List<Long> inputShape() {
      return List.of(1L, 28L, 28L);
    }

    @Override
    public int outputSize() {
      return 10;
    }

    @Override
    public int layers() {
      return 2;
    }

    @Override
    public int width() {
      return 64;
    }

    @Override
    public int heads() {
      return hiddenSizes.get(0);
    }

    @Override
    public int contextLength() {
      return 128;
    }

    @Override
    public int mlpWidth() {
      return 0;
    }

    @Override
    public java.util.Optional<String> tokenizerSha256() {
      return java.util.Optional.of("ab".repeat(32));
    }
  }

  @Test
  void aTransformerStudentIsConfiguredByItsFamily() {
    JobSpec spec =
        DEFAULTS.toBuilder()
            .student(
                JobSpec.student(
                    new Student(TrainerConfig.Family.TRANSFORMER, List.of(2), List.of())))
            .build();
    assertEquals("transformer", spec.student().getFamily());
    assertEquals("ab".repeat(32), spec.student().getTokenizerSha256());
    assertEquals("transformer-2x64-h2-ctx128-v10", spec.network().name());
    assertEquals("causal-lm", spec.task().name());
    assertTrue(
        error(
                () ->
                    JobSpec.student(
                        new Student(TrainerConfig.Family.TRANSFORMER, List.of(3), List.of())))
            .contains("distillery.trainer.student.width 64 must be a multiple of"));
  }

  @Test
  void aCnnStudentIsConfiguredByItsFamily() {
    JobSpec spec =
        DEFAULTS.toBuilder()
            .student(
                JobSpec.student(
                    new Student(TrainerConfig.Family.CNN, List.of(64), List.of(16, 32))))
            .build();
    assertEquals("cnn", spec.student().getFamily());
    assertEquals(List.of(16, 32), spec.student().getConvChannelsList());
    assertEquals("cnn-1x28x28-c16-c32-h64-10", spec.network().name());
  }

  private static String error(Runnable build) {
    return assertThrows(IllegalArgumentException.class, build::run).getMessage();
  }

  @Test
  void theDefaultStudentIsTheReferenceMlpAndRebuildsFromItsSpec() {
    assertEquals("mlp-784-128-10", DEFAULTS.network().name());
    assertEquals(Networks.fashionMlp(0f, 128), StudentModels.network(DEFAULTS.student()));
    assertEquals("distillery-trainer-job-1", DEFAULTS.consumerGroup());
  }

  @Test
  void invalidSettingsNameTheirKeyAndValue() {
    assertTrue(error(() -> DEFAULTS.withJobId("../x")).contains("distillery.trainer.job-id"));
    assertTrue(
        error(() -> DEFAULTS.toBuilder().shuffleBuffer(10).build())
            .contains("distillery.trainer.shuffle-buffer must be >= batch-size 128, got 10"));
    assertTrue(
        error(() -> DEFAULTS.toBuilder().passes(0).build()).contains("distillery.trainer.passes"));
    assertTrue(
        error(
                () ->
                    JobSpec.student(
                        new Student(TrainerConfig.Family.MLP, List.of(0), List.of(16, 32))))
            .contains("distillery.trainer.student.hidden-sizes"));
    assertTrue(
        error(
                () ->
                    JobSpec.student(
                        new Student(TrainerConfig.Family.CNN, List.of(64), List.of(16, 0))))
            .contains("distillery.trainer.student.conv-channels"));
  }
}
