package io.distillery.labeler.teacher;

import io.distillery.labeler.metrics.LabelerMetrics;
import io.distillery.teacherclient.metrics.CallListener;
import io.distillery.teacherclient.metrics.CallRecord;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The labeler's record of teacher calls, under its own metric names: each Label attempt's latency
 * by outcome ({@code distillery_labeler_teacher_request_seconds{outcome}}: {@code ok} or the
 * failure's reason, the gRPC status in kebab case), its batch size, the {@code teacher_up} gauge,
 * and one log line when the teacher goes down and when it answers again.
 */
final class TeacherCalls implements CallListener {

  private static final Logger LOG = Logger.getLogger(TeacherCalls.class);

  private final LabelerMetrics metrics;
  private final AtomicBoolean down = new AtomicBoolean();

  TeacherCalls(LabelerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void called(CallRecord call) {
    if (call.rpc().equals(CallRecord.LABEL)) {
      metrics.teacherBatch(call.samples());
      metrics.teacherCall(call.ok() ? CallRecord.OK : call.reason(), call.duration());
    }
    if (call.ok()) {
      metrics.teacherUp(true);
      if (call.rpc().equals(CallRecord.LABEL) && down.compareAndSet(true, false)) {
        LOG.info("teacher answers again; labelling resumes");
      }
    } else if (call.outage()) {
      metrics.teacherUp(false);
      if (call.rpc().equals(CallRecord.LABEL) && down.compareAndSet(false, true)) {
        LOG.warnf(
            "teacher Label failed: %s; holding prompts and retrying with backoff until it answers",
            call.reason());
      }
    }
  }
}
