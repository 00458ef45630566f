package io.distillery.localkafka;

import java.util.List;

/** The default Kafka topic names of Distillery (see DESIGN.md, "Contracts"). */
public final class DistilleryTopics {

  /** Prompts from upstream producers; key = prompt id. */
  public static final String PROMPTS = "distill.prompts";

  /** Prompts the labeler could not handle, with error headers; key = prompt id. */
  public static final String PROMPTS_DLQ = "distill.prompts.dlq";

  /** Sparse teacher soft labels; key = prompt id. */
  public static final String SOFT_LABELS = "distill.soft-labels";

  /** Student checkpoint events; key = job id. */
  public static final String CHECKPOINTS = "distill.checkpoints";

  /** Evaluation results; key = job id. */
  public static final String EVALUATIONS = "distill.evaluations";

  /**
   * Governance decisions (teacher access, licence gates, promotions, watermarked outputs); key =
   * client or job id.
   */
  public static final String AUDIT = "distill.audit";

  /** Every default topic, in pipeline order, then the audit log. */
  public static final List<String> ALL =
      List.of(PROMPTS, PROMPTS_DLQ, SOFT_LABELS, CHECKPOINTS, EVALUATIONS, AUDIT);

  private DistilleryTopics() {}
}
