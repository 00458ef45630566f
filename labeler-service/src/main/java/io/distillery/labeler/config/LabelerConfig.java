package io.distillery.labeler.config;

import io.distillery.proto.codec.SparseCodec;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the labeler, under {@code distillery.labeler}. The prompt and dead-letter topics and
 * the teacher's address are not here: they are the channel settings ({@code mp.messaging.*}) and
 * the gRPC client {@code teacher} ({@code quarkus.grpc.clients.teacher.host/port}); the soft-label
 * producer is ({@code soft-labels}).
 */
@ConfigMapping(prefix = "distillery.labeler")
public interface LabelerConfig {

  /** Dataset name written into soft labels of prompts that do not name one. */
  @WithDefault("unnamed")
  String defaultDataset();

  /**
   * Entries kept per output position in every soft label. {@code 0} keeps all of them (the
   * teacher's output size, i.e. every class of a classifier). Must not exceed the teacher's output
   * size or its {@code limits.max_top_k}; the start-up gate says so otherwise.
   */
  @WithDefault("0")
  int topK();

  /**
   * Softmax temperature of the requested log-probabilities; must be &gt; 0 (1 = the model's own).
   */
  @WithDefault("1.0")
  float temperature();

  /**
   * Encoding of the distributions in soft labels: {@code quantized} (format 2: log-probabilities as
   * one byte below each position's largest, ≈ 2.3 bytes per kept entry, KL cost ≈ 1e-4 nats per
   * position) or {@code fp16} (format 1, ≈ 3.2 bytes per entry). Trainers read both.
   */
  @WithDefault("quantized")
  SparseCodec.Format softLabelFormat();

  /**
   * Largest accepted record value in bytes. Larger prompts go to the dead-letter topic with reason
   * {@code oversized-input}.
   */
  @WithDefault("1048576")
  int maxPromptBytes();

  /** How prompts are grouped into teacher requests. */
  Batch batch();

  /** What the labeler expects from the teacher and how it calls it. */
  Teacher teacher();

  /** Licence policy. */
  Policy policy();

  /** Text prompts ({@code input.text}) for causal-LM teachers. */
  Text text();

  /** Continuing prompts with the teacher before labelling (causal-LM teachers). */
  Generation generation();

  /** Where soft labels are written and how the labeler's producer for them is tuned. */
  SoftLabels softLabels();

  /** The soft-label producer (a plain Kafka producer, not a reactive-messaging channel). */
  interface SoftLabels {

    /** Topic the soft labels go to, one record per prompt with the prompt id as key. */
    @WithDefault("distill.soft-labels")
    String topic();

    /**
     * Kafka producer settings ({@code distillery.labeler.soft-labels.producer."linger.ms"=10}),
     * applied over the application's {@code kafka.*} settings (bootstrap servers, security).
     * Serializers are the labeler's own.
     */
    Map<String, String> producer();
  }

  /** Text prompts for causal-LM teachers. */
  interface Text {

    /**
     * Path of the teacher's {@code tokenizer.json} (or of a directory holding it). Its sha256 must
     * equal the teacher card's {@code tokenizer_sha256}, else the start-up gate stays closed and
     * readiness names both hashes. Unset: text prompts go to the dead-letter topic with reason
     * {@code no-tokenizer} (token prompts still work).
     */
    Optional<String> tokenizer();

    /**
     * Largest text of one prompt, in UTF-8 bytes; longer texts go to the dead-letter topic with
     * reason {@code oversized-text}. A text longer than the teacher's context is cut into windows,
     * each its own soft label keyed {@code <id>#<n>}.
     */
    @WithDefault("65536")
    int maxBytes();
  }

  /** Sequence-level distillation: the teacher continues each prompt and labels its own tokens. */
  interface Generation {

    /**
     * Ask the teacher to continue every prompt; soft labels then carry {@code generated_ids} and
     * one distribution per prompt token and per generated token. Causal-LM teachers only.
     */
    @WithDefault("false")
    boolean enabled();

    /**
     * Tokens generated after each prompt (fewer when the teacher emits end-of-text). Text windows
     * are shortened by this many tokens so prompt and continuation fit the teacher's context.
     */
    @WithDefault("32")
    int maxNewTokens();

    /** Sampling temperature of the continuation; 0 means greedy. */
    @WithDefault("0")
    float samplingTemperature();

