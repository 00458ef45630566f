package io.distillery.cli.produce;

import io.distillery.cli.data.DataOptions;
import io.distillery.cli.data.JaneAustenData;
import io.distillery.cli.kafka.DurationConverter;
import io.distillery.cli.kafka.KafkaAdmins;
import io.distillery.cli.kafka.KafkaClientOptions;
import io.distillery.cli.kafka.KafkaUnavailableException;
import io.distillery.cli.progress.Progress;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.models.augment.TransferSet;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code distillery produce}: puts prompts on the prompts topic. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Produce prompts to Kafka: text prompts for a causal-LM teacher (--text FILE, --austen),"
          + " Fashion-MNIST images (one PromptEvent per image, id <split>-<index>;"
          + " with --views K an augmented transfer set of K views per image, ids"
          + " <split>-<index>-v<n>, provenance in the attributes) or a JSON Lines file of"
          + " PromptEvents in protobuf's JSON mapping (validated first, sent as protobuf).",
      "Exit code 1 when the data or the cluster is not there, 2 for bad options."
    })
public final class ProduceCommand implements Callable<Integer> {

  /** The two Fashion-MNIST splits. */
  public enum Split {
    train,
    test
  }

  static final class Source {
    @Option(
        names = "--fashion-mnist",
        paramLabel = "SPLIT",
        description = "Produce the Fashion-MNIST split: ${COMPLETION-CANDIDATES}.")
    Split split;

    @Option(
        names = "--file",
        paramLabel = "FILE",
        description = "Produce one PromptEvent per line of this JSON Lines file.")
    Path file;

    @Option(
        names = "--text",
        paramLabel = "FILE",
        description =
            "Produce text prompts (input.text) for a causal-LM teacher: one per paragraph of a"
                + " UTF-8 text file, or one per line of a JSON Lines file (.jsonl/.ndjson) with a"
                + " \"text\" field (and optionally \"id\").")
    Path text;

    @Option(
        names = "--austen",
        description =
            "Produce the five training novels of Jane Austen (Persuasion held out), one text"
                + " prompt per paragraph, ids <novel>-<n>, dataset janeausten/train.")
    boolean austen;
  }

  @Spec CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Source source;

  @Option(
      names = {"-b", "--bootstrap-servers"},
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = {"-t", "--topic"},
      defaultValue = DistilleryTopics.PROMPTS,
      description = "Topic to write (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description =
          "Produce at most N images (Fashion-MNIST) or text prompts (--text, --austen), 0 = all"
              + " (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--offset",
      defaultValue = "0",
      description = "Fashion-MNIST: start at image N (default: ${DEFAULT-VALUE}).")
  int offset;

  @Mixin DataOptions dataOptions;

  @Mixin KafkaClientOptions kafkaClient;

