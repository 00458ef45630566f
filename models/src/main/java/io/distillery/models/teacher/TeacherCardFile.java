package io.distillery.models.teacher;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
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
 * @param task {@value #TASK_CLASSIFICATION}
 * @param network network name for {@link io.distillery.models.nn.Networks#byName}
 * @param inputName name of the ONNX input
 * @param inputShape shape of one input sample, e.g. [1, 28, 28]
 * @param outputName name of the ONNX output
 * @param output what the outputs are: {@value #OUTPUT_LOGITS} (apply log-softmax, with a
 *     temperature, yourself) or {@code log_softmax}
 * @param outputSize number of classes
 * @param licenseSpdx SPDX licence id of the model
 * @param distillation {@value #DISTILLATION_ALLOWED} or {@code forbidden}
 * @param classNames class names, index = class id
 * @param dataset data set the teacher was trained on
 * @param training how it was trained and how well it does
 * @param files the model files: {@code onnx} and {@code params}
 * @param createdAt ISO-8601 instant the card was written
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
    String createdAt) {

  /** File name of the card inside a model directory. */
  public static final String FILE_NAME = "teacher-card.json";

  /** Value of {@link #task()} for classifiers. */
  public static final String TASK_CLASSIFICATION = "classification";

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
   * One model file.
   *
   * @param name file name inside the model directory
   * @param sha256 lower-case hex sha256 of the file
   * @param bytes file size
   * @param format {@code onnx} (with {@code opset}) or {@code djl-params}
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
   * @param key {@value #FILE_ONNX} or {@value #FILE_PARAMS}
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
