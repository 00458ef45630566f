package io.distillery.trainer.job;

import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.trainer.checkpoint.JobCheckpoints;
import io.distillery.trainer.checkpoint.Resume;
import io.distillery.trainer.checkpoint.TrainerState;
import io.distillery.trainer.labels.FeedItem;
import io.distillery.trainer.labels.LabelFeed;
import io.distillery.trainer.labels.LabelRejectedException;
import io.distillery.trainer.labels.SkipReason;
import io.distillery.trainer.labels.SoftLabel;
import io.distillery.trainer.metrics.JobMetrics;
import io.distillery.trainer.training.LabeledBatch;
import io.distillery.trainer.training.LearningRateSchedule;
import io.distillery.trainer.training.ShuffleBuffer;
import io.distillery.trainer.training.StepResult;
import io.distillery.trainer.training.StudentTrainer;
import io.distillery.trainer.training.TargetSource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Runs one distillation job: reads the soft-label log pass by pass, shuffles through a bounded
 * buffer, trains the student, and writes checkpoints that are the job's only commit. Kafka-free —
 * the log is a {@link LabelFeed} — so it is tested without a broker.
 *
 * <h2>Exactly once per pass</h2>
 *
 * A pass reads every partition from its beginning to the end offsets seen when the pass started. A
 * pass is cut into segments of {@code checkpoint-interval × batch-size} usable labels; a segment's
 * labels are all trained on (the buffer is drained, in full batches) before its checkpoint is
 * written, so each checkpoint records a contiguous offset range per partition and the next offset
 * to read. After a crash at any point the job restarts from its latest complete checkpoint — the
 * student, Adam's state and the read positions together — so steps taken after that checkpoint are
 * redone from the same labels and nothing is counted twice. The first usable label after a full
 * segment is carried into the next one, so a pass always ends with a step and its own checkpoint.
 * Shuffling is seeded per segment and batches are drawn only from a full buffer (or a segment that
 * takes no more labels), never because records are late, so with one partition a resumed job draws
 * the same batches as an uninterrupted one.
 */
public final class DistillationService {

  private static final Logger LOG = Logger.getLogger(DistillationService.class);
  private static final Duration WAIT = Duration.ofMillis(200);
  private static final int LOGGED_SKIPS_PER_REASON = 20;

  private final JobSpec spec;
  private final LabelFeed feed;
  private final TargetSource targets;
  private final JobCheckpoints checkpoints;
  private final JobMetrics metrics;
  private final JobHooks hooks;
  // The job's schedule; a cosine's total steps are fixed once (configured, restored or counted).
  private LearningRateSchedule schedule;

  private volatile boolean stopRequested;
  private volatile JobStatus status = JobStatus.of(JobStatus.State.STARTING, "starting");
  private volatile long step;
  private long samplesSeen;
  private long lastCheckpointStep = -1;
  private PassCursor cursor = PassCursor.fresh();
  private final TeacherCards teachers = new TeacherCards();
  private final Map<SkipReason, Long> skippedNow = new EnumMap<>(SkipReason.class);
  private final Map<String, Long> skippedTotal = new TreeMap<>();

  public DistillationService(
      JobSpec spec,
      LabelFeed feed,
      TargetSource targets,
      JobCheckpoints checkpoints,
      JobMetrics metrics,
      JobHooks hooks) {
    this.spec = spec;
    this.feed = feed;
    this.targets = targets;
    this.checkpoints = checkpoints;
    this.metrics = metrics;
    this.hooks = hooks;
    this.schedule = spec.lrSchedule();
  }

  /** What the job is doing. */
  public JobStatus status() {
    return status;
  }

  /** Optimizer steps taken so far (over all runs of the job). */
  public long step() {
    return step;
  }

  /** Labels skipped by this run, by reason. */
  public synchronized Map<SkipReason, Long> skipped() {
    return new EnumMap<>(skippedNow);
  }

  /**
   * Asks the job to stop at its next step boundary, without a checkpoint: like a crash, the next
   * run resumes from the latest checkpoint.
   */
  public void stop() {
    stopRequested = true;
  }

