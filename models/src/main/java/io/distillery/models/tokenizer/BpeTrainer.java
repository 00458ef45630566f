package io.distillery.models.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Learns a byte-level BPE vocabulary (GPT-2's scheme) from texts: pre-tokenize with {@link
 * ByteLevel#split}, count the distinct pieces, then repeatedly merge the most frequent adjacent
 * pair of tokens (ties: the smallest left id, then the smallest right id, so a run is
 * reproducible), until the vocabulary holds {@code vocabSize} tokens: 256 bytes, the merges, and
 * the end-of-text token last.
 */
public final class BpeTrainer {
  /** The vocabulary size Distillery's teachers use by default. */
  public static final int DEFAULT_VOCAB_SIZE = 512;

  private final int vocabSize;
  private final String endOfText;

  /**
   * Creates a trainer.
   *
   * @param vocabSize tokens in the result, at least 257 (256 bytes and the end-of-text token)
   * @param endOfText the end-of-text token, e.g. {@link BpeTokenizer#END_OF_TEXT}
   */
  public BpeTrainer(int vocabSize, String endOfText) {
    if (vocabSize < 257) {
      throw new IllegalArgumentException(
          "BPE vocabulary size must be >= 257 (256 bytes + end of text), got " + vocabSize);
    }
    this.vocabSize = vocabSize;
    this.endOfText = endOfText;
  }

  /**
   * Learns the merges.
   *
   * @param texts the training texts (documents); the end-of-text token inside them is skipped
   * @return the tokenizer; fewer than {@code vocabSize} tokens only if the texts run out of pairs
   */
  public BpeTokenizer train(Iterable<String> texts) {
    Map<String, Integer> pieceCounts = new HashMap<>();
    for (String text : texts) {
      for (String part : text.split(java.util.regex.Pattern.quote(endOfText), -1)) {
        for (String piece : ByteLevel.split(part)) {
          pieceCounts.merge(ByteLevel.toByteChars(piece), 1, Integer::sum);
        }
      }
    }
    int n = pieceCounts.size();
    int[][] words = new int[n][];
    long[] freq = new long[n];
    int w = 0;
    for (Map.Entry<String, Integer> e : pieceCounts.entrySet()) {
      String chars = e.getKey();
      words[w] = new int[chars.length()];
      for (int i = 0; i < chars.length(); i++) {
        words[w][i] = ByteLevel.charToByte(chars.charAt(i));
      }
      freq[w++] = e.getValue();
    }

    List<String> tokens = new ArrayList<>();
    Map<String, Integer> ids = new HashMap<>();
    for (int b = 0; b < 256; b++) {
      String t = String.valueOf(ByteLevel.byteToChar(b));
      tokens.add(t);
      ids.put(t, b);
    }
    Map<Long, Long> pairCounts = new HashMap<>();
    Map<Long, Set<Integer>> pairWords = new HashMap<>();
    for (int i = 0; i < n; i++) {
      count(words[i], freq[i], i, pairCounts, pairWords);
    }

    List<int[]> merges = new ArrayList<>();
    while (tokens.size() < vocabSize - 1 && !pairCounts.isEmpty()) {
      long best = -1;
      long bestCount = 0;
      for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
        long c = e.getValue();
        if (c > bestCount || (c == bestCount && Long.compareUnsigned(e.getKey(), best) < 0)) {
          best = e.getKey();
          bestCount = c;
        }
      }
      if (bestCount <= 0) {
        break;
      }
      int left = (int) (best >>> 32);
      int right = (int) best;
      String merged = tokens.get(left) + tokens.get(right);
      Integer id = ids.get(merged);
      if (id == null) {
        id = tokens.size();
        tokens.add(merged);
        ids.put(merged, id);
      }
      merges.add(new int[] {left, right});
      for (int i : pairWords.getOrDefault(best, Set.of()).toArray(new Integer[0])) {
        if (!contains(words[i], left, right)) {
          continue;
        }
        uncount(words[i], freq[i], pairCounts);
        words[i] = merge(words[i], left, right, id);
        count(words[i], freq[i], i, pairCounts, pairWords);
      }
      pairCounts.remove(best);
      pairWords.remove(best);
    }
    tokens.add(endOfText);
    return new BpeTokenizer(tokens, merges, endOfText);
  }

  private static boolean contains(int[] word, int left, int right) {
    for (int i = 0; i + 1 < word.length; i++) {
      if (word[i] == left && word[i + 1] == right) {
        return true;
      }
    }
    return false;
  }

  /** Replaces non-overlapping occurrences of (left, right), left to right. */
  private static int[] merge(int[] word, int left, int right, int id) {
    int[] out = new int[word.length];
    int n = 0;
    for (int i = 0; i < word.length; i++) {
      if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
        out[n++] = id;
        i++;
      } else {
        out[n++] = word[i];
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static void count(
      int[] word, long freq, int index, Map<Long, Long> counts, Map<Long, Set<Integer>> where) {
    for (int i = 0; i + 1 < word.length; i++) {
      long key = ((long) word[i] << 32) | (word[i + 1] & 0xFFFFFFFFL);
      counts.merge(key, freq, Long::sum);
      where.computeIfAbsent(key, k -> new HashSet<>()).add(index);
    }
  }

  private static void uncount(int[] word, long freq, Map<Long, Long> counts) {
    for (int i = 0; i + 1 < word.length; i++) {
      long key = ((long) word[i] << 32) | (word[i + 1] & 0xFFFFFFFFL);
      long left = counts.merge(key, -freq, Long::sum);
      if (left <= 0) {
        counts.remove(key);
      }
    }
  }
}
