package io.distillery.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.distillery.localkafka.DistilleryTopics;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariants of the Kubernetes manifests in {@code deploy/k8s}: renders every overlay with {@code
 * kubectl kustomize} (as {@code kubectl apply -k} would) and checks the result against the
 * services' own {@code application.properties}, so that a port, a topic or a consumer group changed
 * on one side only fails the build. kubectl is required: without it every test fails (CI installs
 * it).
 */
class KustomizeOverlaysTest {

  /** What an overlay must render; every directory under deploy/k8s/overlays must be listed. */
  private record Overlay(
      String name, boolean gpu, String teacherEngine, boolean keda, boolean teacherAccess) {}

  private static final List<Overlay> OVERLAYS =
      List.of(
          new Overlay("cpu", false, "OnnxRuntime", false, false),
          new Overlay("cpu-secured", false, "OnnxRuntime", false, true),
          new Overlay("cpu-hardened", false, "OnnxRuntime", false, true),
          new Overlay("gpu", true, "TensorRT", false, false),
          new Overlay("gpu-autoscaled", true, "TensorRT", true, false));

  private static final String TEACHER = "teacher-service";
  private static final String LABELER = "labeler-service";
  private static final String TRAINER = "trainer-service";
  private static final String EVALUATOR = "evaluator-service";
  private static final Set<String> SERVICES = Set.of(TEACHER, LABELER, TRAINER, EVALUATOR);
  private static final Set<String> GPU_SERVICES = Set.of(TEACHER, TRAINER);

  /** The setting of each teacher client naming its token file. */
  private static final Map<String, String> TOKEN_FILE_SETTINGS =
      Map.of(
          LABELER, "distillery.labeler.teacher.token-file",
          TRAINER, "distillery.trainer.online.teacher-token-file",
          EVALUATOR, "distillery.evaluator.teacher.token-file");

  private static final String GPU = "nvidia.com/gpu";
  private static final String NAME_LABEL = "app.kubernetes.io/name";
  private static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
  private static final String LIVE = "/q/health/live";
  private static final String READY = "/q/health/ready";
  private static final String METRICS = "/q/metrics";
  private static final long TWO_WEEKS_MS = Duration.ofDays(14).toMillis();

  private static final ObjectMapper YAML = new YAMLMapper();

  private static Path root;
  private static final Map<String, Rendered> RENDERED = new LinkedHashMap<>();
  private static final Map<String, Properties> PROPERTIES = new HashMap<>();

