package io.distillery.teacher.access;

import io.distillery.proto.v1.LabelRequest;

/**
 * What one call asks for: the RPC, the role it needs, the samples it spends and its top-k.
 *
 * @param rpc the RPC name used in metrics ({@code describe}, {@code label}, {@code label-stream})
 * @param role the role the call needs
 * @param samples samples the call spends from the client's quota
 * @param topK requested top-k, 0 when the call returns no distributions
 */
public record AccessRequest(String rpc, Role role, int samples, int topK) {

  /** A Describe call: needs {@code describe}, spends nothing. */
  public static AccessRequest describe() {
    return new AccessRequest("describe", Role.DESCRIBE, 0, 0);
  }

  /** A Label call; one that asks for generation needs {@code generate}, others {@code label}. */
  public static AccessRequest label(String rpc, LabelRequest request) {
    boolean generates = request.hasGeneration() && request.getGeneration().getMaxNewTokens() > 0;
    return new AccessRequest(
        rpc, generates ? Role.GENERATE : Role.LABEL, request.getSamplesCount(), request.getTopK());
  }
}
