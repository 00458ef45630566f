package io.distillery.evaluator.config;

import io.distillery.evaluator.promotion.PromotionMetric;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the evaluator, under {@code distillery.evaluator}. Kafka topics and the teacher's
 * address are not here: they are the channel settings ({@code mp.messaging.*}) and the gRPC client
 * {@code teacher} ({@code quarkus.grpc.clients.teacher.host/port}).
 */
@ConfigMapping(prefix = "distillery.evaluator")
public interface EvaluatorConfig {

  /** The held-out set every checkpoint is scored on. */
  EvalSet evalSet();

  /** How the teacher's reference outputs are obtained and kept. */
  Teacher teacher();

  /** Which checkpoint of a job is its best. */
  Promotion promotion();

  /** How language-model checkpoints (the {@code transformer} student family) are scored. */
  Lm lm();

  /** The licence gate on promotion, model cards and the audit records of both. */
  Governance governance();

  /**
   * Governance: a checkpoint whose teachers include one whose licence does not permit distillation
   * is promoted only when the labels it learned from carry the operator's override (read back from
   * the soft-label topic); every such decision and every promotion goes to the audit topic (channel
   * {@code audit}); a promoted checkpoint gets a model card beside it.
   */
  interface Governance {

    /** "Intended use" of every model card. */
    @WithDefault(
        "Research and evaluation of a student distilled from the teachers below; check their"
            + " licences before any other use.")
    String intendedUse();

    /** A known limit stated in every model card, before the measured ones. */
    @WithDefault(
        "Scored only on the evaluator's held-out set; behaviour on other data is unmeasured.")
    String knownLimits();

    /**
     * Cited soft labels read back when a checkpoint's lineage is traced (for its model card and the
     * licence gate); 0 reads every one.
     */
    @WithDefault("200")
    int lineageLabelSample();

    /** Longest time for each topic read while tracing a lineage. */
    @WithDefault("10s")
    Duration lineageTimeout();

    /** The checkpoint events a lineage is checked against. */
    @WithDefault("distill.checkpoints")
    String checkpointsTopic();

    /** The evaluation events a lineage lists. */
    @WithDefault("distill.evaluations")
    String evaluationsTopic();
  }

  /**
   * Language-model evaluation: the student and its teacher on the same held-out tokens, bits per
   * UTF-8 byte and perplexity of both, KL(teacher ‖ student) per token, top-1 agreement and greedy
   * continuations of a few prompts. LM checkpoints are promoted by bits per byte (lower is better),
   * with {@code promotion.min-improvement} in bits per byte.
   */
  interface Lm {

    /**
     * The LM teacher's model directory as {@code distillery teacher train --task causal-lm} writes
     * it: {@code teacher-card.json}, the {@code tokenizer.json} students share, and the DJL params
     * (PyTorch) or, without them, {@code model.onnx} (ONNX Runtime). The teacher runs in-process to
     * give the reference numbers on the same tokens. Unset: LM checkpoints get a FAILED evaluation
     * saying so.
     */
    Optional<Path> teacherDir();

    /**
     * Held-out text: a UTF-8 text file (one document) or JSON lines ({@code .jsonl}/{@code
     * .ndjson}, one {@code {"text": ...}} per line). Unset: the novel Persuasion from the R package
     * janeaustenr (Debian {@code r-cran-janeaustenr}; see {@code distillery.janeausten.dir}) when
     * it is installed.
     */
    Optional<Path> heldOutFile();

    /** Cap on the held-out tokens scored (the text's first ones); must be &gt;= 1. */
    @WithDefault("20000")
    int maxTokens();

    /** Windows of context length per forward pass. */
    @WithDefault("8")
    int batchSize();

    /**
     * Prompts whose greedy continuations by the student go into every LM evaluation; a list
     * separated by commas (write a comma inside a prompt as {@code \\,}).
     */
    @WithDefault("It is a truth universally acknowledged,Anne Elliot,The weather was")
    List<String> prompts();

