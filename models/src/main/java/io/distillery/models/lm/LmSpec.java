package io.distillery.models.lm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Locale;

/**
 * The shape of a decoder-only transformer ({@link CausalLm}): teachers and students of the causal
 * language-model family are described by this record, which a teacher card carries as JSON
 * (snake_case: {@code vocab_size}, {@code context_length}, ...).
 *
 * @param family always {@value #FAMILY}, so a reader knows which network the numbers describe
 * @param vocabSize token ids are in [0, vocabSize)
 * @param contextLength the longest sequence (learned positions)
 * @param layers decoder blocks
 * @param width model (embedding) width
 * @param heads attention heads; {@code width} must be a multiple
 * @param mlpWidth hidden width of each block's MLP (GELU)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LmSpec(
    String family,
    int vocabSize,
    int contextLength,
    int layers,
    int width,
    int heads,
    int mlpWidth) {

  /** The network family: pre-LayerNorm GPT-style decoder, learned positions, tied embeddings. */
  public static final String FAMILY = "decoder-transformer";

  /** LayerNorm epsilon of every norm (PyTorch's and ONNX's default). */
  public static final float LAYER_NORM_EPSILON = 1e-5f;

  /** Validates the numbers and names the first bad one. */
  public LmSpec {
    if (family == null) {
      family = FAMILY;
    }
    require(FAMILY.equals(family), "family", family, FAMILY);
    require(vocabSize >= 2, "vocab_size", vocabSize, ">= 2");
    require(contextLength >= 1, "context_length", contextLength, ">= 1");
    require(layers >= 1, "layers", layers, ">= 1");
    require(heads >= 1, "heads", heads, ">= 1");
    require(width >= 1 && width % heads == 0, "width", width, "a positive multiple of heads");
    require(mlpWidth >= 1, "mlp_width", mlpWidth, ">= 1");
  }

  /** A spec of the {@value #FAMILY} family. */
  public static LmSpec of(
      int vocabSize, int contextLength, int layers, int width, int heads, int mlpWidth) {
    return new LmSpec(FAMILY, vocabSize, contextLength, layers, width, heads, mlpWidth);
  }

  /** Width of one attention head. */
  @JsonIgnore
  public int headWidth() {
    return width / heads;
  }

  /** A short name, e.g. {@code causal-lm-4x128-h4-ctx128-v512}. */
  @JsonIgnore
  public String name() {
    return String.format(
        Locale.ROOT,
        "causal-lm-%dx%d-h%d-ctx%d-v%d",
        layers,
        width,
        heads,
        contextLength,
        vocabSize);
  }

  /** Trainable values: the embedding is counted once (tied with the output projection). */
  @JsonIgnore
  public long parameterCount() {
    long d = width;
    long perLayer =
        2 * 2 * d // two LayerNorms
            + 3 * d * d
            + 3 * d // fused query/key/value projection
            + d * d
            + d // attention output projection
            + d * mlpWidth
            + mlpWidth // MLP in
            + (long) mlpWidth * d
            + d; // MLP out
    return (long) vocabSize * d + (long) contextLength * d + layers * perLayer + 2 * d;
  }

  private static void require(boolean ok, String field, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "causal LM spec: " + field + " must be " + expected + ", got " + value);
    }
  }
}