    /** Seed of the sampled continuation, so a labelling can be repeated. */
    @WithDefault("0")
    long seed();
  }

  /** How prompts are grouped into teacher requests. */
  interface Batch {

    /**
     * Largest number of prompts in one teacher request. The teacher's own {@code
     * limits.max_batch_size} caps it further. Requests are filled from each Kafka poll batch
     * ({@code mp.messaging.incoming.prompts.max.poll.records}).
     */
    @WithDefault("256")
    int maxSize();

    /**
     * Units of work in flight at once: teacher requests (each with the production of its labels)
     * and groups of dead-letter records. When all are taken, the labeler stops taking records from
     * Kafka and the consumer pauses.
     */
    @WithDefault("4")
    int maxInFlight();
  }

  /** What the labeler expects from the teacher and how it calls it. */
  interface Teacher {

    /** The task the teacher must perform; the start-up gate refuses any other. */
    @WithDefault("classification")
    ExpectedTask task();

    /**
     * Input shape of one sample the teacher must declare (classification teachers only), e.g.
     * {@code 1,28,28} for Fashion-MNIST. A different shape keeps the labeler from consuming.
     */
    @WithDefault("1,28,28")
    List<Long> inputShape();

    /**
     * Bearer token (a JWT from the teacher's issuer) sent on every teacher call; needed when the
     * teacher runs with access control. Prefer {@code token-file} outside local use.
     */
    Optional<String> token();

    /**
     * File holding the bearer token, e.g. a mounted Kubernetes Secret; re-read when it changes.
     * Used when {@code token} is unset.
     */
    Optional<java.nio.file.Path> tokenFile();

    /** Deadline of one Describe call. */
    @WithDefault("5s")
    Duration describeDeadline();

    /** Deadline of one Label call. */
    @WithDefault("30s")
    Duration labelDeadline();

    /**
     * Wait between Describe attempts while the teacher is unreachable at start-up, growing from
     * {@code initial} to {@code max}.
     */
    Backoff describeBackoff();

    /** Quick retries of one failed Label call (SmallRye Fault Tolerance). */
    Retry retry();

    /** Circuit breaker around Label calls (SmallRye Fault Tolerance). */
    CircuitBreaker circuitBreaker();

    /**
     * Wait between attempts once quick retries are exhausted or the circuit is open: the labeler
     * keeps the prompts, stops consuming and tries again, growing from {@code initial} to {@code
     * max}, for as long as the teacher is down.
     */
    Backoff outageBackoff();
  }

  /** Quick retries of one failed Label call. */
  interface Retry {

    /** Retries after the first attempt. */
    @WithDefault("3")
    int maxRetries();

    /** Delay before the first retry; doubles on every next one. */
    @WithDefault("200ms")
    Duration initialDelay();

    /** Upper bound of the doubling delay. */
    @WithDefault("2s")
    Duration maxDelay();
  }

  /** Circuit breaker around Label calls. */
  interface CircuitBreaker {

    /** Number of recent calls the failure ratio is computed over. */
    @WithDefault("20")
    int requestVolumeThreshold();

    /** Failure ratio among those calls that opens the circuit. */
    @WithDefault("0.5")
    double failureRatio();

    /** How long the circuit stays open before a trial call. */
    @WithDefault("5s")
    Duration delay();
  }

  /** An exponential backoff. */
  interface Backoff {

    /** First wait. */
    @WithDefault("500ms")
    Duration initial();

    /** Longest wait. */
    @WithDefault("10s")
    Duration max();
  }

  /** Licence policy. */
  interface Policy {

    /**
     * Label with a teacher whose card forbids distillation or does not state a policy. Off by
     * default: such a teacher keeps the labeler from consuming. When on, every soft label records
     * the override ({@code forbidden_teacher_override = true}).
     */
    @WithDefault("false")
    boolean allowForbiddenTeacher();

    /**
     * Topic the gate's licence decision is written to as an audit event (kind {@code licence-gate}:
     * the licence permits distillation, an override, or a refusal); empty turns the audit off. The
     * write is best effort: the decision stands if it fails.
     */
    @WithDefault("distill.audit")
    Optional<String> auditTopic();
  }

  /** Teacher tasks the labeler can be configured to expect. */
  enum ExpectedTask {
    /** One distribution over classes per sample. */
    CLASSIFICATION,
    /** One distribution over the vocabulary per token. */
    CAUSAL_LM
  }
}
