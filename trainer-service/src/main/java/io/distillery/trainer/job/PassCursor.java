package io.distillery.trainer.job;

import io.distillery.trainer.checkpoint.TrainerState;
import io.distillery.trainer.labels.SoftLabel;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a job stands in its passes: the pass and its segment, the next offset to read per
 * partition, the end of the pass's range, and the next pass's range once the feed reads it ahead.
 * It is what a checkpoint's {@link TrainerState} saves and a resumed job restores.
 */
final class PassCursor {

  private int pass;
  private int segment;
  // Null between passes: the next pass's range is fixed when it starts.
  private Map<Integer, Long> positions;
  private Map<Integer, Long> end;
  private Map<Integer, Long> nextBegin;
  private Map<Integer, Long> nextEnd;

  private PassCursor(int pass, int segment, Map<Integer, Long> positions, Map<Integer, Long> end) {
    this.pass = pass;
    this.segment = segment;
    this.positions = positions;
    this.end = end;
  }

  /** A job that has not read anything yet. */
  static PassCursor fresh() {
    return new PassCursor(0, 0, null, null);
  }

  /** Where a checkpoint left the job: inside its pass, or before the next one. */
  static PassCursor restored(TrainerState state) {
    return state.passComplete()
        ? new PassCursor(state.pass() + 1, 0, null, null)
        : new PassCursor(
            state.pass(),
            state.segment(),
            new HashMap<>(state.positions()),
            new HashMap<>(state.passEnd()));
  }

  int pass() {
    return pass;
  }

  int segment() {
    return segment;
  }

  /** True once the pass's range is fixed (always, inside a pass). */
  boolean inPass() {
    return positions != null;
  }

  /** Fixes this pass's range, reading from {@code begin} up to {@code end}. */
  void startPass(Map<Integer, Long> begin, Map<Integer, Long> end) {
    this.positions = new HashMap<>(begin);
    this.end = new HashMap<>(end);
    this.segment = 0;
  }

  /** The next pass's range, read ahead by the feed. */
  void readAhead(Map<Integer, Long> begin, Map<Integer, Long> end) {
    nextBegin = begin;
    nextEnd = end;
  }

  /** True when the feed already reads the next pass's range. */
  boolean readingAhead() {
    return nextBegin != null;
  }

  /** Starts the pass whose range was read ahead; false when there is none. */
  boolean startReadAheadPass() {
    if (nextBegin == null) {
      return false;
    }
    startPass(nextBegin, nextEnd);
    return true;
  }

  /** Forgets the read-ahead range once this pass has taken it over. */
  void clearReadAhead() {
    nextBegin = null;
    nextEnd = null;
  }

  /** Records that {@code offset} of {@code partition} was read. */
  void read(int partition, long offset) {
    positions.put(partition, offset + 1);
  }

  /** True when every partition is read to the end of the pass's range. */
  boolean rangeRead() {
    for (Map.Entry<Integer, Long> last : end.entrySet()) {
      if (positions.getOrDefault(last.getKey(), 0L) < last.getValue()) {
        return false;
      }
    }
    return true;
  }

  void nextSegment() {
    segment++;
  }

  void nextPass() {
    pass++;
    segment = 0;
    positions = null;
    end = null;
  }

  /** The next offset to read per partition; the carried label, not yet trained on, is re-read. */
  Map<Integer, Long> checkpointPositions(Optional<SoftLabel> carry) {
    Map<Integer, Long> at = new TreeMap<>(positions);
    carry.ifPresent(label -> at.put(label.partition(), label.offset()));
    return at;
  }

  /** Shuffling is seeded per segment, so a resumed job draws the same batches. */
  long segmentSeed(long jobSeed) {
    return mix(mix(jobSeed, pass), segment);
  }

  /** A batch's seed (online views): a function of the job, the pass and the step. */
  long batchSeed(long jobSeed, long step) {
    return mix(mix(jobSeed, pass), step);
  }

  Map<Integer, Long> positions() {
    return positions;
  }

  Map<Integer, Long> end() {
    return end;
  }

  private static long mix(long seed, long value) {
    return seed * 0x9E3779B97F4A7C15L + value;
  }

  @Override
  public String toString() {
    return positions == null ? "(next pass)" : positions.toString();
  }
}
