package io.distillery.models.teacher;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import io.distillery.models.digest.Sha256;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.models.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads a teacher model directory written by {@link TeacherTrainer}: {@value
 * TeacherCardFile#FILE_NAME}, {@value #ONNX_FILE} and {@code <}{@value #PARAMS_PREFIX}{@code
 * >-NNNN.params}. Every load names its engine explicitly; the caller closes the returned model.
 */
public final class TeacherArtifacts {
  /** DJL engine name of PyTorch. */
  public static final String PYTORCH = "PyTorch";

  /** DJL engine name of ONNX Runtime. */
  public static final String ONNX_RUNTIME = "OnnxRuntime";

  /** File name of the ONNX export. */
  public static final String ONNX_FILE = "model.onnx";

  /** Prefix of the DJL parameter file ({@code teacher-0010.params} after 10 epochs). */
  public static final String PARAMS_PREFIX = "teacher";

  private TeacherArtifacts() {}

  /**
   * Loads the DJL parameters into a PyTorch-engine model built from the card's network (a causal
   * LM's from the architecture in its card), with its parameters frozen for inference. Call {@link
   * #checkFiles} first to verify the checksums.
   *
   * @param dir the model directory
   * @return the model, ready for inference; close it when done
   * @throws IOException if a file is missing or unreadable
   * @throws MalformedModelException if the parameters do not fit the network
   */
  public static Model loadPyTorch(Path dir) throws IOException, MalformedModelException {
    TeacherCardFile card = TeacherCardFile.read(dir);
    Model model = Model.newInstance(card.id(), Device.cpu(), PYTORCH);
    try {
      model.setBlock(newBlock(card));
      // The card names the exact file, so a stray older epoch in the directory is never picked.
      String params = card.file(TeacherCardFile.FILE_PARAMS).name();
      String epoch = params.substring(PARAMS_PREFIX.length() + 1, params.length() - 7);
      model.load(dir, PARAMS_PREFIX, Map.of("epoch", epoch));
      // PyTorch's grad mode is per thread and on by default: without freezing, a forward pass on a
      // server thread would record an autograd graph for parameters that never train here.
      model.getBlock().freezeParameters(true);
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static Block newBlock(TeacherCardFile card) {
    if (!card.isCausalLm()) {
      NetworkSpec spec = Networks.byName(card.network());
      return spec.newBlock();
    }
    if (card.languageModel() == null || card.languageModel().architecture() == null) {
      throw new IllegalArgumentException(
          "teacher card " + card.id() + " is a causal LM without language_model.architecture");
    }
    return new CausalLm(card.languageModel().architecture());
  }

  /**
   * Loads the tokenizer a causal-LM teacher's card names (its {@value
   * TeacherCardFile#FILE_TOKENIZER} file), with the card's end-of-text token.
   *
   * @param dir the model directory
   * @return the tokenizer; close it when done
   * @throws IOException if the card lists no tokenizer or the file cannot be loaded
   */
  public static TextTokenizer loadTokenizer(Path dir) throws IOException {
    TeacherCardFile card = TeacherCardFile.read(dir);
    String eos =
        card.languageModel() == null || card.languageModel().tokenizer() == null
            ? null
            : card.languageModel().tokenizer().endOfText();
    return TextTokenizer.load(
        dir.resolve(card.file(TeacherCardFile.FILE_TOKENIZER).name()), eos, false);
  }

  /**
   * Loads {@value #ONNX_FILE} into an ONNX Runtime model.
   *
   * @param dir the model directory
   * @param options DJL OnnxRuntime options, e.g. {@code intraOpNumThreads}; may be empty
   * @return the model; close it when done
   * @throws IOException if the file is missing or unreadable
   * @throws MalformedModelException if ONNX Runtime rejects the file
   */
  public static Model loadOnnx(Path dir, Map<String, ?> options)
      throws IOException, MalformedModelException {
    Path file = dir.resolve(ONNX_FILE);
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(
          file.toString(), null, "no ONNX export in model directory " + dir);
    }
    Model model = Model.newInstance("teacher-onnx", Device.cpu(), ONNX_RUNTIME);
    try {
      model.load(dir, "model", options);
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Recomputes the sha256 of every file the card lists and compares it with the card.
   *
   * @param dir the model directory
   * @return the card, verified
   * @throws IOException if a file is missing or its checksum differs, naming the file and both
   *     checksums
   */
  public static TeacherCardFile checkFiles(Path dir) throws IOException {
    TeacherCardFile card = TeacherCardFile.read(dir);
    for (TeacherCardFile.FileEntry entry : card.files().values()) {
      Path file = dir.resolve(entry.name());
      if (!Files.isRegularFile(file)) {
        throw new java.nio.file.NoSuchFileException(
            file.toString(), null, "listed in " + TeacherCardFile.FILE_NAME + " but missing");
      }
      String actual = Sha256.file(file);
      if (!actual.equals(entry.sha256())) {
        throw new IOException(
            file
                + ": sha256 "
                + actual
                + " differs from "
                + entry.sha256()
                + " in the teacher card");
      }
    }
    return card;
  }
}
