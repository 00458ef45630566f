package io.distillery.models.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeMemoryTest {

  @Test
  void tunesGlibcMallocOnceAndSticks() {
    // The build machine runs Debian (glibc), where mallopt accepts both settings.
    assertTrue(NativeMemory.tuneMalloc());
    assertEquals(true, NativeMemory.tuneMalloc());
  }
}