  @BeforeAll
  static void renderEveryOverlay() throws Exception {
    root = repositoryRoot();
    String kubectl = kubectlOnPath();
    for (Overlay overlay : OVERLAYS) {
      RENDERED.put(overlay.name(), new Rendered(overlay, kustomize(kubectl, overlay.name())));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The checks

  @Test
  void everyOverlayDirectoryIsChecked() throws IOException {
    Set<String> directories;
    try (Stream<Path> list = Files.list(root.resolve("deploy/k8s/overlays"))) {
      directories =
          list.filter(Files::isDirectory)
              .map(p -> p.getFileName().toString())
              .collect(Collectors.toCollection(TreeSet::new));
    }
    Set<String> listed =
        OVERLAYS.stream().map(Overlay::name).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(
        listed,
        directories,
        "every overlay under deploy/k8s/overlays must be listed in "
            + "KustomizeOverlaysTest.OVERLAYS with what it must render");
  }

  @Test
  void everyServiceHasOneDeploymentWithMatchingSelectorAndCommonLabels() {
    check(
        (r, p) -> {
          Map<String, Long> count =
              r.deployments().stream()
                  .collect(Collectors.groupingBy(r::module, TreeMap::new, Collectors.counting()));
          for (String service : SERVICES) {
            if (!count.containsKey(service)) {
              p.add(r, "no Deployment labelled " + NAME_LABEL + "=" + service);
            }
          }
          for (String module : count.keySet()) {
            if (!SERVICES.contains(module)) {
              p.add(
                  r,
                  "Deployment of unknown module '" + module + "' (pod label " + NAME_LABEL + ")");
            }
          }
          for (JsonNode d : r.deployments()) {
            JsonNode podLabels = d.at("/spec/template/metadata/labels");
            JsonNode selector = d.at("/spec/selector/matchLabels");
            if (selector.isMissingNode() || selector.isEmpty() || !subset(selector, podLabels)) {
              p.add(r, name(d) + ": spec.selector.matchLabels must select its own pod template");
            }
            if (!"distillery".equals(podLabels.path(PART_OF_LABEL).asText())) {
              p.add(r, name(d) + ": pod template lacks " + PART_OF_LABEL + "=distillery");
            }
          }
        });
  }

  @Test
  void everyObjectCarriesTheCommonLabelsAndOneNamespace() {
    check(
        (r, p) -> {
          Set<String> namespaces = new TreeSet<>();
          for (JsonNode doc : r.docs) {
            String id = doc.path("kind").asText() + "/" + name(doc);
            JsonNode labels = doc.at("/metadata/labels");
            if (!"distillery".equals(labels.path(PART_OF_LABEL).asText())) {
              p.add(r, id + " lacks the label " + PART_OF_LABEL + "=distillery");
            }
            if (!doc.path("kind").asText().equals("ConfigMap") && !labels.has(NAME_LABEL)) {
              p.add(r, id + " lacks the label " + NAME_LABEL);
            }
            namespaces.add(doc.at("/metadata/namespace").asText("<none>"));
          }
          if (namespaces.size() != 1 || namespaces.contains("<none>")) {
            p.add(r, "every object must be in one namespace; found " + namespaces);
          }
        });
  }

  @Test
  void probesUseQuarkusHealthPathsOnTheHttpPortTheContainerDeclares() {
    check(
        (r, p) -> {
          for (Container c : r.containers()) {
            int http = c.setting("quarkus.http.port").map(Integer::parseInt).orElse(-1);
            checkProbe(r, p, c, "livenessProbe", Set.of(LIVE), http, true);
            checkProbe(r, p, c, "readinessProbe", Set.of(READY), http, true);
            checkProbe(r, p, c, "startupProbe", Set.of(LIVE, "/q/health/started"), http, false);
          }
        });
  }

  @Test
  void everyContainerHasCpuAndMemoryRequestsAndLimits() {
    check(
        (r, p) -> {
          for (Container c : r.containers()) {
            JsonNode requests = c.node.at("/resources/requests");
            JsonNode limits = c.node.at("/resources/limits");
            for (String resource : List.of("cpu", "memory")) {
              if (!requests.has(resource) || !limits.has(resource)) {
                p.add(r, c + ": resources.requests and .limits must both set " + resource);
              } else if (quantity(requests.get(resource).asText())
                      .compareTo(quantity(limits.get(resource).asText()))
                  > 0) {
                p.add(r, c + ": " + resource + " request above its limit");
              }
            }
            if (requests.has(GPU) || limits.has(GPU)) {
              if (!requests.path(GPU).asText().equals(limits.path(GPU).asText())) {
                p.add(r, c + ": " + GPU + " requests must equal limits (extended resource)");
              }
            }
          }
        });
  }

  @Test
  void containerAndServicePortsMatchApplicationProperties() {
    check(
        (r, p) -> {
          for (Container c : r.containers()) {
            Set<Integer> expected = new TreeSet<>();
            Optional<Integer> http = c.setting("quarkus.http.port").map(Integer::parseInt);
            if (http.isEmpty()) {
              p.add(r, c + ": " + c.module + " sets no quarkus.http.port");
              continue;
            }
            expected.add(http.get());
            c.setting("quarkus.grpc.server.port").map(Integer::parseInt).ifPresent(expected::add);

            Set<Integer> declared = new TreeSet<>(c.ports().values());
            if (!declared.equals(expected)) {
              p.add(
                  r,
                  c
                      + ": declares container ports "
                      + declared
                      + " but application.properties (quarkus.http.port, quarkus.grpc.server.port)"
                      + " says "
                      + expected);
            }

            List<JsonNode> services = r.servicesSelecting(c.deployment);
            if (services.isEmpty()) {
              p.add(r, c + ": no Service selects its pods");
            }
            for (JsonNode service : services) {
              // A headless Service only spreads gRPC clients over the pods: the gRPC port alone.
              Set<Integer> serves =
                  isHeadless(service)
                      ? c.setting("quarkus.grpc.server.port")
                          .map(Integer::parseInt)
                          .map(port -> (Set<Integer>) new TreeSet<>(Set.of(port)))
                          .orElse(expected)
                      : expected;
              Set<Integer> targeted = new TreeSet<>();
              for (JsonNode port : service.at("/spec/ports")) {
                Optional<Integer> target =
                    c.resolvePort(port.path("targetPort"), port.path("port"));
                if (target.isEmpty() || !declared.contains(target.get())) {
                  p.add(
                      r,
                      "Service "
                          + name(service)
                          + " port "
                          + port.path("name").asText(port.path("port").asText())
                          + " targets "
                          + port.path("targetPort").asText(port.path("port").asText())
                          + ", which "
                          + c
                          + " does not declare");
                } else {
                  targeted.add(target.get());
                }
              }
              if (!targeted.equals(serves)) {
                p.add(
                    r,
                    "Service "
                        + name(service)
                        + " targets "
                        + targeted
                        + " but "
                        + c.module
                        + " serves "
                        + serves);
              }
            }
          }
        });
  }

  @Test
  void prometheusScrapesQuarkusMetricsOnTheHttpPort() {
    check(
        (r, p) -> {
          for (JsonNode d : r.deployments()) {
            if (!SERVICES.contains(r.module(d))) {
              continue; // everyServiceHasOneDeploymentWithMatchingSelectorAndCommonLabels reports
              // it
            }
            Container c = r.containersOf(d).get(0);
            String http = c.setting("quarkus.http.port").orElse("?");
            JsonNode annotations = d.at("/spec/template/metadata/annotations");
            if (!"true".equals(annotations.path("prometheus.io/scrape").asText())
                || !http.equals(annotations.path("prometheus.io/port").asText())
                || !METRICS.equals(annotations.path("prometheus.io/path").asText())) {
              p.add(
                  r,
                  name(d)
                      + ": pod annotations must be prometheus.io/scrape=true, prometheus.io/port="
                      + http
                      + ", prometheus.io/path="
                      + METRICS
                      + "; are "
                      + annotations);
            }
          }
          for (JsonNode monitor : r.ofKind("ServiceMonitor")) {
            String jobLabel = monitor.at("/spec/jobLabel").asText();
            for (JsonNode d : r.deployments()) {
              List<JsonNode> selected =
                  r.servicesSelecting(d).stream().filter(s -> monitors(monitor, s)).toList();
              if (selected.isEmpty()) {
                p.add(r, "ServiceMonitor " + name(monitor) + " selects no Service of " + name(d));
              }
              // deploy/prometheus/rules.yml knows the jobs as teacher, labeler, trainer, evaluator.
              String job = r.module(d).replaceFirst("-service$", "");
              for (JsonNode service : selected) {
                String actual =
                    jobLabel.isEmpty()
                        ? name(service)
                        : service.at("/metadata/labels").path(jobLabel).asText(name(service));
                if (!job.equals(actual)) {
                  p.add(
                      r,
                      "ServiceMonitor "
                          + name(monitor)
                          + " gives Service "
                          + name(service)
                          + " the job '"
                          + actual
                          + "'; the Prometheus rules expect '"
                          + job
                          + "'");
                }
              }
            }
            for (JsonNode endpoint : monitor.at("/spec/endpoints")) {
              if (!METRICS.equals(endpoint.path("path").asText())) {
                p.add(r, "ServiceMonitor " + name(monitor) + " endpoint path must be " + METRICS);
              }
              for (JsonNode service : r.ofKind("Service")) {
                if (monitors(monitor, service)
                    && !hasPortNamed(service, endpoint.path("port").asText())) {
                  p.add(
                      r,
                      "ServiceMonitor "
                          + name(monitor)
                          + " scrapes port '"
                          + endpoint.path("port").asText()
                          + "', which Service "
                          + name(service)
                          + " does not name");
                }
              }
            }
          }
        });
  }

  @Test
  void teacherAccessIsOnExactlyInSecuredOverlaysWithKeysAndTokensFromSecrets() {
    check(
        (r, p) -> {
          for (Container c : r.containersOf(TEACHER)) {
            boolean on =
                Boolean.parseBoolean(
                    c.setting("distillery.teacher.access.enabled").orElse("false"));
            if (on != r.overlay.teacherAccess()) {
              p.add(r, c + ": distillery.teacher.access.enabled is " + on);
            }
            if (on) {
              requireSecretFile(r, p, c, "mp.jwt.verify.publickey.location");
              if (c.setting("mp.jwt.verify.issuer").isEmpty()) {
                p.add(r, c + ": access control on but mp.jwt.verify.issuer unset");
              }
            }
          }
          for (Map.Entry<String, String> client : TOKEN_FILE_SETTINGS.entrySet()) {
            for (Container c : r.containersOf(client.getKey())) {
              if (r.overlay.teacherAccess()) {
                requireSecretFile(r, p, c, client.getValue());
              } else if (c.setting(client.getValue()).isPresent()) {
                p.add(r, c + ": sets " + client.getValue() + " but the teacher is open");
              }
            }
          }
        });
  }

  /** The setting must name a file under a read-only mount of a Secret volume. */
  private static void requireSecretFile(Rendered r, Problems p, Container c, String setting) {
    Optional<String> file = c.setting(setting);
    if (file.isEmpty()) {
      p.add(r, c + ": " + setting + " unset");
      return;
    }
    boolean fromSecret = false;
    for (JsonNode m : c.node.path("volumeMounts")) {
      if (file.get().startsWith(m.path("mountPath").asText() + "/")) {
        for (JsonNode v : c.deployment.at("/spec/template/spec/volumes")) {
          if (v.path("name").asText().equals(m.path("name").asText())
              && v.at("/secret/secretName").isTextual()
              && m.path("readOnly").asBoolean(false)) {
            fromSecret = true;
          }
        }
      }
    }
    if (!fromSecret) {
      p.add(r, c + ": " + setting + "=" + file.get() + " is not in a read-only Secret mount");
    }
  }

  @Test
  void gpusOnlyInGpuOverlaysAndThereExactlyForTeacherAndTrainer() {
    check(
        (r, p) -> {
          Set<String> withGpu = new TreeSet<>();
          for (Container c : r.containers()) {
            boolean gpu =
                c.node.at("/resources/requests").has(GPU)
                    || c.node.at("/resources/limits").has(GPU);
            if (gpu) {
              withGpu.add(c.module);
              JsonNode tolerations = c.deployment.at("/spec/template/spec/tolerations");
              boolean tolerated = false;
              for (JsonNode t : tolerations) {
                tolerated |= GPU.equals(t.path("key").asText());
              }
              if (!tolerated) {
                p.add(r, c + ": requests a GPU but does not tolerate the " + GPU + " taint");
              }
            }
          }
          Set<String> expected = r.overlay.gpu() ? new TreeSet<>(GPU_SERVICES) : Set.of();
          if (!withGpu.equals(expected)) {
            p.add(r, "containers requesting " + GPU + ": " + withGpu + ", expected " + expected);
          }
        });
  }

  @Test
  void teacherEngineAndImageFitTheOverlay() {
    check(
        (r, p) -> {
          for (Container c : r.containersOf(TEACHER)) {
            String engine = c.setting("distillery.teacher.engine").orElse("<unset>");
            if (!r.overlay.teacherEngine().equals(engine)) {
              p.add(
                  r,
                  c
                      + ": distillery.teacher.engine is "
                      + engine
                      + ", expected "
                      + r.overlay.teacherEngine());
            }
            boolean gpuImage = c.image().contains("-gpu");
            if (gpuImage != r.overlay.gpu()) {
              p.add(
                  r,
                  c
                      + ": image "
                      + c.image()
                      + (r.overlay.gpu() ? " is not" : " is")
                      + " the GPU (TensorRT) image");
            }
          }
        });
  }

  @Test
  void checkpointClaimIsMountedWhereTheTrainerWritesAndAtTheSamePathInTheEvaluator() {
    check(
        (r, p) -> {
          List<Container> trainers = r.containersOf(TRAINER);
          List<Container> evaluators = r.containersOf(EVALUATOR);
          for (Container trainer : trainers) {
            String dir = trainer.setting("distillery.trainer.checkpoint.dir").orElse("");
            if (!dir.startsWith("/")) {
              p.add(
                  r,
                  trainer
                      + ": distillery.trainer.checkpoint.dir must be an absolute path on a volume,"
                      + " is '"
                      + dir
                      + "'");
              continue;
            }
            Optional<Mount> mount = trainer.mountHolding(Path.of(dir));
            if (mount.isEmpty() || mount.get().claim().isEmpty()) {
              p.add(
                  r,
                  trainer
                      + ": checkpoint dir "
                      + dir
                      + " is not on a mounted PersistentVolumeClaim"
                      + mount.map(m -> " (it is on volume " + m.volume() + ")").orElse(""));
              continue;
            }
            Mount written = mount.get();
            if (written.readOnly()) {
              p.add(r, trainer + ": checkpoint volume mounted read-only");
            }
            Optional<JsonNode> claim = r.named("PersistentVolumeClaim", written.claim().get());
            if (claim.isEmpty()) {
              p.add(r, "PersistentVolumeClaim " + written.claim().get() + " is not rendered");
            } else if (!claim.get().at("/spec/accessModes").toString().contains("ReadWriteMany")) {
              p.add(
                  r,
                  "PersistentVolumeClaim "
                      + written.claim().get()
                      + " must be ReadWriteMany (trainer and evaluator pods share it)");
            }
            if (evaluators.isEmpty()) {
              p.add(r, "no evaluator container to read the checkpoints");
            }
            for (Container evaluator : evaluators) {
              List<Mount> same =
                  evaluator.mounts().stream()
                      .filter(m -> m.claim().equals(written.claim()))
                      .toList();
              if (same.isEmpty()) {
                p.add(r, evaluator + ": does not mount claim " + written.claim().get());
              }
              for (Mount m : same) {
                if (!m.path().equals(written.path()) || !m.subPath().equals(written.subPath())) {
                  p.add(
                      r,
                      evaluator
                          + ": mounts "
                          + written.claim().get()
                          + " at "
                          + m.path()
                          + m.subPath().map(s -> " (subPath " + s + ")").orElse("")
                          + " but the trainer at "
                          + written.path()
                          + written.subPath().map(s -> " (subPath " + s + ")").orElse("")
                          + ": checkpoint events carry the trainer's absolute paths");
                }
                if (m.readOnly()) {
                  p.add(
                      r,
                      evaluator
                          + ": checkpoint volume must be writable (it writes <job>/promoted and"
                          + " <job>/evaluations/)");
                }
              }
            }
          }
        });
  }

  @Test
  void trainerRunsOneJobPerDeployment() {
    check(
        (r, p) -> {
          Set<String> jobIds = new TreeSet<>();
          for (JsonNode d : r.deploymentsOf(TRAINER)) {
            if (d.at("/spec/replicas").asInt(1) != 1) {
              p.add(r, name(d) + ": a trainer Deployment runs exactly one pod (one job)");
            }
            if (!"Recreate".equals(d.at("/spec/strategy/type").asText())) {
              p.add(r, name(d) + ": strategy must be Recreate (never two pods of one job)");
            }
            for (Container c : r.containersOf(d)) {
              String job = c.setting("distillery.trainer.job-id").orElse("<unset>");
              if (!jobIds.add(job)) {
                p.add(r, name(d) + ": job id " + job + " is used by another trainer Deployment");
              }
            }
          }
        });
  }

  @Test
  void kafkaTopicsExistForEveryDefaultTopicAndEveryTopicTheServicesUse() {
    check(
        (r, p) -> {
          Map<String, JsonNode> topics = new LinkedHashMap<>();
          for (JsonNode t : r.ofKind("KafkaTopic")) {
            topics.put(topicName(t), t);
            if (t.at("/metadata/labels/strimzi.io~1cluster").asText().isEmpty()) {
              p.add(r, "KafkaTopic " + name(t) + " lacks the strimzi.io/cluster label");
            }
            if (t.at("/spec/partitions").asInt(0) < 1) {
              p.add(r, "KafkaTopic " + name(t) + " sets no partitions");
            }
          }
          for (String topic : DistilleryTopics.ALL) {
            if (!topics.containsKey(topic)) {
              p.add(r, "no KafkaTopic for " + topic + " (DistilleryTopics.ALL)");
            }
          }
          JsonNode softLabels = topics.get(DistilleryTopics.SOFT_LABELS);
          if (softLabels != null) {
            long retention = softLabels.at("/spec/config/retention.ms").asLong(0);
            if (retention != -1 && retention < TWO_WEEKS_MS) {
              p.add(
                  r,
                  DistilleryTopics.SOFT_LABELS
                      + ": retention.ms must be -1 or at least two weeks so new jobs can replay it;"
                      + " is "
                      + softLabels.at("/spec/config/retention.ms"));
            }
          }
          for (Container c : r.containers()) {
            for (String topic : c.topicsUsed()) {
              if (!topics.containsKey(topic)) {
                p.add(r, c + " uses topic " + topic + ", which has no KafkaTopic");
              }
            }
            c.setting("kafka.bootstrap.servers")
                .filter(s -> s.startsWith("localhost") || s.startsWith("127.0.0.1"))
                .ifPresent(s -> p.add(r, c + ": kafka.bootstrap.servers is still " + s));
          }
        });
  }

  @Test
  void teacherClientsPointAtTheTeacherServiceGrpcPort() {
    check(
        (r, p) -> {
          List<Container> teachers = r.containersOf(TEACHER);
          for (Container c : r.containers()) {
            Optional<String> host = c.setting("quarkus.grpc.clients.teacher.host");
            if (host.isEmpty()) {
              continue;
            }
            String serviceName = host.get().split("\\.")[0];
            int port =
                c.setting("quarkus.grpc.clients.teacher.port").map(Integer::parseInt).orElse(-1);
            Optional<JsonNode> service = r.named("Service", serviceName);
            if (service.isEmpty()) {
              p.add(r, c + ": teacher host " + host.get() + " is no rendered Service");
              continue;
            }
            for (Container teacher : teachers) {
              if (!subset(service.get().at("/spec/selector"), teacher.podLabels())) {
                p.add(r, c + ": Service " + serviceName + " does not select the teacher pods");
              }
              int grpc =
                  teacher.setting("quarkus.grpc.server.port").map(Integer::parseInt).orElse(-2);
              Optional<Integer> reached = Optional.empty();
              for (JsonNode sp : service.get().at("/spec/ports")) {
                if (sp.path("port").asInt() == port) {
                  reached = teacher.resolvePort(sp.path("targetPort"), sp.path("port"));
                }
              }
              if (!reached.equals(Optional.of(grpc))) {
                p.add(
                    r,
                    c
                        + ": teacher client "
                        + host.get()
                        + ":"
                        + port
                        + " leads to teacher container port "
                        + reached.map(String::valueOf).orElse("<none>")
                        + ", not its quarkus.grpc.server.port "
                        + grpc);
              }
            }
          }
        });
  }

  @Test
  void teacherClientsBalanceOverEveryTeacherPodThroughAHeadlessService() {
    check(
        (r, p) -> {
          int clients = 0;
          for (Container c : r.containers()) {
            Optional<String> host = c.setting("quarkus.grpc.clients.teacher.host");
            if (host.isEmpty()) {
              continue;
            }
            clients++;
            String serviceName = host.get().split("\\.")[0];
            r.named("Service", serviceName)
                .filter(service -> !"None".equals(service.at("/spec/clusterIP").asText()))
                .ifPresent(
                    service ->
                        p.add(
                            r,
                            c
                                + ": teacher host "
                                + serviceName
                                + " is not headless (clusterIP: None): one connection would"
                                + " pin the client to one teacher pod"));
            String resolver = c.setting("quarkus.grpc.clients.teacher.name-resolver").orElse("dns");
            if (!resolver.equals("dns")) {
              p.add(r, c + ": quarkus.grpc.clients.teacher.name-resolver is " + resolver);
            }
            String policy =
                c.setting("quarkus.grpc.clients.teacher.load-balancing-policy")
                    .orElse("pick_first");
            if (!policy.equals("round_robin")) {
              p.add(
                  r,
                  c
                      + ": quarkus.grpc.clients.teacher.load-balancing-policy is "
                      + policy
                      + ", not round_robin");
            }
          }
          if (clients != 3) {
            p.add(r, clients + " teacher clients (labeler, trainer, evaluator expected)");
          }
        });
  }

  @Test
  void kedaScalesTheLabelerOnItsOwnConsumerGroupWhereTheComponentIsUsed() {
    check(
        (r, p) -> {
          List<JsonNode> scaled = r.ofKind("ScaledObject");
          if (r.overlay.keda() == scaled.isEmpty()) {
            p.add(
                r,
                (r.overlay.keda() ? "expected" : "did not expect")
                    + " a KEDA ScaledObject (components/keda); found "
                    + scaled.size());
          }
          List<Container> labelers = r.containersOf(LABELER);
          for (JsonNode so : scaled) {
            JsonNode target = so.at("/spec/scaleTargetRef");
            String targetName = target.path("name").asText();
            Optional<JsonNode> deployment =
                r.deployments().stream().filter(d -> name(d).equals(targetName)).findFirst();
            if (!target.path("kind").asText("Deployment").equals("Deployment")
                || deployment.isEmpty()
                || !r.module(deployment.get()).equals(LABELER)) {
              p.add(r, "ScaledObject " + name(so) + " must target the labeler Deployment");
              continue;
            }
            if (deployment.get().at("/spec/replicas").isInt()) {
              p.add(
                  r,
                  name(deployment.get())
                      + ": spec.replicas must be left to KEDA (every apply would reset it)");
            }
            Container labeler = labelers.get(0);
            String group = labeler.setting("mp.messaging.incoming.prompts.group.id").orElse("?");
            String topic = labeler.setting("mp.messaging.incoming.prompts.topic").orElse("?");
            String servers = labeler.setting("kafka.bootstrap.servers").orElse("?");
            int kafkaTriggers = 0;
            for (JsonNode trigger : so.at("/spec/triggers")) {
              if (!"kafka".equals(trigger.path("type").asText())) {
                continue;
              }
              kafkaTriggers++;
              JsonNode m = trigger.path("metadata");
              expectEqual(r, p, "ScaledObject consumerGroup", group, m.path("consumerGroup"));
              expectEqual(r, p, "ScaledObject topic", topic, m.path("topic"));
              expectEqual(
                  r, p, "ScaledObject bootstrapServers", servers, m.path("bootstrapServers"));
            }
            if (kafkaTriggers == 0) {
              p.add(r, "ScaledObject " + name(so) + " has no kafka trigger");
            }
            int partitions =
                r.ofKind("KafkaTopic").stream()
                    .filter(t -> topicName(t).equals(topic))
                    .mapToInt(t -> t.at("/spec/partitions").asInt())
                    .findFirst()
                    .orElse(0);
            int max = so.at("/spec/maxReplicaCount").asInt(100);
            if (max > partitions) {
              p.add(
                  r,
                  "ScaledObject maxReplicaCount "
                      + max
                      + " exceeds the "
                      + partitions
                      + " partitions of "
                      + topic
                      + " (idle consumers)");
            }
          }
        });
  }

  @Test
  void everyImageIsOneDeployReadmeBuilds() throws IOException {
    String readme = Files.readString(root.resolve("deploy/README.md"));
    check(
        (r, p) -> {
          for (Container c : r.containers()) {
            if (!readme.contains("-t " + c.image() + " ")) {
              p.add(
                  r,
                  c + ": image " + c.image() + " has no `docker build ... -t` in deploy/README.md");
            }
          }
        });
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering

  private static Path repositoryRoot() {
    String configured = System.getProperty("distillery.root");
    Path candidate =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of("").toAbsolutePath().getParent();
    Path rootDir = candidate.toAbsolutePath().normalize();
    if (!Files.isDirectory(rootDir.resolve("deploy/k8s/overlays"))) {
      fail(
          "no deploy/k8s/overlays under "
              + rootDir
              + ": set -Ddistillery.root to the repository root");
    }
    return rootDir;
  }

  // ---------------------------------------------------------------------------------------------
  // Kafka security (components/kafka-security) and NetworkPolicies (components/network-policies)

  /** What a service may do on Kafka: "topic:Read:distill.prompts", "group:Read:prefix:x-". */
  private static Set<String> expectedKafkaGrants(Container c) {
    Set<String> grants = new TreeSet<>();
    Properties props = properties(c.module);
    for (String key : props.stringPropertyNames()) {
      var m =
          java.util.regex.Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.topic")
              .matcher(key);
      if (m.matches()) {
        boolean in = m.group(1).equals("incoming");
        grants.add("topic:" + (in ? "Read" : "Write") + ":" + c.setting(key).orElseThrow());
        if (in) {
          c.setting("mp.messaging.incoming." + m.group(2) + ".group.id")
              .ifPresent(group -> grants.add("group:Read:" + group));
        }
      }
    }
    if (c.module.equals(TRAINER)) {
      grants.add(
          "topic:Read:"
              + c.setting("distillery.trainer.soft-labels-topic")
                  .orElse(DistilleryTopics.SOFT_LABELS));
      grants.add("group:Read:prefix:distillery-trainer-");
    }
    if (c.module.equals(TEACHER)) {
      grants.add(
          "topic:Write:"
              + c.setting("distillery.teacher.access.audit.topic").orElse("distill.audit"));
    }
    if (c.module.equals(LABELER)) {
      // The licence gate's audit event goes through the labeler's own producer, not a channel.
      grants.add(
          "topic:Write:"
              + c.setting("distillery.labeler.policy.audit-topic").orElse("distill.audit"));
      // So do the soft labels (a plain producer since issue 19, not the soft-labels channel).
      grants.add(
          "topic:Write:"
              + c.setting("distillery.labeler.soft-labels.topic")
                  .orElse(DistilleryTopics.SOFT_LABELS));
    }
    if (c.module.equals(EVALUATOR)) {
      // Promotion traces the checkpoint's lineage: the checkpoint events, the job's evaluations
      // and a sample of the soft labels the manifest cites (assigned partitions, no group).
      grants.add(
          "topic:Read:"
              + c.setting("distillery.evaluator.governance.checkpoints-topic")
                  .orElse("distill.checkpoints"));
      grants.add(
          "topic:Read:"
              + c.setting("distillery.evaluator.governance.evaluations-topic")
                  .orElse("distill.evaluations"));
      grants.add("topic:Read:" + DistilleryTopics.SOFT_LABELS);
    }
    return grants;
  }

  /** The Read and Write grants of a KafkaUser, in the form of {@link #expectedKafkaGrants}. */
  private static Set<String> kafkaUserGrants(JsonNode user) {
    Set<String> grants = new TreeSet<>();
    for (JsonNode acl : user.at("/spec/authorization/acls")) {
      String type = acl.at("/resource/type").asText();
      String pattern = acl.at("/resource/patternType").asText("literal");
      for (JsonNode op : acl.path("operations")) {
        if (op.asText().equals("Read") || op.asText().equals("Write")) {
          grants.add(
              type
                  + ":"
                  + op.asText()
                  + ":"
                  + (pattern.equals("prefix") ? "prefix:" : "")
                  + acl.at("/resource/name").asText());
        }
      }
    }
    return grants;
  }

  @Test
  void eachServiceIsAKafkaUserThatReachesOnlyItsOwnTopicsAndGroups() {
    check(
        (r, p) -> {
          if (r.ofKind("KafkaUser").isEmpty()) {
            return;
          }
          for (String module : SERVICES) {
            Optional<JsonNode> user = r.named("KafkaUser", module);
            if (user.isEmpty()) {
              p.add(r, "no KafkaUser " + module);
              continue;
            }
            if (!"scram-sha-512".equals(user.get().at("/spec/authentication/type").asText())) {
              p.add(r, "KafkaUser " + module + " does not authenticate with scram-sha-512");
            }
            if (!"distillery"
                .equals(user.get().at("/metadata/labels/strimzi.io~1cluster").asText())) {
              p.add(r, "KafkaUser " + module + " is not for the Strimzi cluster distillery");
            }
            for (Container c : r.containersOf(module)) {
              Set<String> expected = expectedKafkaGrants(c);
              Set<String> granted = kafkaUserGrants(user.get());
              if (!expected.equals(granted)) {
                p.add(
                    r,
                    "KafkaUser "
                        + module
                        + " grants "
                        + granted
                        + ", the service uses "
                        + expected);
              }
            }
          }
        });
  }

  @Test
  void withKafkaUsersEveryServiceSpeaksSaslSslWithItsOwnSecretAndTheClusterCa() {
    check(
        (r, p) -> {
          boolean secured = !r.ofKind("KafkaUser").isEmpty();
          for (Container c : r.containers()) {
            Optional<String> protocol = c.setting("kafka.security.protocol");
            if (!secured) {
              if (protocol.isPresent()) {
                p.add(r, c + ": kafka.security.protocol set without KafkaUsers");
              }
              continue;
            }
            if (!protocol.equals(Optional.of("SASL_SSL"))) {
              p.add(r, c + ": kafka.security.protocol is " + protocol.orElse("unset"));
            }
            if (!c.setting("kafka.sasl.mechanism").equals(Optional.of("SCRAM-SHA-512"))) {
              p.add(r, c + ": kafka.sasl.mechanism is not SCRAM-SHA-512");
            }
            boolean jaasFromOwnSecret = false;
            boolean truststorePasswordFromSecret = false;
            for (JsonNode e : c.node.path("env")) {
              JsonNode ref = e.at("/valueFrom/secretKeyRef");
              if (e.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                jaasFromOwnSecret =
                    ref.path("name").asText().equals(c.module)
                        && ref.path("key").asText().equals("sasl.jaas.config");
              }
              if (e.path("name").asText().equals("KAFKA_SSL_TRUSTSTORE_PASSWORD")) {
                truststorePasswordFromSecret =
                    ref.path("name").asText().equals("distillery-cluster-ca-cert");
              }
            }
            if (!jaasFromOwnSecret) {
              p.add(
                  r,
                  c
                      + ": KAFKA_SASL_JAAS_CONFIG must come from Secret "
                      + c.module
                      + " (its KafkaUser)");
            }
            if (!truststorePasswordFromSecret) {
              p.add(
                  r,
                  c + ": KAFKA_SSL_TRUSTSTORE_PASSWORD must come from distillery-cluster-ca-cert");
            }
            requireSecretFile(r, p, c, "kafka.ssl.truststore.location");
            String bootstrapKey =
                c.module.equals(TEACHER)
                    ? "distillery.teacher.access.audit.bootstrap-servers"
                    : "kafka.bootstrap.servers";
            if (!c.setting(bootstrapKey).orElse("").endsWith(":9093")) {
              p.add(r, c + ": " + bootstrapKey + " is not the TLS listener :9093");
            }
          }
        });
  }

  @Test
  void networkPoliciesDenyByDefaultAndAllowOnlyTheDesignedFlows() {
    check(
        (r, p) -> {
          List<JsonNode> policies = r.ofKind("NetworkPolicy");
          if (policies.isEmpty()) {
            return;
          }
          boolean defaultDeny =
              policies.stream()
                  .anyMatch(
                      n ->
                          "distillery"
                                  .equals(
                                      n.at("/spec/podSelector/matchLabels")
                                          .path(PART_OF_LABEL)
                                          .asText())
                              && n.at("/spec/policyTypes").toString().contains("Ingress")
                              && n.at("/spec/policyTypes").toString().contains("Egress")
                              && n.at("/spec/ingress").isMissingNode()
                              && n.at("/spec/egress").isMissingNode());
          if (!defaultDeny) {
            p.add(r, "no default-deny NetworkPolicy for every distillery pod");
          }
          JsonNode teacherGrpc =
              r.named("NetworkPolicy", "teacher-grpc-from-clients").orElse(YAML.missingNode());
          Set<String> clients = new TreeSet<>();
          for (JsonNode from : teacherGrpc.at("/spec/ingress/0/from")) {
            for (JsonNode v : from.at("/podSelector/matchExpressions/0/values")) {
              clients.add(v.asText());
            }
          }
          if (!clients.equals(new TreeSet<>(TOKEN_FILE_SETTINGS.keySet()))) {
            p.add(
                r, "the teacher's gRPC port admits " + clients + ", not exactly its three clients");
          }
          int grpcPort =
              r.containersOf(TEACHER).stream()
                  .map(c -> c.ports().getOrDefault("grpc", -1))
                  .findFirst()
                  .orElse(-1);
          if (teacherGrpc.at("/spec/ingress/0/ports/0/port").asInt() != grpcPort) {
            p.add(r, "teacher-grpc-from-clients does not open the teacher's grpc port " + grpcPort);
          }
          JsonNode kafka = r.named("NetworkPolicy", "services-to-kafka").orElse(YAML.missingNode());
          int kafkaPort = kafka.at("/spec/egress/0/ports/0/port").asInt();
          for (Container c : r.containers()) {
            String bootstrap =
                c.setting(
                        c.module.equals(TEACHER)
                            ? "distillery.teacher.access.audit.bootstrap-servers"
                            : "kafka.bootstrap.servers")
                    .orElse("");
            if (!bootstrap.endsWith(":" + kafkaPort)) {
              p.add(r, c + ": Kafka at " + bootstrap + " but egress opens only port " + kafkaPort);
            }
            if (!c.ports().containsKey("http")) {
              p.add(r, c + ": no port named http for the prometheus-scrape policy");
            }
          }
          if (r.named("NetworkPolicy", "prometheus-scrape").isEmpty()) {
            p.add(r, "no NetworkPolicy lets Prometheus scrape the services");
          }
        });
  }

  private static String kubectlOnPath() {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
        return Path.of(dir, "kubectl").toString();
      }
    }
    return fail(
        "kubectl is not on the PATH ("
            + path
            + "). These checks render deploy/k8s with `kubectl kustomize` and must not be skipped:"
            + " install kubectl (Debian package kubectl; .ci/run installs it when missing).");
  }

  private static List<JsonNode> kustomize(String kubectl, String overlay) throws Exception {
    Path dir = root.resolve("deploy/k8s/overlays").resolve(overlay);
    Process process =
        new ProcessBuilder(kubectl, "kustomize", dir.toString()).directory(root.toFile()).start();
    process.getOutputStream().close();
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    String out = readAll(process.getInputStream());
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail("kubectl kustomize " + dir + " did not finish within 2 minutes");
    }
    if (process.exitValue() != 0) {
      fail("kubectl kustomize " + dir + " failed (" + process.exitValue() + "):\n" + err.get());
    }
    List<JsonNode> docs = new ArrayList<>();
    try (Reader reader = new java.io.StringReader(out)) {
      Iterator<JsonNode> it =
          YAML.readerFor(JsonNode.class).readValues(new YAMLFactory().createParser(reader));
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    if (docs.isEmpty()) {
      fail("kubectl kustomize " + dir + " rendered nothing");
    }
    return docs;
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Properties properties(String module) {
    return PROPERTIES.computeIfAbsent(
        module,
        m -> {
          Path file = root.resolve(m).resolve("src/main/resources/application.properties");
          Properties props = new Properties();
          try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
          } catch (IOException e) {
            fail("cannot read " + file + ": " + e);
          }
          return props;
        });
  }

  // ---------------------------------------------------------------------------------------------
  // The rendered objects

  /** One overlay's rendered objects. */
  private static final class Rendered {
    final Overlay overlay;
    final List<JsonNode> docs;

    Rendered(Overlay overlay, List<JsonNode> docs) {
      this.overlay = overlay;
      this.docs = docs;
    }

    List<JsonNode> ofKind(String kind) {
      return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    Optional<JsonNode> named(String kind, String name) {
      return ofKind(kind).stream().filter(d -> name.equals(name(d))).findFirst();
    }

    List<JsonNode> deployments() {
      return ofKind("Deployment");
    }

    List<JsonNode> deploymentsOf(String module) {
      return deployments().stream().filter(d -> module(d).equals(module)).toList();
    }

    /** The module a Deployment runs: its pod template's app.kubernetes.io/name. */
    String module(JsonNode deployment) {
      return deployment.at("/spec/template/metadata/labels").path(NAME_LABEL).asText("<none>");
    }

    List<Container> containersOf(JsonNode deployment) {
      List<Container> list = new ArrayList<>();
      for (JsonNode c : deployment.at("/spec/template/spec/containers")) {
        list.add(new Container(this, deployment, module(deployment), c));
      }
      return list;
    }

    List<Container> containers() {
      return deployments().stream()
          .filter(d -> SERVICES.contains(module(d)))
          .flatMap(d -> containersOf(d).stream())
          .toList();
    }

    List<Container> containersOf(String module) {
      return deploymentsOf(module).stream().flatMap(d -> containersOf(d).stream()).toList();
    }

    List<JsonNode> servicesSelecting(JsonNode deployment) {
      JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
      return ofKind("Service").stream()
          .filter(s -> s.at("/spec/selector").size() > 0)
          .filter(s -> subset(s.at("/spec/selector"), podLabels))
          .toList();
    }

    Map<String, String> configMap(String name) {
      Map<String, String> data = new LinkedHashMap<>();
      named("ConfigMap", name)
          .ifPresent(
              cm ->
                  cm.path("data")
                      .fields()
                      .forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText())));
      return data;
    }
  }

