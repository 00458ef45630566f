package io.distillery.evaluator.lm;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.evaluator.evaluation.EvaluationEvents;
import io.distillery.evaluator.evaluation.TaskEvaluation;
import io.distillery.evaluator.promotion.Ranking;
import io.distillery.evaluator.scoring.StudentRunner;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.lm.LmScorer;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.nn.Layer;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.student.StudentModels;
import io.distillery.models.text.JaneAusten;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.Continuation;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationMetrics;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.Task;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Language models (the {@code transformer} student family): the student and the teacher in-process
 * on the same held-out tokens ({@link LmScorer}), greedy continuations of the configured prompts,
 * ranked by the student's bits per byte (lower is better).
 */
@ApplicationScoped
public class LanguageModelEvaluation implements TaskEvaluation {

  /** The ranking metric of LM checkpoints. */
  public static final String BITS_PER_BYTE = "bits-per-byte";

  private static final Logger LOG = Logger.getLogger(LanguageModelEvaluation.class);

  private final EvaluatorConfig.Lm config;
  private final String evalSetId;
  private LmReference reference;

  @Inject
  public LanguageModelEvaluation(EvaluatorConfig config) {
    this(config.lm());
  }

  /** An evaluation with these settings. */
  public LanguageModelEvaluation(EvaluatorConfig.Lm config) {
    this.config = config;
    // From the settings alone, so a redelivered checkpoint finds its record before anything loads.
    this.evalSetId =
        config.heldOutFile().map(Path::toString).orElse("janeausten:" + JaneAusten.HELD_OUT)
            + "[tokens 0:"
            + config.maxTokens()
            + "]";
    if (this.config.maxTokens() < 1 || this.config.batchSize() < 1) {
      throw new IllegalArgumentException(
          "distillery.evaluator.lm.max-tokens and batch-size must be >= 1, got "
              + this.config.maxTokens()
              + " and "
              + this.config.batchSize());
    }
    if (this.config.continuationTokens() < 0) {
      throw new IllegalArgumentException(
          "distillery.evaluator.lm.continuation-tokens must be >= 0, got "
              + this.config.continuationTokens());
    }
  }

  @Override
  public Task task() {
    return Task.TASK_CAUSAL_LM;
  }

  @Override
  public String evalSetId() {
    return evalSetId;
  }

  @Override
  public synchronized Scored score(CheckpointEvent event, Checkpoint checkpoint, long nowMs)
      throws EvaluationFailure {
    LmReference ref = reference();
    StudentSpec spec = checkpoint.manifest().getStudent();
    LmSpec student = decoder(spec, ref);
    if (checkpoint.manifest().getFilesList().stream()
        .noneMatch(file -> file.getPath().equals(StudentModels.PARAMS_FILE))) {
      throw new EvaluationFailure(
          EvaluationFailure.MISSING_PARAMS,
          "the manifest of " + checkpoint.dir() + " lists no " + StudentModels.PARAMS_FILE);
    }
    try (Model model = load(spec, checkpoint)) {
      LmRunner runner = new LmRunner(model);
      int context = Math.min(student.contextLength(), ref.context());
      LmScorer.Scores scores;
      List<Continuation> continuations = new ArrayList<>();
      try {
        scores =
            LmScorer.score(
                runner,
                ref.runner(),
                ref.vocab(),
                LmScorer.windows(ref.tokens(), context, ref.tokenizer().endOfTextId()),
                ref.bytes(),
                config.batchSize());
        for (String prompt : config.prompts()) {
          continuations.add(continuation(runner, ref, student, prompt));
        }
      } catch (RuntimeException e) {
        throw new EvaluationFailure(
            EvaluationFailure.INFERENCE_ERROR,
            "running student " + spec.getArchitecture() + " failed: " + e.getMessage(),
            e);
      }
      if (!Double.isFinite(scores.bitsPerByte()) || !Double.isFinite(scores.klPerToken())) {
        throw new EvaluationFailure(
            EvaluationFailure.NON_FINITE_OUTPUT,
            "student of "
                + checkpoint.dir()
                + " gives "
                + scores.bitsPerByte()
                + " bits per byte, KL "
                + scores.klPerToken());
      }
      LOG.infof(
          "job %s step %d: %.4f bits/byte (teacher %.4f), perplexity %.2f (teacher %.2f),"
              + " KL %.4f nats/token, agreement %.4f over %d tokens",
          event.getJobId(),
          event.getStep(),
          scores.bitsPerByte(),
          scores.teacherBitsPerByte(),
          scores.perplexity(),
          scores.teacherPerplexity(),
          scores.klPerToken(),
          scores.agreement(),
          scores.tokens());
      EvaluationEvent scored =
          EvaluationEvents.student(event, ref.evalSetId(), (int) scores.tokens(), nowMs)
              .setTeacher(ref.card())
              .setMetrics(metrics(scores))
              .addAllContinuations(continuations)
              .setStatus(EvaluationStatus.EVALUATION_OK)
              .build();
      return new Scored(scored, new Ranking(BITS_PER_BYTE, scores.bitsPerByte(), false));
    }
  }

