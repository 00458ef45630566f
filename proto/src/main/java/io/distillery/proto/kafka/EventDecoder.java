package io.distillery.proto.kafka;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.util.JsonFormat;
import io.distillery.proto.kafka.DecodeFailure.Reason;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes protobuf events from bytes in either protobuf binary or protobuf's canonical JSON,
 * telling the two apart from the bytes themselves. Never throws on bad input: every failure becomes
 * a {@link Decoded.Failed} with a reason a consumer can route on.
 *
 * @param <T> the event type
 */
public final class EventDecoder<T extends Message> {

  private static final Map<Descriptor, Boolean> MAY_HOLD_ENUM = new ConcurrentHashMap<>();

  private final T defaultInstance;
  private final Parser<T> parser;
  private final JsonFormat.Parser jsonParser = JsonFormat.parser();

  @SuppressWarnings("unchecked")
  public EventDecoder(T defaultInstance) {
    this.defaultInstance = defaultInstance;
    this.parser = (Parser<T>) defaultInstance.getParserForType();
  }

  /** Decodes one record value; {@code null} is treated as empty. */
  public Decoded<T> decode(byte[] bytes) {
    byte[] raw = bytes == null ? new byte[0] : bytes;
    if (raw.length == 0) {
      return failed(Reason.EMPTY, "the record has no value; expected a " + typeName(), null, raw);
    }
    // '{' (0x7B) would be a group-start tag for field 15 in protobuf binary, which proto3
    // messages never contain, so a leading brace is unambiguously JSON.
    if (raw[0] == '{') {
      return decodeJson(raw);
    }
    Decoded<T> binary = decodeBinary(raw);
    // JSON with leading whitespace: '\n' is also a common protobuf tag (field 1), so binary is
    // tried first and JSON only when binary fails.
    if (binary instanceof Decoded.Failed<T> && firstNonWhitespaceIsBrace(raw)) {
      return decodeJson(raw);
    }
    return binary;
  }

  private Decoded<T> decodeBinary(byte[] raw) {
    try {
      T message = parser.parseFrom(raw);
      return checkEnums(message, Decoded.WireFormat.PROTOBUF, raw);
    } catch (InvalidProtocolBufferException e) {
      Reason reason = isTruncation(e) ? Reason.TRUNCATED_PROTOBUF : Reason.MALFORMED_PROTOBUF;
      return failed(
          reason,
          "not a valid protobuf " + typeName() + " (" + raw.length + " bytes): " + e.getMessage(),
          e,
          raw);
    }
  }

  private Decoded<T> decodeJson(byte[] raw) {
    try {
      Message.Builder builder = defaultInstance.newBuilderForType();
      jsonParser.merge(new String(raw, StandardCharsets.UTF_8), builder);
      @SuppressWarnings("unchecked")
      T message = (T) builder.build();
      return checkEnums(message, Decoded.WireFormat.JSON, raw);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // JsonFormat wraps Gson's syntax errors in InvalidProtocolBufferException, but some
      // malformed documents surface as IllegalStateException or similar; all mean bad JSON.
      return failed(
          Reason.INVALID_JSON,
          "not valid protobuf JSON for " + typeName() + ": " + e.getMessage(),
          e,
          raw);
    }
  }

  private Decoded<T> checkEnums(T message, Decoded.WireFormat format, byte[] raw) {
    String unknown = findUnknownEnum(message, typeName());
    if (unknown != null) {
      return failed(Reason.UNKNOWN_ENUM_VALUE, unknown, null, raw);
    }
    return new Decoded.Ok<>(message, format, raw);
  }

  /** Returns a description of the first enum field holding an unknown number, or null. */
  private static String findUnknownEnum(Message message, String path) {
    if (!mayHoldEnum(message.getDescriptorForType())) {
      // Most events (a prompt with its tensor) have no enum anywhere: skip the reflective walk.
      return null;
    }
    for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      FieldDescriptor.JavaType type = field.getJavaType();
      if (type != FieldDescriptor.JavaType.ENUM && type != FieldDescriptor.JavaType.MESSAGE) {
        // Scalars cannot hold unknown enum numbers; skipping them avoids boxing every float of a
        // tensor on the hot path.
        continue;
      }
      String fieldPath = path + "." + field.getName();
      List<?> values = field.isRepeated() ? (List<?>) entry.getValue() : List.of(entry.getValue());
      for (Object value : values) {
        if (value instanceof EnumValueDescriptor enumValue && enumValue.getIndex() < 0) {
          return fieldPath
              + " has unknown value "
              + enumValue.getNumber()
              + " for enum "
              + enumValue.getType().getFullName();
        }
        if (value instanceof Message nested) {
          String found = findUnknownEnum(nested, fieldPath);
          if (found != null) {
            return found;
          }
        }
      }
    }
    return null;
  }

  /** Whether a message of this type can hold an enum value anywhere in it (cached per type). */
  static boolean mayHoldEnum(Descriptor type) {
    return MAY_HOLD_ENUM.computeIfAbsent(type, root -> reachesEnum(root, new HashSet<>()));
  }

  private static boolean reachesEnum(Descriptor type, Set<Descriptor> seen) {
    if (!seen.add(type)) {
      return false;
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
        return true;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && reachesEnum(field.getMessageType(), seen)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTruncation(InvalidProtocolBufferException e) {
    String text = e.getMessage();
    return text != null && text.contains("input ended unexpectedly");
  }

  private static boolean firstNonWhitespaceIsBrace(byte[] raw) {
    for (byte b : raw) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{';
    }
    return false;
  }

  private String typeName() {
    return defaultInstance.getDescriptorForType().getFullName();
  }

  private Decoded<T> failed(Reason reason, String message, Exception cause, byte[] raw) {
    String exceptionClass = cause == null ? "" : cause.getClass().getName();
    return new Decoded.Failed<>(new DecodeFailure(reason, message, exceptionClass), raw);
  }
}
