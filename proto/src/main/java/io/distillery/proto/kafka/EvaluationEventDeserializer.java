package io.distillery.proto.kafka;

import io.distillery.proto.v1.EvaluationEvent;

/** Decodes {@link EvaluationEvent} values, as protobuf or protobuf JSON. */
public final class EvaluationEventDeserializer extends EventDeserializer<EvaluationEvent> {

  public EvaluationEventDeserializer() {
    super(EvaluationEvent.getDefaultInstance());
  }
}
