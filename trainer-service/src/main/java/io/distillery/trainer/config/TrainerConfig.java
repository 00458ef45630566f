package io.distillery.trainer.config;

import io.distillery.models.loss.Divergence;
import io.distillery.trainer.job.OptimizerKind;
import io.distillery.trainer.job.Source;
import io.distillery.trainer.training.LearningRateSchedule;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the training job this process runs, under {@code distillery.trainer}. One process
 * runs one job; several jobs over the same soft-label log are several processes with different job
 * ids.
 */
@ConfigMapping(prefix = "distillery.trainer")
public interface TrainerConfig {

  /** Whether the configured job starts with the application (tests start jobs themselves). */
  @WithDefault("true")
  boolean enabled();

  /**
   * Id of the job: names its Kafka consumer group ({@code distillery-trainer-<job-id>}), its
   * checkpoint directory and the key of its checkpoint events. Letters, digits, '.', '_' and '-'.
   */
  @WithDefault("default")
  String jobId();

  /**
   * Where training targets come from: {@code offline} trains on the teacher's soft labels stored in
   * the log; {@code online} takes only the inputs from the log, makes augmented views and asks the
   * teacher (gRPC client {@code teacher}) to label exactly those views; {@code seqkd} trains a
   * language model on the teacher's continuations stored in the log (hard cross-entropy on the
   * generated tokens, plus their soft labels when {@code loss.alpha} is below 1).
   */
  @WithDefault("offline")
  Source source();

  /** The soft-label topic read by the job. */
  @WithDefault("distill.soft-labels")
  String softLabelsTopic();

  /** The student network. */
  Student student();

  /** The loss. */
  Loss loss();

  /** Samples per optimizer step. */
  @WithDefault("128")
  int batchSize();

  /**
   * Learning rate: the rate of every step with {@code lr-schedule=constant}, the peak (reached
   * after the warm-up) with {@code cosine}.
   */
  @WithDefault("0.001")
  float learningRate();

  /**
   * How the learning rate changes with the job's global step: {@code constant} or {@code cosine}
   * (half a cosine from {@code learning-rate} down to {@code final-learning-rate} over {@code
   * lr-total-steps}). The rate is a function of the step alone, so a resumed job continues with the
   * rates an uninterrupted one would have used.
   */
  @WithDefault("constant")
  LearningRateSchedule.Kind lrSchedule();

  /**
   * Steps of linear warm-up from {@code learning-rate / lr-warmup-steps} to {@code learning-rate},
   * before either schedule; 0 for none.
   */
  @WithDefault("0")
  long lrWarmupSteps();

  /** Where {@code cosine} ends, in [0, {@code learning-rate}]; unused by {@code constant}. */
  @WithDefault("0")
  float finalLearningRate();

  /**
   * Steps of the {@code cosine} schedule, warm-up included. 0 (default): {@code passes ×
   * ceil(records in the first pass / batch-size)}, counted when the first pass starts and kept in
   * every checkpoint; exact when no record is skipped and the log does not grow between passes
   * (otherwise the decay ends a little early or late). Set it when the log grows.
   */
  @WithDefault("0")
  long lrTotalSteps();

  /**
   * {@code adam} (its moments are saved with every checkpoint, so a resumed job continues exactly)
   * or {@code sgd} (plain, stateless).
   */
  @WithDefault("adam")
  OptimizerKind optimizer();

  /**
   * Passes over the soft-label log; each pass re-reads the topic from its beginning. The reference
   * run in NOTES.md found KD's gain on Fashion-MNIST only after about 30 epochs.
   */
  @WithDefault("30")
  int passes();

  /**
   * Labels held for shuffling: batches are drawn at random from this many buffered labels. Bounds
   * memory (about 3.2 KB per Fashion-MNIST label).
   */
  @WithDefault("4096")
  int shuffleBuffer();

  /** Seed of the student's initialisation, the shuffling and the online augmentation. */
  @WithDefault("1")
  int seed();

  /** Checkpointing. */
  Checkpoint checkpoint();

  /** Which labels to train on; labels failing a filter are skipped and counted. */
  Filter filter();

  /** Online mode: how the teacher is asked. */
  Online online();

  /** The student network: an MLP, a small CNN, or a decoder-only transformer language model. */
  interface Student {
    /**
     * The network family: {@code mlp} (flatten, dense hidden layers), {@code cnn} (3×3
     * conv-ReLU-max-pool stages of {@code conv-channels}, then the dense hidden layers) or {@code
     * transformer} (a decoder-only language model of {@code layers}, {@code width}, {@code heads},
     * {@code context-length}, {@code mlp-width}, vocabulary {@code output-size}, sharing the
     * teacher's tokenizer).
     */
    @WithDefault("mlp")
    Family family();

