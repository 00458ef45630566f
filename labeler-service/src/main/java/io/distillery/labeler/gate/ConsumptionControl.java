package io.distillery.labeler.gate;

/** Starts and stops the consumption of prompts. */
public interface ConsumptionControl {

  /** Lets records flow from the prompt topic to the labeler. */
  void resume();

  /** Stops taking records from the prompt topic; what was taken is still finished. */
  void pause();
}
