package io.distillery.cli.demo;

/** Points where a caller (the end-to-end tests) can act on a running demo. */
public interface DemoHooks {

  /** No hooks: the plain demo. */
  DemoHooks NONE = new DemoHooks() {};

  /**
   * Called once the broker and the services are ready, before the training prompts are produced.
   *
   * @return how many extra records the hook wrote to {@code distill.prompts}; labelling waits for
   *     each of them to come out as a soft label or a dead letter
   */
  default int servicesStarted(DemoStack stack) throws Exception {
    return 0;
  }

  /** Called after every job is finished and scored, while every process still runs. */
  default void trainingFinished(DemoStack stack, PipelineEvents events) throws Exception {}
}
