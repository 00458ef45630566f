package io.distillery.labeler.labeling;

import io.distillery.proto.v1.SoftLabelEvent;
import io.smallrye.mutiny.Uni;

/** Where soft labels go. */
public interface LabelSink {

  /** Writes {@code event} under {@code key}; completes when the broker acknowledged it. */
  Uni<Void> send(String key, SoftLabelEvent event);
}
