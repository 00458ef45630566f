package io.distillery.teacher.task.causallm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LengthGroupsTest {

  @Test
  void equalLengthsShareOnePass() {
    List<int[]> groups = LengthGroups.of(new int[] {8, 8, 8, 8}, 0.25, 0);
    assertEquals(1, groups.size());
    assertArrayEquals(new int[] {0, 1, 2, 3}, groups.get(0));
  }

  @Test
  void similarLengthsGroupTogetherLongestFirstAndPaddingStaysBounded() {
    int[] lengths = {3, 128, 120, 4, 125, 2, 64, 60};
    List<int[]> groups = LengthGroups.of(lengths, 0.1, 8);
    assertEquals(3, groups.size());
    assertArrayEquals(new int[] {1, 4, 2}, groups.get(0));
    assertArrayEquals(new int[] {6, 7}, groups.get(1));
    // Tiny sequences share a pass: their few padded tokens are within the slack.
    assertArrayEquals(new int[] {3, 0, 5}, groups.get(2));
    int seen = 0;
    for (int[] group : groups) {
      int longest = lengths[group[0]];
      int real = Arrays.stream(group).map(i -> lengths[i]).sum();
      int padding = group.length * longest - real;
      assertTrue(padding <= Math.max(0.1 * real, 8), Arrays.toString(group));
      for (int i : group) {
        assertTrue(lengths[i] <= longest);
      }
      seen += group.length;
    }
    assertEquals(lengths.length, seen);
  }

  @Test
  void aLoneSequenceIsItsOwnGroup() {
    assertArrayEquals(new int[] {0}, LengthGroups.of(new int[] {5}, 0.25, 16).get(0));
    assertEquals(0, LengthGroups.of(new int[0], 0.25, 16).size());
  }
}
