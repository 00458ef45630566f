package io.distillery.labeler.deadletter;

import io.smallrye.mutiny.Uni;

/** Where dead letters go. */
public interface DeadLetterSink {

  /** Writes {@code letter}; completes when the broker acknowledged it. */
  Uni<Void> send(DeadLetter letter);
}
