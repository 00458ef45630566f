package io.distillery.teacherclient.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one status-to-outcome table. Plain JUnit: a pure mapping. */
class OutcomeTableTest {

  private static final Map<Status.Code, Outcome> TABLE = new EnumMap<>(Status.Code.class);

  static {
    TABLE.put(Status.Code.OK, Outcome.OK);
    TABLE.put(Status.Code.INVALID_ARGUMENT, Outcome.REJECTED);
    TABLE.put(Status.Code.FAILED_PRECONDITION, Outcome.REJECTED);
    TABLE.put(Status.Code.OUT_OF_RANGE, Outcome.REJECTED);
    TABLE.put(Status.Code.UNIMPLEMENTED, Outcome.REJECTED);
    TABLE.put(Status.Code.RESOURCE_EXHAUSTED, Outcome.OVERLOADED);
    TABLE.put(Status.Code.UNAVAILABLE, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.DEADLINE_EXCEEDED, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.ABORTED, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.CANCELLED, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.UNKNOWN, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.INTERNAL, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.DATA_LOSS, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.NOT_FOUND, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.ALREADY_EXISTS, Outcome.UNAVAILABLE);
    TABLE.put(Status.Code.UNAUTHENTICATED, Outcome.DENIED);
    TABLE.put(Status.Code.PERMISSION_DENIED, Outcome.DENIED);
  }

  @Test
  void everyStatusCodeHasTheOutcomeOfTheTable() {
    assertEquals(Status.Code.values().length, TABLE.size(), "the table covers every code");
    TABLE.forEach((code, outcome) -> assertEquals(outcome, Outcome.of(code), code.name()));
  }

  @Test
  void onlyOutagesAreRetryable() {
    assertTrue(Outcome.UNAVAILABLE.retryable());
    assertTrue(Outcome.OVERLOADED.retryable());
    assertFalse(Outcome.REJECTED.retryable());
    assertFalse(Outcome.DENIED.retryable());
  }

  @Test
  void eachFailureBecomesTheExceptionOfItsOutcomeWithReasonAndStatus() {
    for (Status.Code code : Status.Code.values()) {
      if (code == Status.Code.OK) {
        continue;
      }
      Status status = code.toStatus().withDescription("samples[3].tensor.values: 783 values");
      TeacherCallException e = TeacherCallException.from("Label", status.asRuntimeException());
      assertEquals(TABLE.get(code), e.outcome(), code.name());
      assertEquals(code, e.status().orElseThrow().getCode());
      assertEquals(code.name().toLowerCase().replace('_', '-'), e.reason());
      assertEquals("Label", e.rpc());
      assertTrue(e.getMessage().contains("samples[3].tensor.values"), e.getMessage());
      switch (e.outcome()) {
        case REJECTED -> assertInstanceOf(TeacherRejectedException.class, e);
        case DENIED -> assertInstanceOf(TeacherDeniedException.class, e);
        case OVERLOADED -> assertInstanceOf(TeacherOverloadedException.class, e);
        default -> assertInstanceOf(TeacherUnavailableException.class, e);
      }
    }
  }

  @Test
  void overloadIsAnOutageForCallersThatOnlyWaitAndAMalformedAnswerHasNoStatus() {
    TeacherCallException overloaded =
        TeacherCallException.from("Label", Status.RESOURCE_EXHAUSTED.asRuntimeException());
    assertInstanceOf(TeacherUnavailableException.class, overloaded);

    TeacherUnavailableException malformed =
        TeacherUnavailableException.malformed("Label", "3 samples to a request of 4");
    assertEquals(Outcome.UNAVAILABLE, malformed.outcome());
    assertEquals(TeacherCallException.MALFORMED_ANSWER, malformed.reason());
    assertTrue(malformed.status().isEmpty());
    assertSame(malformed, TeacherCallException.from("Label", malformed));
  }

  @Test
  void theTeachersRetryAfterTrailerIsReadAndAnUnreadableOneIsNoHint() {
    assertEquals(
        Duration.ofMillis(250), exhaustedWith("250").retryAfter().orElseThrow(), "a usable hint");
    assertTrue(exhaustedWith("soon").retryAfter().isEmpty(), "not a number");
    assertTrue(exhaustedWith("-5").retryAfter().isEmpty(), "not a wait");
    assertTrue(
        TeacherCallException.from("Label", Status.RESOURCE_EXHAUSTED.asRuntimeException())
            .retryAfter()
            .isEmpty(),
        "no trailer");
  }

  private static TeacherCallException exhaustedWith(String millis) {
    Metadata trailers = new Metadata();
    trailers.put(TeacherCallException.RETRY_AFTER_MS, millis);
    return TeacherCallException.from(
        "Label", Status.RESOURCE_EXHAUSTED.asRuntimeException(trailers));
  }
}
