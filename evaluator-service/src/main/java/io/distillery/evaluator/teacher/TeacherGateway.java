package io.distillery.evaluator.teacher;

import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.proto.v1.MutinyTeacherGrpc.MutinyTeacherStub;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.teacherclient.ClientSettings;
import io.distillery.teacherclient.Inputs;
import io.distillery.teacherclient.LabelAnswer;
import io.distillery.teacherclient.LabelCall;
import io.distillery.teacherclient.TeacherClient;
import io.distillery.teacherclient.credentials.BearerToken;
import io.distillery.teacherclient.metrics.CallListener;
import io.distillery.teacherclient.metrics.CallRecord;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.distillery.teacherclient.retry.Retrying;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The evaluator's view of the teacher (gRPC client {@code teacher}) over the shared {@link
 * TeacherClient}: deadlines, quick retries ({@code distillery.evaluator.teacher.retry}) and the
 * status table are the client's; here the card becomes {@link TeacherInfo} and full sparse answers
 * become dense log-probabilities, checked entry by entry. Calls block: they run on the checkpoint
 * channel's worker thread.
 */
@ApplicationScoped
public class TeacherGateway implements ReferenceTeacher {

  /** Softmax temperature of the reference: the metrics are defined at T = 1. */
  private static final float TEMPERATURE = 1f;

  /** Largest tail mass accepted from a full distribution: float rounding only. */
  private static final float TAIL_TOLERANCE = 1e-3f;

  private final TeacherClient client;

  @Inject
  public TeacherGateway(@GrpcClient("teacher") MutinyTeacherStub stub, EvaluatorConfig config) {
    this.client =
        new TeacherClient(
            BearerToken.attach(stub, config.teacher().token(), config.teacher().tokenFile()),
            settings(config.teacher()),
            CallListener.NONE);
  }

  private static ClientSettings settings(EvaluatorConfig.Teacher teacher) {
    EvaluatorConfig.Retry retry = teacher.retry();
    RetryPolicy quick =
        RetryPolicy.retries(retry.maxRetries(), retry.initialDelay(), retry.maxDelay());
    return new ClientSettings(
        "evaluator-", teacher.describeDeadline(), teacher.labelDeadline(), quick, quick);
  }

  @Override
  public TeacherInfo describe() {
    return TeacherInfo.of(Retrying.join(client.describe()).card());
  }

  @Override
  public float[] logProbs(TeacherInfo teacher, float[] images, int count) {
    LabelCall call =
        new LabelCall(
            Inputs.tensors(images, 0, count, teacher.inputShape()),
            teacher.outputSize(),
            TEMPERATURE,
            // One request as given: TeacherReferences already cuts the eval set to the request
            // size its setting and the card's limit allow.
            0);
    LabelAnswer answer = Retrying.join(client.label(call));
    if (!answer.artifactSha256().equals(teacher.artifactSha256())) {
      // Another model answered: the deployment changed between Describe and Label.
      throw new TeacherUnavailableException(
          CallRecord.LABEL,
          "artifact-changed",
          null,
          "teacher artifact changed from "
              + teacher.artifactSha256()
              + " to "
              + answer.artifactSha256()
              + " while fetching its reference",
          null);
    }
    return dense(teacher, answer);
  }

  /** Full distributions as a dense (count, classes) array, checked entry by entry. */
  private static float[] dense(TeacherInfo teacher, LabelAnswer answer) {
    int classes = teacher.outputSize();
    int count = answer.samples().size();
    float[] out = new float[count * classes];
    for (int i = 0; i < count; i++) {
      SparseDistribution d = answer.samples().get(i).positions().get(0);
      if (d.getIdsCount() != classes
          || d.getLogProbsCount() != classes
          || d.getTailMass() > TAIL_TOLERANCE) {
        throw TeacherRejectedException.unusable(
            CallRecord.LABEL,
            String.format(
                "samples[%d] has %d ids, %d log_probs and tail_mass %s; asked for all %d classes",
                i, d.getIdsCount(), d.getLogProbsCount(), d.getTailMass(), classes));
      }
      boolean[] seen = new boolean[classes];
      for (int k = 0; k < classes; k++) {
        int id = d.getIds(k);
        if (id < 0 || id >= classes || seen[id]) {
          throw TeacherRejectedException.unusable(
              CallRecord.LABEL,
              "samples[" + i + "].ids[" + k + "]=" + id + " is out of range or repeated");
        }
        seen[id] = true;
        out[i * classes + id] = d.getLogProbs(k);
      }
    }
    return out;
  }
}
