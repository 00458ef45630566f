package io.distillery.trainer.online;

import io.distillery.proto.v1.SparseDistribution;
import java.util.List;

/**
 * The teacher's labels for one request.
 *
 * @param distributions one distribution per sample, request order
 * @param artifactSha256 digest of the model that answered
 */
public record TeacherAnswer(List<SparseDistribution> distributions, String artifactSha256) {}
