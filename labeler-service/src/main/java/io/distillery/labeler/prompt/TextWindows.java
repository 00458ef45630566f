package io.distillery.labeler.prompt;

import io.distillery.labeler.text.TokenizedText;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.proto.v1.TokenWindow;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a tokenized text into non-overlapping windows of at most the teacher's context: each window
 * is one teacher sample and one soft label. A text that fits is one window keyed by the prompt's
 * id; a longer one gives windows keyed {@code <id>#0}, {@code <id>#1}, …, each with its {@link
 * TokenWindow} (index, count, first token, tokens of the whole prompt, and its byte range in the
 * text). Pure logic.
 */
final class TextWindows {

  private TextWindows() {}

  static List<ValidPrompt> cut(
      IncomingPrompt origin, PromptEvent event, TokenizedText text, int windowTokens) {
    if (windowTokens < 1) {
      throw new IllegalArgumentException("window must hold at least 1 token, got " + windowTokens);
    }
    int tokens = text.size();
    int count = (tokens + windowTokens - 1) / windowTokens;
    List<ValidPrompt> windows = new ArrayList<>(count);
    for (int index = 0; index < count; index++) {
      int first = index * windowTokens;
      int end = Math.min(tokens, first + windowTokens);
      TokenSequence.Builder ids = TokenSequence.newBuilder();
      for (int t = first; t < end; t++) {
        ids.addIds(text.ids()[t]);
      }
      int firstByte = text.byteStarts()[first];
      TokenWindow window =
          TokenWindow.newBuilder()
              .setIndex(index)
              .setCount(count)
              .setFirstToken(first)
              .setPromptTokens(tokens)
              .setFirstByte(firstByte)
              .setByteCount(Math.max(0, text.byteEnds()[end - 1] - firstByte))
              .build();
      PromptEvent windowEvent =
          event.toBuilder()
              .setId(count == 1 ? event.getId() : event.getId() + "#" + index)
              .setInput(ModelInput.newBuilder().setTokens(ids))
              .build();
      windows.add(new ValidPrompt(origin, windowEvent, window));
    }
    return windows;
  }
}
