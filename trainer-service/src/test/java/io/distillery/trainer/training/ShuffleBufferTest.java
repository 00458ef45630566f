package io.distillery.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The bounded shuffle. Plain JUnit: pure logic. */
class ShuffleBufferTest {

  private static List<Integer> drain(ShuffleBuffer<Integer> buffer, int batch) {
    List<Integer> out = new ArrayList<>();
    while (!buffer.isEmpty()) {
      out.addAll(buffer.draw(batch));
    }
    return out;
  }

  private static ShuffleBuffer<Integer> filled(long seed) {
    ShuffleBuffer<Integer> buffer = new ShuffleBuffer<>(100, seed);
    IntStream.range(0, 100).forEach(buffer::add);
    return buffer;
  }

  @Test
  void drawsEveryItemExactlyOnceInAShuffledOrder() {
    List<Integer> drawn = drain(filled(1), 32);

    assertEquals(IntStream.range(0, 100).boxed().toList(), drawn.stream().sorted().toList());
    assertNotEquals(IntStream.range(0, 100).boxed().toList(), drawn);
    assertEquals(4, drawn.size() - 96, "the last batch is partial");
  }

  @Test
  void theSameSeedAndInsertionsDrawTheSameBatches() {
    assertEquals(drain(filled(7), 10), drain(filled(7), 10));
    assertNotEquals(drain(filled(7), 10), drain(filled(8), 10));
  }

  @Test
  void isBounded() {
    ShuffleBuffer<Integer> buffer = filled(1);
    assertTrue(buffer.isFull());
    assertThrows(IllegalStateException.class, () -> buffer.add(100));
  }
}
