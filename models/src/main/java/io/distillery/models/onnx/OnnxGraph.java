package io.distillery.models.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the nodes, initializers, inputs and outputs of one ONNX graph and encodes them as a
 * ModelProto. Only what Distillery's networks need: float32 tensors, int and ints attributes. Field
 * numbers follow onnx.proto (IR version 7 and later).
 */
final class OnnxGraph {
  // ModelProto
  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_PRODUCER_NAME = 2;
  private static final int MODEL_PRODUCER_VERSION = 3;
  private static final int MODEL_DOC_STRING = 6;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  private static final int MODEL_METADATA_PROPS = 14;
  // OperatorSetIdProto, StringStringEntryProto
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION = 2;
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;
  // GraphProto
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_NAME = 2;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  // NodeProto
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  // AttributeProto
  private static final int ATTR_NAME = 1;
  private static final int ATTR_I = 3;
  private static final int ATTR_INTS = 8;
  private static final int ATTR_TYPE = 20;
  private static final int ATTR_TYPE_INT = 2;
  private static final int ATTR_TYPE_INTS = 7;
  // TensorProto
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int DATA_TYPE_FLOAT = 1;
  // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, Dimension
  private static final int VALUE_NAME = 1;
  private static final int VALUE_TYPE = 2;
  private static final int TYPE_TENSOR = 1;
  private static final int TENSOR_TYPE_ELEM = 1;
  private static final int TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIM_VALUE = 1;
  private static final int DIM_PARAM = 2;

  private final String name;
  private final List<ProtoWriter> nodes = new ArrayList<>();
  private final List<ProtoWriter> initializers = new ArrayList<>();
  private final List<ProtoWriter> inputs = new ArrayList<>();
  private final List<ProtoWriter> outputs = new ArrayList<>();
  private int nodeCount;

  OnnxGraph(String name) {
    this.name = name;
  }

  /**
   * A float32 graph input or output; a {@code null} entry in {@code dims} is a named symbolic dim.
   */
  private static ProtoWriter valueInfo(String name, Object[] dims) {
    ProtoWriter shape = new ProtoWriter();
    for (Object d : dims) {
      ProtoWriter dim = new ProtoWriter();
      if (d instanceof String param) {
        dim.string(DIM_PARAM, param);
      } else {
        dim.int64(DIM_VALUE, ((Number) d).longValue());
      }
      shape.message(SHAPE_DIM, dim);
    }
    ProtoWriter tensorType =
        new ProtoWriter()
            .int32(TENSOR_TYPE_ELEM, DATA_TYPE_FLOAT)
            .message(TENSOR_TYPE_SHAPE, shape);
    ProtoWriter type = new ProtoWriter().message(TYPE_TENSOR, tensorType);
    return new ProtoWriter().string(VALUE_NAME, name).message(VALUE_TYPE, type);
  }

  /**
   * Declares a graph input.
   *
   * @param name tensor name
   * @param dims each a {@link Number} (fixed size) or a {@link String} (symbolic, e.g. "batch")
   */
  void input(String name, Object... dims) {
    inputs.add(valueInfo(name, dims));
  }

  /** Declares a graph output; dims as for {@link #input}. */
  void output(String name, Object... dims) {
    outputs.add(valueInfo(name, dims));
  }

  /**
   * Adds a float32 constant (a trained parameter).
   *
   * @param name tensor name, referenced by node inputs
   * @param dims tensor shape
   * @param values row-major values; count must match {@code dims}
   */
  void initializer(String name, long[] dims, float[] values) {
    long count = 1;
    for (long d : dims) {
      count *= d;
    }
    if (count != values.length) {
      throw new IllegalArgumentException(
          "initializer " + name + " has " + values.length + " values, shape needs " + count);
    }
    // raw_data is little-endian by the ONNX spec, whatever the platform.
    ByteBuffer raw =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    initializers.add(
        new ProtoWriter()
            .packedInt64(TENSOR_DIMS, dims)
            .int32(TENSOR_DATA_TYPE, DATA_TYPE_FLOAT)
            .string(TENSOR_NAME, name)
            .bytes(TENSOR_RAW_DATA, raw.array()));
  }

  /**
   * Adds a node of the default (ai.onnx) domain.
   *
   * @param opType operator, e.g. "Conv"
   * @param inputs input tensor names
   * @param output output tensor name
   * @param attributes int attributes (Long) and ints attributes (long[]), in order
   */
  void node(String opType, List<String> inputs, String output, Map<String, Object> attributes) {
    ProtoWriter node = new ProtoWriter();
    for (String in : inputs) {
      node.string(NODE_INPUT, in);
    }
    node.string(NODE_OUTPUT, output)
        .string(NODE_NAME, opType.toLowerCase(java.util.Locale.ROOT) + "_" + nodeCount++)
        .string(NODE_OP_TYPE, opType);
    for (Map.Entry<String, Object> a : attributes.entrySet()) {
      ProtoWriter attr = new ProtoWriter().string(ATTR_NAME, a.getKey());
      if (a.getValue() instanceof long[] ints) {
        attr.packedInt64(ATTR_INTS, ints).int32(ATTR_TYPE, ATTR_TYPE_INTS);
      } else {
        attr.int64(ATTR_I, ((Number) a.getValue()).longValue()).int32(ATTR_TYPE, ATTR_TYPE_INT);
      }
      node.message(NODE_ATTRIBUTE, attr);
    }
    nodes.add(node);
  }

  /** Shorthand for a node without attributes. */
  void node(String opType, List<String> inputs, String output) {
    node(opType, inputs, output, Map.of());
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
   * Encodes the ModelProto.
   *
   * @param irVersion ONNX IR version
   * @param opset version of the default operator set
   * @param producerVersion version string of the producer
   * @param docString model description
   * @param metadata key/value metadata_props (ONNX Runtime exposes them as custom metadata)
   * @return the serialized model
   */
  byte[] toModelBytes(
      long irVersion,
      int opset,
      String producerVersion,
      String docString,
      Map<String, String> metadata) {
    ProtoWriter graph = new ProtoWriter();
    nodes.forEach(n -> graph.message(GRAPH_NODE, n));
    graph.string(GRAPH_NAME, name);
    initializers.forEach(t -> graph.message(GRAPH_INITIALIZER, t));
    inputs.forEach(v -> graph.message(GRAPH_INPUT, v));
    outputs.forEach(v -> graph.message(GRAPH_OUTPUT, v));

    ProtoWriter model =
        new ProtoWriter()
            .int64(MODEL_IR_VERSION, irVersion)
            .string(MODEL_PRODUCER_NAME, "distillery")
            .string(MODEL_PRODUCER_VERSION, producerVersion)
            .string(MODEL_DOC_STRING, docString)
            .message(MODEL_GRAPH, graph)
            .message(
                MODEL_OPSET_IMPORT,
                new ProtoWriter().string(OPSET_DOMAIN, "").int64(OPSET_VERSION, opset));
    metadata.forEach(
        (k, v) ->
            model.message(
                MODEL_METADATA_PROPS,
                new ProtoWriter().string(ENTRY_KEY, k).string(ENTRY_VALUE, v)));
    return model.toByteArray();
  }
}
