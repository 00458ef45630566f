package io.distillery.labeler.prompt;

import io.distillery.proto.v1.PromptEvent;
import java.util.Objects;

/**
 * A prompt that passed validation.
 *
 * @param origin the record it came from
 * @param event the prompt, normalised: a tensor without a shape gets the teacher's input shape
 */
public record ValidPrompt(IncomingPrompt origin, PromptEvent event) {

  public ValidPrompt {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(event, "event");
  }
}
