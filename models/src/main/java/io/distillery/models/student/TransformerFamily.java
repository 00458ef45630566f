package io.distillery.models.student;

import io.distillery.models.lm.LmSpec;
import io.distillery.models.nn.Layer;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.Task;
import java.util.List;

/**
 * Small decoder-only transformers for causal language modelling ({@link
 * io.distillery.models.lm.CausalLm}, the teacher's own architecture), rebuilt from {@code layers},
 * {@code width}, {@code heads}, {@code context_length}, {@code mlp_width} (0 = 4 × width), {@code
 * output_size} (the vocabulary) and {@code tokenizer_sha256}.
 */
final class TransformerFamily implements StudentFamily {

  static final String NAME = "transformer";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Task task() {
    return Task.TASK_CAUSAL_LM;
  }

  @Override
  public NetworkSpec network(StudentSpec spec) {
    int layers = StudentSpecs.positive("layers", spec.getLayers());
    int width = StudentSpecs.positive("width", spec.getWidth());
    int heads = StudentSpecs.positive("heads", spec.getHeads());
    int context = StudentSpecs.positive("context-length", spec.getContextLength());
    int mlpWidth = spec.getMlpWidth() == 0 ? 4 * width : spec.getMlpWidth();
    StudentSpecs.positive("mlp-width", mlpWidth);
    if (width % heads != 0) {
      throw new IllegalArgumentException(
          "student.width " + width + " must be a multiple of student.heads " + heads);
    }
    int vocab = StudentSpecs.outputSize(spec);
    LmSpec lm = LmSpec.of(vocab, context, layers, width, heads, mlpWidth);
    return new NetworkSpec(
        "transformer-" + layers + "x" + width + "-h" + heads + "-ctx" + context + "-v" + vocab,
        new long[] {context},
        List.of(new Layer.Decoder(lm, spec.getTokenizerSha256())),
        vocab);
  }
}
