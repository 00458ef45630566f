package io.distillery.cli.demo;

/**
 * Stops the demo's processes when the JVM is asked to exit (Ctrl-C, SIGTERM) while the demo runs,
 * so that nothing it started is left behind.
 */
final class StopOnInterrupt implements AutoCloseable {

  private final Thread hook;

  private StopOnInterrupt(Thread hook) {
    this.hook = hook;
  }

  static StopOnInterrupt register(DemoStack stack) {
    Thread hook =
        new Thread(
            () -> {
              System.err.println("\nStopping the demo's processes...");
              stack.close();
            },
            "demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    return new StopOnInterrupt(hook);
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or has run: the processes are being stopped already.
    }
  }
}