  /** The scores as an evaluation reports them. */
  static EvaluationMetrics metrics(LmScorer.Scores scores) {
    return EvaluationMetrics.newBuilder()
        .setBitsPerByte(scores.bitsPerByte())
        .setPerplexity(scores.perplexity())
        .setTokens(scores.tokens())
        .setTeacherBitsPerByte(scores.teacherBitsPerByte())
        .setTeacherPerplexity(scores.teacherPerplexity())
        .setKlTeacherStudent(Math.max(0, scores.klPerToken()))
        .setAgreement(scores.agreement())
        .setNll(scores.studentNats() / scores.tokens())
        .build();
  }

  private LmReference reference() throws EvaluationFailure {
    if (reference == null) {
      reference =
          LmReference.load(
              config.teacherDir(), config.heldOutFile(), config.maxTokens(), evalSetId);
      LOG.infof(
          "LM reference: teacher %s, held-out %s (%d tokens, %d bytes)",
          reference.card().getModelId(),
          reference.evalSetId(),
          reference.tokens().length,
          reference.bytes());
    }
    return reference;
  }

  private static LmSpec decoder(StudentSpec spec, LmReference ref) throws EvaluationFailure {
    NetworkSpec network = StudentRunner.rebuild(spec);
    Optional<Layer.Decoder> decoder = network.decoder();
    if (decoder.isEmpty()) {
      throw new EvaluationFailure(
          EvaluationFailure.INCOMPATIBLE_STUDENT,
          "student " + network.name() + " is not a language model");
    }
    String sha = decoder.get().tokenizerSha256();
    String teacherSha = ref.tokenizer().sha256();
    if (!sha.isEmpty() && !sha.equalsIgnoreCase(teacherSha)) {
      throw new EvaluationFailure(
          EvaluationFailure.TOKENIZER_MISMATCH,
          "student "
              + network.name()
              + " was trained with tokenizer sha256 "
              + sha
              + " but the LM teacher's tokenizer.json is "
              + teacherSha);
    }
    if (network.outputSize() != ref.vocab()) {
      throw new EvaluationFailure(
          EvaluationFailure.TOKENIZER_MISMATCH,
          "student "
              + network.name()
              + " has a vocabulary of "
              + network.outputSize()
              + " tokens but the LM teacher has "
              + ref.vocab());
    }
    return decoder.get().lm();
  }

  private static Model load(StudentSpec spec, Checkpoint checkpoint) throws EvaluationFailure {
    try (InputStream in = Files.newInputStream(checkpoint.file(StudentModels.PARAMS_FILE))) {
      return StudentModels.load(spec, in);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      throw new EvaluationFailure(
          EvaluationFailure.UNLOADABLE_PARAMETERS,
          checkpoint.file(StudentModels.PARAMS_FILE)
              + " does not load into "
              + spec.getArchitecture()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private Continuation continuation(
      LmRunner runner, LmReference ref, LmSpec student, String prompt) {
    int[] ids = Arrays.stream(ref.tokenizer().encode(prompt)).mapToInt(x -> (int) x).toArray();
    if (ids.length == 0) {
      ids = new int[] {ref.tokenizer().endOfTextId()};
    }
    int[] generated =
        LmScorer.greedy(
            runner,
            ref.vocab(),
            student.contextLength(),
            ids,
            config.continuationTokens(),
            ref.tokenizer().endOfTextId());
    Continuation.Builder out =
        Continuation.newBuilder()
            .setPrompt(prompt)
            .setText(ref.tokenizer().decode(Arrays.stream(generated).asLongStream().toArray()));
    for (int id : generated) {
      out.addTokenIds(id);
    }
    return out.build();
  }

  /** Releases the teacher. */
  @PreDestroy
  public synchronized void close() {
    if (reference != null) {
      reference.close();
      reference = null;
    }
  }
}
