package io.distillery.labeler.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.Map;

/**
 * Test profiles of a labeler in front of a causal-LM teacher: {@link LabelerTeacherResource} reads
 * {@link #TASK} and {@link #TOKENIZER_SHA} from them and serves the fake's bigram language model
 * with a context of {@link #CONTEXT} tokens.
 */
public final class TextProfiles {

  /** Profile key: {@code causal-lm} makes the fake teacher a bigram language model. */
  public static final String TASK = "fake-teacher.task";

  /** Profile key: the tokenizer sha256 the fake teacher's card states. */
  public static final String TOKENIZER_SHA = "fake-teacher.tokenizer-sha256";

  /** The fake teacher's context, in tokens. */
  public static final int CONTEXT = 16;

  /** Text limit of the profiles, in UTF-8 bytes. */
  public static final int MAX_TEXT_BYTES = 2_000;

  private TextProfiles() {}

  private static Map<String, String> causalLm(String teacherTokenizerSha) {
    Map<String, String> config = new HashMap<>();
    config.put(TASK, "causal-lm");
    config.put(TOKENIZER_SHA, teacherTokenizerSha);
    config.put("distillery.labeler.teacher.task", "causal-lm");
    config.put("distillery.labeler.top-k", "4");
    config.put("distillery.labeler.text.max-bytes", Integer.toString(MAX_TEXT_BYTES));
    return config;
  }

  /** The teacher's own tokenizer configured. */
  public static class WithTokenizer implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = causalLm(TestTokenizer.sha256());
      config.put("distillery.labeler.text.tokenizer", TestTokenizer.file().toString());
      return config;
    }
  }

  /** No tokenizer configured; the teacher continues every prompt by 3 greedy tokens. */
  public static class GeneratingWithoutTokenizer implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = causalLm(TestTokenizer.sha256());
      config.put("distillery.labeler.generation.enabled", "true");
      config.put("distillery.labeler.generation.max-new-tokens", "3");
      return config;
    }
  }

  /** A tokenizer configured that is not the teacher's. */
  public static class ForeignTokenizer implements QuarkusTestProfile {

    /** What the teacher's card states instead. */
    public static final String TEACHER_SHA =
        "0000000000000000000000000000000000000000000000000000000000abcdef";

    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = causalLm(TEACHER_SHA);
      config.put("distillery.labeler.text.tokenizer", TestTokenizer.file().toString());
      return config;
    }
  }
}
