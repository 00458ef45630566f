package io.distillery.teacher.access;

import io.distillery.teacher.config.TeacherConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Admits or refuses each Teacher call: identity from the verified bearer token (Quarkus Security),
 * then {@link AccessPolicy}. Every decision is counted and, when configured, audited. With access
 * control off, every call is admitted as {@code anonymous}.
 */
@ApplicationScoped
public class AccessGuard {

  private static final Logger LOG = Logger.getLogger(AccessGuard.class);
  static final String ANONYMOUS = "anonymous";

  private final AccessConfig config;
  private final CurrentIdentityAssociation identities;
  private final AccessMetrics metrics;
  private final AuditLog audit;
  private final AccessPolicy policy;

  public AccessGuard(
      TeacherConfig config,
      CurrentIdentityAssociation identities,
      AccessMetrics metrics,
      AuditLog audit) {
    this.config = config.access();
    this.identities = identities;
    this.metrics = metrics;
    this.audit = audit;
    this.policy = new AccessPolicy(this.config, System::nanoTime);
  }

  void announce(@Observes StartupEvent start) {
    if (config.enabled()) {
      LOG.infof(
          "Teacher access control is ON: bearer JWTs required; %d client(s) with own limits",
          config.clients().size());
    } else {
      LOG.warn(
          "\n*** Teacher access control is OFF: anyone who reaches the gRPC port may describe, label"
              + " and generate without limits. Fine on a laptop; in any shared deployment set"
              + " distillery.teacher.access.enabled=true and mp.jwt.verify.* (see README"
              + " 'Governance'). ***");
    }
  }

  /**
   * With access control off, the call's decision at once (admitted as {@code anonymous}, counted
   * and audited like any other); empty when access control is on and {@link #admit} must decide.
   * Saves the open teacher a reactive chain per call.
   */
  public Optional<Decision> admitWhenOpen(AccessRequest request) {
    return config.enabled()
        ? Optional.empty()
        : Optional.of(recorded(request, Decision.allow(ANONYMOUS, "open")));
  }

  /**
   * Admits the call or fails with {@link AccessRefusedException}. Call it on the gRPC thread that
   * received the call: the deferred identity is bound to it.
   */
  public Uni<Decision> admit(AccessRequest request) {
    if (!config.enabled()) {
      return Uni.createFrom().item(recorded(request, Decision.allow(ANONYMOUS, "open")));
    }
    return identities
        .getDeferredIdentity()
        .map(identity -> decide(identity, request))
        .onFailure(AuthenticationFailedException.class)
        .recoverWithItem(
            e ->
                Decision.refuse(
                    ANONYMOUS,
                    io.grpc.Status.Code.UNAUTHENTICATED,
                    "bad-token",
                    "invalid bearer token: " + rootMessage(e)))
        .map(decision -> recorded(request, decision))
        .invoke(
            decision -> {
              if (!decision.allowed()) {
                throw new AccessRefusedException(decision);
              }
            });
  }

  private Decision decide(SecurityIdentity identity, AccessRequest request) {
    if (identity == null || identity.isAnonymous()) {
      return Decision.refuse(
          ANONYMOUS,
          io.grpc.Status.Code.UNAUTHENTICATED,
          "no-credentials",
          "the teacher requires a bearer token (metadata 'authorization: Bearer <jwt>')");
    }
    Set<String> roles = identity.getRoles();
    return policy.decide(identity.getPrincipal().getName(), roles, request);
  }

  private Decision recorded(AccessRequest request, Decision decision) {
    metrics.record(request.rpc(), decision);
    audit.record(request, decision);
    return decision;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }
}