  @Mixin TransferSetOptions transferSet;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long to wait for the cluster (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  @Override
  public Integer call() {
    kafkaClient.install();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (source.file != null && (limit != 0 || offset != 0)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--limit and --offset apply to --fashion-mnist only");
    }
    if ((source.text != null || source.austen) && offset != 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--offset applies to --fashion-mnist only");
    }
    if (limit < 0 || offset < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--limit and --offset must be >= 0");
    }
    TransferSet transfer;
    try {
      transfer = transferSet.toTransferSet();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if ((source.file != null || source.text != null || source.austen)
        && transfer.viewsPerImage() > 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--views and the other augmentation options apply to --fashion-mnist");
    }
    if (source.text != null || source.austen) {
      return produceTexts(out, err);
    }
    try {
      if (source.file != null && !Files.isRegularFile(source.file)) {
        throw new IOException("no such file: " + source.file);
      }
      // The cluster first: reading 60,000 images to learn that no broker runs wastes seconds.
      try (Admin admin = KafkaAdmins.connect(bootstrapServers, timeout)) {
        KafkaAdmins.requireTopics(admin, bootstrapServers, List.of(topic), timeout);
      }
      long total;
      LabeledImages images = null;
      int count = 0;
      if (source.file != null) {
        total = PromptProducer.validateJsonLines(source.file);
      } else {
        images = loadImages();
        count = limit == 0 ? images.size() - offset : Math.min(limit, images.size() - offset);
        total = transfer.size(count);
      }
      long start = System.nanoTime();
      long produced;
      try (PromptProducer producer = new PromptProducer(bootstrapServers, timeout);
          Progress progress =
              quiet ? null : Progress.start("Producing", total, "prompts", System.err)) {
        LongConsumer report = progress == null ? n -> {} : progress::stepTo;
        if (images != null) {
          Split split = source.split;
          produced =
              producer.produceViews(
                  topic,
                  images,
                  offset,
                  offset + count,
                  transfer,
                  "fashion-mnist/" + split,
                  split + "-",
                  report);
        } else {
          produced = producer.produceJsonLines(topic, source.file, report);
        }
      }
      return reportProduced(out, produced, "prompts", start);
    } catch (IOException | KafkaUnavailableException | PromptProducer.ProduceException e) {
      err.println("distillery produce: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /** Prints what was produced, where, and how fast; the command's exit code. */
  private int reportProduced(PrintWriter out, long produced, String what, long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    out.printf(
        Locale.ROOT,
        "Produced %,d %s to %s on %s in %.1f s (%,.0f prompts/s)%n",
        produced,
        what,
        topic,
        bootstrapServers,
        seconds,
        produced / Math.max(seconds, 1e-9));
    out.flush();
    return 0;
  }

  /** {@code --text FILE} or {@code --austen}: text prompts, with progress. */
  private int produceTexts(PrintWriter out, PrintWriter err) {
    try {
      if (source.text != null && !Files.isRegularFile(source.text)) {
        throw new IOException("no such file: " + source.text);
      }
      try (Admin admin = KafkaAdmins.connect(bootstrapServers, timeout)) {
        KafkaAdmins.requireTopics(admin, bootstrapServers, List.of(topic), timeout);
      }
      List<Document> prompts;
      String dataset;
      if (source.austen) {
        Path dir =
            JaneAustenData.locateOrFetch(dataOptions.cacheDir(), new PrintStream(System.err, true));
        prompts = TextPrompts.paragraphs(JaneAusten.training(dir).documents());
        dataset = "janeausten/train";
      } else {
        prompts = TextPrompts.ofFile(source.text);
        dataset = "text/" + source.text.getFileName();
      }
      if (limit > 0 && prompts.size() > limit) {
        prompts = prompts.subList(0, limit);
      }
      long bytes = prompts.stream().mapToLong(Document::utf8Bytes).sum();
      long start = System.nanoTime();
      long produced;
      try (PromptProducer producer = new PromptProducer(bootstrapServers, timeout);
          Progress progress =
              quiet ? null : Progress.start("Producing", prompts.size(), "prompts", System.err)) {
        LongConsumer report = progress == null ? n -> {} : progress::stepTo;
        produced = producer.produceTexts(topic, prompts, dataset, report);
      }
      return reportProduced(
          out,
          produced,
          String.format(Locale.ROOT, "text prompts (%,d bytes of text)", bytes),
          start);
    } catch (IOException | KafkaUnavailableException | PromptProducer.ProduceException e) {
      err.println("distillery produce: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /** The whole split: views of a slice draw their mixup partners from all of it. */
  private LabeledImages loadImages() throws IOException {
    Path dir = dataOptions.locate(new PrintStream(System.err, true));
    LabeledImages all =
        source.split == Split.train ? FashionMnist.train(dir) : FashionMnist.test(dir);
    if (offset >= all.size()) {
      throw new IOException(
          "--offset " + offset + " is past the end of " + source.split + " (" + all.size() + ")");
    }
    return all;
  }
}
