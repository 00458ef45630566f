package io.distillery.proto.kafka;

import io.distillery.proto.v1.CheckpointEvent;

/** Decodes {@link CheckpointEvent} values, as protobuf or protobuf JSON. */
public final class CheckpointEventDeserializer extends EventDeserializer<CheckpointEvent> {

  public CheckpointEventDeserializer() {
    super(CheckpointEvent.getDefaultInstance());
  }
}
