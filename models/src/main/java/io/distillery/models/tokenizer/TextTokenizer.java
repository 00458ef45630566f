package io.distillery.models.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.models.digest.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Any Hugging Face {@code tokenizer.json} — Distillery's byte-level BPE, a user's GPT-2 or Llama
 * one — through one code path: the tokenizers library (Rust, via DJL) encodes and decodes; this
 * class adds what a language-model pipeline needs around it: the vocabulary size, the end-of-text
 * token and the file's sha256, which identifies the tokenization everywhere.
 *
 * <p>DJL's wrapper truncates to 512 tokens and pads by default; here neither happens, and special
 * tokens (e.g. Llama's BOS) are added only when asked for.
 */
public final class TextTokenizer implements AutoCloseable {
  /** File name inside a model directory. */
  public static final String FILE_NAME = "tokenizer.json";

  /** End-of-text tokens recognised when a tokenizer names none, in order of preference. */
  public static final List<String> KNOWN_END_OF_TEXT =
      List.of("<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>", "<|im_end|>");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HuggingFaceTokenizer tokenizer;
  private final Path file;
  private final String sha256;
  private final int vocabSize;
  private final String endOfText;
  private final int endOfTextId;
  private final boolean addSpecialTokens;

  private TextTokenizer(
      HuggingFaceTokenizer tokenizer,
      Path file,
      String sha256,
      int vocabSize,
      String endOfText,
      int endOfTextId,
      boolean addSpecialTokens) {
    this.tokenizer = tokenizer;
    this.file = file;
    this.sha256 = sha256;
    this.vocabSize = vocabSize;
    this.endOfText = endOfText;
    this.endOfTextId = endOfTextId;
    this.addSpecialTokens = addSpecialTokens;
  }

  /**
   * Loads a tokenizer without special tokens added on encoding and the end-of-text token found as
   * in {@link #load(Path, String, boolean)}.
   */
  public static TextTokenizer load(Path fileOrDir) throws IOException {
    return load(fileOrDir, null, false);
  }

  /**
   * Loads a {@code tokenizer.json}, from a Path only (a String name would go to the model hub).
   *
   * @param fileOrDir the file, or a directory holding {@value #FILE_NAME}
   * @param endOfText the end-of-text token; null to take {@code eos_token} from a {@code
   *     tokenizer_config.json} beside the file, else the first of {@link #KNOWN_END_OF_TEXT} the
   *     tokenizer has
   * @param addSpecialTokens whether {@link #encode} adds the tokenizer's special tokens (its
   *     post-processor's, e.g. a BOS)
   * @return the tokenizer; close it when done
   * @throws IOException if the file is missing, not a tokenizer, or has no end-of-text token
   */
  public static TextTokenizer load(Path fileOrDir, String endOfText, boolean addSpecialTokens)
      throws IOException {
    Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE_NAME) : fileOrDir;
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no tokenizer.json");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + ": not a JSON tokenizer file: " + e.getMessage(), e);
    }
    Map<String, Integer> specialIds = new java.util.LinkedHashMap<>();
    int maxId = -1;
    for (JsonNode added : root.path("added_tokens")) {
      specialIds.put(added.path("content").asText(), added.path("id").asInt());
      maxId = Math.max(maxId, added.path("id").asInt());
    }
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
        maxId = Math.max(maxId, it.next().asInt());
      }
    } else if (vocab.isArray()) {
      maxId = Math.max(maxId, vocab.size() - 1); // Unigram: [token, score] by id
    }
    if (maxId < 0) {
      throw new IOException(file + ": no vocabulary (model.vocab) and no added tokens");
    }
    String eos = endOfText != null ? endOfText : configuredEndOfText(file);
    if (eos == null) {
      for (String known : KNOWN_END_OF_TEXT) {
        if (specialIds.containsKey(known) || (vocab.isObject() && vocab.has(known))) {
          eos = known;
          break;
        }
      }
    }
    if (eos == null) {
      throw new IOException(
          file
              + ": no end-of-text token: none of "
              + KNOWN_END_OF_TEXT
              + " and no eos_token in tokenizer_config.json; name one explicitly");
    }
    Integer eosId = specialIds.get(eos);
    if (eosId == null && vocab.isObject() && vocab.has(eos)) {
      eosId = vocab.get(eos).asInt();
    }
    if (eosId == null) {
      throw new IOException(file + ": end-of-text token " + eos + " is not in the vocabulary");
    }
    HuggingFaceTokenizer hf;
    try {
      hf =
          HuggingFaceTokenizer.newInstance(
              file,
              Map.of(
                  "addSpecialTokens", Boolean.toString(addSpecialTokens),
                  "truncation", "false",
                  "padding", "false"));
    } catch (RuntimeException e) {
      throw new IOException(file + ": the tokenizers library rejects it: " + e.getMessage(), e);
    }
    return new TextTokenizer(hf, file, Sha256.file(file), maxId + 1, eos, eosId, addSpecialTokens);
  }

  private static String configuredEndOfText(Path file) throws IOException {
    Path config = file.resolveSibling("tokenizer_config.json");
    if (!Files.isRegularFile(config)) {
      return null;
    }
    JsonNode eos = JSON.readTree(config.toFile()).get("eos_token");
    if (eos == null || eos.isNull()) {
      return null;
    }
    return eos.isTextual() ? eos.asText() : eos.path("content").asText(null);
  }

  /** Token ids of a text (no truncation, no padding). */
  public long[] encode(String text) {
    Encoding encoding = tokenizer.encode(text, addSpecialTokens, false);
    return encoding.getIds();
  }

  /** Text of token ids, special tokens included. */
  public String decode(long[] ids) {
    return tokenizer.decode(ids, false);
  }

  /** Number of ids: the largest id in the vocabulary or the added tokens, plus one. */
  public int vocabSize() {
    return vocabSize;
  }

  /** The end-of-text token. */
  public String endOfText() {
    return endOfText;
  }

  /** Its id. */
  public int endOfTextId() {
    return endOfTextId;
  }

  /** Lower-case hex sha256 of the tokenizer.json file: the identity of this tokenization. */
  public String sha256() {
    return sha256;
  }

  /** The loaded file. */
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
