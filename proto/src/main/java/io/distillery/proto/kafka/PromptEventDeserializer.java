package io.distillery.proto.kafka;

import io.distillery.proto.v1.PromptEvent;

/** Decodes {@link PromptEvent} values, as protobuf or protobuf JSON. */
public final class PromptEventDeserializer extends EventDeserializer<PromptEvent> {

  public PromptEventDeserializer() {
    super(PromptEvent.getDefaultInstance());
  }
}