  /**
   * Runs the job in the calling thread until every pass is done or {@link #stop()} is called.
   *
   * @throws IncompatibleJobException when teacher and student do not fit (before the first step)
   * @throws Exception when reading, training or checkpointing fails
   */
  public JobResult run() throws Exception {
    metrics.running(true);
    metrics.failed(false);
    try {
      JobResult result = runJob();
      status =
          result.finished()
              ? JobStatus.of(JobStatus.State.FINISHED, "finished at step " + result.step())
              : JobStatus.of(JobStatus.State.STOPPED, "stopped at step " + result.step());
      return result;
    } catch (Exception | Error e) {
      status = JobStatus.of(JobStatus.State.FAILED, e.getMessage());
      metrics.failed(true);
      throw e;
    } finally {
      metrics.running(false);
    }
  }

  private JobResult runJob() throws Exception {
    Resume resume = checkpoints.resume();
    restore(resume);
    if (resume.finished()) {
      LOG.infof("job %s already finished (final checkpoint at step %d)", spec.jobId(), step);
      return new JobResult(true, step, samplesSeen, cursor.pass() - 1);
    }
    try (StudentTrainer student =
        new StudentTrainer(
            spec.network(),
            spec.loss(),
            spec.optimizer(),
            spec.learningRate(),
            spec.seed(),
            resume.parameters(),
            resume.optimizerState())) {
      if (!targets.usesStoredDistributions()) {
        status = JobStatus.of(JobStatus.State.WAITING_FOR_TEACHER, "describing the teacher");
      }
      targets.open(() -> stopRequested);
      LabelAdmission admission = new LabelAdmission(spec, targets.usesStoredDistributions());
      metrics.lag(feed::lag);
      metrics.step(step);
      while (cursor.pass() < spec.passes()) {
        metrics.pass(cursor.pass());
        if (!cursor.inPass() && !startPass()) {
          return stopped();
        }
        if (!runPass(student, admission)) {
          return stopped();
        }
        cursor.nextPass();
      }
      LOG.infof(
          "job %s finished: %d passes, %d steps, %d samples",
          spec.jobId(), cursor.pass(), step, samplesSeen);
      return new JobResult(true, step, samplesSeen, spec.passes() - 1);
    }
  }

  private JobResult stopped() {
    LOG.infof(
        "job %s stopped at step %d (pass %d) without a checkpoint",
        spec.jobId(), step, cursor.pass());
    return new JobResult(false, step, samplesSeen, cursor.pass());
  }

  private void restore(Resume resume) {
    if (resume.checkpoint().isEmpty()) {
      LOG.infof("job %s starts fresh: no checkpoint in %s", spec.jobId(), checkpoints.jobDir());
      return;
    }
    Checkpoint checkpoint = resume.checkpoint().get();
    CheckpointEvent manifest = checkpoint.manifest();
    TrainerState state = resume.state();
    step = manifest.getStep();
    samplesSeen = manifest.getSamplesSeen();
    lastCheckpointStep = step;
    teachers.addAll(manifest.getTeachersList());
    skippedTotal.putAll(state.skipped());
    if (schedule.needsTotalSteps() && schedule.totalSteps() == 0 && state.lrTotalSteps() > 0) {
      schedule = schedule.withTotalSteps(state.lrTotalSteps());
    }
    cursor = PassCursor.restored(state);
    LOG.infof(
        "job %s resumes from %s: step %d, pass %d, %d samples seen, read positions %s",
        spec.jobId(), checkpoint.dir(), step, cursor.pass(), samplesSeen, cursor);
  }

  /** Fixes the pass's range: the log's start to its end now; waits while the log is empty. */
  private boolean startPass() throws InterruptedException {
    if (cursor.startReadAheadPass()) {
      LOG.infof(
          "job %s: pass %d reads %s from %s to %s",
          spec.jobId(), cursor.pass(), spec.topic(), cursor.positions(), cursor.end());
      return true;
    }
    boolean logged = false;
    while (!stopRequested) {
      Map<Integer, Long> begin = feed.beginningOffsets();
      Map<Integer, Long> end = feed.endOffsets();
      boolean any = end.entrySet().stream().anyMatch(e -> e.getValue() > begin.get(e.getKey()));
      if (any) {
        cursor.startPass(begin, end);
        LOG.infof(
            "job %s: pass %d reads %s from %s to %s",
            spec.jobId(), cursor.pass(), spec.topic(), begin, end);
        return true;
      }
      if (!logged) {
        status = JobStatus.of(JobStatus.State.WAITING_FOR_LABELS, "no labels on " + spec.topic());
        LOG.infof("job %s waits for soft labels on %s", spec.jobId(), spec.topic());
        logged = true;
      }
      TimeUnit.SECONDS.sleep(1);
    }
    return false;
  }

