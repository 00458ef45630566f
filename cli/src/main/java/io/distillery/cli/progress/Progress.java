package io.distillery.cli.progress;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.util.Objects;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar for long CLI steps: count/total, rate per second and ETA.
 *
 * <p>On a terminal it redraws in place. When the output is not a terminal (tests, CI, piped logs,
 * or any stream other than {@code System.out}/{@code System.err}) it prints a plain ASCII line at
 * most every {@value #PLAIN_INTERVAL_MILLIS} ms, only when something changed, and a last line on
 * {@link #close()}, so logs get no control characters.
 */
public final class Progress implements AutoCloseable {

  /** Redraw interval on a terminal. */
  static final int TERMINAL_INTERVAL_MILLIS = 250;

  /** Least time between two lines when the output is not a terminal. */
  static final int PLAIN_INTERVAL_MILLIS = 5_000;

  /** Line width of the plain (non-terminal) form. */
  static final int PLAIN_WIDTH = 110;

  private final ProgressBar bar;
  private boolean closed;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /**
   * Starts a progress bar on {@code System.err} (stdout stays free for results).
   *
   * @param task what is being done, e.g. "Producing"
   * @param total the count at 100%; 0 or less for an unknown total
   * @param unit what is counted, e.g. "prompts", "steps"
   * @return the running bar; close it when done
   */
  public static Progress start(String task, long total, String unit) {
    return start(task, total, unit, System.err);
  }

  /**
   * Starts a progress bar on the given stream.
   *
   * @param task what is being done, e.g. "Producing"
   * @param total the count at 100%; 0 or less for an unknown total
   * @param unit what is counted, e.g. "prompts", "steps"
   * @param out where the bar goes
   * @return the running bar; close it when done
   */
  public static Progress start(String task, long total, String unit, PrintStream out) {
    Objects.requireNonNull(out, "out");
    boolean terminal = System.console() != null && (out == System.err || out == System.out);
    DecimalFormat speed =
        new DecimalFormat("#,##0.0", DecimalFormatSymbols.getInstance(Locale.ROOT));
    ProgressBarBuilder builder =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total > 0 ? total : -1)
            .setUnit(unit == null || unit.isBlank() ? "" : " " + unit, 1)
            .showSpeed(speed);
    if (terminal) {
      builder
          .setStyle(ProgressBarStyle.UNICODE_BLOCK)
          .setUpdateIntervalMillis(TERMINAL_INTERVAL_MILLIS);
      if (out != System.err) {
        // ProgressBar's own console consumer writes to System.err.
        builder.setConsumer(new ConsoleProgressBarConsumer(out));
      }
    } else {
      builder
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(PLAIN_INTERVAL_MILLIS)
          .setConsumer(new DelegatingProgressBarConsumer(new PlainLines(out), PLAIN_WIDTH));
    }
    return new Progress(builder.build());
  }

  /** Sets the count done so far. */
  public void stepTo(long done) {
    bar.stepTo(done);
  }

  /** Adds {@code n} to the count done. */
  public void stepBy(long n) {
    bar.stepBy(n);
  }

  /** Shows a short message after the counts, e.g. the current loss. */
  public void setExtraMessage(String message) {
    bar.setExtraMessage(message == null || message.isEmpty() ? "" : " " + message);
  }

  /** The count done so far. */
  public long current() {
    return bar.getCurrent();
  }

  /** Draws the final state and stops redrawing; idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      bar.close();
    }
  }

  /** Prints each rendered line once: the final refresh may render the same text twice. */
  private static final class PlainLines implements java.util.function.Consumer<String> {
    private final PrintStream out;
    private String last;

    PlainLines(PrintStream out) {
      this.out = out;
    }

    @Override
    public synchronized void accept(String line) {
      String trimmed = line.stripTrailing();
      if (!trimmed.isEmpty() && !trimmed.equals(last)) {
        out.println(trimmed);
        out.flush();
        last = trimmed;
      }
    }
  }
}
