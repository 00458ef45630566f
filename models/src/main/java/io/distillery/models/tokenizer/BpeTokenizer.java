package io.distillery.models.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer as {@link BpeTrainer} learns it: 256 byte tokens (id = byte value),
 * one token per merge, then the end-of-text token. It encodes and decodes in Java, and writes
 * itself as a Hugging Face {@code tokenizer.json} (ByteLevel pre-tokenizer and decoder, BPE model)
 * that the tokenizers library encodes to exactly the same ids — the runtime path is always {@link
 * TextTokenizer}; this encoder exists to prove that equality and to need no native code in tests.
 */
public final class BpeTokenizer {
  /** GPT-2's end-of-text token. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> tokens;
  private final Map<String, Integer> ids;
  private final List<int[]> merges;
  private final Map<Long, Integer> mergeRank = new HashMap<>();
  private final String endOfText;
  private final int endOfTextId;
  private final Map<String, int[]> cache = new HashMap<>();

  /**
   * Creates a tokenizer.
   *
   * @param tokens token strings (byte-level characters) by id; the first 256 are the bytes
   * @param merges merges in rank order, each the ids of the left and right token
   * @param endOfText the end-of-text token, which must be the last of {@code tokens}
   */
  public BpeTokenizer(List<String> tokens, List<int[]> merges, String endOfText) {
    this.tokens = List.copyOf(tokens);
    this.merges = List.copyOf(merges);
    this.endOfText = endOfText;
    this.ids = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      ids.putIfAbsent(tokens.get(i), i);
    }
    for (int b = 0; b < 256; b++) {
      if (!String.valueOf(ByteLevel.byteToChar(b)).equals(tokens.get(b))) {
        throw new IllegalArgumentException("token " + b + " must be the byte-level char of " + b);
      }
    }
    this.endOfTextId = tokens.size() - 1;
    if (!tokens.get(endOfTextId).equals(endOfText)) {
      throw new IllegalArgumentException("the last token must be " + endOfText);
    }
    for (int r = 0; r < merges.size(); r++) {
      mergeRank.putIfAbsent(key(merges.get(r)[0], merges.get(r)[1]), r);
    }
  }

  /** Number of tokens, the end-of-text token included. */
  public int vocabSize() {
    return tokens.size();
  }

  /** Id of the end-of-text token (the last one). */
  public int endOfTextId() {
    return endOfTextId;
  }

  /** The end-of-text token. */
  public String endOfText() {
    return endOfText;
  }

  /** Token string of an id (byte-level characters). */
  public String token(int id) {
    return tokens.get(id);
  }

  /** Merges in rank order (left id, right id). */
  public List<int[]> merges() {
    return merges;
  }

  /**
   * Encodes text: occurrences of the end-of-text token become its id; the rest is pre-tokenized
   * with GPT-2's regex and each piece merged by rank, lowest first, leftmost first among equals.
   */
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    int from = 0;
    while (true) {
      int at = text.indexOf(endOfText, from);
      String part = at < 0 ? text.substring(from) : text.substring(from, at);
      for (String piece : ByteLevel.split(part)) {
        for (int id : encodePiece(ByteLevel.toByteChars(piece))) {
          out.add(id);
        }
      }
      if (at < 0) {
        break;
      }
      out.add(endOfTextId);
      from = at + endOfText.length();
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private int[] encodePiece(String byteChars) {
    int[] cached = cache.get(byteChars);
    if (cached != null) {
      return cached;
    }
    List<Integer> symbols = new ArrayList<>(byteChars.length());
    for (int i = 0; i < byteChars.length(); i++) {
      symbols.add(ByteLevel.charToByte(byteChars.charAt(i)));
    }
    while (symbols.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      int bestPos = -1;
      for (int i = 0; i + 1 < symbols.size(); i++) {
        Integer rank = mergeRank.get(key(symbols.get(i), symbols.get(i + 1)));
        if (rank != null && rank < bestRank) {
          bestRank = rank;
          bestPos = i;
        }
      }
      if (bestPos < 0) {
        break;
      }
      int[] merge = merges.get(bestRank);
      symbols.set(bestPos, ids.get(tokens.get(merge[0]) + tokens.get(merge[1])));
      symbols.remove(bestPos + 1);
    }
    int[] result = symbols.stream().mapToInt(Integer::intValue).toArray();
    if (cache.size() < 100_000) {
      cache.put(byteChars, result);
    }
    return result;
  }

  /** Decodes ids to text; the end-of-text token decodes to its string. */
  public String decode(int[] tokenIds) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringBuilder text = new StringBuilder();
    for (int id : tokenIds) {
      if (id == endOfTextId) {
        text.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8)).append(endOfText);
        bytes.reset();
      } else {
        ByteLevel.appendBytes(tokens.get(id), bytes);
      }
    }
    return text.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8)).toString();
  }

  /**
   * The Hugging Face {@code tokenizer.json}: GPT-2's layout (ByteLevel pre-tokenizer without a
   * prefix space, ByteLevel post-processor and decoder, BPE model without unknown token) with the
   * end-of-text token as a special added token.
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    ObjectNode eos = added.addObject();
    eos.put("id", endOfTextId);
    eos.put("content", endOfText);
    eos.put("single_word", false);
    eos.put("lstrip", false);
    eos.put("rstrip", false);
    eos.put("normalized", false);
    eos.put("special", true);
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(false, true));
    root.set("post_processor", byteLevel(true, false));
    root.set("decoder", byteLevel(true, true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int i = 0; i < tokens.size(); i++) {
      if (ids.get(tokens.get(i)) == i) {
        vocab.put(tokens.get(i), i);
      }
    }
    ArrayNode mergeList = model.putArray("merges");
    for (int[] merge : merges) {
      mergeList.add(tokens.get(merge[0]) + " " + tokens.get(merge[1]));
    }
    try {
      return JSON.writer(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter())
          .without(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise tokenizer.json", e);
    }
  }

  private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", "ByteLevel");
    node.put("add_prefix_space", addPrefixSpace);
    node.put("trim_offsets", trimOffsets);
    node.put("use_regex", true);
    return node;
  }

  /**
   * Writes {@link #toJson()} atomically.
   *
   * @param file e.g. {@code model-dir/tokenizer.json}
   * @throws IOException if it cannot be written
   */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads a {@code tokenizer.json} this class wrote (byte-level BPE, bytes as the first 256 ids,
   * one end-of-text added token as the last id).
   *
   * @param file the file
   * @return the tokenizer
   * @throws IOException if it is not such a file
   */
  public static BpeTokenizer read(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    JsonNode vocab = root.path("model").path("vocab");
    JsonNode added = root.path("added_tokens");
    if (!vocab.isObject() || !added.isArray() || added.size() != 1) {
      throw new IOException(file + ": not a Distillery byte-level BPE tokenizer.json");
    }
    Map<Integer, String> byId = new java.util.TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      byId.put(e.getValue().asInt(), e.getKey());
    }
    List<String> tokens = new ArrayList<>(byId.values());
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      ids.put(tokens.get(i), i);
    }
    List<int[]> merges = new ArrayList<>();
    for (JsonNode m : root.path("model").path("merges")) {
      String[] parts =
          m.isArray()
              ? new String[] {m.get(0).asText(), m.get(1).asText()}
              : m.asText().split(" ", 2);
      merges.add(new int[] {ids.get(parts[0]), ids.get(parts[1])});
    }
    return new BpeTokenizer(tokens, merges, added.get(0).path("content").asText());
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }
}
