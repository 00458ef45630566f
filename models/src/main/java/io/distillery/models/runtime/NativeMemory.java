package io.distillery.models.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Tunes glibc's malloc for PyTorch on CPU. PyTorch allocates every activation with {@code malloc};
 * with glibc's defaults, blocks above the mmap threshold come from fresh {@code mmap}s and freed
 * memory goes back to the kernel, so each batch page-faults its activations in again. Measured here
 * (teacher CNN, batch 128, one PyTorch thread, 100 batches):
 *
 * <ul>
 *   <li>glibc defaults: ≈700 samples/s, a third of the CPU time in the kernel;
 *   <li>environment {@code MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824
 *       MALLOC_TOP_PAD_=268435456} set before the JVM starts: 1,850-2,250 samples/s, reliably;
 *   <li>{@link #tuneMalloc()} (the same three values through {@code mallopt} after the JVM has
 *       started): 870-2,000 samples/s depending on the run, presumably because arenas created
 *       earlier keep their old heaps.
 * </ul>
 *
 * <p>So set the environment variables for every process that runs PyTorch (launch scripts,
 * Deployments, surefire); {@link #tuneMalloc()} is a best-effort fallback for processes started
 * without them.
 */
public final class NativeMemory {
  /** glibc's {@code M_TRIM_THRESHOLD}. */
  private static final int M_TRIM_THRESHOLD = -1;

  /** glibc's {@code M_TOP_PAD}. */
  private static final int M_TOP_PAD = -2;

  /** glibc's {@code M_MMAP_THRESHOLD}. */
  private static final int M_MMAP_THRESHOLD = -3;

  /** Largest mmap threshold glibc accepts on 64-bit (HEAP_MAX_SIZE / 2). */
  static final int MMAP_THRESHOLD = 32 * 1024 * 1024;

  static final int TRIM_THRESHOLD = 1024 * 1024 * 1024;

  static final int TOP_PAD = 256 * 1024 * 1024;

  private static volatile Boolean applied;

  private NativeMemory() {}

  /** The part of libc this class calls. */
  interface CLibrary extends Library {
    int mallopt(int param, int value);
  }

  /**
   * Raises glibc's mmap threshold, trim threshold and top pad once per process; a no-op elsewhere
   * (non-Linux, musl) or when {@code MALLOC_MMAP_THRESHOLD_} is already set in the environment.
   *
   * @return whether both settings are now in effect
   */
  public static synchronized boolean tuneMalloc() {
    if (applied != null) {
      return applied;
    }
    if (System.getenv("MALLOC_MMAP_THRESHOLD_") != null) {
      applied = true; // the operator chose already
      return true;
    }
    boolean ok = false;
    if (Platform.isLinux() && !Platform.isAndroid()) {
      try {
        CLibrary libc = Native.load("c", CLibrary.class);
        // mallopt returns 1 on success, 0 on error (e.g. a C library without these parameters).
        ok =
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                && libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                && libc.mallopt(M_TOP_PAD, TOP_PAD) == 1;
      } catch (UnsatisfiedLinkError | RuntimeException e) {
        ok = false; // not glibc: keep the defaults
      }
    }
    applied = ok;
    return ok;
  }
}
