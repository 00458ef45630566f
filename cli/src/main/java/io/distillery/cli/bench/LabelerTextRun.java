package io.distillery.cli.bench;

import io.distillery.cli.data.DataOptions;
import io.distillery.cli.data.JaneAustenData;
import io.distillery.cli.process.ServiceProcess;
import io.distillery.cli.produce.PromptProducer;
import io.distillery.cli.produce.TextPrompts;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaBroker;
import io.distillery.localkafka.TopicReader;
import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.tokenizer.TextTokenizer;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.TokenSequence;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@code distillery bench labeler --text}: a causal-LM teacher-service and the labeler as their own
 * processes, text prompts on a broker in this JVM. Reports tokens/s topic to topic (the positions
 * of the soft labels between the first and the last) beside the raw teacher's tokens/s on the very
 * token windows the labeler sends, at the same request size and concurrency.
 */
final class LabelerTextRun implements Callable<Integer> {

  private final LabelerBenchmark options;

  LabelerTextRun(LabelerBenchmark options) {
    this.options = options;
  }

  @Override
  public Integer call() throws Exception {
    Path tokenizerFile = options.modelDir.resolve(TextTokenizer.FILE_NAME);
    List<Document> prompts = prompts();
    System.out.printf(
        "Labeler text benchmark %s: %d text prompts, top-k %d, requests of %d, %d in flight,"
            + " %d cores%n",
        Instant.now(),
        prompts.size(),
        options.topK,
        options.requestSize,
        options.inFlight,
        Runtime.getRuntime().availableProcessors());
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile);
        LocalKafkaBroker kafka = LocalKafkaBroker.builder().build().start()) {
      kafka.createTopics(DistilleryTopics.ALL, 1);
      try (PromptProducer producer = new PromptProducer(kafka.bootstrapServers())) {
        producer.produceTexts(DistilleryTopics.PROMPTS, prompts, "bench/text", n -> {});
      }
      try (ServiceProcess teacher = options.startTeacher()) {
        TeacherCard card = describe(teacher.grpcPort());
        int context = card.getLimits().getMaxSequenceLength();
        List<int[]> windows = windows(tokenizer, prompts, context);
        long tokens = windows.stream().mapToLong(w -> w.length).sum();
        System.out.printf(
            "    teacher %s %s: context %d, vocabulary %d; %d windows, %d tokens%n",
            card.getModelId(),
            card.getVersion(),
            context,
            card.getOutputSize(),
            windows.size(),
            tokens);
        double labelled;
        try (ServiceProcess labeler =
            options.startLabeler(
                kafka.bootstrapServers(),
                teacher.grpcPort(),
                Map.of(
                    "distillery.labeler.teacher.task", "causal-lm",
                    "distillery.labeler.text.tokenizer", tokenizerFile.toAbsolutePath().toString(),
                    "distillery.labeler.top-k", Integer.toString(options.topK)))) {
          labelled = measureTokens(kafka.bootstrapServers(), windows.size());
          System.out.printf(
              "    CPU while labelling: labeler %.1f s, teacher %.1f s%n",
              labeler.cpuTime().toMillis() / 1e3, teacher.cpuTime().toMillis() / 1e3);
        }
        int perRequest =
            card.getLimits().getMaxBatchSize() > 0
                ? Math.min(options.requestSize, card.getLimits().getMaxBatchSize())
                : options.requestSize;
        TeacherLoad.Result raw =
            TeacherLoad.run(
                teacher.grpcPort(),
                requests(windows, perRequest),
                request ->
                    request.getSamplesList().stream()
                        .mapToLong(s -> s.getTokens().getIdsCount())
                        .sum(),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                options.inFlight);
        System.out.printf("labeler, topic to topic:         %8.0f tokens/s%n", labelled);
        System.out.printf(
            "teacher raw gRPC, same windows:  %8.0f tokens/s  %s%n",
            raw.throughput(), raw.latencies());
        System.out.printf(
            "ratio labeler/teacher = %.2f (target >= 0.8)%n", labelled / raw.throughput());
      }
    }
    return 0;
  }

  private List<Document> prompts() throws Exception {
    List<Document> all;
    if (options.corpus != null) {
      all = TextPrompts.ofFile(options.corpus);
    } else {
      Path dir =
          JaneAustenData.locateOrFetch(
              DataOptions.defaultCacheDir(), new PrintStream(System.err, true));
      all = TextPrompts.paragraphs(JaneAusten.training(dir).documents());
    }
    return all.size() > options.prompts ? all.subList(0, options.prompts) : all;
  }

  private static TeacherCard describe(int port) {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return TeacherGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .describe(DescribeRequest.getDefaultInstance());
    } finally {
      channel.shutdownNow();
    }
  }

  /** The windows the labeler cuts: the same tokenizer, the teacher's context. */
  private static List<int[]> windows(TextTokenizer tokenizer, List<Document> prompts, int context) {
    List<int[]> windows = new ArrayList<>();
    for (Document prompt : prompts) {
      long[] ids = tokenizer.encode(prompt.text());
      int size = context > 0 ? context : Math.max(1, ids.length);
      for (int first = 0; first < ids.length; first += size) {
        int end = Math.min(ids.length, first + size);
        int[] window = new int[end - first];
        for (int t = first; t < end; t++) {
          window[t - first] = Math.toIntExact(ids[t]);
        }
        windows.add(window);
      }
    }
    return windows;
  }

  private List<LabelRequest> requests(List<int[]> windows, int perRequest) {
    List<LabelRequest> requests = new ArrayList<>();
    for (int first = 0; first < windows.size(); first += perRequest) {
      LabelRequest.Builder request =
          LabelRequest.newBuilder().setTopK(options.topK).setTemperature(1f);
      for (int[] window : windows.subList(first, Math.min(windows.size(), first + perRequest))) {
        TokenSequence.Builder tokens = TokenSequence.newBuilder();
        for (int id : window) {
          tokens.addIds(id);
        }
        request.addSamples(ModelInput.newBuilder().setTokens(tokens));
      }
      requests.add(request.build());
    }
    return requests;
  }

  /** Tokens/s between the first and the last soft label, from the labeler's record timestamps. */
  private static double measureTokens(String bootstrap, int expectedLabels) throws Exception {
    List<ConsumerRecord<String, byte[]>> labels =
        TopicReader.read(
            bootstrap, DistilleryTopics.SOFT_LABELS, expectedLabels, Duration.ofMinutes(15));
    if (labels.size() < expectedLabels) {
      throw new IllegalStateException(
          "expected " + expectedLabels + " soft labels (windows), got " + labels.size());
    }
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long positions = 0;
    long firstPositions = 0;
    long recordBytes = 0;
    long distributionBytes = 0;
    for (ConsumerRecord<String, byte[]> label : labels) {
      SoftLabelEvent event = SoftLabelEvent.parseFrom(label.value());
      int count = event.getPositions();
      positions += count;
      recordBytes += label.value().length;
      distributionBytes += event.getDistributions().size();
      if (label.timestamp() < first) {
        first = label.timestamp();
        firstPositions = count;
      }
      last = Math.max(last, label.timestamp());
    }
    System.out.printf(
        "    in the log: %.1f bytes per token per soft-label record (%.1f of them distributions),"
            + " largest record %d bytes%n",
        recordBytes / (double) positions,
        distributionBytes / (double) positions,
        labels.stream().mapToInt(l -> l.value().length).max().orElse(0));
    // The first label's tokens were labelled before the clock starts.
    return (positions - firstPositions) / Math.max((last - first) / 1000.0, 1e-3);
  }
}
