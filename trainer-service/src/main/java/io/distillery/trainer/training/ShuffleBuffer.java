package io.distillery.trainer.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A bounded pool of labels from which batches are drawn at random: the log is read in offset order,
 * and the pool turns that into a shuffled order without holding a pass in memory. Deterministic for
 * a given seed and insertion order, so a resumed job draws the batches an uninterrupted one would.
 *
 * @param <T> the buffered items
 */
public final class ShuffleBuffer<T> {

  private final int capacity;
  private final List<T> items;
  private Random random;

  public ShuffleBuffer(int capacity, long seed) {
    if (capacity < 1) {
      throw new IllegalArgumentException("shuffle buffer capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.items = new ArrayList<>(capacity);
    this.random = new Random(seed);
  }

  /** Restarts the random sequence (at a checkpoint boundary, so resuming repeats it). */
  public void reseed(long seed) {
    random = new Random(seed);
  }

  public boolean isFull() {
    return items.size() >= capacity;
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  public int size() {
    return items.size();
  }

  /** Adds an item; the buffer must not be full. */
  public void add(T item) {
    if (isFull()) {
      throw new IllegalStateException("shuffle buffer is full (" + capacity + ")");
    }
    items.add(item);
  }

  /** Removes and returns {@code min(count, size())} items chosen uniformly at random. */
  public List<T> draw(int count) {
    int n = Math.min(count, items.size());
    List<T> drawn = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int pick = random.nextInt(items.size());
      int last = items.size() - 1;
      drawn.add(items.get(pick));
      items.set(pick, items.get(last));
      items.remove(last);
    }
    return drawn;
  }
}
