package io.distillery.models.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distillery.models.nn.Layer;
import io.distillery.models.nn.NetworkSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exports a trained {@link NetworkSpec} network to ONNX (opset {@value #OPSET}, IR version {@value
 * #IR_VERSION}) in inference mode: dropout is left out, weights are read from the DJL block.
 *
 * <p>The graph has one input {@value #INPUT} of shape (batch, sampleShape...) and one output,
 * {@value #LOGITS} of shape (batch, outputSize) by default, or {@value #LOG_PROBS} when exported
 * with {@link Output#LOG_SOFTMAX}. Mapping: Conv→Conv (OIHW weights, symmetric pads), ReLU→Relu,
 * max pool→MaxPool, flatten→Flatten(axis 1), dense→Gemm(transB 1) since DJL stores linear weights
 * as (out, in).
 */
public final class OnnxExporter {
  /** Default operator set version of exported models. */
  public static final int OPSET = 13;

  /** IR version written; 7 is the one released with opset 12/13. */
  public static final long IR_VERSION = 7;

  /** Name of the graph input. */
  public static final String INPUT = "input";

  /** Name of the graph output with {@link Output#LOGITS}. */
  public static final String LOGITS = "logits";

  /** Name of the graph output with {@link Output#LOG_SOFTMAX}. */
  public static final String LOG_PROBS = "log_probs";

  /** What the exported graph outputs. */
  public enum Output {
    /** Raw logits, exactly what the DJL block returns. */
    LOGITS,
    /** Natural-log probabilities at temperature 1 (LogSoftmax over axis 1). */
    LOG_SOFTMAX
  }

  private OnnxExporter() {}

  /**
   * Encodes the network as an ONNX ModelProto.
   *
   * @param spec the network description the block was built from
   * @param block the initialised (trained) block built by {@link NetworkSpec#newBlock()}
   * @param output logits or log-probabilities
   * @param metadata key/value pairs stored as metadata_props (e.g. model id and version)
   * @return the serialized model
   */
  public static byte[] toBytes(
      NetworkSpec spec, Block block, Output output, Map<String, String> metadata) {
    List<Pair<String, Block>> children = new ArrayList<>();
    block.getChildren().forEach(children::add);
    if (children.size() != spec.layers().size()) {
      throw new IllegalArgumentException(
          "block has "
              + children.size()
              + " children but network "
              + spec.name()
              + " has "
              + spec.layers().size()
              + " layers; was it built by NetworkSpec.newBlock()?");
    }
    if (!block.isInitialized()) {
      throw new IllegalStateException("block of " + spec.name() + " is not initialised");
    }

    OnnxGraph graph = new OnnxGraph(spec.name());
    Object[] inputDims = new Object[spec.sampleShape().length + 1];
    inputDims[0] = "batch";
    for (int i = 0; i < spec.sampleShape().length; i++) {
      inputDims[i + 1] = spec.sampleShape()[i];
    }
    graph.input(INPUT, inputDims);

    String current = INPUT;
    int rank = inputDims.length;
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      Block child = children.get(i).getValue();
      String out = "t" + i;
      String prefix = "layer" + i + "_";
      if (layer instanceof Layer.Decoder) {
        throw new IllegalArgumentException(
            spec.name() + " is a decoder: export it with CausalLmExporter");
      }
      if (layer instanceof Layer.Dropout) {
        continue; // identity at inference: no node, the next layer reads the same tensor
      }
      if (layer instanceof Layer.Conv conv) {
        addParameters(graph, child, prefix, spec, i);
        long k = conv.kernel();
        long p = conv.padding();
        graph.node(
            "Conv",
            List.of(current, prefix + "weight", prefix + "bias"),
            out,
            OnnxGraph.attrs(
                "kernel_shape", new long[] {k, k},
                "pads", new long[] {p, p, p, p},
                "strides", new long[] {1, 1}));
      } else if (layer instanceof Layer.Relu) {
        graph.node("Relu", List.of(current), out);
      } else if (layer instanceof Layer.MaxPool pool) {
        long s = pool.size();
        graph.node(
            "MaxPool",
            List.of(current),
            out,
            OnnxGraph.attrs("kernel_shape", new long[] {s, s}, "strides", new long[] {s, s}));
      } else if (layer instanceof Layer.Flatten) {
        graph.node("Flatten", List.of(current), out, OnnxGraph.attrs("axis", 1L));
        rank = 2;
      } else if (layer instanceof Layer.Dense) {
        // Gemm needs a matrix; DJL's Linear would act on the last axis of a higher-rank input.
        if (rank != 2) {
          throw new IllegalArgumentException(
              "layer "
                  + i
                  + " of "
                  + spec.name()
                  + " is dense on a rank-"
                  + rank
                  + " input; add a Flatten before it to export");
        }
        addParameters(graph, child, prefix, spec, i);
        graph.node(
            "Gemm",
            List.of(current, prefix + "weight", prefix + "bias"),
            out,
            OnnxGraph.attrs("transB", 1L));
      } else {
        throw new IllegalArgumentException("no ONNX mapping for layer " + i + ": " + layer);
      }
      current = out;
    }

    String outputName = output == Output.LOGITS ? LOGITS : LOG_PROBS;
    if (output == Output.LOG_SOFTMAX) {
      graph.node("LogSoftmax", List.of(current), outputName, OnnxGraph.attrs("axis", 1L));
    } else {
      graph.node("Identity", List.of(current), outputName);
    }
    graph.output(outputName, "batch", (long) spec.outputSize());

    String doc =
        spec.name()
            + ": input "
            + INPUT
            + " (batch, "
            + joinDims(spec.sampleShape())
            + ") float32; output "
            + outputName
            + " (batch, "
            + spec.outputSize()
            + ") float32, "
            + (output == Output.LOGITS ? "raw logits" : "log-softmax over axis 1");
    return graph.toModelBytes(IR_VERSION, OPSET, producerVersion(), doc, metadata);
  }

  /**
   * Writes the ONNX model to a file, atomically (through a temporary file in the same directory).
   *
   * @param spec the network description
   * @param block the trained block
   * @param output logits or log-probabilities
   * @param metadata metadata_props
   * @param file target file, e.g. {@code model.onnx}
   * @throws IOException if the file cannot be written
   */
  public static void export(
      NetworkSpec spec, Block block, Output output, Map<String, String> metadata, Path file)
      throws IOException {
    byte[] bytes = toBytes(spec, block, output, metadata);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // A sibling temp file (not createTempFile, whose owner-only mode would stick to the result).
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void addParameters(
      OnnxGraph graph, Block child, String prefix, NetworkSpec spec, int index) {
    for (String name : List.of("weight", "bias")) {
      Parameter parameter = child.getParameters().get(name);
      if (parameter == null || !parameter.isInitialized()) {
        throw new IllegalStateException(
            "layer " + index + " of " + spec.name() + " has no initialised " + name);
      }
      NDArray array = parameter.getArray();
      graph.initializer(prefix + name, array.getShape().getShape(), array.toFloatArray());
    }
  }

  private static String joinDims(long[] dims) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(dims[i]);
    }
    return sb.toString();
  }

  private static String producerVersion() {
    String version = OnnxExporter.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
