package io.distillery.evaluator.support;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.student.StudentModels;
import io.distillery.models.teacher.CausalLmTeacherConfig;
import io.distillery.models.teacher.CausalLmTeacherTrainer;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.text.TextCorpus;
import io.distillery.models.tokenizer.TextTokenizer;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.StudentSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A tiny causal-LM teacher trained for real (a few dozen steps on Northanger Abbey, with its own
 * byte-level BPE tokenizer) and written as {@code distillery teacher train --task causal-lm} writes
 * it, a held-out file cut from Persuasion, and transformer students written as checkpoints the way
 * the trainer writes them ({@link CheckpointStore} + {@link StudentModels}). Built once per JVM.
 */
public final class TinyLm {

  /** Vocabulary, context, layers, width, heads, MLP width of teacher and students. */
  public static final int VOCAB = 300;

  public static final int CONTEXT = 32;

  private static Path teacherDir;
  private static Path heldOutFile;

  private TinyLm() {}

  /** The trained teacher's model directory. */
  public static synchronized Path teacherDir() {
    if (teacherDir == null) {
      try {
        List<Document> novels = JaneAusten.novels(JaneAusten.locate(null));
        TextCorpus train =
            new TextCorpus(
                "northangerabbey",
                novels.stream().filter(d -> d.id().equals("northangerabbey")).toList());
        Path dir = TempDirs.create("tiny-lm-teacher").resolve("teacher");
        CausalLmTeacherConfig config =
            CausalLmTeacherConfig.defaults(dir)
                .withNetwork(VOCAB, CONTEXT, 1, 32, 2, 64)
                .withSchedule(16, 3e-3f, 3e-4f, 5)
                .withBudget(40, 0);
        TextCorpus heldOut = TextCorpus.textFile(heldOutFile());
        new CausalLmTeacherTrainer(
                config,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                CausalLmTeacherTrainer.Listener.NONE)
            .train(train, heldOut, "janeausten");
        teacherDir = dir;
      } catch (Exception e) {
        throw new IllegalStateException("cannot train the tiny LM teacher", e);
      }
    }
    return teacherDir;
  }

  /** The first 6,000 characters of Persuasion, as a UTF-8 text file. */
  public static synchronized Path heldOutFile() {
    if (heldOutFile == null) {
      try {
        Document persuasion = JaneAusten.heldOut(JaneAusten.locate(null)).documents().get(0);
        Path file = TempDirs.create("tiny-lm-held-out").resolve("persuasion.txt");
        Files.writeString(file, persuasion.text().substring(0, 6_000), StandardCharsets.UTF_8);
        heldOutFile = file;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return heldOutFile;
  }

  /** The teacher's tokenizer sha256. */
  public static String tokenizerSha256() throws Exception {
    try (TextTokenizer tokenizer = TeacherArtifacts.loadTokenizer(teacherDir())) {
      return tokenizer.sha256();
    }
  }

  /**
   * Writes a transformer student of the teacher's shape as checkpoint {@code step} of {@code job}:
   * with the teacher's own weights ({@code teacherLike}) or freshly initialised ones.
   */
  public static Checkpoint checkpoint(
      Path root, String job, long step, boolean teacherLike, String tokenizerSha256)
      throws Exception {
    StudentSpec spec = StudentModels.transformer(VOCAB, CONTEXT, 1, 32, 2, 64, tokenizerSha256);
    NetworkSpec network = StudentModels.network(spec);
    try (Model student = Model.newInstance("lm-student", Device.cpu(), StudentModels.ENGINE)) {
      Block block = network.newBlock();
      student.setBlock(block);
      synchronized (TinyLm.class) {
        Engine.getEngine(StudentModels.ENGINE).setRandomSeed(5);
        block.initialize(
            student.getNDManager(), DataType.FLOAT32, CausalLm.inputShapes(1, CONTEXT));
      }
      if (teacherLike) {
        try (Model teacher = TeacherArtifacts.loadPyTorch(teacherDir())) {
          copy(teacher.getBlock().getParameters(), block);
        }
      }
      CheckpointEvent manifest =
          CheckpointEvent.newBuilder()
              .setJobId(job)
              .setStep(step)
              .setSamplesSeen(step * 16)
              .setStudent(spec)
              .setCreatedAtMs(System.currentTimeMillis())
              .build();
      return new CheckpointStore(root)
          .write(
              manifest,
              Map.of(StudentModels.PARAMS_FILE, out -> StudentModels.writeParameters(block, out)));
    }
  }

  /** Copies the teacher's parameters into the student's decoder, in order (the same network). */
  private static void copy(PairList<String, Parameter> from, Block student) {
    PairList<String, Parameter> to = student.getParameters();
    if (from.size() != to.size()) {
      throw new IllegalStateException(from.size() + " teacher vs " + to.size() + " student params");
    }
    // Frozen first: PyTorch refuses an in-place write into a leaf that requires gradients.
    student.freezeParameters(true);
    for (int i = 0; i < from.size(); i++) {
      Pair<String, Parameter> source = from.get(i);
      to.get(i).getValue().getArray().set(source.getValue().getArray().toFloatArray());
    }
  }
}
