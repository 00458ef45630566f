package io.distillery.labeler.prompt;

import com.google.protobuf.ByteString;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.TokenWindow;
import java.util.Objects;

/**
 * A prompt that passed validation: one teacher sample and one soft label.
 *
 * @param origin the record it came from
 * @param event the prompt, normalised: a tensor without a shape gets the teacher's input shape; a
 *     text becomes the tokens of one window, with id {@code <id>#<n>} when the text was cut into
 *     several windows
 * @param window where those tokens lie in the prompt's text, or {@code null} for a tensor or token
 *     prompt
 */
public record ValidPrompt(IncomingPrompt origin, PromptEvent event, TokenWindow window) {

  public ValidPrompt {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(event, "event");
  }

  /**
   * The prompt's input encoded as a {@code ModelInput}: the record's own bytes when the prompt is
   * labelled as it came, so that they go to the teacher without being written again.
   */
  public ByteString encodedInput() {
    return EncodedInput.of(origin, event);
  }

  /** A prompt labelled as it came. */
  public ValidPrompt(IncomingPrompt origin, PromptEvent event) {
    this(origin, event, null);
  }
}
