package io.distillery.evaluator.teacher;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the evaluator knows about its teacher right now, for readiness and metrics: whether a
 * checkpoint is held waiting for it, and where references came from.
 */
@ApplicationScoped
public class TeacherStatus {

  private final AtomicReference<String> waitingFor = new AtomicReference<>();
  private final AtomicReference<Boolean> up = new AtomicReference<>();
  private final AtomicLong fromMemory = new AtomicLong();
  private final AtomicLong fromDisk = new AtomicLong();
  private final AtomicLong fromTeacher = new AtomicLong();
  private final AtomicLong waits = new AtomicLong();

  /** The teacher answered. */
  public void answered() {
    up.set(true);
    waitingFor.set(null);
  }

  /** A checkpoint is held because the teacher cannot answer; {@code reason} says why. */
  public void waiting(String reason) {
    up.set(false);
    waitingFor.set(reason);
    waits.incrementAndGet();
  }

  /** A wait ended without an answer (shutdown); nothing is held any more. */
  public void stoppedWaiting() {
    waitingFor.set(null);
  }

  /** A reference was served from a cache. */
  public void served(ReferenceCache.Source source) {
    (source == ReferenceCache.Source.MEMORY ? fromMemory : fromDisk).incrementAndGet();
  }

  /** A reference was fetched from the teacher. */
  public void fetched() {
    fromTeacher.incrementAndGet();
  }

  /** Why a checkpoint is held, while one is. */
  public Optional<String> waitingReason() {
    return Optional.ofNullable(waitingFor.get());
  }

  /** 1 when the last call answered, 0 when it failed, -1 before any call. */
  public double up() {
    Boolean value = up.get();
    return value == null ? -1 : value ? 1 : 0;
  }

  /** References served from memory. */
  public long fromMemory() {
    return fromMemory.get();
  }

  /** References served from the disk cache. */
  public long fromDisk() {
    return fromDisk.get();
  }

  /** References fetched from the teacher. */
  public long fromTeacher() {
    return fromTeacher.get();
  }

  /** Backoff waits for an unreachable teacher. */
  public long waits() {
    return waits.get();
  }
}