    /** Tokens of each greedy continuation. */
    @WithDefault("24")
    int continuationTokens();
  }

  /** The held-out set: Fashion-MNIST's 10,000 test images ({@code t10k}). */
  interface EvalSet {

    /**
     * Directory holding the Fashion-MNIST IDX files. Unset (the default): the system property
     * {@code distillery.fashion-mnist.dir}, then {@code $DISTILLERY_FASHION_MNIST_DIR}, then {@code
     * /usr/share/datasets/fashion-mnist} (Debian package {@code dataset-fashion-mnist}). An
     * Optional has no {@code @WithDefault}: "unset" is the default.
     */
    Optional<Path> dataDir();

    /**
     * Score only the first {@code limit} test images; {@code 0} scores all 10,000. A limit shows in
     * the eval-set id ({@code fashion-mnist/t10k[0:2000]}) so scores on different sets never mix.
     */
    @WithDefault("0")
    int limit();

    /** Images per forward pass of a student. */
    @WithDefault("64")
    int batchSize();
  }

  /** How the teacher's reference outputs are obtained and kept. */
  interface Teacher {

    /**
     * Directory of the reference cache: the teacher's log-probabilities on the eval set, one file
     * per teacher artifact sha256 and eval set. It lets a restarted evaluator score without asking
     * the teacher again; mount a volume here in Kubernetes.
     */
    @WithDefault("${user.home}/.distillery/evaluator/teacher-cache")
    Path cacheDir();

    /** Samples per Label request; the teacher's own {@code limits.max_batch_size} caps it. */
    @WithDefault("256")
    int requestBatchSize();

    /**
     * Bearer token (a JWT from the teacher's issuer) sent on every teacher call; needed when the
     * teacher runs with access control. Prefer {@code token-file} outside local use.
     */
    Optional<String> token();

    /**
     * File holding the bearer token, e.g. a mounted Kubernetes Secret; re-read when it changes.
     * Used when {@code token} is unset.
     */
    Optional<Path> tokenFile();

    /** Deadline of one Describe call. */
    @WithDefault("5s")
    Duration describeDeadline();

    /** Deadline of one Label call. */
    @WithDefault("30s")
    Duration labelDeadline();

    /** Quick retries of one failed call (SmallRye Fault Tolerance). */
    Retry retry();

    /**
     * Wait between attempts once quick retries are exhausted and no cached reference fits: the
     * evaluator holds the checkpoint (its offset is not committed) and tries again, growing from
     * {@code initial} to {@code max}, for as long as the teacher is down.
     */
    Backoff outageBackoff();
  }

  /** Quick retries of one failed teacher call. */
  interface Retry {

    /** Retries after the first attempt. */
    @WithDefault("3")
    int maxRetries();

    /** Delay before the first retry; doubles on every next one. */
    @WithDefault("200ms")
    Duration initialDelay();

    /** Longest delay between two retries. */
    @WithDefault("2s")
    Duration maxDelay();
  }

  /** A wait that doubles from {@code initial} up to {@code max}. */
  interface Backoff {

    /** First wait. */
    @WithDefault("1s")
    Duration initial();

    /** Longest wait. */
    @WithDefault("30s")
    Duration max();
  }

  /** Which checkpoint of a job is its best. */
  interface Promotion {

    /**
     * Metric that ranks checkpoints: {@code accuracy} or {@code agreement} (higher is better),
     * {@code kl-teacher-student} or {@code nll} (lower is better).
     */
    @WithDefault("accuracy")
    PromotionMetric metric();

    /**
     * Smallest improvement over the promoted checkpoint, in the metric's own units (0.001 accuracy
     * = 10 of 10,000 images), that promotes a new one. A job's first scored checkpoint is always
     * promoted. Must be &gt;= 0; with 0 any strict improvement promotes.
     */
    @WithDefault("0.001")
    double minImprovement();
  }
}
