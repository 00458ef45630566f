package io.distillery.drills.teacher;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.TeacherGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A Java load client for the teacher: closed loop to find its saturation, open loop (requests on a
 * fixed schedule, whatever the answers) to offer a multiple of it. Every request carries a gRPC
 * deadline, as the labeler's and the trainer's do.
 */
final class OverloadClient {

  /** One answered request: its status code, latency and samples. */
  record Answer(Status.Code code, long nanos, int samples) {}

  private OverloadClient() {}

  /** Closed loop: {@code callers} each keep one request in flight; returns samples per second. */
  static double saturation(
      List<ManagedChannel> channels, List<LabelRequest> requests, int callers, Duration duration)
      throws InterruptedException {
    AtomicLong samples = new AtomicLong();
    long end = System.nanoTime() + duration.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      int offset = c;
      TeacherGrpc.TeacherBlockingStub stub =
          TeacherGrpc.newBlockingStub(channels.get(c % channels.size()));
      Thread thread =
          new Thread(
              () -> {
                for (int i = offset; System.nanoTime() < end; i += callers) {
                  LabelRequest request = requests.get(i % requests.size());
                  stub.withDeadlineAfter(30, TimeUnit.SECONDS).label(request);
                  if (System.nanoTime() < end) {
                    samples.addAndGet(request.getSamplesCount());
                  }
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return samples.get() / (duration.toNanos() / 1e9);
  }

  /**
   * Open loop: {@code requestsPerSecond} requests for {@code duration}, each with {@code deadline};
   * waits for every answer.
   */
  static List<Answer> offer(
      List<ManagedChannel> channels,
      List<LabelRequest> requests,
      double requestsPerSecond,
      Duration duration,
      Duration deadline)
      throws InterruptedException {
    long interval = (long) (1e9 / requestsPerSecond);
    int total = (int) (duration.toNanos() / interval);
    ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(total);
    List<TeacherGrpc.TeacherStub> stubs = channels.stream().map(TeacherGrpc::newStub).toList();
    long start = System.nanoTime();
    for (int n = 0; n < total; n++) {
      long due = start + n * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      LabelRequest request = requests.get(n % requests.size());
      long sent = System.nanoTime();
      stubs
          .get(n % stubs.size())
          .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
          .label(
              request,
              new StreamObserver<>() {
                @Override
                public void onNext(LabelResponse response) {}

                @Override
                public void onError(Throwable t) {
                  answers.add(
                      new Answer(
                          Status.fromThrowable(t).getCode(),
                          System.nanoTime() - sent,
                          request.getSamplesCount()));
                  done.countDown();
                }

                @Override
                public void onCompleted() {
                  answers.add(
                      new Answer(
                          Status.Code.OK, System.nanoTime() - sent, request.getSamplesCount()));
                  done.countDown();
                }
              });
    }
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new AssertionError((done.getCount()) + " requests never answered");
    }
    return new ArrayList<>(answers);
  }
}
