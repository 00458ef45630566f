package io.distillery.trainer.support;

import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.trainer.checkpoint.CheckpointPublisher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every published checkpoint event. */
public final class RecordingPublisher implements CheckpointPublisher {

  private final List<CheckpointEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void publish(CheckpointEvent event) {
    events.add(event);
  }

  public List<CheckpointEvent> events() {
    return List.copyOf(events);
  }
}
