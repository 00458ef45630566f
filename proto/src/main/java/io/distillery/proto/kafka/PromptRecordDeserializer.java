package io.distillery.proto.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads prompt records without turning a tensor prompt's floats into a list: for a plain protobuf
 * tensor prompt — {@code input} once, holding only a {@code tensor} with a shape and one packed
 * {@code values} field — every other field is decoded and the values are left where they are in the
 * record ({@link PromptRecord#tensorValues()}), to be checked there by the labeler's validator and
 * sent on as the record's own bytes. Parsing them cost more of the labeler's CPU than anything else
 * it did per prompt (BENCHMARKS.md).
 *
 * <p>Anything else — JSON, text and token prompts, a tensor without a shape (the validator gives it
 * the teacher's), repeated or unpacked fields, unknown fields in the input, bytes protobuf would
 * reject — is decoded in full by the {@link EventDecoder}, so a record is accepted or dead-lettered
 * for the same reason either way.
 */
public final class PromptRecordDeserializer implements Deserializer<PromptRecord> {

  private static final int INPUT = tag(PromptEvent.INPUT_FIELD_NUMBER);
  private static final int TENSOR = tag(ModelInput.TENSOR_FIELD_NUMBER);
  private static final int VALUES = tag(Tensor.VALUES_FIELD_NUMBER);
  private static final int SHAPE_PACKED = tag(Tensor.SHAPE_FIELD_NUMBER);
  private static final int SHAPE_ONE = Tensor.SHAPE_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_VARINT;

  // The full decoder also looks for unknown enum numbers; a prompt has no enum to look in.
  private static final boolean PROMPTS_HOLD_ENUMS =
      EventDecoder.mayHoldEnum(PromptEvent.getDescriptor());

  private final EventDecoder<PromptEvent> decoder =
      new EventDecoder<>(PromptEvent.getDefaultInstance());

  @Override
  public PromptRecord deserialize(String topic, byte[] data) {
    PromptRecord packed = data == null ? null : packedTensorPrompt(data);
    return packed != null ? packed : PromptRecord.of(decoder.decode(data));
  }

  /** The record with its tensor values left in place, or null when it is not a plain one. */
  static PromptRecord packedTensorPrompt(byte[] raw) {
    if (PROMPTS_HOLD_ENUMS || raw.length == 0 || raw[0] == '{') {
      return null;
    }
    try {
      Span input = onlyField(raw, 0, raw.length, INPUT, false);
      if (input == null) {
        return null;
      }
      Span tensor = onlyField(raw, input.bodyStart, input.end, TENSOR, true);
      if (tensor == null) {
        return null;
      }
      List<Long> shape = new ArrayList<>(4);
      Span values = tensorValues(raw, tensor, shape);
      if (values == null || shape.isEmpty()) {
        return null;
      }
      // Every field but input, as they came (protobuf merges concatenated fields, so parsing the
      // record without its input field gives the same values for the others).
      byte[] others = new byte[raw.length - (input.end - input.start)];
      System.arraycopy(raw, 0, others, 0, input.start);
      System.arraycopy(raw, input.end, others, input.start, raw.length - input.end);
      PromptEvent event =
          PromptEvent.parseFrom(others).toBuilder()
              .setInput(ModelInput.newBuilder().setTensor(Tensor.newBuilder().addAllShape(shape)))
              .build();
      int length = values.end - values.bodyStart;
      return new PromptRecord(
          new Decoded.Ok<>(event, Decoded.WireFormat.PROTOBUF, raw),
          new PackedFloats(raw, values.bodyStart, length / 4));
    } catch (IOException | RuntimeException e) {
      // Whatever the reason, the full decoder decides and names it.
      return null;
    }
  }

  /**
   * Field {@code input} of an encoded {@code PromptEvent}, sharing the record's bytes; null when it
   * is absent or repeated (protobuf would merge the occurrences) or the bytes do not parse.
   */
  public static ByteString inputField(byte[] raw) {
    try {
      Span input = onlyField(raw, 0, raw.length, INPUT, false);
      return input == null
          ? null
          : UnsafeByteOperations.unsafeWrap(raw, input.bodyStart, input.end - input.bodyStart);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The one length-delimited field {@code wanted} in {@code raw[from, to)}, or null when it is
   * missing or repeated, or (with {@code alone}) when any other field is there too.
   */
  private static Span onlyField(byte[] raw, int from, int to, int wanted, boolean alone)
      throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(raw, from, to - from);
    Span found = null;
    while (true) {
      int start = from + in.getTotalBytesRead();
      int tag = in.readTag();
      if (tag == 0) {
        return found;
      }
      if (tag == wanted) {
        if (found != null) {
          return null;
        }
        int length = in.readRawVarint32();
        int bodyStart = from + in.getTotalBytesRead();
        in.skipRawBytes(length);
        found = new Span(start, bodyStart, bodyStart + length);
      } else if (alone || !in.skipField(tag)) {
        return null;
      }
    }
  }

  /** The one packed values field of the tensor, collecting its shape; null when not plain. */
  private static Span tensorValues(byte[] raw, Span tensor, List<Long> shape) throws IOException {
    CodedInputStream in =
        CodedInputStream.newInstance(raw, tensor.bodyStart, tensor.end - tensor.bodyStart);
    Span values = null;
    while (true) {
      int start = tensor.bodyStart + in.getTotalBytesRead();
      int tag = in.readTag();
      if (tag == 0) {
        return values;
      }
      if (tag == VALUES) {
        int length = in.readRawVarint32();
        if (values != null || length % 4 != 0) {
          return null;
        }
        int bodyStart = tensor.bodyStart + in.getTotalBytesRead();
        in.skipRawBytes(length);
        values = new Span(start, bodyStart, bodyStart + length);
      } else if (tag == SHAPE_PACKED) {
        int limit = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) {
          shape.add(in.readInt64());
        }
        in.popLimit(limit);
      } else if (tag == SHAPE_ONE) {
        shape.add(in.readInt64());
      } else {
        return null;
      }
    }
  }

  private static int tag(int field) {
    // protobuf's WireFormat.makeTag is package-private; a tag is the field number and wire type.
    return field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  /** A length-delimited field: where its tag starts, where its body starts and ends. */
  private record Span(int start, int bodyStart, int end) {}
}
