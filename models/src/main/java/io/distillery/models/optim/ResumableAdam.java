package io.distillery.models.optim;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) with a constant or scheduled learning rate whose state — first and
 * second moments and the step count of every parameter — can be saved with a checkpoint and
 * restored, so a resumed job continues exactly where it stopped. DJL's own {@code Adam} keeps that
 * state in private fields and cannot be checkpointed. The update itself is DJL's fused {@code
 * adamUpdate} (the same kernel DJL's Adam calls), so both optimizers take identical steps.
 *
 * <p>The state is keyed by the parameter's path in its block (e.g. {@code 01Linear_weight}), not by
 * DJL's per-instance parameter ids, so it loads into a freshly built network of the same shape.
 */
public final class ResumableAdam extends Optimizer {

  private static final String MAGIC = "distillery-adam";
  private static final int VERSION = 1;

  private final float learningRate;
  private final Tracker learningRateTracker;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final Map<String, Moments> moments = new HashMap<>();
  private final Map<String, Saved> pending = new HashMap<>();
  private Map<String, String> names = Map.of();

  private ResumableAdam(Builder builder) {
    super(builder);
    this.learningRate = builder.learningRate;
    this.learningRateTracker = builder.learningRateTracker;
    this.beta1 = builder.beta1;
    this.beta2 = builder.beta2;
    this.epsilon = builder.epsilon;
  }

  /** A builder with Adam's usual defaults (lr 1e-3, β1 0.9, β2 0.999, ε 1e-8). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Names the block's parameters; required before {@link #save} or {@link #restore}. Call after the
   * block is initialised.
   */
  public void bind(Block block) {
    Map<String, String> byId = new HashMap<>();
    for (Pair<String, Parameter> parameter : block.getParameters()) {
      byId.put(parameter.getValue().getId(), parameter.getKey());
    }
    this.names = byId;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    Moments state = moments.computeIfAbsent(parameterId, id -> initial(id, weight));
    float rate =
        learningRateTracker == null ? learningRate : learningRateTracker.getNewValue(state.steps);
    state.steps++;
    double correction1 = 1 - Math.pow(beta1, state.steps);
    double correction2 = 1 - Math.pow(beta2, state.steps);
    float biasCorrected = (float) (rate * Math.sqrt(correction2) / correction1);
    weight
        .getNDArrayInternal()
        .adamUpdate(
            new NDList(weight, grad, state.mean, state.variance),
            new NDList(weight),
            rate,
            biasCorrected,
            getWeightDecay(),
            rescaleGrad,
            clipGrad,
            beta1,
            beta2,
            epsilon,
            true,
            false);
  }

  /** Fresh zero moments, or the restored ones; on the weight's (long-lived) manager. */
  private Moments initial(String parameterId, NDArray weight) {
    Saved saved = pending.remove(name(parameterId));
    if (saved == null) {
      return new Moments(weight.zerosLike(), weight.zerosLike(), 0);
    }
    Shape shape = weight.getShape();
    return new Moments(
        weight.getManager().create(saved.mean, shape).toType(weight.getDataType(), false),
        weight.getManager().create(saved.variance, shape).toType(weight.getDataType(), false),
        saved.steps);
  }

  private String name(String parameterId) {
    String name = names.get(parameterId);
    return name == null ? parameterId : name;
  }

  /** Largest step count over the parameters: the optimizer steps taken, 0 before the first. */
  public int steps() {
    int steps = 0;
    for (Moments m : moments.values()) {
      steps = Math.max(steps, m.steps);
    }
    for (Saved s : pending.values()) {
      steps = Math.max(steps, s.steps);
    }
    return steps;
  }

  /** Writes the moments and step counts of every parameter that has taken a step. */
  public void save(OutputStream out) throws IOException {
    if (names.isEmpty()) {
      throw new IllegalStateException("bind(block) before saving the optimizer state");
    }
    Map<String, Saved> all = new LinkedHashMap<>(pending);
    for (Map.Entry<String, Moments> entry : moments.entrySet()) {
      Moments m = entry.getValue();
      all.put(
          name(entry.getKey()),
          new Saved(
              m.mean.getShape().getShape(),
              m.mean.toFloatArray(),
              m.variance.toFloatArray(),
              m.steps));
    }
    // Buffered: hundreds of thousands of 4-byte writes would otherwise each reach the file.
    DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
    data.writeUTF(MAGIC);
    data.writeInt(VERSION);
    data.writeFloat(beta1);
    data.writeFloat(beta2);
    data.writeFloat(epsilon);
    data.writeInt(all.size());
    for (Map.Entry<String, Saved> entry : all.entrySet()) {
      Saved s = entry.getValue();
      data.writeUTF(entry.getKey());
      data.writeInt(s.steps);
      data.writeInt(s.shape.length);
      for (long dim : s.shape) {
        data.writeLong(dim);
      }
      data.writeInt(s.mean.length);
      for (float v : s.mean) {
        data.writeFloat(v);
      }
      for (float v : s.variance) {
        data.writeFloat(v);
      }
    }
    data.flush();
  }

  /**
   * Reads state written by {@link #save}; it is applied to each parameter at its next update. The
   * block must be {@link #bind bound} and initialised.
   *
   * @throws MalformedModelException when the file is not Adam state, or names a parameter the block
   *     does not have or with another shape
   */
  public void restore(Block block, InputStream in) throws IOException, MalformedModelException {
    bind(block);
    Map<String, Shape> shapes = new HashMap<>();
    for (Pair<String, Parameter> parameter : block.getParameters()) {
      shapes.put(parameter.getKey(), parameter.getValue().getArray().getShape());
    }
    DataInputStream data = new DataInputStream(new BufferedInputStream(in, 1 << 16));
    String magic = data.readUTF();
    int version = data.readInt();
    if (!MAGIC.equals(magic) || version != VERSION) {
      throw new MalformedModelException(
          "not Adam state version " + VERSION + ": header " + magic + " v" + version);
    }
    float savedBeta1 = data.readFloat();
    float savedBeta2 = data.readFloat();
    data.readFloat();
    if (savedBeta1 != beta1 || savedBeta2 != beta2) {
      throw new MalformedModelException(
          "Adam state was saved with beta1="
              + savedBeta1
              + " beta2="
              + savedBeta2
              + " but the optimizer uses beta1="
              + beta1
              + " beta2="
              + beta2);
    }
    int count = data.readInt();
    Map<String, Saved> read = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String name = data.readUTF();
      int steps = data.readInt();
      long[] shape = new long[data.readInt()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = data.readLong();
      }
      Shape expected = shapes.get(name);
      if (expected == null) {
        throw new MalformedModelException(
            "Adam state has parameter " + name + " which the network does not have");
      }
      if (!expected.equals(new Shape(shape))) {
        throw new MalformedModelException(
            "Adam state of "
                + name
                + " has shape "
                + new Shape(shape)
                + " but the parameter has "
                + expected);
      }
      float[] mean = new float[data.readInt()];
      float[] variance = new float[mean.length];
      for (int v = 0; v < mean.length; v++) {
        mean[v] = data.readFloat();
      }
      for (int v = 0; v < variance.length; v++) {
        variance[v] = data.readFloat();
      }
      read.put(name, new Saved(shape, mean, variance, steps));
    }
    moments.clear();
    pending.clear();
    pending.putAll(read);
  }

  private static final class Moments {
    final NDArray mean;
    final NDArray variance;
    int steps;

    Moments(NDArray mean, NDArray variance, int steps) {
      this.mean = mean;
      this.variance = variance;
      this.steps = steps;
    }
  }

  private record Saved(long[] shape, float[] mean, float[] variance, int steps) {}

  /** Builds a {@link ResumableAdam}. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private float learningRate = 1e-3f;
    private Tracker learningRateTracker;
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-8f;

    private Builder() {}

    /** Constant learning rate, > 0. */
    public Builder learningRate(float value) {
      if (!(value > 0) || Float.isInfinite(value)) {
        throw new IllegalArgumentException("Adam learning rate must be > 0, got " + value);
      }
      this.learningRate = value;
      return this;
    }

    /**
     * A learning rate per update instead of the constant one: called before each update of a
     * parameter with the number of updates that parameter has had (0 for the first), a count that
     * is saved and restored with the state, so a schedule of it resumes exactly. A tracker may also
     * ignore its argument and return a rate its caller sets per step (the trainer's global step).
     */
    public Builder learningRateTracker(Tracker tracker) {
      this.learningRateTracker = tracker;
      return this;
    }

    /** Decay rates of the moments, each in [0, 1). */
    public Builder betas(float first, float second) {
      if (!(first >= 0 && first < 1 && second >= 0 && second < 1)) {
        throw new IllegalArgumentException(
            "Adam betas must be in [0, 1), got " + first + ", " + second);
      }
      this.beta1 = first;
      this.beta2 = second;
      return this;
    }

    /** The denominator's ε, > 0. */
    public Builder epsilon(float value) {
      this.epsilon = value;
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** The optimizer. */
    public ResumableAdam build() {
      return new ResumableAdam(this);
    }
  }
}
