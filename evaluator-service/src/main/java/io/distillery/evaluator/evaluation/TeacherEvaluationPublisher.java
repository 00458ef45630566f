package io.distillery.evaluator.evaluation;

import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.evaluator.metrics.EvaluatorMetrics;
import io.distillery.evaluator.scoring.Scores;
import io.distillery.evaluator.teacher.ReferenceListener;
import io.distillery.evaluator.teacher.TeacherReference;
import io.distillery.proto.v1.EvaluationEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;

/**
 * Publishes the teacher's own score when its reference is first fetched, so that the table "teacher
 * / student from scratch / distilled student" can be built from evaluation events alone.
 */
@ApplicationScoped
public class TeacherEvaluationPublisher implements ReferenceListener {

  private final EvalSet evalSet;
  private final EvaluationSink sink;
  private final EvaluatorMetrics metrics;
  private final Clock clock = Clock.systemUTC();

  public TeacherEvaluationPublisher(
      EvalSet evalSet, EvaluationSink sink, EvaluatorMetrics metrics) {
    this.evalSet = evalSet;
    this.sink = sink;
    this.metrics = metrics;
  }

  @Override
  public void fetched(TeacherReference reference) {
    long start = System.nanoTime();
    Scores scores =
        Scores.ofTeacher(reference.logProbs(), evalSet.data().labels(), evalSet.classes());
    EvaluationEvent event = EvaluationEvents.teacher(reference, scores, evalSet, clock.millis());
    sink.publish(event);
    metrics.evaluated(event, Duration.ofNanos(System.nanoTime() - start));
  }
}