  private record InFlight(List<SoftLabel> labels, CompletableFuture<LabeledBatch> batch) {}

  /**
   * One segment's reading state: the shuffle buffer, the offsets it consumed, how many usable
   * labels it took, the first label past its quota (carried into the next segment) and whether the
   * pass's range is read to its end.
   */
  private static final class Segment {
    final ShuffleBuffer<SoftLabel> buffer;
    final ConsumedRanges consumed = new ConsumedRanges();
    final long quota;
    long taken;
    SoftLabel carry;
    boolean ended;

    Segment(ShuffleBuffer<SoftLabel> buffer, long quota, boolean ended) {
      this.buffer = buffer;
      this.quota = quota;
      this.ended = ended;
    }

    /** Past the quota only rejected records and the next segment's first label are taken. */
    boolean wantsMore() {
      return !ended && carry == null && (taken >= quota || !buffer.isFull());
    }

    boolean closing() {
      return ended || carry != null;
    }

    /**
     * A batch is drawn only from a full buffer, or once the segment takes no more labels: then
     * every draw sees the same labels and the same random numbers however records arrive, and a
     * resumed job draws the batches of an uninterrupted one.
     */
    boolean drawable() {
      return !buffer.isEmpty() && (buffer.isFull() || closing() || taken >= quota);
    }

    void take(SoftLabel admitted) {
      if (taken < quota) {
        consumed.add(admitted.partition(), admitted.offset());
        buffer.add(admitted);
        taken++;
      } else {
        carry = admitted;
      }
    }

    /** The next segment starts with the carried label. */
    void startNext(long seed) {
      consumed.clear();
      buffer.reseed(seed);
      consumed.add(carry.partition(), carry.offset());
      buffer.add(carry);
      taken = 1;
      carry = null;
    }
  }

  /** Trains one pass (or its rest, after a resume); false when stopped. */
  private boolean runPass(StudentTrainer student, LabelAdmission admission) throws Exception {
    status = JobStatus.of(JobStatus.State.TRAINING, "pass " + cursor.pass());
    if (!cursor.readingAhead()) {
      feed.start(cursor.positions(), cursor.end());
    }
    cursor.clearReadAhead();
    resolveSchedule();
    long quota =
        spec.checkpointInterval() > 0
            ? (long) spec.checkpointInterval() * spec.batchSize()
            : Long.MAX_VALUE;
    Segment segment =
        new Segment(
            new ShuffleBuffer<>(spec.shuffleBuffer(), cursor.segmentSeed(spec.seed())),
            quota,
            cursor.rangeRead());
    Deque<InFlight> inFlight = new ArrayDeque<>();
    while (true) {
      if (stopRequested) {
        cancel(inFlight);
        return false;
      }
      read(segment, admission, inFlight);
      if (segment.ended && !cursor.readingAhead()) {
        readNextPassAhead();
      }
      if (labelAhead(segment, inFlight)) {
        // Refill before the next draw, so that it too is made from a full buffer.
        continue;
      }
      if (!inFlight.isEmpty()) {
        if (!trainOldest(student, inFlight)) {
          return false;
        }
        continue;
      }
      if (!segment.closing()) {
        continue;
      }
      boolean passDone = segment.carry == null;
      commit(student, segment, passDone);
      if (passDone) {
        return true;
      }
      cursor.nextSegment();
      segment.startNext(cursor.segmentSeed(spec.seed()));
    }
  }