  /** A volume mount: path, volume, the claim behind it if any. */
  private record Mount(
      String path,
      String volume,
      Optional<String> claim,
      Optional<String> subPath,
      boolean readOnly) {}

  /** One container of a Deployment, with the configuration Quarkus will see in it. */
  private static final class Container {
    final Rendered rendered;
    final JsonNode deployment;
    final String module;
    final JsonNode node;
    final Map<String, String> env;

    Container(Rendered rendered, JsonNode deployment, String module, JsonNode node) {
      this.rendered = rendered;
      this.deployment = deployment;
      this.module = module;
      this.node = node;
      this.env = environment();
    }

    private Map<String, String> environment() {
      Map<String, String> result = new LinkedHashMap<>();
      for (JsonNode from : node.path("envFrom")) {
        String prefix = from.path("prefix").asText("");
        if (from.has("configMapRef")) {
          rendered
              .configMap(from.at("/configMapRef/name").asText())
              .forEach((k, v) -> result.put(prefix + k, v));
        }
      }
      for (JsonNode e : node.path("env")) {
        if (e.has("value")) {
          result.put(e.path("name").asText(), e.path("value").asText());
        } else if (e.at("/valueFrom/configMapKeyRef").isObject()) {
          JsonNode ref = e.at("/valueFrom/configMapKeyRef");
          String value =
              rendered.configMap(ref.path("name").asText()).get(ref.path("key").asText());
          if (value != null) {
            result.put(e.path("name").asText(), value);
          }
        }
      }
      return result;
    }

