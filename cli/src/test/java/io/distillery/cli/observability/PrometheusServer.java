package io.distillery.cli.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus ({@code /usr/bin/prometheus}, or env {@code PROMETHEUS_BIN}) started as a
 * process with a generated configuration: scrape and rule evaluation every second, static targets
 * per job, optional rule files (recording rules are then evaluated too), storage in a temporary
 * directory, listening on {@code 127.0.0.1:<free port>}. {@link #close()} kills it and deletes the
 * directory.
 *
 * <pre>{@code
 * try (PrometheusServer prometheus =
 *     PrometheusServer.forDistillery(Map.of("teacher", List.of("127.0.0.1:8081"), ...))) {
 *   prometheus.awaitTargetsUp(Duration.ofSeconds(30));
 *   List<String> empty = ObservabilityCheck.emptyQueries(prometheus, PromQlCatalog.load(root));
 * }
 * }</pre>
 */
public final class PrometheusServer implements AutoCloseable {

  /** Where Debian's package installs Prometheus. */
  public static final String DEFAULT_BINARY = "/usr/bin/prometheus";

  /** One scrape job: static targets ({@code host:port}) and the metrics path. */
  public record ScrapeJob(String name, List<String> targets, String metricsPath) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final List<Path> ruleFiles;
  private final Path dir;
  private final Path log;
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Process process, List<Path> ruleFiles, Path dir, Path log, int port) {
    this.process = process;
    this.ruleFiles = List.copyOf(ruleFiles);
    this.dir = dir;
    this.log = log;
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /**
   * Prometheus scraping the Distillery services: jobs named {@code teacher}, {@code labeler},
   * {@code trainer}, {@code evaluator} (or any others) at {@code /q/metrics}, with the repository's
   * {@code deploy/prometheus/rules.yml} loaded.
   */
  public static PrometheusServer forDistillery(Map<String, List<String>> targets) {
    Builder builder =
        builder().ruleFile(PromQlCatalog.repositoryRoot().resolve("deploy/prometheus/rules.yml"));
    targets.forEach(builder::job);
    return builder.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures and starts a {@link PrometheusServer}. */
  public static final class Builder {
    private final Map<String, ScrapeJob> jobs = new LinkedHashMap<>();
    private final List<Path> ruleFiles = new ArrayList<>();
    private int port;
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /** A job scraped at {@code /q/metrics}. */
    public Builder job(String name, List<String> targets) {
      return job(name, targets, "/q/metrics");
    }

    /** A job scraped at {@code metricsPath}. */
    public Builder job(String name, List<String> targets, String metricsPath) {
      jobs.put(name, new ScrapeJob(name, List.copyOf(targets), metricsPath));
      return this;
    }

    /** A rule file to load (absolute path). */
    public Builder ruleFile(Path file) {
      ruleFiles.add(file.toAbsolutePath());
      return this;
    }

    /** The port to listen on (default: a free one). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Starts Prometheus and waits until {@code /-/ready} answers 200. */
    public PrometheusServer start() {
      Path binary = binary();
      int listen = port > 0 ? port : freePort();
      Path dir;
      try {
        dir = Files.createTempDirectory("distillery-prometheus");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, config(jobs.values(), ruleFiles));
        Path log = dir.resolve("prometheus.log");
        Process process =
            new ProcessBuilder(
                    binary.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + listen,
                    "--web.enable-lifecycle",
                    "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusServer server = new PrometheusServer(process, ruleFiles, dir, log, listen);
        try {
          server.awaitReady(startTimeout);
        } catch (RuntimeException e) {
          server.close();
          throw e;
        }
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start Prometheus (" + binary + ")", e);
      }
    }
  }

  /** The Prometheus binary: env {@code PROMETHEUS_BIN} or {@value #DEFAULT_BINARY}. */
  public static Path binary() {
    String configured = System.getenv("PROMETHEUS_BIN");
    Path binary =
        Path.of(configured != null && !configured.isBlank() ? configured : DEFAULT_BINARY);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "Prometheus is not installed at "
              + binary
              + ": install the Debian package (apt-get install prometheus) as .ci/run does,"
              + " or set PROMETHEUS_BIN to a prometheus binary");
    }
    return binary;
  }

  static String config(Iterable<ScrapeJob> jobs, List<Path> ruleFiles) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n")
        .append("  evaluation_interval: 1s\n");
    if (!ruleFiles.isEmpty()) {
      yaml.append("rule_files:\n");
      ruleFiles.forEach(f -> yaml.append("  - ").append(quote(f.toString())).append('\n'));
    }
    yaml.append("scrape_configs:\n");
    for (ScrapeJob job : jobs) {
      yaml.append("  - job_name: ").append(quote(job.name())).append('\n');
      yaml.append("    metrics_path: ").append(quote(job.metricsPath())).append('\n');
      yaml.append("    static_configs:\n      - targets: [");
      yaml.append(String.join(", ", job.targets().stream().map(PrometheusServer::quote).toList()));
      yaml.append("]\n");
    }
    return yaml.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Replaces the scrape jobs (rule files stay) and makes Prometheus reload its configuration, e.g.
   * when processes that did not exist at start-up (trainer jobs) should be scraped too.
   */
  public void scrape(Map<String, List<String>> targets) {
    List<ScrapeJob> jobs = new ArrayList<>();
    targets.forEach(
        (name, hosts) -> jobs.add(new ScrapeJob(name, List.copyOf(hosts), "/q/metrics")));
    try {
      Files.writeString(dir.resolve("prometheus.yml"), config(jobs, ruleFiles));
      HttpResponse<String> reloaded =
          http.send(
              HttpRequest.newBuilder(base.resolve("/-/reload"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (reloaded.statusCode() != 200) {
        throw new IllegalStateException(
            "Prometheus did not reload (" + reloaded.statusCode() + "): " + reloaded.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reconfigure Prometheus at " + base, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reconfiguring Prometheus", e);
    }
  }

  /** The Prometheus process, e.g. to check that it is gone. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:40123}. */
  public URI url() {
    return base;
  }

  /** The port Prometheus listens on. */
  public int port() {
    return base.getPort();
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Prometheus exited with " + process.exitValue() + " at start-up:\n" + logTail());
      }
      try {
        HttpResponse<String> response = get("/-/ready");
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      sleep(200);
    }
    throw new IllegalStateException(
        "Prometheus was not ready within " + timeout + " at " + base + ":\n" + logTail());
  }

  /**
   * Evaluates an instant query and returns the number of series it returned (1 for a scalar).
   *
   * @throws IllegalArgumentException when Prometheus rejects the query (with its error message)
   */
  public int query(String promql) {
    JsonNode data = queryData(promql);
    JsonNode result = data.path("result");
    return switch (data.path("resultType").asText()) {
      case "vector", "matrix" -> result.size();
      default -> 1;
    };
  }

  /** The {@code data} of an instant query's answer ({@code resultType} and {@code result}). */
  public JsonNode queryData(String promql) {
    HttpResponse<String> response;
    try {
      response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Prometheus at " + base + " did not answer", e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(
          "Prometheus answered " + response.statusCode() + ": " + response.body(), e);
    }
    if (!"success".equals(body.path("status").asText())) {
      throw new IllegalArgumentException(
          "Prometheus rejected the query ("
              + body.path("errorType").asText()
              + ": "
              + body.path("error").asText()
              + "): "
              + promql);
    }
    return body.path("data");
  }

  /**
   * Waits until every configured target has been scraped successfully ({@code health == "up"}).
   *
   * @throws IllegalStateException naming the targets that are not up, with their last error
   */
  public void awaitTargetsUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> notUp = List.of("(no answer from /api/v1/targets)");
    while (System.nanoTime() < deadline) {
      try {
        JsonNode targets =
            JSON.readTree(get("/api/v1/targets?state=active").body())
                .path("data")
                .path("activeTargets");
        List<String> down = new ArrayList<>();
        for (JsonNode target : targets) {
          if (!"up".equals(target.path("health").asText())) {
            down.add(
                target.path("labels").path("job").asText()
                    + " "
                    + target.path("scrapeUrl").asText()
                    + " ("
                    + target.path("health").asText()
                    + Optional.of(target.path("lastError").asText(""))
                        .filter(e -> !e.isEmpty())
                        .map(e -> ": " + e)
                        .orElse("")
                    + ")");
          }
        }
        if (down.isEmpty() && !targets.isEmpty()) {
          return;
        }
        notUp = targets.isEmpty() ? List.of("(no active targets yet)") : down;
      } catch (IOException e) {
        notUp = List.of("(Prometheus did not answer: " + e.getMessage() + ")");
      }
      sleep(250);
    }
    throw new IllegalStateException("targets not up after " + timeout + ": " + notUp);
  }

  private HttpResponse<String> get(String path) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The last lines Prometheus logged. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A leftover temp directory is not worth failing a test for.
    }
  }
}
