package io.distillery.teacherclient;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.TeacherGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A {@code LabelRequest} written straight to its wire bytes, with each sample's {@code ModelInput}
 * copied as the caller already holds it encoded (e.g. the {@code input} field of a prompt record).
 * Protobuf would otherwise write every float of every sample again: for a labeler sending
 * Fashion-MNIST images that re-encoding was about 15% of its CPU (BENCHMARKS.md). The teacher
 * receives exactly what a {@link LabelRequest} with the same fields would have serialised to.
 */
final class EncodedLabelRequest {

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** {@code Teacher/Label}, sending pre-encoded bytes and receiving a parsed response. */
  static final MethodDescriptor<byte[], LabelResponse> LABEL =
      TeacherGrpc.getLabelMethod().toBuilder(
              BYTES, ProtoUtils.marshaller(LabelResponse.getDefaultInstance()))
          .build();

  private EncodedLabelRequest() {}

  /**
   * The bytes of {@code header} (a request without samples) followed by {@code samples}, each an
   * encoded {@code ModelInput}, as field {@code samples}: protobuf merges the two parts, so the
   * result parses as {@code header} with those samples in order.
   */
  static byte[] encode(LabelRequest header, List<ByteString> samples) {
    if (header.getSamplesCount() != 0) {
      throw new IllegalArgumentException("the header must not carry samples");
    }
    int size = header.getSerializedSize();
    for (ByteString sample : samples) {
      size += CodedOutputStream.computeBytesSize(LabelRequest.SAMPLES_FIELD_NUMBER, sample);
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      header.writeTo(out);
      for (ByteString sample : samples) {
        out.writeTag(LabelRequest.SAMPLES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeBytesNoTag(sample);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }
}