  /** Reads until the buffer is full, the segment has its labels, or the pass's range ends. */
  private void read(Segment segment, LabelAdmission admission, Deque<InFlight> inFlight)
      throws InterruptedException, IncompatibleJobException {
    while (segment.wantsMore()) {
      FeedItem item = feed.poll(WAIT);
      if (item == null) {
        // Nothing yet: train what is in flight meanwhile, but never draw from a buffer that is
        // not full because records are late (the batches would depend on the feed's timing).
        if (stopRequested || !inFlight.isEmpty()) {
          return;
        }
        continue;
      }
      if (item instanceof FeedItem.EndOfRange) {
        segment.ended = true;
        return;
      }
      if (item instanceof FeedItem.Rejected rejected) {
        cursor.read(rejected.partition(), rejected.offset());
        segment.consumed.add(rejected.partition(), rejected.offset());
        skip(rejected.reason(), rejected.detail(), rejected.partition(), rejected.offset());
      } else if (item instanceof FeedItem.Label read) {
        SoftLabel label = read.label();
        cursor.read(label.partition(), label.offset());
        try {
          segment.take(targets.select(admission.admit(label)));
        } catch (LabelRejectedException e) {
          segment.consumed.add(label.partition(), label.offset());
          skip(e.reason(), e.getMessage(), label.partition(), label.offset());
        }
      }
      if (cursor.rangeRead()) {
        segment.ended = true;
      }
    }
  }

  /**
   * Draws one batch and has it labelled, if fewer than max-in-flight are (online: teacher calls
   * overlap steps) and the buffer may be drawn from; true when it drew.
   */
  private boolean labelAhead(Segment segment, Deque<InFlight> inFlight) {
    int batch = spec.batchSize();
    if (inFlight.size() >= targets.maxInFlight() || !segment.drawable()) {
      return false;
    }
    List<SoftLabel> drawn = segment.buffer.draw(batch);
    long batchSeed = cursor.batchSeed(spec.seed(), step + inFlight.size() + 1);
    inFlight.add(new InFlight(drawn, targets.label(drawn, batchSeed)));
    return true;
  }

  /** Trains the oldest batch in flight; false when the job was stopped while waiting for it. */
  private boolean trainOldest(StudentTrainer student, Deque<InFlight> inFlight) throws Exception {
    LabeledBatch labelled = await(inFlight.poll());
    if (labelled == null) {
      cancel(inFlight);
      return false;
    }
    if (labelled.size() > 0) {
      train(student, labelled);
    }
    return true;
  }

  /** Everything read in the segment is trained on: its checkpoint commits it. */
  private void commit(StudentTrainer student, Segment segment, boolean passDone) throws Exception {
    if (step > lastCheckpointStep) {
      checkpoint(student, segment.consumed, passDone, Optional.ofNullable(segment.carry));
    } else if (!segment.consumed.isEmpty()) {
      LOG.warnf(
          "job %s: pass %d ended without a usable label since step %d; its last skipped records"
              + " are in no manifest",
          spec.jobId(), cursor.pass(), step);
    }
  }

  /**
   * Fixes a cosine schedule's length before its first step when it is not configured: passes ×
   * steps of this pass, counted from its offset range (a resumed job has it from its checkpoint).
   */
  private void resolveSchedule() {
    if (!schedule.needsTotalSteps() || schedule.totalSteps() > 0) {
      return;
    }
    Map<Integer, Long> begin = feed.beginningOffsets();
    long records = 0;
    for (Map.Entry<Integer, Long> end : cursor.end().entrySet()) {
      records += Math.max(0, end.getValue() - begin.getOrDefault(end.getKey(), 0L));
    }
    long perPass = Math.max(1, (records + spec.batchSize() - 1) / spec.batchSize());
    long total = Math.max(schedule.warmupSteps() + 1, spec.passes() * perPass);
    schedule = schedule.withTotalSteps(total);
    LOG.infof(
        "job %s: learning rate %s (%d passes × %d steps of %d records)",
        spec.jobId(), schedule.describe(), spec.passes(), perPass, records);
  }

  /**
   * Once a pass is read to its end, the feed starts reading the next one while this pass's last
   * batches train and its checkpoint is written: the pass boundary costs no waiting for Kafka. The
   * next pass's labels are only taken after the checkpoint, so accounting is unchanged.
   */
  private void readNextPassAhead() {
    if (cursor.pass() + 1 >= spec.passes()) {
      return;
    }
    Map<Integer, Long> begin = feed.beginningOffsets();
    Map<Integer, Long> end = feed.endOffsets();
    if (end.entrySet().stream().anyMatch(e -> e.getValue() > begin.get(e.getKey()))) {
      feed.start(begin, end);
      cursor.readAhead(begin, end);
    }
  }

