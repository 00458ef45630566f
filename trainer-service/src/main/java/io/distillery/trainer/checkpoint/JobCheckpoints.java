package io.distillery.trainer.checkpoint;

import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.trainer.training.StudentTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * One job's checkpoints: writes them atomically through {@link CheckpointStore} ({@value
 * StudentModels#PARAMS_FILE}, {@value #OPTIMIZER_FILE}, {@value TrainerState#FILE} and the
 * manifest), announces each one, and finds where to resume.
 *
 * <p>An announcement is recorded as delivered by a marker file {@code .published/step-<n>} in the
 * job directory (outside the checkpoint, whose files are sealed by their digests). A checkpoint
 * whose announcement failed, or was cut off by a crash, is announced again later — at least once;
 * the event's manifest sha256 lets consumers drop a duplicate.
 */
public final class JobCheckpoints {

  /** Adam's moments and step counts. */
  public static final String OPTIMIZER_FILE = "optimizer.state";

  private static final Logger LOG = Logger.getLogger(JobCheckpoints.class);
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
  private static final String PUBLISHED = ".published";

  /** Test seam: called before each checkpoint file is written (a crash can be simulated there). */
  @FunctionalInterface
  public interface FileHook {
    void beforeFile(long step, String file) throws IOException;
  }

  private final CheckpointStore store;
  private final String jobId;
  private final CheckpointPublisher publisher;
  private final FileHook hook;
  private final Deque<Checkpoint> unpublished = new ArrayDeque<>();

  public JobCheckpoints(Path root, String jobId, CheckpointPublisher publisher, FileHook hook) {
    this.store = new CheckpointStore(root);
    this.jobId = jobId;
    this.publisher = publisher;
    this.hook = hook;
  }

  /** The job's checkpoint directory. */
  public Path jobDir() {
    return store.jobDir(jobId);
  }

  /**
   * The latest complete checkpoint and its files, or {@link Resume#fresh()}. Newer {@code step-*}
   * directories that fail verification are moved aside ({@code .damaged-step-<n>-<time>}) so the
   * resumed job can write those steps again; an unannounced latest checkpoint is announced.
   */
  public Resume resume() throws IOException {
    Optional<Checkpoint> latest = store.latest(jobId);
    long latestStep = latest.map(c -> c.manifest().getStep()).orElse(-1L);
    quarantineNewerThan(latestStep);
    if (latest.isEmpty()) {
      return Resume.fresh();
    }
    Checkpoint checkpoint = latest.get();
    TrainerState state =
        TrainerState.fromJson(Files.readAllBytes(checkpoint.file(TrainerState.FILE)));
    byte[] parameters = Files.readAllBytes(checkpoint.file(StudentModels.PARAMS_FILE));
    Path optimizer = checkpoint.file(OPTIMIZER_FILE);
    byte[] optimizerState = Files.exists(optimizer) ? Files.readAllBytes(optimizer) : null;
    if (!Files.exists(marker(checkpoint.manifest().getStep()))) {
      unpublished.add(checkpoint);
      publishPending();
    }
    return new Resume(latest, state, parameters, optimizerState);
  }

  /**
   * Writes a checkpoint and announces it.
   *
   * @param manifest the manifest (files are added by the store)
   * @return the written checkpoint
   * @throws IOException when it cannot be written; nothing partial becomes visible
   */
  public Checkpoint write(CheckpointEvent manifest, StudentTrainer student, TrainerState state)
      throws IOException {
    long step = manifest.getStep();
    Map<String, CheckpointStore.FileContent> files = new LinkedHashMap<>();
    files.put(
        StudentModels.PARAMS_FILE,
        out -> {
          hook.beforeFile(step, StudentModels.PARAMS_FILE);
          student.writeParameters(out);
        });
    if (student.hasOptimizerState()) {
      files.put(
          OPTIMIZER_FILE,
          out -> {
            hook.beforeFile(step, OPTIMIZER_FILE);
            student.writeOptimizerState(out);
          });
    }
    byte[] stateJson = state.toJson();
    files.put(
        TrainerState.FILE,
        out -> {
          hook.beforeFile(step, TrainerState.FILE);
          out.write(stateJson);
        });
    Checkpoint checkpoint = store.write(manifest, files);
    unpublished.add(checkpoint);
    publishPending();
    return checkpoint;
  }

  /** Checkpoints written but not (yet) announced. */
  public int unpublishedCount() {
    return unpublished.size();
  }

  private void publishPending() {
    while (!unpublished.isEmpty()) {
      Checkpoint next = unpublished.peek();
      try {
        publisher.publish(next.event());
        Files.createDirectories(jobDir().resolve(PUBLISHED));
        Files.write(marker(next.manifest().getStep()), new byte[0]);
        unpublished.poll();
      } catch (Exception e) {
        LOG.warnf(
            "checkpoint %s was written but its event could not be published (%s); retrying with"
                + " the next checkpoint",
            next.dir(), e.getMessage());
        return;
      }
    }
  }

  private Path marker(long step) {
    return jobDir().resolve(PUBLISHED).resolve("step-" + step);
  }

  private void quarantineNewerThan(long latestStep) throws IOException {
    Path dir = jobDir();
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : entries.toList()) {
        if (entry.getFileName().toString().startsWith(".tmp-")) {
          // Left by a write that a crash cut off; this job's only writer is this process.
          deleteRecursively(entry);
          continue;
        }
        Matcher m = STEP_DIR.matcher(entry.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) > latestStep) {
          Path aside =
              dir.resolve(".damaged-" + entry.getFileName() + "-" + System.currentTimeMillis());
          LOG.warnf(
              "checkpoint %s fails verification; moved aside to %s, resuming from step %d",
              entry, aside, latestStep);
          Files.move(entry, aside, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