    /**
     * A Quarkus setting as the service will see it: the environment variable (Quarkus' mapping:
     * upper case, every non-alphanumeric character an underscore) over the %prod value over the
     * plain value of its application.properties.
     */
    Optional<String> setting(String key) {
      String envName = key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
      if (env.containsKey(envName)) {
        return Optional.of(env.get(envName));
      }
      Properties props = properties(module);
      return Optional.ofNullable(props.getProperty("%prod." + key, props.getProperty(key)));
    }

    /** Every Kafka topic the service's configuration names. */
    Set<String> topicsUsed() {
      Set<String> topics = new TreeSet<>();
      for (String key : properties(module).stringPropertyNames()) {
        if (key.matches("mp\\.messaging\\.(incoming|outgoing)\\.[^.]+\\.topic")) {
          setting(key).ifPresent(topics::add);
        }
      }
      if (module.equals(TRAINER)) {
        topics.add(
            setting("distillery.trainer.soft-labels-topic").orElse(DistilleryTopics.SOFT_LABELS));
      }
      return topics;
    }

    /** Declared container ports by name ("#<n>" for unnamed ones). */
    Map<String, Integer> ports() {
      Map<String, Integer> ports = new LinkedHashMap<>();
      for (JsonNode port : node.path("ports")) {
        ports.put(
            port.path("name").asText("#" + port.path("containerPort").asInt()),
            port.path("containerPort").asInt());
      }
      return ports;
    }