    /** Dense hidden layer widths, input side first, e.g. {@code 128} or {@code 256,128}. */
    @WithDefault("128")
    List<Integer> hiddenSizes();

    /** Channels of each convolution stage of a {@code cnn} student, e.g. {@code 16,32}. */
    @WithDefault("16,32")
    List<Integer> convChannels();

    /** Dropout after each dense hidden ReLU, in [0, 1); 0 for none. */
    @WithDefault("0")
    float dropout();

    /** Shape of one input sample; must match the teacher card's input shape. */
    @WithDefault("1,28,28")
    List<Long> inputShape();

    /**
     * Number of classes, or the vocabulary size of a {@code transformer}; must match the teacher
     * card's output size.
     */
    @WithDefault("10")
    int outputSize();

    /** Decoder blocks of a {@code transformer} student. */
    @WithDefault("2")
    int layers();

    /** Model width of a {@code transformer} student; a multiple of {@code heads}. */
    @WithDefault("64")
    int width();

    /** Attention heads of a {@code transformer} student. */
    @WithDefault("2")
    int heads();

    /**
     * Longest token sequence a {@code transformer} student attends over; soft labels longer than it
     * are skipped ({@code wrong-input-size}). Use the teacher's context.
     */
    @WithDefault("128")
    int contextLength();

    /** Hidden width of each {@code transformer} block's MLP; 0 = 4 × width. */
    @WithDefault("0")
    int mlpWidth();

    /**
     * sha256 of the teacher's tokenizer.json the {@code transformer} student shares; before step 1
     * the job fails when the first label's teacher card names another. Empty accepts any tokenizer
     * of the vocabulary size.
     */
    Optional<String> tokenizerSha256();
  }

  /**
   * Student network families (configuration values {@code mlp}, {@code cnn}, {@code transformer}).
   */
  enum Family {
    MLP,
    CNN,
    TRANSFORMER
  }

  /** loss = alpha · CE(hard label) + (1 − alpha) · T² · divergence(teacher ‖ student at T). */
  interface Loss {
    /** {@code forward-kl}, {@code reverse-kl}, {@code jsd} or {@code skew-kl}. */
    @WithDefault("forward-kl")
    Divergence divergence();

    /** Distillation temperature T (> 0). */
    @WithDefault("2.0")
    float temperature();

    /**
     * Weight of the hard-label cross-entropy, in [0, 1]: 1 = hard labels only (the from-scratch
     * baseline), 0 = soft labels only.
     */
    @WithDefault("0.5")
    float alpha();

    /** β of {@code jsd} (default 0.5) or α of {@code skew-kl} (default 0.1); unused otherwise. */
    Optional<Float> divergenceParam();
  }

  /** Checkpointing. */
  interface Checkpoint {
    /**
     * Optimizer steps between checkpoints; 0 checkpoints only at the end of each pass. A pass
     * always ends with a checkpoint, and the job's last one is marked final.
     */
    @WithDefault("500")
    int intervalSteps();

    /** Root directory; the job writes {@code <dir>/<job-id>/step-<n>/}. */
    @WithDefault("checkpoints")
    String dir();
  }

  /** Label filters. */
  interface Filter {
    /** Train only on labels from this teacher model id. */
    Optional<String> teacherId();

    /** Train only on labels of this dataset, e.g. {@code fashion-mnist/train}. */
    Optional<String> dataset();
  }

  /** Online mode. */
  interface Online {
    /** Entries per distribution asked from the teacher; 0 = all classes. */
    @WithDefault("0")
    int topK();

    /** Largest random shift of each view in pixels per axis (images only); 0 disables it. */
    @WithDefault("2")
    int shiftPixels();

    /**
     * α of mixup: each view is mixed with another of its batch with weight λ ~ Beta(α, α), and the
     * teacher labels the mixed image; 0 (default) turns mixup off.
     */
    @WithDefault("0")
    float mixupAlpha();

    /** Label requests in flight ahead of training: teacher calls overlap with training steps. */
    @WithDefault("2")
    int maxInFlight();

    /** Deadline of each Label and Describe call. */
    @WithDefault("10s")
    Duration deadline();

    /**
     * Bearer token (a JWT from the teacher's issuer) sent on every teacher call; needed when the
     * teacher runs with access control. Prefer {@code teacher-token-file} outside local use.
     */
    Optional<String> teacherToken();

    /**
     * File holding the bearer token, e.g. a mounted Kubernetes Secret; re-read when it changes.
     * Used when {@code teacher-token} is unset.
     */
    Optional<java.nio.file.Path> teacherTokenFile();

    /** First wait after a failed teacher call; doubles per failure up to {@link #maxBackoff()}. */
    @WithDefault("200ms")
    Duration initialBackoff();

    /**
     * Longest wait between teacher attempts; the job waits (paused) as long as the outage lasts.
     */
    @WithDefault("5s")
    Duration maxBackoff();
  }
}
