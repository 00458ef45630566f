package io.distillery.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.student.StudentModels;
import io.distillery.models.testing.TinyLmTeacher;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.trainer.job.IncompatibleJobException;
import io.distillery.trainer.job.JobHooks;
import io.distillery.trainer.job.JobLauncher;
import io.distillery.trainer.job.JobResult;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.job.RunningJob;
import io.distillery.trainer.job.Source;
import io.distillery.trainer.support.Manifests;
import io.distillery.trainer.support.TempDirs;
import io.distillery.trainer.training.StepResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Language-model jobs against a real Kafka broker (two partitions) carrying causal-LM soft labels
 * of an in-process teacher, each a prompt plus the teacher's greedy continuation: token-level KD
 * and sequence-level KD train a transformer student with checkpoints whose manifests cover every
 * label once per pass; a student configured for another tokenizer fails before step 1 naming both.
 */
@QuarkusTest
@QuarkusTestResource(
    value = LocalKafkaTestResource.class,
    initArgs = @ResourceArg(name = LocalKafkaTestResource.PARTITIONS_ARG, value = "2"))
class LanguageModelJobTest {

  private static final String TOPIC = "distill.soft-labels.lm-test";
  private static final int VOCAB = 64;
  private static final int CONTEXT = 32;
  private static final int LABELS = 96;
  private static final int PROMPT = 16;
  private static final int GENERATED = 8;
  private static final int PASSES = 2;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

  private static TinyLmTeacher teacher;
  private static List<int[]> heldOut;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject JobLauncher launcher;
  @Inject MeterRegistry registry;

  private Path root;
  private Map<Integer, Long> endOffsets;

  @BeforeAll
  static void teacher() {
    // The teacher reads longer sequences than the student: the too-long label is a real one.
    teacher = new TinyLmTeacher(LmSpec.of(VOCAB, 2 * CONTEXT, 2, 32, 2, 64), 11, 8f);
    heldOut = teacher.sample(16, CONTEXT, 99);
  }

  @AfterAll
  static void closeTeacher() {
    teacher.close();
  }

  @BeforeEach
  void log() throws Exception {
    root = Files.createTempDirectory("lm-checkpoints");
    endOffsets = ensureProduced();
  }

  @AfterEach
  void removeCheckpoints() {
    TempDirs.delete(root);
  }

