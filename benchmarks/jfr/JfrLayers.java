import java.nio.file.*;
import java.util.*;
import jdk.jfr.consumer.*;

/**
 * Aggregates a JFR recording of a teacher into named layers: each Java execution sample is charged
 * to the innermost frame that belongs to a known component (JDK frames count as their caller's),
 * also per thread kind; native samples outside epoll; jdk.ThreadCPULoad summed by thread kind.
 * Usage: java benchmarks/jfr/JfrLayers.java recording.jfr (BENCHMARKS.md, teacher-service).
 */
public class JfrLayers {
  static final String[][] LAYERS = {
    {"io.distillery.proto.", "protobuf"},
    {"com.google.protobuf.", "protobuf"},
    {"io.netty.handler.codec.http2.", "Netty HTTP/2 codec"},
    {"io.netty.handler.codec.http.", "Netty HTTP/1 codec"},
    {"io.grpc.netty.", "gRPC-Netty transport"},
    {"io.netty.", "Netty event loop, buffers, socket I/O"},
    {"io.vertx.grpc", "Vert.x gRPC server"},
    {"io.vertx.grpcio", "Vert.x gRPC server"},
    {"io.vertx.core.http.", "Vert.x HTTP server (HTTP/2 streams)"},
    {"io.vertx.", "Vert.x core (contexts, event loop)"},
    {"io.grpc.", "gRPC core"},
    {"io.micrometer.", "Micrometer"},
    {"io.quarkus.micrometer.", "Micrometer"},
    {"io.smallrye.context.", "SmallRye context propagation"},
    {"io.smallrye.mutiny.", "Mutiny"},
    {"io.quarkus.grpc.", "Quarkus gRPC (interceptors, request context, security)"},
    {"io.quarkus.arc.", "Quarkus gRPC (interceptors, request context, security)"},
    {"io.quarkus.security.", "Quarkus gRPC (interceptors, request context, security)"},
    {"io.quarkus.vertx.", "Quarkus gRPC (interceptors, request context, security)"},
    {"io.quarkus.", "Quarkus other"},
    {"io.distillery.teacher.batching.", "teacher batcher"},
    {"io.distillery.teacher.access.", "teacher access guard + counters"},
    {"io.distillery.teacher.metrics.", "teacher access guard + counters"},
    {"io.distillery.teacher.labeling.", "teacher validation, copy"},
    {"io.distillery.teacher.grpc.", "teacher gRPC service"},
    {"io.distillery.teacher.task.", "teacher task (copy into batch, top-k, response)"},
    {"io.distillery.models.", "teacher task (copy into batch, top-k, response)"},
    {"io.distillery.", "teacher other"},
    {"ai.djl.", "inference (DJL, ONNX Runtime, Java side)"},
    {"ai.onnxruntime.", "inference (DJL, ONNX Runtime, Java side)"},
    {"org.jboss.", "JBoss logging/threads"},
  };

  static String layer(RecordedStackTrace st) {
    if (st == null) return "(no stack)";
    for (RecordedFrame f : st.getFrames()) {
      String c = f.getMethod().getType().getName();
      for (String[] l : LAYERS) if (c.startsWith(l[0])) return l[1];
    }
    return "JDK only";
  }

  static String threadKind(String n) {
    if (n == null) return "?";
    if (n.contains("CompilerThread") || n.startsWith("C1 ") || n.startsWith("C2 ")) return "JIT";
    if (n.startsWith("GC ") || n.startsWith("G1 ") || n.contains("GC Thread") || n.startsWith("VM Thread")) return "GC/VM";
    if (n.startsWith("vert.x-eventloop")) return "Vert.x event loops";
    if (n.startsWith("grpc-") || n.contains("nioEventLoop") || n.contains("epoll")) return "gRPC/Netty threads";
    if (n.startsWith("teacher-batcher") || n.contains("batcher")) return "batcher";
    if (n.startsWith("executor-thread")) return "executor";
    return n.replaceAll("[0-9]+", "#");
  }