    /** A port reference (number or name) as a declared container port; empty if none matches. */
    Optional<Integer> resolvePort(JsonNode reference, JsonNode fallback) {
      JsonNode ref = reference.isMissingNode() || reference.isNull() ? fallback : reference;
      Map<String, Integer> ports = ports();
      if (ref.isInt() || ref.asText().matches("\\d+")) {
        int number = ref.isInt() ? ref.asInt() : Integer.parseInt(ref.asText());
        return ports.containsValue(number) ? Optional.of(number) : Optional.empty();
      }
      return Optional.ofNullable(ports.get(ref.asText()));
    }

    List<Mount> mounts() {
      Map<String, JsonNode> volumes = new HashMap<>();
      for (JsonNode v : deployment.at("/spec/template/spec/volumes")) {
        volumes.put(v.path("name").asText(), v);
      }
      List<Mount> mounts = new ArrayList<>();
      for (JsonNode m : node.path("volumeMounts")) {
        JsonNode volume = volumes.getOrDefault(m.path("name").asText(), YAML.missingNode());
        JsonNode claim = volume.at("/persistentVolumeClaim/claimName");
        mounts.add(
            new Mount(
                m.path("mountPath").asText(),
                m.path("name").asText(),
                claim.isTextual() ? Optional.of(claim.asText()) : Optional.empty(),
                m.hasNonNull("subPath") ? Optional.of(m.get("subPath").asText()) : Optional.empty(),
                m.path("readOnly").asBoolean(false)));
      }
      return mounts;
    }