  /** Labels (prompt + greedy continuation) plus one sequence longer than the student's context. */
  private synchronized Map<Integer, Long> ensureProduced() throws Exception {
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin client = Admin.create(admin)) {
      if (!client.listTopics().names().get().contains(TOPIC)) {
        client.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        List<int[]> prompts = teacher.sample(LABELS, PROMPT, 1);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
          for (int i = 0; i < LABELS; i++) {
            int[] prompt = prompts.get(i);
            SoftLabelEvent event =
                teacher.softLabel("p" + i, prompt, teacher.greedy(prompt, GENERATED), 8, 1f);
            producer.send(new ProducerRecord<>(TOPIC, event.getPromptId(), event.toByteArray()));
            if (i == 40) {
              SoftLabelEvent tooLong = teacher.softLabel("long", new int[CONTEXT + 4], 8, 1f);
              producer.send(new ProducerRecord<>(TOPIC, "long", tooLong.toByteArray()));
            }
          }
          producer.flush();
        }
      }
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < 2; p++) {
        request.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
      }
      Map<Integer, Long> out = new HashMap<>();
      client
          .listOffsets(request)
          .all()
          .get()
          .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
      return out;
    }
  }

  private JobSpec spec(String job, String tokenizer) {
    return JobSpec.defaults(job, root).toBuilder()
        .topic(TOPIC)
        .student(StudentModels.transformer(VOCAB, CONTEXT, 1, 32, 2, 64, tokenizer))
        .loss(LossSettings.of(Divergence.FORWARD_KL, 1f, 0.1f))
        .batchSize(8)
        .shuffleBuffer(32)
        .checkpointInterval(5)
        .learningRate(3e-3f)
        .passes(PASSES)
        .build();
  }

  @Test
  void tokenLevelKdCoversEveryLabelOnceAndLearnsTheTeacher() throws Exception {
    JobSpec spec = spec("lm-kd", TinyLmTeacher.TOKENIZER_SHA256);
    double before = klOfFreshStudent(spec);
    long started = System.nanoTime();
    JobResult result = launcher.launch(spec, JobHooks.NONE).await(JOB_TIMEOUT);
    double seconds = (System.nanoTime() - started) / 1e9;

    assertTrue(result.finished());
    assertEquals((long) PASSES * LABELS, result.samplesSeen(), "the too-long label is skipped");
    List<CheckpointEvent> chain = Manifests.chain(root, spec.jobId());
    Manifests.assertEachOffsetOncePerPass(chain, endOffsets, PASSES);
    CheckpointEvent last = chain.get(chain.size() - 1);
    assertTrue(last.getFinal());
    assertEquals("transformer", last.getStudent().getFamily());
    assertEquals(TinyLmTeacher.TOKENIZER_SHA256, last.getStudent().getTokenizerSha256());
    assertEquals("tiny-lm", last.getTeachers(0).getModelId());
    double positions =
        registry.get("distillery_trainer_positions").tag("job", spec.jobId()).counter().count();
    assertEquals((double) PASSES * LABELS * (PROMPT + GENERATED), positions, "every token a row");
    double after = kl(new CheckpointStore(root).latest(spec.jobId()).orElseThrow());
    System.out.printf(
        Locale.ROOT,
        "lm-kd: %d steps, %.0f positions in %.1f s (%.0f tokens/s incl. start-up);"
            + " KL(teacher||student) %.3f -> %.3f nats/token%n",
        result.step(),
        positions,
        seconds,
        positions / seconds,
        before,
        after);
    assertTrue(after < 0.8 * before, "KL fell from " + before + " to " + after);
  }

  @Test
  void seqkdTrainsOnTheTeachersContinuations() throws Exception {
    JobSpec spec =
        spec("lm-seqkd", TinyLmTeacher.TOKENIZER_SHA256).toBuilder()
            .source(Source.SEQKD)
            .loss(LossSettings.of(Divergence.FORWARD_KL, 1f, 1f))
            .build();
    List<Float> losses = new ArrayList<>();
    JobHooks record =
        new JobHooks() {
          @Override
          public void afterStep(int pass, long step, int samples, StepResult loss) {
            losses.add(loss.hard());
          }
        };
    JobResult result = launcher.launch(spec, record).await(JOB_TIMEOUT);

    assertTrue(result.finished());
    assertEquals((long) PASSES * LABELS, result.samplesSeen());
    List<CheckpointEvent> chain = Manifests.chain(root, spec.jobId());
    Manifests.assertEachOffsetOncePerPass(chain, endOffsets, PASSES);
    double positions =
        registry.get("distillery_trainer_positions").tag("job", spec.jobId()).counter().count();
    assertEquals(
        (double) PASSES * LABELS * GENERATED, positions, "only the generated tokens are rows");
    double first =
        losses.subList(0, 5).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
    double lastLosses =
        losses.subList(losses.size() - 5, losses.size()).stream()
            .mapToDouble(Float::doubleValue)
            .average()
            .orElseThrow();
    assertTrue(
        lastLosses < 0.8 * first, "hard CE on continuations fell " + first + " -> " + lastLosses);
  }

  @Test
  void aStudentOfAnotherTokenizerFailsBeforeStepOneNamingBoth() throws Exception {
    String other = "ab".repeat(32);
    RunningJob running = launcher.launch(spec("lm-misfit", other), JobHooks.NONE);
    ExecutionException failure =
        assertThrows(ExecutionException.class, () -> running.await(JOB_TIMEOUT));
    IncompatibleJobException e =
        assertInstanceOf(IncompatibleJobException.class, failure.getCause());
    assertTrue(e.getMessage().contains(other), e.getMessage());
    assertTrue(e.getMessage().contains(TinyLmTeacher.TOKENIZER_SHA256), e.getMessage());
    assertFalse(Files.exists(root.resolve("lm-misfit").resolve("step-1")), "no checkpoint");
    assertEquals(0, running.job().step());
  }

  private double klOfFreshStudent(JobSpec spec) throws Exception {
    try (Model model = Model.newInstance("fresh", ai.djl.Device.cpu(), "PyTorch")) {
      model.setBlock(spec.network().newBlock());
      synchronized (TinyLmTeacher.class) {
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(spec.seed());
        model
            .getBlock()
            .initialize(
                model.getNDManager(),
                ai.djl.ndarray.types.DataType.FLOAT32,
                spec.network().inputShape(1));
      }
      return kl(new LmRunner(model));
    }
  }

  private static double kl(io.distillery.models.checkpoint.Checkpoint checkpoint) throws Exception {
    try (InputStream params = Files.newInputStream(checkpoint.file(StudentModels.PARAMS_FILE));
        Model model = StudentModels.load(checkpoint.manifest().getStudent(), params)) {
      return kl(new LmRunner(model));
    }
  }

  /** Mean KL(teacher ‖ student) per token on held-out samples of the teacher. */
  private static double kl(LmRunner student) {
    double total = 0;
    long count = 0;
    for (int[] sequence : heldOut) {
      float[] p = teacher.logProbs(sequence);
      long[][] ids = {Arrays.stream(sequence).asLongStream().toArray()};
      long[][] mask = new long[1][sequence.length];
      Arrays.fill(mask[0], 1);
      float[] q = student.logProbs(ids, mask, VOCAB);
      for (int i = 0; i < p.length; i++) {
        total += Math.exp(p[i]) * (p[i] - q[i]);
      }
      count += sequence.length;
    }
    return total / count;
  }
}