  /** The batch's labels, waiting through teacher outages; null when stopped. */
  private LabeledBatch await(InFlight next) throws Exception {
    long start = System.nanoTime();
    boolean waiting = false;
    try {
      while (true) {
        try {
          LabeledBatch batch = next.batch().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          if (!targets.usesStoredDistributions()) {
            metrics.teacherWaited(Duration.ofNanos(System.nanoTime() - start));
          }
          return batch;
        } catch (TimeoutException e) {
          if (stopRequested) {
            next.batch().cancel(true);
            return null;
          }
          if (!waiting && System.nanoTime() - start > 2_000_000_000L) {
            waiting = true;
            status = JobStatus.of(JobStatus.State.WAITING_FOR_TEACHER, "waiting for the teacher");
          }
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TeacherRejectedException rejected) {
        for (SoftLabel label : next.labels()) {
          skip(
              SkipReason.TEACHER_REJECTED,
              rejected.getMessage(),
              label.partition(),
              label.offset());
        }
        return LabeledBatch.empty();
      }
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      if (waiting) {
        status = JobStatus.of(JobStatus.State.TRAINING, "pass " + cursor.pass());
      }
    }
  }

  private void train(StudentTrainer student, LabeledBatch batch) {
    StepResult loss = student.step(batch, schedule.at(step));
    if (loss.applied() && !Float.isFinite(loss.total())) {
      throw new IllegalStateException(
          "job "
              + spec.jobId()
              + ": loss is "
              + loss.total()
              + " at step "
              + (step + 1)
              + "; lower distillery.trainer.learning-rate (now "
              + spec.learningRate()
              + ")");
    }
    step++;
    samplesSeen += batch.size();
    teachers.addAll(batch.teachers());
    metrics.stepped(step, batch.size(), batch.positions(), loss);
    hooks.afterStep(cursor.pass(), step, batch.size(), loss);
  }

  private void checkpoint(
      StudentTrainer student, ConsumedRanges consumed, boolean passDone, Optional<SoftLabel> carry)
      throws Exception {
    long started = System.nanoTime();
    Map<Integer, Long> at = cursor.checkpointPositions(carry);
    boolean last = passDone && cursor.pass() == spec.passes() - 1;
    CheckpointEvent manifest =
        CheckpointEvent.newBuilder()
            .setJobId(spec.jobId())
            .setStep(step)
            .setPass(cursor.pass())
            .setSamplesSeen(samplesSeen)
            .addAllConsumed(consumed.toProto(spec.topic()))
            .addAllTeachers(teachers.cards())
            .setLoss(spec.loss().toProto())
            .setStudent(StudentModels.withParameterCount(spec.student(), student.parameterCount()))
            .setCreatedAtMs(System.currentTimeMillis())
            .setFinal(last)
            .build();
    TrainerState state;
    synchronized (this) {
      state =
          new TrainerState(
              TrainerState.FORMAT,
              cursor.pass(),
              passDone,
              cursor.segment() + 1,
              at,
              cursor.end(),
              skippedTotal,
              schedule.needsTotalSteps() ? schedule.totalSteps() : 0);
    }
    Checkpoint written = checkpoints.write(manifest, student, state);
    lastCheckpointStep = step;
    feed.commit(at, "checkpoint " + written.dir().getFileName());
    metrics.checkpointWritten(Duration.ofNanos(System.nanoTime() - started));
    LOG.infof(
        "job %s: checkpoint %s (pass %d%s, %d samples seen, learning rate %.3g)",
        spec.jobId(),
        written.dir(),
        cursor.pass(),
        last ? ", final" : passDone ? ", pass complete" : "",
        samplesSeen,
        student.learningRate());
    hooks.afterCheckpoint(written);
  }

  private synchronized void skip(SkipReason reason, String detail, int partition, long offset) {
    long count = skippedNow.merge(reason, 1L, Long::sum);
    skippedTotal.merge(reason.tag(), 1L, Long::sum);
    metrics.skipped(reason);
    if (count <= LOGGED_SKIPS_PER_REASON || count % 1000 == 0) {
      LOG.warnf(
          "job %s skips %s-%d@%d (%s, %d so far): %s",
          spec.jobId(), spec.topic(), partition, offset, reason.tag(), count, detail);
    }
  }

  private void cancel(Deque<InFlight> inFlight) {
    for (InFlight pending : inFlight) {
      pending.batch().cancel(true);
    }
    inFlight.clear();
  }
}
