package io.distillery.labeler.labeling;

import io.distillery.proto.v1.SoftLabelEvent;
import io.smallrye.mutiny.Uni;
import java.util.List;

/** Where soft labels go. */
public interface LabelSink {

  /** Writes {@code event} under {@code key}; completes when the broker acknowledged it. */
  Uni<Void> send(String key, SoftLabelEvent event);

  /**
   * Writes every event under its prompt id; completes when the broker acknowledged all of them, and
   * fails if any write failed. A sink may hand the whole list to its producer at once.
   */
  default Uni<Void> sendAll(List<SoftLabelEvent> events) {
    if (events.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Uni<Void>> writes =
        events.stream().map(event -> send(event.getPromptId(), event)).toList();
    return Uni.join().all(writes).andCollectFailures().replaceWithVoid();
  }

  /**
   * Writes every label's bytes under its prompt id, like {@link #sendAll}; a sink that writes bytes
   * uses the ones given instead of encoding each event again.
   */
  default Uni<Void> sendEncoded(List<EncodedSoftLabel> labels) {
    return sendAll(labels.stream().map(EncodedSoftLabel::event).toList());
  }
}
