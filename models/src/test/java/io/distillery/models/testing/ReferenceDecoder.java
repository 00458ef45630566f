package io.distillery.models.testing;

import ai.djl.nn.Block;
import com.google.protobuf.ByteString;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.onnx.schema.Onnx.AttributeProto;
import io.distillery.models.onnx.schema.Onnx.GraphProto;
import io.distillery.models.onnx.schema.Onnx.ModelProto;
import io.distillery.models.onnx.schema.Onnx.NodeProto;
import io.distillery.models.onnx.schema.Onnx.OperatorSetIdProto;
import io.distillery.models.onnx.schema.Onnx.TensorProto;
import io.distillery.models.onnx.schema.Onnx.TensorShapeProto;
import io.distillery.models.onnx.schema.Onnx.TypeProto;
import io.distillery.models.onnx.schema.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A test fixture: a decoder ONNX file with the layout of an Optimum export ({@code input_ids},
 * {@code attention_mask} int64 (batch, sequence) → {@code logits} float32 (batch, sequence,
 * vocab)), built <em>without</em> Distillery's exporter, so serving code can be tested against a
 * model that did not come out of our own writer, and our exporter can be checked against an
 * independent route to the same function.
 *
 * <p>Everything differs from {@code CausalLmExporter} but the maths: opset 20 instead of 17; nodes
 * written with the generated ONNX builders directly, no shared graph helper; positions from an
 * exclusive CumSum; LayerNorm decomposed into ReduceMean, Sub, Mul, Sqrt, Div; separate query, key
 * and value MatMuls (the fused weight split here) with the scale applied to the queries; the causal
 * mask from Trilu over ConstantOfShape, combined with the padding mask by And and applied with
 * Where; the Gelu operator; the output projection from a pre-transposed copy of the embedding.
 *
 * <p>Shipped in the models test-jar (package {@code io.distillery.models.testing}): depend on
 * {@code io.distillery:distillery-models:test-jar} with test scope.
 */
public final class ReferenceDecoder {
  /** Operator set of the fixture (Gelu needs 20). */
  public static final int OPSET = 20;

  private static final float MASKED = -1e9f;

  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<TensorProto> initializers = new ArrayList<>();
  private int count;

  private ReferenceDecoder() {}

