package io.distillery.trainer.job;

import io.distillery.proto.v1.OffsetRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The offsets consumed since the last checkpoint, one contiguous range per partition (records are
 * read in offset order, and a checkpoint is only written once everything read is trained on).
 */
public final class ConsumedRanges {

  private final Map<Integer, long[]> ranges = new TreeMap<>();

  /** Records that {@code offset} of {@code partition} was consumed. */
  public void add(int partition, long offset) {
    long[] range = ranges.get(partition);
    if (range == null) {
      ranges.put(partition, new long[] {offset, offset});
    } else if (offset != range[1] + 1 && offset <= range[1]) {
      throw new IllegalStateException(
          "offset " + offset + " of partition " + partition + " consumed twice or out of order");
    } else {
      range[1] = offset;
    }
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  public void clear() {
    ranges.clear();
  }

  /** The ranges as recorded in a manifest. */
  public List<OffsetRange> toProto(String topic) {
    List<OffsetRange> out = new ArrayList<>();
    ranges.forEach(
        (partition, range) ->
            out.add(
                OffsetRange.newBuilder()
                    .setTopic(topic)
                    .setPartition(partition)
                    .setFromOffset(range[0])
                    .setToOffset(range[1])
                    .build()));
    return out;
  }
}
