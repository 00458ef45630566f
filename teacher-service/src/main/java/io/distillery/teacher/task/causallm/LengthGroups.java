package io.distillery.teacher.task.causallm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a batch of sequences into forward passes of similar lengths, so that padding (work the
 * engine does for nothing) stays a bounded fraction of each pass.
 */
final class LengthGroups {

  private LengthGroups() {}

  /**
   * Groups sequences, longest first: a sequence joins the current group while the group's padding
   * (its size × its longest length, minus its real tokens) stays within {@code maxPadding} of its
   * real tokens, or within {@code slackTokens} (a few padded tokens cost less than another pass).
   *
   * @param lengths tokens per sequence, each at least 1
   * @param maxPadding the padding allowed as a fraction of the real tokens, e.g. 0.25
   * @param slackTokens padding always allowed, in tokens
   * @return indices into {@code lengths}, one array per group, each group longest first
   */
  static List<int[]> of(int[] lengths, double maxPadding, int slackTokens) {
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> -lengths[i]).thenComparing(i -> i));
    List<int[]> groups = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    long longest = 0;
    long real = 0;
    for (int index : order) {
      int length = lengths[index];
      long padding = (current.size() + 1) * longest - (real + length);
      boolean fits =
          !current.isEmpty()
              && padding <= Math.max(maxPadding * (real + length), (double) slackTokens);
      if (!current.isEmpty() && !fits) {
        groups.add(current.stream().mapToInt(Integer::intValue).toArray());
        current.clear();
      }
      if (current.isEmpty()) {
        longest = length;
        real = 0;
      }
      current.add(index);
      real += length;
    }
    if (!current.isEmpty()) {
      groups.add(current.stream().mapToInt(Integer::intValue).toArray());
    }
    return groups;
  }
}
