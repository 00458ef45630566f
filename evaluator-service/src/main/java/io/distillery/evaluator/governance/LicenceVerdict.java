package io.distillery.evaluator.governance;

import io.distillery.models.lineage.Lineage;
import java.util.Optional;

/**
 * What the licence gate decided for one checkpoint.
 *
 * @param refusal why it must not be promoted; empty when it may
 * @param lineage the lineage read to decide, when one was needed
 */
public record LicenceVerdict(Optional<String> refusal, Optional<Lineage> lineage) {

  /** Every teacher's licence permits distillation; nothing had to be read. */
  public static LicenceVerdict clear() {
    return new LicenceVerdict(Optional.empty(), Optional.empty());
  }
}
