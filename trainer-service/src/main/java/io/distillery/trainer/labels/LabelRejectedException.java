package io.distillery.trainer.labels;

/** A soft label the job cannot train on, with the reason and what exactly was wrong. */
public final class LabelRejectedException extends Exception {

  private final SkipReason reason;

  public LabelRejectedException(SkipReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** The low-cardinality reason. */
  public SkipReason reason() {
    return reason;
  }
}
