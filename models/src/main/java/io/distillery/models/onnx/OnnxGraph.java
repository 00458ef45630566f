package io.distillery.models.onnx;

import com.google.protobuf.ByteString;
import io.distillery.models.onnx.schema.Onnx.AttributeProto;
import io.distillery.models.onnx.schema.Onnx.GraphProto;
import io.distillery.models.onnx.schema.Onnx.ModelProto;
import io.distillery.models.onnx.schema.Onnx.NodeProto;
import io.distillery.models.onnx.schema.Onnx.OperatorSetIdProto;
import io.distillery.models.onnx.schema.Onnx.StringStringEntryProto;
import io.distillery.models.onnx.schema.Onnx.TensorProto;
import io.distillery.models.onnx.schema.Onnx.TensorShapeProto;
import io.distillery.models.onnx.schema.Onnx.TypeProto;
import io.distillery.models.onnx.schema.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects the nodes, initializers, inputs and outputs of one ONNX graph and builds the ModelProto
 * with the classes generated from ONNX's own schema ({@code src/main/proto/onnx/onnx.proto},
 * package {@code io.distillery.models.onnx.schema}). Tensors are float32 or int64; attributes are
 * int, ints, float and tensor.
 */
final class OnnxGraph {
  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private int nodeCount;

  OnnxGraph(String name) {
    graph.setName(name);
  }

  /**
   * A graph input or output of a tensor type; each dim a {@link Number} (fixed) or a {@link String}
   * (symbolic, e.g. "batch").
   */
  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object[] dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String param) {
        dim.setDimParam(param);
      } else {
        dim.setDimValue(((Number) d).longValue());
      }
      shape.addDim(dim);
    }
    TypeProto.Tensor tensor =
        TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape).build();
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(tensor))
        .build();
  }

  /**
   * Declares a float32 graph input.
   *
   * @param name tensor name
   * @param dims each a {@link Number} (fixed size) or a {@link String} (symbolic, e.g. "batch")
   */
  void input(String name, Object... dims) {
    input(name, TensorProto.DataType.FLOAT, dims);
  }

  /**
   * Declares a graph input of the given element type; dims as for {@link #input(String,
   * Object...)}.
   */
  void input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(name, type, dims));
  }

  /** Declares a float32 graph output; dims as for {@link #input(String, Object...)}. */
  void output(String name, Object... dims) {
    graph.addOutput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
  }

  /**
   * Adds a float32 constant (a trained parameter).
   *
   * @param name tensor name, referenced by node inputs
   * @param dims tensor shape
   * @param values row-major values; count must match {@code dims}
   */
  void initializer(String name, long[] dims, float[] values) {
    graph.addInitializer(floatTensor(name, dims, values));
  }

  /** Adds an int64 constant, e.g. a shape or an index. */
  void initializer(String name, long[] dims, long[] values) {
    graph.addInitializer(longTensor(name, dims, values));
  }

  /** A float32 tensor with its values as little-endian raw data. */
  static TensorProto floatTensor(String name, long[] dims, float[] values) {
    checkCount(name, dims, values.length);
    // raw_data is little-endian by the ONNX spec, whatever the platform.
    ByteBuffer raw =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    return TensorProto.newBuilder()
        .setName(name)
        .addAllDims(boxed(dims))
        .setDataType(TensorProto.DataType.FLOAT.getNumber())
        .setRawData(ByteString.copyFrom(raw.array()))
        .build();
  }

  /** An int64 tensor with its values as little-endian raw data. */
  static TensorProto longTensor(String name, long[] dims, long[] values) {
    checkCount(name, dims, values.length);
    ByteBuffer raw = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asLongBuffer().put(values);
    return TensorProto.newBuilder()
        .setName(name)
        .addAllDims(boxed(dims))
        .setDataType(TensorProto.DataType.INT64.getNumber())
        .setRawData(ByteString.copyFrom(raw.array()))
        .build();
  }

  /**
   * Adds a node of the default (ai.onnx) domain.
   *
   * @param opType operator, e.g. "Conv"
   * @param inputs input tensor names ("" for an omitted optional input)
   * @param outputs output tensor names
   * @param attributes by value type: Long → int, long[] → ints, Float → float, TensorProto →
   *     tensor; kept in order
   */
  void node(
      String opType, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {
    NodeProto.Builder node =
        NodeProto.newBuilder()
            .addAllInput(inputs)
            .addAllOutput(outputs)
            .setName(opType.toLowerCase(Locale.ROOT) + "_" + nodeCount++)
            .setOpType(opType);
    for (Map.Entry<String, Object> a : attributes.entrySet()) {
      node.addAttribute(attribute(a.getKey(), a.getValue()));
    }
    graph.addNode(node);
  }

  /** A node with one output. */
  void node(String opType, List<String> inputs, String output, Map<String, Object> attributes) {
    node(opType, inputs, List.of(output), attributes);
  }

  /** Shorthand for a node with one output and no attributes. */
  void node(String opType, List<String> inputs, String output) {
    node(opType, inputs, output, Map.of());
  }

  private static AttributeProto attribute(String name, Object value) {
    AttributeProto.Builder attr = AttributeProto.newBuilder().setName(name);
    if (value instanceof long[] ints) {
      attr.addAllInts(boxed(ints)).setType(AttributeProto.AttributeType.INTS);
    } else if (value instanceof Float f) {
      attr.setF(f).setType(AttributeProto.AttributeType.FLOAT);
    } else if (value instanceof TensorProto t) {
      attr.setT(t).setType(AttributeProto.AttributeType.TENSOR);
    } else if (value instanceof Long || value instanceof Integer) {
      attr.setI(((Number) value).longValue()).setType(AttributeProto.AttributeType.INT);
    } else {
      throw new IllegalArgumentException(
          "attribute " + name + ": unsupported value type " + value.getClass().getName());
    }
    return attr.build();
  }

  /** Ordered attribute map, since attribute order shows in tools like Netron. */
  static Map<String, Object> attrs(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  /**
   * Builds the ModelProto.
   *
   * @param irVersion ONNX IR version
   * @param opset version of the default operator set
   * @param producerVersion version string of the producer
   * @param docString model description
   * @param metadata key/value metadata_props (ONNX Runtime exposes them as custom metadata)
   * @return the model
   */
  ModelProto toModel(
      long irVersion,
      int opset,
      String producerVersion,
      String docString,
      Map<String, String> metadata) {
    ModelProto.Builder model =
        ModelProto.newBuilder()
            .setIrVersion(irVersion)
            .setProducerName("distillery")
            .setProducerVersion(producerVersion)
            .setDocString(docString)
            .setGraph(graph)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
    metadata.forEach(
        (k, v) ->
            model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return model.build();
  }

  /** {@link #toModel} serialized. */
  byte[] toModelBytes(
      long irVersion,
      int opset,
      String producerVersion,
      String docString,
      Map<String, String> metadata) {
    return toModel(irVersion, opset, producerVersion, docString, metadata).toByteArray();
  }

  private static void checkCount(String name, long[] dims, int count) {
    long expected = 1;
    for (long d : dims) {
      expected *= d;
    }
    if (expected != count) {
      throw new IllegalArgumentException(
          "tensor " + name + " has " + count + " values, shape needs " + expected);
    }
  }

  private static List<Long> boxed(long[] values) {
    return java.util.Arrays.stream(values).boxed().toList();
  }
}
