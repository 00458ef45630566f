package io.distillery.evaluator;

/**
 * A checkpoint that cannot be scored. It becomes an evaluation event with status FAILED; the
 * evaluator moves on to the next checkpoint.
 */
public final class EvaluationFailure extends Exception {

  /** The record value could not be decoded into a checkpoint event. */
  public static final String UNDECODABLE = "undecodable";

  /** The event lacks a field every checkpoint event has (job id, uri, manifest sha256). */
  public static final String INVALID_EVENT = "invalid-event";

  /** The manifest's job or step differ from the event's. */
  public static final String MANIFEST_MISMATCH = "manifest-mismatch";

  /** The manifest lists no {@code student.params}. */
  public static final String MISSING_PARAMS = "missing-params";

  /** The student spec names an architecture no network is known for. */
  public static final String UNKNOWN_ARCHITECTURE = "unknown-architecture";

  /** The student's input shape or output size does not fit the eval set. */
  public static final String INCOMPATIBLE_STUDENT = "incompatible-student";

  /** The parameters do not load into the network the spec describes. */
  public static final String UNLOADABLE_PARAMETERS = "unloadable-parameters";

  /** The student produced NaN or infinite log-probabilities (a diverged run). */
  public static final String NON_FINITE_OUTPUT = "non-finite-output";

  /** The inference engine failed while running the student. */
  public static final String INFERENCE_ERROR = "inference-error";

  /** The teacher's task, input shape or output size does not fit the eval set. */
  public static final String INCOMPATIBLE_TEACHER = "incompatible-teacher";

  /** The teacher refused the reference request or answered something unusable. */
  public static final String TEACHER_REJECTED = "teacher-rejected";

  /** No held-out text for language models: the configured file or janeaustenr is missing. */
  public static final String MISSING_HELD_OUT = "missing-held-out";

  /** No usable LM teacher directory ({@code distillery.evaluator.lm.teacher-dir}). */
  public static final String MISSING_TEACHER = "missing-teacher";

  /** The student's tokenizer or vocabulary differs from the LM teacher's. */
  public static final String TOKENIZER_MISMATCH = "tokenizer-mismatch";

  /** An unexpected exception while scoring (a bug); the message names its class. */
  public static final String INTERNAL_ERROR = "internal-error";

  /** The promoted pointer or the evaluation record could not be written. */
  public static final String STATE_IO = "state-io";

  private final String reason;

  /**
   * @param reason low-cardinality reason, for the event and the failures metric
   * @param message what is wrong, naming the file, field or value
   */
  public EvaluationFailure(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public EvaluationFailure(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Low-cardinality reason, e.g. {@code digest-mismatch}. */
  public String reason() {
    return reason;
  }
}
