package io.distillery.proto.kafka;

import io.distillery.proto.v1.SoftLabelEvent;

/** Decodes {@link SoftLabelEvent} values, as protobuf or protobuf JSON. */
public final class SoftLabelEventDeserializer extends EventDeserializer<SoftLabelEvent> {

  public SoftLabelEventDeserializer() {
    super(SoftLabelEvent.getDefaultInstance());
  }
}
