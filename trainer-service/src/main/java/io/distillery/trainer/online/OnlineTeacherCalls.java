package io.distillery.trainer.online;

import io.distillery.teacherclient.metrics.CallListener;
import io.distillery.teacherclient.metrics.CallRecord;
import io.distillery.trainer.metrics.JobMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The online job's record of teacher calls: {@code distillery_trainer_teacher_requests_total
 * {outcome}} ({@code ok}, {@code rejected}, or the reason of an outage: the gRPC status in kebab
 * case), the {@code teacher_up} gauge, and one log line when the teacher goes down and when it
 * answers again.
 */
final class OnlineTeacherCalls implements CallListener {

  private static final Logger LOG = Logger.getLogger(OnlineTeacherCalls.class);

  private final String jobId;
  private final JobMetrics metrics;
  private final Duration maxBackoff;
  private final AtomicBoolean down = new AtomicBoolean();

  OnlineTeacherCalls(String jobId, JobMetrics metrics, Duration maxBackoff) {
    this.jobId = jobId;
    this.metrics = metrics;
    this.maxBackoff = maxBackoff;
  }

  @Override
  public void called(CallRecord call) {
    if (call.rpc().equals(CallRecord.LABEL)) {
      metrics.teacherRequest(
          switch (call.outcome()) {
            case OK -> "ok";
            case REJECTED -> "rejected";
            default -> call.reason();
          });
    }
    if (call.ok()) {
      up();
    } else if (call.outage()) {
      down("teacher " + call.rpc() + " failed: " + call.reason());
    }
  }

  private void up() {
    metrics.teacherUp(true);
    if (down.compareAndSet(true, false)) {
      LOG.infof("job %s: the teacher answers again; training resumes", jobId);
    }
  }

  private void down(String reason) {
    metrics.teacherUp(false);
    if (down.compareAndSet(false, true)) {
      LOG.warnf(
          "job %s: %s; training waits and retries with backoff up to %s",
          jobId, reason, maxBackoff);
    }
  }
}
