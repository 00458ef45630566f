package io.distillery.proto.kafka;

import com.google.protobuf.Message;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serializer for any Distillery event: protobuf binary encoding. */
public final class EventSerializer implements Serializer<Message> {

  @Override
  public byte[] serialize(String topic, Message data) {
    return data == null ? null : data.toByteArray();
  }
}
