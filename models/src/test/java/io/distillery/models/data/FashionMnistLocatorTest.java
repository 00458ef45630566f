package io.distillery.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistLocatorTest {
  @TempDir Path tmp;

  @Test
  void acceptsAConfiguredDirectoryWithAllFiles() throws IOException {
    for (String f : FashionMnist.FILES) {
      Files.createFile(tmp.resolve(f));
    }
    assertEquals(tmp, FashionMnistLocator.locate(tmp.toString()));
  }

  @Test
  void namesTheDirectoryAndTheMissingFiles() throws IOException {
    Files.createFile(tmp.resolve(FashionMnist.TRAIN_IMAGES));
    FileNotFoundException e =
        assertThrows(FileNotFoundException.class, () -> FashionMnistLocator.locate(tmp.toString()));
    assertTrue(e.getMessage().contains(tmp.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("the configured path"), e.getMessage());
    assertTrue(e.getMessage().contains(FashionMnist.TEST_LABELS), e.getMessage());
    assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
  }

  @Test
  void fallsBackToTheDebianLocation() throws IOException {
    // The build machine installs dataset-fashion-mnist; nothing else is configured in tests.
    assertEquals(Path.of(FashionMnistLocator.DEFAULT_DIR), FashionMnistLocator.locate(" "));
  }
}
