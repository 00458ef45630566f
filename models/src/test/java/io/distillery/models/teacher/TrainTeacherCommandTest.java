package io.distillery.models.teacher;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class TrainTeacherCommandTest {
  private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void requiresAnOutputDirectory() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainTeacherCommand.run(new String[] {"--epochs", "1"}, DISCARD));
    assertTrue(e.getMessage().contains("--out is required"), e.getMessage());
  }

  @Test
  void namesABadValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainTeacherCommand.run(new String[] {"--out", "x", "--epochs", "ten"}, DISCARD));
    assertTrue(e.getMessage().contains("--epochs needs an integer, got 'ten'"), e.getMessage());
  }

  @Test
  void namesAnInvalidConfigField() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainTeacherCommand.run(new String[] {"--out", "x", "--epochs", "0"}, DISCARD));
    assertTrue(e.getMessage().contains("epochs must be >= 1, got 0"), e.getMessage());
  }
}
