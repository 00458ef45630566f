package io.distillery.models.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.onnx.schema.Onnx.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Exports a trained {@link CausalLm} to ONNX (opset {@value #OPSET}, IR version {@value
 * #IR_VERSION}) as the plain decoder Hugging Face Optimum writes (no key/value cache): inputs
 * {@value #INPUT_IDS} and {@value #ATTENTION_MASK}, int64 (batch, sequence), output {@value
 * #LOGITS}, float32 (batch, sequence, vocab), batch and sequence dynamic.
 *
 * <p>The graph computes what {@link CausalLm} computes, op for op: positions {@code
 * max(cumsum(mask) - 1, 0)}, token plus position embedding (Gather), an additive attention bias of
 * {@link CausalLm#MASKED_SCORE} where a key is in the future or padding (Range, Greater, Equal, Or,
 * Cast), then per block LayerNormalization (opset 17), the fused q/k/v MatMul split by Reshape,
 * Transpose and Gather, scaled dot-product attention with Softmax, the exact GELU as {@code
 * 0.5·x·(1 + erf(x/√2))}, and the output projection as MatMul with the transposed token embedding.
 */
public final class CausalLmExporter {
  /** Operator set: 17 is the first with LayerNormalization. */
  public static final int OPSET = 17;

  /** IR version released with opset 17 (ONNX 1.12). */
  public static final long IR_VERSION = 8;

  /** Name of the token-id input. */
  public static final String INPUT_IDS = "input_ids";

  /** Name of the mask input: 1 for a real token, 0 for padding. */
  public static final String ATTENTION_MASK = "attention_mask";

  /** Name of the output. */
  public static final String LOGITS = "logits";

  private CausalLmExporter() {}

  /**
   * Encodes the network as an ONNX ModelProto.
   *
   * @param lm the initialised (trained) network
   * @param metadata key/value pairs stored as metadata_props (model id, version, tokenizer sha256)
   * @return the serialized model
   */
  public static byte[] toBytes(CausalLm lm, Map<String, String> metadata) {
    if (!lm.isInitialized()) {
      throw new IllegalStateException("causal LM " + lm.spec().name() + " is not initialised");
    }
    LmSpec spec = lm.spec();
    OnnxGraph g = new OnnxGraph(spec.name());
    g.input(INPUT_IDS, TensorProto.DataType.INT64, "batch", "sequence");
    g.input(ATTENTION_MASK, TensorProto.DataType.INT64, "batch", "sequence");

    long[] scalar = new long[0];
    g.initializer("zero_i64", scalar, new long[] {0});
    g.initializer("one_i64", scalar, new long[] {1});
    g.initializer("axis1_i64", scalar, new long[] {1});
    g.initializer("axes_0", new long[] {1}, new long[] {0});
    g.initializer("axes_1", new long[] {1}, new long[] {1});
    g.initializer("axes_1_2", new long[] {2}, new long[] {1, 2});
    g.initializer("index_0", scalar, new long[] {0});
    g.initializer("index_1", scalar, new long[] {1});
    g.initializer("index_2", scalar, new long[] {2});
    g.initializer("masked_score", scalar, new float[] {CausalLm.MASKED_SCORE});
    g.initializer(
        "attention_scale", scalar, new float[] {(float) (1.0 / Math.sqrt(spec.headWidth()))});
    g.initializer("half", scalar, new float[] {0.5f});
    g.initializer("one_f", scalar, new float[] {1f});
    g.initializer("sqrt2", scalar, new float[] {(float) Math.sqrt(2.0)});
    g.initializer(
        "qkv_shape", new long[] {5}, new long[] {0, 0, 3, spec.heads(), spec.headWidth()});
    g.initializer("hidden_shape", new long[] {3}, new long[] {0, 0, spec.width()});
    addMatrix(g, "token_embedding", lm.tokenEmbedding(), false);
    addMatrix(g, "position_embedding", lm.positionEmbedding(), false);

    // Positions: real tokens counted from 0, so left padding does not shift them.
    g.node("CumSum", List.of(ATTENTION_MASK, "axis1_i64"), "mask_cumsum");
    g.node("Sub", List.of("mask_cumsum", "one_i64"), "positions_raw");
    g.node("Max", List.of("positions_raw", "zero_i64"), "positions");
    g.node("Gather", List.of("token_embedding", INPUT_IDS), "token_vectors");
    g.node("Gather", List.of("position_embedding", "positions"), "position_vectors");
    g.node("Add", List.of("token_vectors", "position_vectors"), "h0");

    // Attention bias (batch, 1, seq, seq): masked where the key is later than the query or padding.
    g.node("Shape", List.of(INPUT_IDS), "ids_shape");
    g.node("Gather", List.of("ids_shape", "index_1"), "seq_len", OnnxGraph.attrs("axis", 0L));
    g.node("Range", List.of("zero_i64", "seq_len", "one_i64"), "steps");
    g.node("Unsqueeze", List.of("steps", "axes_0"), "key_steps");
    g.node("Unsqueeze", List.of("steps", "axes_1"), "query_steps");
    g.node("Greater", List.of("key_steps", "query_steps"), "future");
    g.node("Equal", List.of(ATTENTION_MASK, "zero_i64"), "padding");
    g.node("Unsqueeze", List.of("padding", "axes_1_2"), "padded_key");
    g.node("Or", List.of("future", "padded_key"), "blocked");
    g.node(
        "Cast",
        List.of("blocked"),
        "blocked_f",
        OnnxGraph.attrs("to", (long) TensorProto.DataType.FLOAT.getNumber()));
    g.node("Mul", List.of("blocked_f", "masked_score"), "attention_bias");

    String x = "h0";
    List<CausalLm.DecoderLayer> layers = lm.layers();
    for (int i = 0; i < layers.size(); i++) {
      x = layer(g, "layer" + i + "_", layers.get(i), x, spec);
    }
    layerNorm(g, "final_norm_", lm.finalNorm(), x, "h_final");
    g.node("Transpose", List.of("token_embedding"), "output_projection", perm(1, 0));
    g.node("MatMul", List.of("h_final", "output_projection"), LOGITS);
    g.output(LOGITS, "batch", "sequence", (long) spec.vocabSize());

    String doc =
        spec.name()
            + ": causal LM decoder; inputs "
            + INPUT_IDS
            + " and "
            + ATTENTION_MASK
            + " int64 (batch, sequence), mask 1 = token, 0 = padding (left or right); output "
            + LOGITS
            + " float32 (batch, sequence, "
            + spec.vocabSize()
            + "), raw next-token logits";
    return g.toModelBytes(IR_VERSION, OPSET, producerVersion(), doc, metadata);
  }

  private static String layer(
      OnnxGraph g, String p, CausalLm.DecoderLayer layer, String x, LmSpec spec) {
    layerNorm(g, p + "attention_norm_", layer.attentionNorm(), x, p + "a");
    linear(g, p + "qkv_", layer.queryKeyValue(), p + "a", p + "qkv");
    g.node("Reshape", List.of(p + "qkv", "qkv_shape"), p + "qkv5");
    g.node("Transpose", List.of(p + "qkv5"), p + "qkv_heads", perm(2, 0, 3, 1, 4));
    g.node("Gather", List.of(p + "qkv_heads", "index_0"), p + "q", OnnxGraph.attrs("axis", 0L));
    g.node("Gather", List.of(p + "qkv_heads", "index_1"), p + "k", OnnxGraph.attrs("axis", 0L));
    g.node("Gather", List.of(p + "qkv_heads", "index_2"), p + "v", OnnxGraph.attrs("axis", 0L));
    g.node("Transpose", List.of(p + "k"), p + "k_t", perm(0, 1, 3, 2));
    g.node("MatMul", List.of(p + "q", p + "k_t"), p + "scores_raw");
    g.node("Mul", List.of(p + "scores_raw", "attention_scale"), p + "scores_scaled");
    g.node("Add", List.of(p + "scores_scaled", "attention_bias"), p + "scores");
    g.node("Softmax", List.of(p + "scores"), p + "weights", OnnxGraph.attrs("axis", -1L));
    g.node("MatMul", List.of(p + "weights", p + "v"), p + "attended_heads");
    g.node("Transpose", List.of(p + "attended_heads"), p + "attended_t", perm(0, 2, 1, 3));
    g.node("Reshape", List.of(p + "attended_t", "hidden_shape"), p + "attended");
    linear(g, p + "attention_output_", layer.attentionOutput(), p + "attended", p + "attn_out");
    g.node("Add", List.of(x, p + "attn_out"), p + "h_attn");

    layerNorm(g, p + "mlp_norm_", layer.mlpNorm(), p + "h_attn", p + "m");
    linear(g, p + "mlp_in_", layer.mlpIn(), p + "m", p + "mlp_pre");
    // Exact GELU, as PyTorch's default: 0.5 · x · (1 + erf(x / √2)).
    g.node("Div", List.of(p + "mlp_pre", "sqrt2"), p + "gelu_scaled");
    g.node("Erf", List.of(p + "gelu_scaled"), p + "gelu_erf");
    g.node("Add", List.of(p + "gelu_erf", "one_f"), p + "gelu_1p");
    g.node("Mul", List.of(p + "mlp_pre", "half"), p + "gelu_half");
    g.node("Mul", List.of(p + "gelu_half", p + "gelu_1p"), p + "mlp_act");
    linear(g, p + "mlp_out_", layer.mlpOut(), p + "mlp_act", p + "mlp_out");
    g.node("Add", List.of(p + "h_attn", p + "mlp_out"), p + "h");
    return p + "h";
  }

  /** DJL's Linear: y = x·Wᵀ + b with W (out, in); stored here already transposed, (in, out). */
  private static void linear(OnnxGraph g, String prefix, Block linear, String in, String out) {
    addMatrix(g, prefix + "weight_t", parameter(linear, "weight"), true);
    addVector(g, prefix + "bias", parameter(linear, "bias"));
    g.node("MatMul", List.of(in, prefix + "weight_t"), prefix + "matmul");
    g.node("Add", List.of(prefix + "matmul", prefix + "bias"), out);
  }

  private static void layerNorm(OnnxGraph g, String prefix, Block norm, String in, String out) {
    addVector(g, prefix + "gamma", parameter(norm, "gamma"));
    addVector(g, prefix + "beta", parameter(norm, "beta"));
    g.node(
        "LayerNormalization",
        List.of(in, prefix + "gamma", prefix + "beta"),
        out,
        OnnxGraph.attrs("axis", -1L, "epsilon", LmSpec.LAYER_NORM_EPSILON));
  }

  private static Parameter parameter(Block block, String name) {
    Parameter parameter = block.getParameters().get(name);
    if (parameter == null || !parameter.isInitialized()) {
      throw new IllegalStateException("block " + block + " has no initialised " + name);
    }
    return parameter;
  }

  private static void addMatrix(OnnxGraph g, String name, Parameter parameter, boolean transpose) {
    NDArray array = parameter.getArray();
    long[] shape = array.getShape().getShape();
    float[] values = array.toFloatArray();
    if (!transpose) {
      g.initializer(name, shape, values);
      return;
    }
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    float[] t = new float[values.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = values[r * cols + c];
      }
    }
    g.initializer(name, new long[] {cols, rows}, t);
  }

  private static void addVector(OnnxGraph g, String name, Parameter parameter) {
    NDArray array = parameter.getArray();
    g.initializer(name, array.getShape().getShape(), array.toFloatArray());
  }

  private static Map<String, Object> perm(long... axes) {
    return OnnxGraph.attrs("perm", axes);
  }

  /**
   * Writes the ONNX model atomically (through a temporary file in the same directory).
   *
   * @param lm the trained network
   * @param metadata metadata_props
   * @param file target file, e.g. {@code model.onnx}
   * @throws IOException if the file cannot be written
   */
  public static void export(CausalLm lm, Map<String, String> metadata, Path file)
      throws IOException {
    byte[] bytes = toBytes(lm, metadata);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String producerVersion() {
    String version = CausalLmExporter.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
