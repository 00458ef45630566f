package io.distillery.trainer.job;

import static io.distillery.trainer.job.OnlineSettings.require;

import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.student.StudentModels;
import io.distillery.models.task.DistillationTask;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.trainer.config.TrainerConfig;
import io.distillery.trainer.training.LearningRateSchedule;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything one distillation job needs, validated: the domain form of {@link TrainerConfig}, also
 * built directly by tests and the benchmark.
 *
 * @param jobId names the consumer group, the checkpoint directory and the event key
 * @param source offline (stored soft labels) or online (teacher asked about augmented views)
 * @param topic soft-label topic
 * @param student the student: the spec its network is rebuilt from ({@link #network()})
 * @param loss the loss; alpha is the weight of the hard-label cross-entropy
 * @param batchSize samples per step
 * @param lrSchedule the learning rate of each step (its peak rate is {@link #learningRate()})
 * @param optimizer adam or sgd
 * @param passes passes over the log
 * @param shuffleBuffer labels held for shuffling, at least one batch
 * @param seed seed of initialisation, shuffling and augmentation
 * @param checkpointInterval steps between checkpoints, 0 = only at pass ends
 * @param checkpointDir root of the checkpoint store
 * @param teacherFilter train only on labels of this teacher model id
 * @param datasetFilter train only on labels of this dataset
 * @param online how an online job asks the teacher
 */
public record JobSpec(
    String jobId,
    Source source,
    String topic,
    StudentSpec student,
    LossSettings loss,
    int batchSize,
    LearningRateSchedule lrSchedule,
    OptimizerKind optimizer,
    int passes,
    int shuffleBuffer,
    int seed,
    int checkpointInterval,
    Path checkpointDir,
    Optional<String> teacherFilter,
    Optional<String> datasetFilter,
    OnlineSettings online) {

  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  /** Validates every field, naming the configuration key and the value. */
  public JobSpec {
    require(
        jobId != null && JOB_ID.matcher(jobId).matches() && !jobId.startsWith("."),
        "job-id",
        jobId,
        "1-100 letters, digits, '.', '_' or '-', not starting with '.'");
    require(topic != null && !topic.isBlank(), "soft-labels-topic", topic, "non-blank");
    require(batchSize >= 1, "batch-size", batchSize, ">= 1");
    require(lrSchedule != null, "lr-schedule", lrSchedule, "set");
    require(passes >= 1, "passes", passes, ">= 1");
    require(
        shuffleBuffer >= batchSize, "shuffle-buffer", shuffleBuffer, ">= batch-size " + batchSize);
    require(checkpointInterval >= 0, "checkpoint.interval-steps", checkpointInterval, ">= 0");
    require(student != null, "student", student, "set");
    StudentModels.network(student); // fails here, naming the setting, if it makes no network
  }

  /** The task the student's family belongs to: it decodes, checks and batches the labels. */
  public DistillationTask task() {
    return StudentModels.task(student);
  }

  /** The student's network, rebuilt from {@link #student()}. */
  public NetworkSpec network() {
    return StudentModels.network(student);
  }

  /** The learning rate: constant, or the schedule's peak. */
  public float learningRate() {
    return lrSchedule.learningRate();
  }

  /** The consumer group of this job. */
  public String consumerGroup() {
    return "distillery-trainer-" + jobId;
  }

  /**
   * A job with the defaults of {@link TrainerConfig}: offline, student 784-128-10, forward KL at T
   * = 2 with alpha 0.5, batch 128, Adam at a constant 1e-3, 30 passes, shuffle buffer 4096, seed 1,
   * a checkpoint every 500 steps.
   */
  public static JobSpec defaults(String jobId, Path checkpointDir) {
    return new JobSpec(
        jobId,
        Source.OFFLINE,
        "distill.soft-labels",
        StudentModels.mlp(List.of(1L, 28L, 28L), List.of(128), 10, 0f),
        LossSettings.of(Divergence.FORWARD_KL, 2f, 0.5f),
        128,
        LearningRateSchedule.constant(1e-3f),
        OptimizerKind.ADAM,
        30,
        4096,
        1,
        500,
        checkpointDir,
        Optional.empty(),
        Optional.empty(),
        OnlineSettings.defaults());
  }

  /** The job the configuration describes. */
  public static JobSpec from(TrainerConfig config) {
    TrainerConfig.Loss loss = config.loss();
    Divergence divergence = loss.divergence();
    float param = loss.divergenceParam().orElse(divergence.defaultParam());
    TrainerConfig.Online online = config.online();
    return new JobSpec(
        config.jobId(),
        config.source(),
        config.softLabelsTopic(),
        student(config.student()),
        new LossSettings(divergence, loss.temperature(), loss.alpha(), param),
        config.batchSize(),
        new LearningRateSchedule(
            config.lrSchedule(),
            config.learningRate(),
            config.finalLearningRate(),
            config.lrWarmupSteps(),
            config.lrTotalSteps()),
        config.optimizer(),
        config.passes(),
        config.shuffleBuffer(),
        config.seed(),
        config.checkpoint().intervalSteps(),
        Path.of(config.checkpoint().dir()),
        config.filter().teacherId().filter(s -> !s.isBlank()),
        config.filter().dataset().filter(s -> !s.isBlank()),
        new OnlineSettings(
            online.topK(),
            online.shiftPixels(),
            online.mixupAlpha(),
            online.maxInFlight(),
            online.deadline(),
            online.initialBackoff(),
            online.maxBackoff()));
  }

  /**
   * The student the configuration describes, of its family ({@code mlp} or {@code cnn}).
   *
   * @throws IllegalArgumentException naming the student setting that is wrong
   */
  public static StudentSpec student(TrainerConfig.Student config) {
    try {
      return studentOf(config);
    } catch (IllegalArgumentException e) {
      // The families name the key relative to the student ("student.hidden-sizes ...").
      throw new IllegalArgumentException("distillery.trainer." + e.getMessage(), e);
    }
  }

  private static StudentSpec studentOf(TrainerConfig.Student config) {
    return switch (config.family()) {
      case MLP ->
          StudentModels.mlp(
              config.inputShape(), config.hiddenSizes(), config.outputSize(), config.dropout());
      case CNN ->
          StudentModels.cnn(
              config.inputShape(),
              config.convChannels(),
              config.hiddenSizes(),
              config.outputSize(),
              config.dropout());
      case TRANSFORMER ->
          StudentModels.transformer(
              config.outputSize(),
              config.contextLength(),
              config.layers(),
              config.width(),
              config.heads(),
              config.mlpWidth(),
              config.tokenizerSha256().map(String::trim).orElse(""));
    };
  }

  /** A copy with another job id. */
  public JobSpec withJobId(String newJobId) {
    return new Builder(this).jobId(newJobId).build();
  }

  /** A builder starting from this spec. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Copies a spec with some fields changed. */
  public static final class Builder {
    private String jobId;
    private Source source;
    private String topic;
    private StudentSpec student;
    private LossSettings loss;
    private int batchSize;
    private LearningRateSchedule lrSchedule;
    private OptimizerKind optimizer;
    private int passes;
    private int shuffleBuffer;
    private int seed;
    private int checkpointInterval;
    private Path checkpointDir;
    private Optional<String> teacherFilter;
    private Optional<String> datasetFilter;
    private OnlineSettings online;

    private Builder(JobSpec spec) {
      jobId = spec.jobId;
      source = spec.source;
      topic = spec.topic;
      student = spec.student;
      loss = spec.loss;
      batchSize = spec.batchSize;
      lrSchedule = spec.lrSchedule;
      optimizer = spec.optimizer;
      passes = spec.passes;
      shuffleBuffer = spec.shuffleBuffer;
      seed = spec.seed;
      checkpointInterval = spec.checkpointInterval;
      checkpointDir = spec.checkpointDir;
      teacherFilter = spec.teacherFilter;
      datasetFilter = spec.datasetFilter;
      online = spec.online;
    }

    public Builder jobId(String value) {
      jobId = value;
      return this;
    }

    public Builder source(Source value) {
      source = value;
      return this;
    }

    public Builder topic(String value) {
      topic = value;
      return this;
    }

    public Builder student(StudentSpec value) {
      student = value;
      return this;
    }

    public Builder loss(LossSettings value) {
      loss = value;
      return this;
    }

    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    /** The same kind of schedule with another peak rate (a cosine's final rate at most it). */
    public Builder learningRate(float value) {
      lrSchedule =
          new LearningRateSchedule(
              lrSchedule.kind(),
              value,
              Math.min(lrSchedule.finalLearningRate(), value),
              lrSchedule.warmupSteps(),
              lrSchedule.totalSteps());
      return this;
    }

    public Builder lrSchedule(LearningRateSchedule value) {
      lrSchedule = value;
      return this;
    }

    public Builder optimizer(OptimizerKind value) {
      optimizer = value;
      return this;
    }

    public Builder passes(int value) {
      passes = value;
      return this;
    }

    public Builder shuffleBuffer(int value) {
      shuffleBuffer = value;
      return this;
    }

    public Builder seed(int value) {
      seed = value;
      return this;
    }

    public Builder checkpointInterval(int value) {
      checkpointInterval = value;
      return this;
    }

    public Builder checkpointDir(Path value) {
      checkpointDir = value;
      return this;
    }

    public Builder teacherFilter(Optional<String> value) {
      teacherFilter = value;
      return this;
    }

    public Builder datasetFilter(Optional<String> value) {
      datasetFilter = value;
      return this;
    }

    public Builder online(OnlineSettings value) {
      online = value;
      return this;
    }

    /** The validated spec. */
    public JobSpec build() {
      return new JobSpec(
          jobId,
          source,
          topic,
          student,
          loss,
          batchSize,
          lrSchedule,
          optimizer,
          passes,
          shuffleBuffer,
          seed,
          checkpointInterval,
          checkpointDir,
          teacherFilter,
          datasetFilter,
          online);
    }
  }
}
