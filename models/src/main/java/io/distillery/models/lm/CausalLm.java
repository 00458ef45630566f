package io.distillery.models.lm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.distillery.models.runtime.OwnedArrays;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder-only transformer language model on DJL (GPT-2's layout): token embedding plus learned
 * positions, {@link LmSpec#layers()} pre-LayerNorm blocks of multi-head causal self-attention and a
 * GELU MLP, a final LayerNorm, and an output projection tied to the token embedding.
 *
 * <p>Inputs: {@code input_ids} (batch, seq) int64 and {@code attention_mask} (batch, seq) int64, 1
 * for a real token and 0 for padding, on either side. Output: logits (batch, seq, vocab). Positions
 * count real tokens only ({@code cumsum(mask) - 1}, at least 0), and padded keys are masked, so a
 * padded sequence gets the same logits at its real tokens as unpadded; the attention is causal, so
 * a token never sees a later one. Written out by hand because DJL's {@code TransformerEncoderBlock}
 * is not causal; every LayerNorm normalises over the feature axis only (without the axis DJL's
 * LayerNorm normalises over time too and leaks the future).
 *
 * <p>All ops take the batch's arrays as their first operand, so results live on the batch's
 * manager, never on the model's; constants are arrays PyTorch owns ({@link OwnedArrays}).
 */
public final class CausalLm extends AbstractBlock {
  private static final byte VERSION = 1;

  /** Added to the attention score of a masked (future or padding) key. */
  public static final float MASKED_SCORE = -1e9f;

  private final LmSpec spec;
  private final Parameter tokenEmbedding;
  private final Parameter positionEmbedding;
  private final List<DecoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalNorm;

  /**
   * Creates an uninitialised network; weights are drawn from N(0, 0.02²), biases 0, LayerNorm
   * scales 1 when it is initialised.
   *
   * @param spec the shape
   */
  @SuppressWarnings("this-escape")
  public CausalLm(LmSpec spec) {
    super(VERSION);
    this.spec = spec;
    tokenEmbedding =
        addParameter(
            Parameter.builder()
                .setName("token_embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(spec.vocabSize(), spec.width()))
                .build());
    positionEmbedding =
        addParameter(
            Parameter.builder()
                .setName("position_embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(spec.contextLength(), spec.width()))
                .build());
    for (int i = 0; i < spec.layers(); i++) {
      layers.add(addChildBlock("layer" + i, new DecoderLayer(spec)));
    }
    finalNorm = addChildBlock("final_norm", layerNorm());
    setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
  }

  static LayerNorm layerNorm() {
    return LayerNorm.builder().axis(2).optEpsilon(LmSpec.LAYER_NORM_EPSILON).build();
  }

  /** The shape this network was built with. */
  public LmSpec spec() {
    return spec;
  }

  /** The token embedding (vocab, width), also the output projection. */
  public Parameter tokenEmbedding() {
    return tokenEmbedding;
  }

  /** The learned positions (context, width). */
  public Parameter positionEmbedding() {
    return positionEmbedding;
  }

  /** The decoder blocks, in order. */
  public List<DecoderLayer> layers() {
    return List.copyOf(layers);
  }

  /** The LayerNorm before the output projection. */
  public LayerNorm finalNorm() {
    return finalNorm;
  }

  /** The shapes of a batch's inputs: ids and mask, both (batch, seq). */
  public static Shape[] inputShapes(int batch, int sequence) {
    return new Shape[] {new Shape(batch, sequence), new Shape(batch, sequence)};
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray ids = inputs.get(0);
    Shape shape = ids.getShape();
    if (shape.dimension() != 2) {
      throw new IllegalArgumentException("input_ids must be (batch, seq), got " + shape);
    }
    long batch = shape.get(0);
    long length = shape.get(1);
    if (length > spec.contextLength()) {
      throw new IllegalArgumentException(
          "sequence of "
              + length
              + " tokens is longer than the context of "
              + spec.contextLength());
    }
    NDManager manager = ids.getManager();
    Device device = ids.getDevice();
    NDArray wte = parameterStore.getValue(tokenEmbedding, device, training);
    NDArray wpe = parameterStore.getValue(positionEmbedding, device, training);
    DataType dataType = wte.getDataType();
    OwnedArrays longs = new OwnedArrays(manager, DataType.INT64);
    NDArray mask =
        inputs.size() > 1
            ? inputs.get(1).toType(DataType.INT64, false)
            : manager.ones(shape, DataType.INT64);

    // Positions count real tokens, so left padding does not shift them.
    NDArray positions = mask.cumSum(1).sub(longs.scalar(1)).maximum(longs.scalar(0));
    NDArray x = embed(ids, wte).add(embed(positions, wpe));

    // Additive attention bias (batch, 1, seq, seq): 0 where query i may see key j, else masked.
    NDArray index = manager.arange(0f, (float) length, 1f, DataType.INT64);
    NDArray future = index.expandDims(0).gt(index.expandDims(1)).reshape(1, 1, length, length);
    NDArray paddedKey = mask.eq(longs.scalar(0)).reshape(batch, 1, 1, length);
    NDArray bias =
        future
            .logicalOr(paddedKey)
            .toType(dataType, false)
            .mul(new OwnedArrays(manager, dataType).scalar(MASKED_SCORE));

    for (DecoderLayer layer : layers) {
      x = layer.forward(parameterStore, new NDList(x, bias), training, params).singletonOrThrow();
    }
    x = finalNorm.forward(parameterStore, new NDList(x), training, params).singletonOrThrow();
    // Tied output projection: x · wteᵀ, with x as the first operand (the batch's manager).
    NDArray logits = x.getNDArrayInternal().linear(x, wte, null).singletonOrThrow();
    return new NDList(logits);
  }

  private static NDArray embed(NDArray ids, NDArray weight) {
    return ids.getNDArrayInternal().embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape ids = inputShapes[0];
    return new Shape[] {new Shape(ids.get(0), ids.get(1), spec.vocabSize())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape ids = inputShapes[0];
    Shape hidden = new Shape(ids.get(0), ids.get(1), spec.width());
    Shape bias = new Shape(ids.get(0), 1, ids.get(1), ids.get(1));
    for (DecoderLayer layer : layers) {
      layer.initialize(manager, dataType, hidden, bias);
    }
    finalNorm.initialize(manager, dataType, hidden);
  }

  /** One pre-LayerNorm block: x + attention(ln1(x)), then x + mlp(ln2(x)). */
  public static final class DecoderLayer extends AbstractBlock {
    private final LmSpec spec;
    private final LayerNorm attentionNorm;
    private final Linear queryKeyValue;
    private final Linear attentionOutput;
    private final LayerNorm mlpNorm;
    private final Linear mlpIn;
    private final Linear mlpOut;

    @SuppressWarnings("this-escape")
    DecoderLayer(LmSpec spec) {
      super(VERSION);
      this.spec = spec;
      attentionNorm = addChildBlock("attention_norm", layerNorm());
      queryKeyValue =
          addChildBlock("query_key_value", Linear.builder().setUnits(3L * spec.width()).build());
      attentionOutput =
          addChildBlock("attention_output", Linear.builder().setUnits(spec.width()).build());
      mlpNorm = addChildBlock("mlp_norm", layerNorm());
      mlpIn = addChildBlock("mlp_in", Linear.builder().setUnits(spec.mlpWidth()).build());
      mlpOut = addChildBlock("mlp_out", Linear.builder().setUnits(spec.width()).build());
    }

    /** LayerNorm before attention. */
    public LayerNorm attentionNorm() {
      return attentionNorm;
    }

    /** Fused projection to queries, keys, values: (3·width, width), rows q then k then v. */
    public Linear queryKeyValue() {
      return queryKeyValue;
    }

    /** Projection of the concatenated heads. */
    public Linear attentionOutput() {
      return attentionOutput;
    }

    /** LayerNorm before the MLP. */
    public LayerNorm mlpNorm() {
      return mlpNorm;
    }

    /** MLP input projection (GELU after it). */
    public Linear mlpIn() {
      return mlpIn;
    }

    /** MLP output projection. */
    public Linear mlpOut() {
      return mlpOut;
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore parameterStore,
        NDList inputs,
        boolean training,
        PairList<String, Object> params) {
      NDArray x = inputs.get(0);
      NDArray bias = inputs.get(1);
      long batch = x.getShape().get(0);
      long length = x.getShape().get(1);
      int heads = spec.heads();
      int headWidth = spec.headWidth();

      NDArray a = attentionNorm.forward(parameterStore, new NDList(x), training).head();
      NDArray qkv = queryKeyValue.forward(parameterStore, new NDList(a), training).head();
      // (batch, seq, 3, heads, headWidth) → (3, batch, heads, seq, headWidth)
      qkv = qkv.reshape(batch, length, 3, heads, headWidth).transpose(2, 0, 3, 1, 4);
      NDArray q = qkv.get(0);
      NDArray k = qkv.get(1);
      NDArray v = qkv.get(2);
      NDArray scale =
          new OwnedArrays(x.getManager(), x.getDataType()).scalar(1.0 / Math.sqrt(headWidth));
      NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(bias);
      NDArray attended =
          scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, length, spec.width());
      NDArray out = attentionOutput.forward(parameterStore, new NDList(attended), training).head();
      x = x.add(out);

      NDArray m = mlpNorm.forward(parameterStore, new NDList(x), training).head();
      m = Activation.gelu(mlpIn.forward(parameterStore, new NDList(m), training).head());
      m = mlpOut.forward(parameterStore, new NDList(m), training).head();
      return new NDList(x.add(m));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(
        NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape hidden = inputShapes[0];
      attentionNorm.initialize(manager, dataType, hidden);
      queryKeyValue.initialize(manager, dataType, hidden);
      attentionOutput.initialize(manager, dataType, hidden);
      mlpNorm.initialize(manager, dataType, hidden);
      mlpIn.initialize(manager, dataType, hidden);
      mlpOut.initialize(
          manager, dataType, new Shape(hidden.get(0), hidden.get(1), spec.mlpWidth()));
    }
  }
}
