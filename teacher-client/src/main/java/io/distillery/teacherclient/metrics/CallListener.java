package io.distillery.teacherclient.metrics;

/**
 * Told of every attempt of every teacher call. The one place where calls are recorded: each service
 * implements it to keep its own metric names ({@code distillery_labeler_teacher_request_seconds},
 * {@code distillery_trainer_teacher_requests_total}, …) and its "teacher up" gauge. Called on gRPC
 * threads: must be quick and must not throw.
 */
@FunctionalInterface
public interface CallListener {

  /** Records nothing. */
  CallListener NONE = call -> {};

  /** One attempt ended. */
  void called(CallRecord call);

  /** This listener, then {@code next}. */
  default CallListener andThen(CallListener next) {
    return call -> {
      called(call);
      next.called(call);
    };
  }
}
