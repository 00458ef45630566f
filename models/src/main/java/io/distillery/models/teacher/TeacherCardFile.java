package io.distillery.models.teacher;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.distillery.models.lm.LmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@value #FILE_NAME} of a teacher model directory: who the teacher is, what it computes, under
 * which licence, how it was trained and which files hold it. JSON uses snake_case names; unknown
 * fields are ignored when reading so older readers accept newer cards.
 *
 * @param id stable model id, e.g. {@code fashion-cnn}
 * @param version model version
 * @param task {@value #TASK_CLASSIFICATION} or {@value #TASK_CAUSAL_LM}
 * @param network network name: for {@link io.distillery.models.nn.Networks#byName}, or for a causal
 *     LM {@link io.distillery.models.lm.LmSpec#name()} (the shape is in {@link #languageModel()})
 * @param inputName name of the (first) ONNX input: {@code input}, or {@code input_ids}
 * @param inputShape shape of one input sample, e.g. [1, 28, 28]; null for a causal LM
 * @param outputName name of the ONNX output
 * @param output what the outputs are: {@value #OUTPUT_LOGITS} (apply log-softmax, with a
 *     temperature, yourself) or {@code log_softmax}
 * @param outputSize number of classes, or the vocabulary size of a causal LM
 * @param licenseSpdx SPDX licence id of the model
 * @param distillation {@value #DISTILLATION_ALLOWED} or {@code forbidden}
 * @param classNames class names, index = class id; null for a causal LM
 * @param dataset data set the teacher was trained on
 * @param training how a classifier was trained and how well it does; null for a causal LM
 * @param files the model files: {@code onnx} and {@code params}, and {@code tokenizer} for a causal
 *     LM; every one is checked against its sha256 by {@link TeacherArtifacts#checkFiles}
 * @param createdAt ISO-8601 instant the card was written
 * @param languageModel what a causal-LM teacher adds (architecture, tokenizer, limits, training,
 *     held-out bits per byte); null for a classifier
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TeacherCardFile(
    String id,
    String version,
    String task,
    String network,
    String inputName,
    List<Long> inputShape,
    String outputName,
    String output,
    int outputSize,
    String licenseSpdx,
    String distillation,
    List<String> classNames,
    String dataset,
    Training training,
    Map<String, FileEntry> files,
    String createdAt,
    LanguageModel languageModel) {

  /** File name of the card inside a model directory. */
  public static final String FILE_NAME = "teacher-card.json";

  /** Value of {@link #task()} for classifiers. */
  public static final String TASK_CLASSIFICATION = "classification";

  /** Value of {@link #task()} for causal language models (one distribution per token). */
  public static final String TASK_CAUSAL_LM = "causal-lm";

  /** Key of the Hugging Face tokenizer.json in {@link #files()} of a causal LM. */
  public static final String FILE_TOKENIZER = "tokenizer";

  /** Value of {@link #distillation()} when the licence permits training on the outputs. */
  public static final String DISTILLATION_ALLOWED = "allowed";

  /** Value of {@link #output()} for raw logits. */
  public static final String OUTPUT_LOGITS = "logits";

  /** Key of the ONNX file in {@link #files()}. */
  public static final String FILE_ONNX = "onnx";

  /** Key of the DJL parameter file in {@link #files()}. */
  public static final String FILE_PARAMS = "params";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The canonical constructor; Jackson reads cards through it. */
  @JsonCreator
  public TeacherCardFile {}

  /** A classifier's card (no {@link #languageModel()}), as before causal LMs existed. */
  public TeacherCardFile(
      String id,
      String version,
      String task,
      String network,
      String inputName,
      List<Long> inputShape,
      String outputName,
      String output,
      int outputSize,
      String licenseSpdx,
      String distillation,
      List<String> classNames,
      String dataset,
      Training training,
      Map<String, FileEntry> files,
      String createdAt) {
    this(
        id,
        version,
        task,
        network,
        inputName,
        inputShape,
        outputName,
        output,
        outputSize,
        licenseSpdx,
        distillation,
        classNames,
        dataset,
        training,
        files,
        createdAt,
        null);
  }

  /** Whether this is a causal language model's card. */
  @JsonIgnore
  public boolean isCausalLm() {
    return TASK_CAUSAL_LM.equals(task);
  }

  /**
   * How the teacher was trained, and its accuracy.
   *
   * @param engine DJL engine used for training
   * @param epochs epochs run
   * @param batchSize images per step
   * @param maxBatches per-epoch batch cap (0 = none)
   * @param optimizer optimizer and schedule
   * @param learningRate initial learning rate
   * @param finalLearningRate learning rate at the last step
   * @param seed training seed
   * @param shiftPixels ±pixels of shift augmentation
   * @param trainSamples images trained on
   * @param validationSamples images held out for validation
   * @param validationSplitSeed seed of the validation split
   * @param validationAccuracy accuracy on the validation split (null without one)
   * @param testSamples test images evaluated
   * @param testErrors misclassified test images
   * @param testAccuracy test accuracy
   * @param finalEpochLoss mean training loss of the last epoch
   * @param trainingSeconds wall time of the training loop
   * @param samplesPerSecond training throughput
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Training(
      String engine,
      int epochs,
      int batchSize,
      int maxBatches,
      String optimizer,
      double learningRate,
      double finalLearningRate,
      long seed,
      int shiftPixels,
      int trainSamples,
      int validationSamples,
      long validationSplitSeed,
      Double validationAccuracy,
      int testSamples,
      int testErrors,
      double testAccuracy,
      double finalEpochLoss,
      double trainingSeconds,
      double samplesPerSecond) {}

  /**
   * What a causal-LM teacher adds to its card.
   *
   * @param architecture the network's shape ({@link LmSpec}: family, vocabulary, context, layers,
   *     width, heads, MLP width), enough to rebuild it with {@code new CausalLm(architecture)}
   * @param vocabSize logits per position
   * @param maxSequenceLength the longest input (learned positions)
   * @param inputNames ONNX inputs: {@code input_ids}, {@code attention_mask} (int64, 1 = token)
   * @param outputName ONNX output, raw logits (batch, sequence, vocab)
   * @param parameters trainable values (embedding counted once: it is tied to the output)
   * @param tokenizer the tokenization every pipeline stage must use
   * @param training how it was trained
   * @param evaluation held-out cross-entropy
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LanguageModel(
      LmSpec architecture,
      int vocabSize,
      int maxSequenceLength,
      List<String> inputNames,
      String outputName,
      long parameters,
      Tokenizer tokenizer,
      LmTraining training,
      LmEvaluation evaluation) {}

  /**
   * The tokenizer of a causal LM.
   *
   * @param file file name in the model directory ({@code tokenizer.json}, Hugging Face format)
   * @param sha256 its sha256, the identity of the tokenization
   * @param kind e.g. {@code byte-level-bpe}
   * @param vocabSize ids it produces
   * @param endOfText the end-of-text token, separating documents
   * @param endOfTextId its id
   * @param trainedOn what the tokenizer was learnt from
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tokenizer(
      String file,
      String sha256,
      String kind,
      int vocabSize,
      String endOfText,
      int endOfTextId,
      String trainedOn) {}

  /**
   * How a causal LM was trained.
   *
   * @param engine DJL engine
   * @param threads PyTorch threads
   * @param steps optimizer updates
   * @param batchSize sequences per update
   * @param sequenceLength tokens per training sequence
   * @param tokensSeen tokens trained on (steps × batch × sequence length)
   * @param epochs tokens seen / training tokens
   * @param optimizer optimizer and schedule
   * @param learningRate peak learning rate
   * @param finalLearningRate learning rate at the end
   * @param warmupSteps linear warm-up steps
   * @param seed seeds initialisation and batch sampling
   * @param budget what ended the run, e.g. {@code 15 min} or {@code 2000 steps}
   * @param trainDocuments documents in the training corpus
   * @param trainBytes UTF-8 bytes of the training corpus
   * @param trainTokens its tokens
   * @param finalLoss mean training loss (nats per token) over the last 100 updates
   * @param trainingSeconds wall time of the update loop
   * @param tokensPerSecond training throughput
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LmTraining(
      String engine,
      int threads,
      int steps,
      int batchSize,
      int sequenceLength,
      long tokensSeen,
      double epochs,
      String optimizer,
      double learningRate,
      double finalLearningRate,
      int warmupSteps,
      long seed,
      String budget,
      int trainDocuments,
      long trainBytes,
      long trainTokens,
      double finalLoss,
      double trainingSeconds,
      double tokensPerSecond) {}

  /**
   * Held-out evaluation of a causal LM.
   *
   * @param dataset what was held out, e.g. {@code janeausten:persuasion}
   * @param documents documents scored
   * @param bytes their UTF-8 bytes
   * @param tokens their tokens
   * @param bytesPerToken bytes / tokens: how much text a token carries
   * @param bitsPerByte sum of −log₂ p over the tokens / bytes
   * @param natsPerToken mean −ln p per token
   * @param context window length of the evaluation
   * @param stride window advance (each token sees at least context − stride + 1 tokens once past
   *     the first window)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LmEvaluation(
      String dataset,
      int documents,
      long bytes,
      long tokens,
      double bytesPerToken,
      double bitsPerByte,
      double natsPerToken,
      int context,
      int stride) {}

  /**
   * One model file.
   *
   * @param name file name inside the model directory
   * @param sha256 lower-case hex sha256 of the file
   * @param bytes file size
   * @param format {@code onnx} (with {@code opset}), {@code djl-params} or {@code
   *     hf-tokenizer-json}
   * @param opset ONNX operator set version, null for other formats
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FileEntry(String name, String sha256, long bytes, String format, Integer opset) {}

  /**
   * Writes the card as {@value #FILE_NAME} into a model directory.
   *
   * @param dir the model directory
   * @return the written file
   * @throws IOException if it cannot be written
   */
  public Path write(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    Files.write(file, MAPPER.writeValueAsBytes(this));
    return file;
  }

  /**
   * Reads {@value #FILE_NAME} from a model directory.
   *
   * @param dir the model directory
   * @return the card
   * @throws IOException if the file is missing or not a valid card
   */
  public static TeacherCardFile read(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(
          file.toString(), null, "no teacher card in model directory " + dir);
    }
    try {
      return MAPPER.readValue(file.toFile(), TeacherCardFile.class);
    } catch (IOException e) {
      throw new IOException(file + ": not a valid teacher card: " + e.getMessage(), e);
    }
  }

  /**
   * Returns one of {@link #files()} by key.
   *
   * @param key {@value #FILE_ONNX}, {@value #FILE_PARAMS} or {@value #FILE_TOKENIZER}
   * @return the entry
   */
  public FileEntry file(String key) {
    FileEntry entry = files == null ? null : files.get(key);
    if (entry == null) {
      throw new IllegalStateException("teacher card " + id + " lists no '" + key + "' file");
    }
    return entry;
  }
}
