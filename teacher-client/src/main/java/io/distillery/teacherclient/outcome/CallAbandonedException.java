package io.distillery.teacherclient.outcome;

/** The caller gave up (its job stopped, the service shuts down); no further attempt is made. */
public final class CallAbandonedException extends RuntimeException {

  public CallAbandonedException(String rpc) {
    super("teacher " + rpc + " abandoned: the caller stopped waiting");
  }
}
