package io.distillery.trainer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a job stands, saved as {@value #FILE} in each checkpoint: what the manifest does not say
 * but resuming needs. The manifest is the lineage; this file is the bookmark.
 *
 * @param format file format version
 * @param pass the pass this checkpoint belongs to (0-based)
 * @param passComplete whether the pass was read to its end; the next run starts the next pass
 * @param segment index of the next checkpoint segment within the pass (seeds its shuffling)
 * @param positions per partition, the next offset to read: everything before it is trained on (or
 *     skipped) and accounted for in this or an earlier manifest
 * @param passEnd per partition, the end (exclusive) of the pass, fixed when the pass started
 * @param skipped labels skipped so far, by reason (totals over the job)
 * @param lrTotalSteps steps of the job's learning-rate schedule, fixed when the job first needed
 *     them (a cosine schedule counts them when its first pass starts); 0 when the schedule does not
 *     depend on them, or in files written before schedules existed
 */
public record TrainerState(
    int format,
    int pass,
    boolean passComplete,
    int segment,
    Map<Integer, Long> positions,
    Map<Integer, Long> passEnd,
    Map<String, Long> skipped,
    long lrTotalSteps) {

  /** The file's name inside a checkpoint. */
  public static final String FILE = "trainer-state.json";

  /** The current format. */
  public static final int FORMAT = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Copies the maps (sorted, for stable files). */
  public TrainerState {
    positions = new TreeMap<>(positions);
    passEnd = new TreeMap<>(passEnd);
    skipped = new TreeMap<>(skipped);
  }

  /** The JSON bytes. */
  public byte[] toJson() throws IOException {
    return JSON.writeValueAsBytes(this);
  }

  /**
   * Parses the JSON bytes.
   *
   * @throws IOException when the bytes are not a state of a known format
   */
  public static TrainerState fromJson(byte[] json) throws IOException {
    TrainerState state = JSON.readValue(json, TrainerState.class);
    if (state.format() != FORMAT) {
      throw new IOException(
          FILE + " has format " + state.format() + ", this trainer reads format " + FORMAT);
    }
    return state;
  }
}