  /**
   * The weights of a decoder of the {@link LmSpec} family, as DJL lays them out (Linear weights
   * (out, in), the fused query/key/value weight with the query rows first).
   *
   * @param spec the shape
   * @param tokenEmbedding (vocab, width), also the output projection
   * @param positionEmbedding (context, width)
   * @param layers per block
   * @param finalGamma final LayerNorm scale (width)
   * @param finalBeta final LayerNorm shift (width)
   */
  public record Weights(
      LmSpec spec,
      float[] tokenEmbedding,
      float[] positionEmbedding,
      List<LayerWeights> layers,
      float[] finalGamma,
      float[] finalBeta) {

    /** The weights of a (trained) {@link CausalLm}. */
    public static Weights of(CausalLm lm) {
      List<LayerWeights> layers = new ArrayList<>();
      for (CausalLm.DecoderLayer layer : lm.layers()) {
        layers.add(
            new LayerWeights(
                values(layer.attentionNorm(), "gamma"),
                values(layer.attentionNorm(), "beta"),
                values(layer.queryKeyValue(), "weight"),
                values(layer.queryKeyValue(), "bias"),
                values(layer.attentionOutput(), "weight"),
                values(layer.attentionOutput(), "bias"),
                values(layer.mlpNorm(), "gamma"),
                values(layer.mlpNorm(), "beta"),
                values(layer.mlpIn(), "weight"),
                values(layer.mlpIn(), "bias"),
                values(layer.mlpOut(), "weight"),
                values(layer.mlpOut(), "bias")));
      }
      return new Weights(
          lm.spec(),
          lm.tokenEmbedding().getArray().toFloatArray(),
          lm.positionEmbedding().getArray().toFloatArray(),
          layers,
          values(lm.finalNorm(), "gamma"),
          values(lm.finalNorm(), "beta"));
    }

    /** Seeded random weights: normal with the given deviation, LayerNorms near identity. */
    public static Weights random(LmSpec spec, long seed, double std) {
      Random random = new Random(seed);
      int d = spec.width();
      int m = spec.mlpWidth();
      List<LayerWeights> layers = new ArrayList<>();
      for (int i = 0; i < spec.layers(); i++) {
        layers.add(
            new LayerWeights(
                near(random, d, 1, 0.1),
                near(random, d, 0, 0.1),
                near(random, 3 * d * d, 0, std),
                near(random, 3 * d, 0, std),
                near(random, d * d, 0, std),
                near(random, d, 0, std),
                near(random, d, 1, 0.1),
                near(random, d, 0, 0.1),
                near(random, m * d, 0, std),
                near(random, m, 0, std),
                near(random, d * m, 0, std),
                near(random, d, 0, std)));
      }
      return new Weights(
          spec,
          near(random, spec.vocabSize() * d, 0, std),
          near(random, spec.contextLength() * d, 0, std),
          layers,
          near(random, d, 1, 0.1),
          near(random, d, 0, 0.1));
    }

    private static float[] near(Random random, int n, double mean, double std) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) (mean + std * random.nextGaussian());
      }
      return v;
    }

    private static float[] values(Block block, String name) {
      return block.getParameters().get(name).getArray().toFloatArray();
    }
  }

  /** One block's weights (see {@link Weights}). */
  public record LayerWeights(
      float[] attentionGamma,
      float[] attentionBeta,
      float[] qkvWeight,
      float[] qkvBias,
      float[] outWeight,
      float[] outBias,
      float[] mlpGamma,
      float[] mlpBeta,
      float[] mlpInWeight,
      float[] mlpInBias,
      float[] mlpOutWeight,
      float[] mlpOutBias) {}

  /** Writes the decoder to a file (e.g. {@code dir/model.onnx}). */
  public static Path write(Weights weights, Path file) throws IOException {
    Files.write(file, build(weights).toByteArray());
    return file;
  }

  /** Builds the decoder. */
  public static ModelProto build(Weights w) {
    ReferenceDecoder g = new ReferenceDecoder();
    LmSpec spec = w.spec();
    int d = spec.width();
    int h = spec.heads();
    int hd = spec.headWidth();

    g.longs("axis1", new long[0], 1);
    g.longs("last_axis", new long[] {1}, -1);
    g.longs("head_shape", new long[] {4}, 0, 0, h, hd);
    g.longs("hidden_shape", new long[] {3}, 0, 0, d);
    g.floats("eps", new long[0], LmSpec.LAYER_NORM_EPSILON);
    g.floats("masked", new long[0], MASKED);
    g.floats("head_scale", new long[0], (float) Math.sqrt(hd));
    g.floats("wte", new long[] {spec.vocabSize(), d}, w.tokenEmbedding());
    g.floats("wpe", new long[] {spec.contextLength(), d}, w.positionEmbedding());
    g.floats(
        "wte_t",
        new long[] {d, spec.vocabSize()},
        transpose(w.tokenEmbedding(), spec.vocabSize(), d));

    // Positions: how many real tokens precede each one.
    g.op("CumSum", List.of("attention_mask", "axis1"), "positions", attr("exclusive", 1));
    g.op("Gather", List.of("wte", "input_ids"), "tok");
    g.op("Gather", List.of("wpe", "positions"), "pos");
    g.op("Add", List.of("tok", "pos"), "x0");

    // allowed (batch, 1, seq, seq) = lower triangle AND key is a real token.
    g.op("Shape", List.of("input_ids"), "ids_shape");
    g.op("Slice", List.of("ids_shape", g.longConst(1), g.longConst(2)), "seq_1");
    g.op("Concat", List.of("seq_1", "seq_1"), "square", attr("axis", 0));
    TensorProto one = tensor("", new long[] {1}, new float[] {1f});
    g.op("ConstantOfShape", List.of("square"), "ones", attr("value", one));
    g.op("Trilu", List.of("ones"), "lower", attr("upper", 0));
    g.op("Cast", List.of("lower"), "lower_b", attr("to", TensorProto.DataType.BOOL.getNumber()));
    g.op(
        "Cast",
        List.of("attention_mask"),
        "real_b",
        attr("to", TensorProto.DataType.BOOL.getNumber()));
    g.op("Unsqueeze", List.of("real_b", g.longConst(1, 2)), "real_key");
    g.op("And", List.of("lower_b", "real_key"), "allowed");

    String x = "x0";
    for (int i = 0; i < w.layers().size(); i++) {
      LayerWeights l = w.layers().get(i);
      String p = "l" + i + "_";
      g.layerNorm(p + "ln1", x, l.attentionGamma(), l.attentionBeta(), d);
      String[] qkv = {"q", "k", "v"};
      for (int j = 0; j < 3; j++) {
        float[] rows = Arrays.copyOfRange(l.qkvWeight(), j * d * d, (j + 1) * d * d);
        float[] bias = Arrays.copyOfRange(l.qkvBias(), j * d, (j + 1) * d);
        g.dense(p + qkv[j], p + "ln1", rows, bias, d, d);
        g.op("Reshape", List.of(p + qkv[j], "head_shape"), p + qkv[j] + "_4d");
        g.op("Transpose", List.of(p + qkv[j] + "_4d"), p + qkv[j] + "_h", attr("perm", 0, 2, 1, 3));
      }
      g.op("Div", List.of(p + "q_h", "head_scale"), p + "q_scaled");
      g.op("Transpose", List.of(p + "k_h"), p + "k_t", attr("perm", 0, 1, 3, 2));
      g.op("MatMul", List.of(p + "q_scaled", p + "k_t"), p + "scores");
      g.op("Where", List.of("allowed", p + "scores", "masked"), p + "scores_masked");
      g.op("Softmax", List.of(p + "scores_masked"), p + "attention", attr("axis", -1));
      g.op("MatMul", List.of(p + "attention", p + "v_h"), p + "heads");
      g.op("Transpose", List.of(p + "heads"), p + "heads_t", attr("perm", 0, 2, 1, 3));
      g.op("Reshape", List.of(p + "heads_t", "hidden_shape"), p + "attended");
      g.dense(p + "proj", p + "attended", l.outWeight(), l.outBias(), d, d);
      g.op("Add", List.of(x, p + "proj"), p + "x1");
      g.layerNorm(p + "ln2", p + "x1", l.mlpGamma(), l.mlpBeta(), d);
      g.dense(p + "fc1", p + "ln2", l.mlpInWeight(), l.mlpInBias(), spec.mlpWidth(), d);
      g.op("Gelu", List.of(p + "fc1"), p + "gelu");
      g.dense(p + "fc2", p + "gelu", l.mlpOutWeight(), l.mlpOutBias(), d, spec.mlpWidth());
      g.op("Add", List.of(p + "x1", p + "fc2"), p + "x2");
      x = p + "x2";
    }
    g.layerNorm("final_ln", x, w.finalGamma(), w.finalBeta(), d);
    g.op("MatMul", List.of("final_ln", "wte_t"), "logits");

    GraphProto graph =
        GraphProto.newBuilder()
            .setName("reference-decoder")
            .addAllNode(g.nodes)
            .addAllInitializer(g.initializers)
            .addInput(value("input_ids", TensorProto.DataType.INT64, "batch", "sequence"))
            .addInput(value("attention_mask", TensorProto.DataType.INT64, "batch", "sequence"))
            .addOutput(
                value(
                    "logits",
                    TensorProto.DataType.FLOAT,
                    "batch",
                    "sequence",
                    (long) spec.vocabSize()))
            .build();
    return ModelProto.newBuilder()
        .setIrVersion(9)
        .setProducerName("distillery-test-reference-decoder")
        .setGraph(graph)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .build();
  }

  /** LayerNorm over the last axis, decomposed. */
  private void layerNorm(String out, String in, float[] gamma, float[] beta, int d) {
    floats(out + "_gamma", new long[] {d}, gamma);
    floats(out + "_beta", new long[] {d}, beta);
    op("ReduceMean", List.of(in, "last_axis"), out + "_mean", attr("keepdims", 1));
    op("Sub", List.of(in, out + "_mean"), out + "_centered");
    op("Mul", List.of(out + "_centered", out + "_centered"), out + "_squared");
    op("ReduceMean", List.of(out + "_squared", "last_axis"), out + "_var", attr("keepdims", 1));
    op("Add", List.of(out + "_var", "eps"), out + "_var_eps");
    op("Sqrt", List.of(out + "_var_eps"), out + "_std");
    op("Div", List.of(out + "_centered", out + "_std"), out + "_normed");
    op("Mul", List.of(out + "_normed", out + "_gamma"), out + "_scaled");
    op("Add", List.of(out + "_scaled", out + "_beta"), out);
  }

  /** y = x·Wᵀ + b for a DJL weight W (out, in). */
  private void dense(String out, String in, float[] weight, float[] bias, int outs, int ins) {
    floats(out + "_wt", new long[] {ins, outs}, transpose(weight, outs, ins));
    floats(out + "_b", new long[] {outs}, bias);
    op("MatMul", List.of(in, out + "_wt"), out + "_mm");
    op("Add", List.of(out + "_mm", out + "_b"), out);
  }

  private void op(String type, List<String> inputs, String output, AttributeProto... attributes) {
    nodes.add(
        NodeProto.newBuilder()
            .setOpType(type)
            .setName("n" + count++ + "_" + type)
            .addAllInput(inputs)
            .addOutput(output)
            .addAllAttribute(Arrays.asList(attributes))
            .build());
  }

  private String longConst(long... values) {
    String name = "c" + count++;
    longs(name, new long[] {values.length}, values);
    return name;
  }

  private void longs(String name, long[] dims, long... values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    raw.asLongBuffer().put(values);
    initializers.add(
        TensorProto.newBuilder()
            .setName(name)
            .addAllDims(Arrays.stream(dims).boxed().toList())
            .setDataType(TensorProto.DataType.INT64.getNumber())
            .setRawData(ByteString.copyFrom(raw.array()))
            .build());
  }

  private void floats(String name, long[] dims, float... values) {
    initializers.add(tensor(name, dims, values));
  }

  /** Float tensor with float_data (not raw_data: another encoding than our exporter's). */
  private static TensorProto tensor(String name, long[] dims, float[] values) {
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .addAllDims(Arrays.stream(dims).boxed().toList())
            .setDataType(TensorProto.DataType.FLOAT.getNumber());
    for (float v : values) {
      t.addFloatData(v);
    }
    return t.build();
  }

  private static AttributeProto attr(String name, long... ints) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    if (ints.length == 1 && !name.equals("perm")) {
      return a.setType(AttributeProto.AttributeType.INT).setI(ints[0]).build();
    }
    return a.setType(AttributeProto.AttributeType.INTS)
        .addAllInts(Arrays.stream(ints).boxed().toList())
        .build();
  }

  private static AttributeProto attr(String name, TensorProto value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.TENSOR)
        .setT(value)
        .build();
  }

  private static ValueInfoProto value(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object dim : dims) {
      shape.addDim(
          dim instanceof String s
              ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
              : TensorShapeProto.Dimension.newBuilder().setDimValue((Long) dim));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

  private static float[] transpose(float[] values, int rows, int cols) {
    float[] t = new float[values.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = values[r * cols + c];
      }
    }
    return t;
  }
}