  public static void main(String[] a) throws Exception {
    Map<String, Integer> byLayer = new TreeMap<>(), byThread = new TreeMap<>(), layerOnThread = new TreeMap<>();
    Map<String, Integer> topFrames = new HashMap<>();
    Map<String, double[]> cpu = new TreeMap<>();
    Map<String, Integer> nativeTop = new HashMap<>();
    int total = 0, nat = 0;
    Set<String> threadNames = new TreeSet<>();
    try (RecordingFile rf = new RecordingFile(Path.of(a[0]))) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        String t = e.getEventType().getName();
        if (t.equals("jdk.ExecutionSample")) {
          total++;
          String l = layer(e.getStackTrace());
          byLayer.merge(l, 1, Integer::sum);
          RecordedThread th = e.getThread("sampledThread");
          String tn = th == null ? "?" : th.getJavaName();
          threadNames.add(tn);
          String k = threadKind(tn);
          byThread.merge(k, 1, Integer::sum);
          layerOnThread.merge(k + " | " + l, 1, Integer::sum);
          if (e.getStackTrace() != null && !e.getStackTrace().getFrames().isEmpty()) {
            RecordedFrame f = e.getStackTrace().getFrames().get(0);
            topFrames.merge(f.getMethod().getType().getName() + "." + f.getMethod().getName(), 1, Integer::sum);
          }
        } else if (t.equals("jdk.NativeMethodSample")) {
          RecordedStackTrace st = e.getStackTrace();
          if (st != null && !st.getFrames().isEmpty()) {
            RecordedFrame f = st.getFrames().get(0);
            String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            if (m.contains("epoll") && m.contains("Wait") || m.endsWith("epollWait") || m.contains("epoll_wait")) continue;
            nat++;
            nativeTop.merge(m + " [" + layer(st) + "]", 1, Integer::sum);
          }
        } else if (t.equals("jdk.ThreadCPULoad")) {
          RecordedThread th = e.getThread("eventThread");
          String k = threadKind(th == null ? null : th.getJavaName() != null ? th.getJavaName() : th.getOSName());
          double[] v = cpu.computeIfAbsent(k, x -> new double[2]);
          v[0] += e.getFloat("user") + e.getFloat("system");
        } else if (t.equals("jdk.CPULoad")) {
          double[] v = cpu.computeIfAbsent("(process: jvmUser+jvmSystem)", x -> new double[2]);
          v[0] += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
          v[1] += 1;
          double[] m = cpu.computeIfAbsent("(machine total)", x -> new double[2]);
          m[0] += e.getFloat("machineTotal");
          m[1] += 1;
        }
      }
    }
    System.out.println("Java execution samples: " + total);
    final int tot = total;
    byLayer.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
        .forEach(en -> System.out.printf("  %-60s %6d %5.1f%%%n", en.getKey(), en.getValue(), 100.0 * en.getValue() / tot));
    System.out.println("By thread kind:");
    byThread.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
        .forEach(en -> System.out.printf("  %-60s %6d %5.1f%%%n", en.getKey(), en.getValue(), 100.0 * en.getValue() / tot));
    System.out.println("Layer on thread (top 30):");
    layerOnThread.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(30)
        .forEach(en -> System.out.printf("  %-90s %6d %5.1f%%%n", en.getKey(), en.getValue(), 100.0 * en.getValue() / tot));
    System.out.println("Top frames (top 40):");
    topFrames.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(40)
        .forEach(en -> System.out.printf("  %-100s %6d %5.1f%%%n", en.getKey(), en.getValue(), 100.0 * en.getValue() / tot));
    System.out.println("Native samples outside epoll wait: " + nat);
    final int n = nat;
    nativeTop.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(15)
        .forEach(en -> System.out.printf("  %-100s %6d %5.1f%%%n", en.getKey(), en.getValue(), 100.0 * en.getValue() / n));
    System.out.println("ThreadCPULoad sums (per-second samples, so ~ CPU-seconds) by thread kind:");
    cpu.forEach((k, v) -> System.out.printf("  %-40s %8.2f %s%n", k, v[0], v[1] > 0 ? String.format("(mean %.3f over %d samples)", v[0] / v[1], (int) v[1]) : ""));
    System.out.println("Thread names: " + threadNames);
  }
}
