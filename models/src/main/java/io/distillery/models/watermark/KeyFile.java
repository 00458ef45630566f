package io.distillery.models.watermark;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * A watermark key on disk: {@code name=value} lines, written readable by its owner only. Shared by
 * the classifier's and the language model's keys, which differ only in their fields.
 */
public final class KeyFile {

  private KeyFile() {}

  /**
   * Writes {@code text} to {@code file}, readable by its owner only where the file system allows.
   */
  public static void writePrivate(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(
        file,
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: nothing more to do
    }
  }

  /** The fields of a key file; a missing file is an {@link IOException} naming it. */
  public static Properties read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("watermark key file " + file + " does not exist");
    }
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return load(reader);
    }
  }

  /** The fields of a key file's text. */
  public static Properties parse(String text) throws IOException {
    return load(new StringReader(text));
  }

  /** A field that must be present, trimmed; {@code where} names the file in the message. */
  public static String required(Properties fields, String name, String where) throws IOException {
    String value = fields.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IOException("watermark key file " + where + " lacks '" + name + "'");
    }
    return value.trim();
  }

  private static Properties load(Reader reader) throws IOException {
    Properties fields = new Properties();
    fields.load(reader);
    return fields;
  }
}
