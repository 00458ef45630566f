package io.distillery.trainer.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.lineage.Finding;
import io.distillery.models.lineage.Lineage;
import io.distillery.models.lineage.LineageOptions;
import io.distillery.models.lineage.LineageTracer;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.trainer.job.JobHooks;
import io.distillery.trainer.job.JobLauncher;
import io.distillery.trainer.job.JobResult;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.support.FashionLabels;
import io.distillery.trainer.support.KafkaLabels;
import io.distillery.trainer.support.TempDirs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lineage of a checkpoint written by a real job over real soft labels on a real broker verifies
 * — files against the manifest, the manifest against its event on {@code distill.checkpoints}, the
 * teacher cards against the labels its ranges cite — and stops verifying, with a message naming
 * what differs, when a checkpoint file or the manifest is altered.
 */
@QuarkusTest
@QuarkusTestResource(
    value = LocalKafkaTestResource.class,
    initArgs = @ResourceArg(name = LocalKafkaTestResource.PARTITIONS_ARG, value = "2"))
class LineageVerificationTest {

  private static final String JOB = "lineage";

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject JobLauncher launcher;

  private Path root;

  @AfterEach
  void removeCheckpoints() {
    TempDirs.delete(root);
  }

  @Test
  void aRealJobsLineageVerifiesAndFailsWhenAFileOrTheManifestIsAltered() throws Exception {
    Map<Integer, Long> endOffsets = KafkaLabels.ensureProduced(bootstrapServers);
    root = Files.createTempDirectory("lineage-checkpoints");
    JobSpec spec =
        JobSpec.defaults(JOB, root).toBuilder()
            .batchSize(64)
            .shuffleBuffer(512)
            .checkpointInterval(5)
            .passes(1)
            .build();
    JobResult result = launcher.launch(spec, JobHooks.NONE).await(Duration.ofSeconds(90));
    assertTrue(result.finished());
    Path dir = new CheckpointStore(root).latest(JOB).orElseThrow().dir();
    LineageTracer everyLabel =
        new LineageTracer(LineageOptions.defaults(bootstrapServers).withLabelSample(0));

    Lineage lineage = everyLabel.trace(dir);

    assertTrue(lineage.verified(), "findings: " + lineage.findings());
    assertEquals(result.step(), lineage.step());
    assertTrue(lineage.isFinal());
    assertEquals(KafkaLabels.USABLE, lineage.samplesSeen());
    assertEquals(1, lineage.teachers().size());
    assertEquals("fixture-mlp", lineage.teachers().get(0).card().getModelId());
    long cited = endOffsets.values().stream().mapToLong(Long::longValue).sum();
    Lineage.LabelCheck labels = lineage.labels();
    assertEquals(cited, labels.cited(), "every record of the log is cited once");
    assertEquals(cited, labels.read());
    assertFalse(labels.sampled());
    assertEquals(1, labels.undecodable(), "the bad-bytes record");
    assertEquals(1, labels.fromOtherTeachers(), "the 5-class teacher's record, skipped");
    assertEquals(KafkaLabels.USABLE + 1, labels.fromListedTeachers(), "+ the truncated record");
    assertEquals(KafkaLabels.BAD, labels.skippedByTrainer());
    assertEquals(KafkaLabels.USABLE + 1, lineage.teachers().get(0).labelsRead());
    assertEquals(0, lineage.teachers().get(0).overrides());
    assertEquals(
        List.of(new Lineage.DatasetCount(FashionLabels.DATASET, KafkaLabels.USABLE + 1)),
        lineage.datasets());
    assertEquals(endOffsets.size(), lineage.ranges().size(), "one merged range per partition");
    for (Lineage.PassRange range : lineage.ranges()) {
      assertEquals(DistilleryTopics.SOFT_LABELS, range.topic());
      assertEquals(0, range.from());
      assertEquals(endOffsets.get(range.partition()) - 1, range.to());
    }
    assertTrue(lineage.chain().size() > 1, "a chain of checkpoints: " + lineage.chain());
    assertTrue(lineage.chain().stream().allMatch(Lineage.ChainLink::matches));

    // By job id: the latest announced checkpoint, the same lineage; a sample of labels.
    Lineage byJob =
        new LineageTracer(LineageOptions.defaults(bootstrapServers).withLabelSample(50))
            .traceJob(JOB, OptionalLong.empty());
    assertTrue(byJob.verified(), "findings: " + byJob.findings());
    assertEquals(lineage.manifestSha256(), byJob.manifestSha256());
    assertEquals(50, byJob.labels().read());
    assertTrue(byJob.labels().sampled());

    // A checkpoint file altered: one byte of the student's parameters.
    Path params = dir.resolve(StudentModels.PARAMS_FILE);
    byte[] original = Files.readAllBytes(params);
    byte[] altered = original.clone();
    altered[altered.length / 2] ^= 0x01;
    Files.write(params, altered);
    Lineage alteredFile = everyLabel.trace(dir);
    assertFalse(alteredFile.verified());
    List<Finding> mismatches = alteredFile.mismatches();
    assertEquals(1, mismatches.size(), "only the file: " + mismatches);
    assertEquals("files", mismatches.get(0).check());
    assertTrue(
        mismatches.get(0).message().contains(params + " has sha256 ")
            && mismatches.get(0).message().contains("but the manifest records"),
        mismatches.get(0).message());
    Files.write(params, original);
    assertTrue(everyLabel.trace(dir).verified(), "restored");

    // The manifest altered: a different loss weight, with the file digests left intact.
    Path manifestFile = dir.resolve(CheckpointStore.MANIFEST);
    CheckpointEvent.Builder manifest = CheckpointEvent.newBuilder();
    JsonFormat.parser().merge(Files.readString(manifestFile), manifest);
    manifest.getLossBuilder().setAlpha(manifest.getLoss().getAlpha() + 0.25f);
    Files.writeString(manifestFile, JsonFormat.printer().print(manifest), StandardCharsets.UTF_8);
    Lineage alteredManifest = everyLabel.trace(dir);
    assertFalse(alteredManifest.verified());
    mismatches = alteredManifest.mismatches();
    assertEquals(1, mismatches.size(), "only the manifest: " + mismatches);
    assertEquals("manifest", mismatches.get(0).check());
    String message = mismatches.get(0).message();
    assertTrue(
        message.contains(manifestFile + " has sha256 ")
            && message.contains("but the checkpoint event at " + DistilleryTopics.CHECKPOINTS)
            && message.endsWith("(fields that differ: loss)"),
        message);
  }
}
