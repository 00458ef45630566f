package io.distillery.models.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes one protobuf message in wire format, field by field. Nested messages are written into
 * their own writer first and then embedded as length-delimited bytes, which is all ONNX needs; it
 * spares Distillery a copy of onnx.proto and generated classes.
 */
final class ProtoWriter {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

  ProtoWriter int64(int field, long value) {
    return write(() -> out.writeInt64(field, value));
  }

  ProtoWriter int32(int field, int value) {
    return write(() -> out.writeInt32(field, value));
  }

  ProtoWriter float32(int field, float value) {
    return write(() -> out.writeFloat(field, value));
  }

  ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  ProtoWriter bytes(int field, byte[] value) {
    return write(() -> out.writeByteArray(field, value));
  }

  ProtoWriter message(int field, ProtoWriter message) {
    return bytes(field, message.toByteArray());
  }

  /** A repeated int64 field, packed (the proto3 default, accepted for proto2 fields too). */
  ProtoWriter packedInt64(int field, long... values) {
    return write(
        () -> {
          int size = 0;
          for (long v : values) {
            size += CodedOutputStream.computeInt64SizeNoTag(v);
          }
          out.writeTag(field, 2);
          out.writeUInt32NoTag(size);
          for (long v : values) {
            out.writeInt64NoTag(v);
          }
        });
  }

  byte[] toByteArray() {
    write(out::flush);
    return bytes.toByteArray();
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private ProtoWriter write(IoAction action) {
    try {
      action.run();
    } catch (IOException e) {
      // Only a ByteArrayOutputStream sits underneath; it never throws.
      throw new UncheckedIOException(e);
    }
    return this;
  }
}
