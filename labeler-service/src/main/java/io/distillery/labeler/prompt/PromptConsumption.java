package io.distillery.labeler.prompt;

import io.distillery.labeler.gate.ConsumptionControl;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Pauses and resumes the prompt channel, which is configured pausable and initially paused (with
 * late subscription, so the consumer does not even poll before the gate opens).
 */
@ApplicationScoped
public class PromptConsumption implements ConsumptionControl {

  private final ChannelRegistry channels;

  public PromptConsumption(ChannelRegistry channels) {
    this.channels = channels;
  }

  @Override
  public void resume() {
    channel().resume();
  }

  @Override
  public void pause() {
    channel().pause();
  }

  private PausableChannel channel() {
    PausableChannel channel = channels.getPausable(PromptChannel.PROMPTS);
    if (channel == null) {
      throw new IllegalStateException(
          "channel '"
              + PromptChannel.PROMPTS
              + "' is not pausable; set mp.messaging.incoming."
              + PromptChannel.PROMPTS
              + ".pausable=true");
    }
    return channel;
  }
}