    /** The mount whose path holds {@code dir} (the deepest if several do). */
    Optional<Mount> mountHolding(Path dir) {
      Path normalized = dir.normalize();
      return mounts().stream()
          .filter(m -> normalized.startsWith(Path.of(m.path()).normalize()))
          .max((a, b) -> Integer.compare(a.path().length(), b.path().length()));
    }

    JsonNode podLabels() {
      return deployment.at("/spec/template/metadata/labels");
    }

    String image() {
      return node.path("image").asText();
    }

    @Override
    public String toString() {
      return "Deployment " + name(deployment) + " container " + node.path("name").asText();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Problems of one check across every overlay, reported together. */
  private static final class Problems {
    final List<String> list = new ArrayList<>();

    void add(Rendered r, String problem) {
      list.add("[overlays/" + r.overlay.name() + "] " + problem);
    }
  }

  private interface OverlayCheck {
    void run(Rendered rendered, Problems problems);
  }

  private static void check(OverlayCheck check) {
    Problems problems = new Problems();
    for (Rendered r : RENDERED.values()) {
      check.run(r, problems);
    }
    assertTrue(problems.list.isEmpty(), () -> "\n" + String.join("\n", problems.list));
  }

  private static void checkProbe(
      Rendered r,
      Problems p,
      Container c,
      String kind,
      Set<String> paths,
      int httpPort,
      boolean required) {
    JsonNode probe = c.node.path(kind);
    if (probe.isMissingNode()) {
      if (required) {
        p.add(r, c + ": no " + kind);
      }
      return;
    }
    JsonNode get = probe.path("httpGet");
    if (!paths.contains(get.path("path").asText())) {
      p.add(r, c + ": " + kind + " must be an httpGet on " + paths + ", is " + probe);
      return;
    }
    Optional<Integer> port = c.resolvePort(get.path("port"), YAML.missingNode());
    if (port.isEmpty()) {
      p.add(r, c + ": " + kind + " port " + get.path("port").asText() + " is not declared");
    } else if (port.get() != httpPort) {
      p.add(
          r,
          c + ": " + kind + " probes port " + port.get() + ", not quarkus.http.port " + httpPort);
    }
  }

  private static void expectEqual(
      Rendered r, Problems p, String what, String expected, JsonNode actual) {
    if (!expected.equals(actual.asText())) {
      p.add(
          r,
          what
              + " is '"
              + actual.asText()
              + "', the labeler's configuration says '"
              + expected
              + "'");
    }
  }

  /** Whether a ServiceMonitor's selector (labels, and In/NotIn expressions) picks the Service. */
  private static boolean monitors(JsonNode monitor, JsonNode service) {
    JsonNode labels = service.at("/metadata/labels");
    if (!subset(monitor.at("/spec/selector/matchLabels"), labels)) {
      return false;
    }
    for (JsonNode expression : monitor.at("/spec/selector/matchExpressions")) {
      String value = labels.path(expression.path("key").asText()).asText(null);
      boolean listed = false;
      for (JsonNode v : expression.path("values")) {
        listed |= v.asText().equals(value);
      }
      String operator = expression.path("operator").asText();
      if ((operator.equals("In") && !listed) || (operator.equals("NotIn") && listed)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHeadless(JsonNode service) {
    return "None".equals(service.at("/spec/clusterIP").asText());
  }

  private static boolean subset(JsonNode selector, JsonNode labels) {
    Iterator<Map.Entry<String, JsonNode>> it = selector.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasPortNamed(JsonNode service, String portName) {
    for (JsonNode port : service.at("/spec/ports")) {
      if (portName.equals(port.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  private static String name(JsonNode doc) {
    return doc.at("/metadata/name").asText();
  }

  private static String topicName(JsonNode kafkaTopic) {
    return kafkaTopic.at("/spec/topicName").asText(name(kafkaTopic));
  }

  /** A Kubernetes quantity ("500m", "1.5Gi", "2") as a number. */
  static BigDecimal quantity(String text) {
    Map<String, BigDecimal> suffixes = new LinkedHashMap<>();
    BigDecimal k2 = BigDecimal.valueOf(1024);
    suffixes.put("Ki", k2);
    suffixes.put("Mi", k2.pow(2));
    suffixes.put("Gi", k2.pow(3));
    suffixes.put("Ti", k2.pow(4));
    suffixes.put("Pi", k2.pow(5));
    suffixes.put("Ei", k2.pow(6));
    suffixes.put("n", new BigDecimal("1e-9"));
    suffixes.put("u", new BigDecimal("1e-6"));
    suffixes.put("m", new BigDecimal("1e-3"));
    suffixes.put("k", new BigDecimal("1e3"));
    suffixes.put("M", new BigDecimal("1e6"));
    suffixes.put("G", new BigDecimal("1e9"));
    suffixes.put("T", new BigDecimal("1e12"));
    suffixes.put("P", new BigDecimal("1e15"));
    suffixes.put("E", new BigDecimal("1e18"));
    String t = text.trim();
    for (Map.Entry<String, BigDecimal> e : suffixes.entrySet()) {
      if (t.endsWith(e.getKey())) {
        return new BigDecimal(t.substring(0, t.length() - e.getKey().length()))
            .multiply(e.getValue());
      }
    }
    return new BigDecimal(t);
  }
}
