package io.distillery.models.text;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * Jane Austen's six completed novels from the Debian package {@value #PACKAGE} (R package
 * janeaustenr, MIT; the texts are public domain, from Project Gutenberg), read without R.
 *
 * <p>The package's {@code data/Rdata.rdx} is a gzip'd R serialization of the index: for each novel,
 * the offset and length of its block in {@code data/Rdata.rdb}. A block is a 4-byte big-endian
 * uncompressed length and a zlib stream; inflated, it is an R character vector (XDR serialization,
 * {@link RData}) with one element per line of the Gutenberg text. A novel's text is its lines
 * joined with {@code \n}, plus a final {@code \n}.
 *
 * <p>{@value #HELD_OUT} is held out for evaluation; the other five are the training corpus.
 */
public final class JaneAusten {

  /** The Debian package with the texts. */
  public static final String PACKAGE = "r-cran-janeaustenr";

  /** Where the Debian package installs the R package. */
  public static final String DEFAULT_DIR = "/usr/lib/R/site-library/janeaustenr";

  /** System property naming the R package directory (the one holding {@code data/}). */
  public static final String PROPERTY = "distillery.janeausten.dir";

  /** Environment variable naming the R package directory. */
  public static final String ENV = "DISTILLERY_JANEAUSTEN_DIR";

  /** The novels, by their R names, in order of publication. */
  public static final List<String> NOVELS =
      List.of(
          "sensesensibility",
          "prideprejudice",
          "mansfieldpark",
          "emma",
          "northangerabbey",
          "persuasion");

  /** The novel held out for evaluation. */
  public static final String HELD_OUT = "persuasion";

  /** Files inside the package directory. */
  public static final List<String> FILES = List.of("data/Rdata.rdb", "data/Rdata.rdx");

  private JaneAusten() {}

  /**
   * Locates the R package directory: {@code configured} if given, else the system property {@value
   * #PROPERTY}, the environment variable {@value #ENV}, then {@value #DEFAULT_DIR}.
   *
   * @param configured a directory, or null/blank for the fall-backs
   * @return a directory holding {@link #FILES}
   * @throws FileNotFoundException naming the directory, where its name came from and what to do
   */
  public static Path locate(String configured) throws FileNotFoundException {
    String source;
    String dir;
    if (configured != null && !configured.isBlank()) {
      source = "the configured path";
      dir = configured;
    } else if (System.getProperty(PROPERTY) != null && !System.getProperty(PROPERTY).isBlank()) {
      source = "system property " + PROPERTY;
      dir = System.getProperty(PROPERTY);
    } else if (System.getenv(ENV) != null && !System.getenv(ENV).isBlank()) {
      source = "environment variable " + ENV;
      dir = System.getenv(ENV);
    } else {
      source = "the default location";
      dir = DEFAULT_DIR;
    }
    Path path = Path.of(dir);
    List<String> missing = missing(path);
    if (!missing.isEmpty()) {
      throw new FileNotFoundException(
          String.format(
              "Jane Austen corpus not found in %s (%s): missing %s. Install the Debian package"
                  + " %s, or point %s / %s at the R package directory holding %s",
              path.toAbsolutePath(), source, missing, PACKAGE, PROPERTY, ENV, FILES));
    }
    return path;
  }

  /** The {@link #FILES} missing from {@code dir}. */
  public static List<String> missing(Path dir) {
    return FILES.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
  }

  /**
   * Reads all six novels.
   *
   * @param packageDir the R package directory (holding {@code data/Rdata.rdb} and {@code .rdx})
   * @return one document per novel, id = R name, in the order of {@link #NOVELS}
   * @throws IOException if the files are missing or not what the package ships
   */
  public static List<Document> novels(Path packageDir) throws IOException {
    Map<String, List<String>> lines = lines(packageDir);
    List<Document> documents = new ArrayList<>();
    for (String name : NOVELS) {
      List<String> novel = lines.get(name);
      if (novel == null) {
        throw new IOException(packageDir + ": no novel '" + name + "' in the package's data");
      }
      documents.add(new Document(name, String.join("\n", novel) + "\n"));
    }
    return documents;
  }

  /** The five training novels. */
  public static TextCorpus training(Path packageDir) throws IOException {
    return new TextCorpus(
        "janeausten (5 novels, " + HELD_OUT + " held out)",
        novels(packageDir).stream().filter(d -> !d.id().equals(HELD_OUT)).toList());
  }

  /** The held-out novel, {@value #HELD_OUT}. */
  public static TextCorpus heldOut(Path packageDir) throws IOException {
    return new TextCorpus(
        "janeausten:" + HELD_OUT,
        novels(packageDir).stream().filter(d -> d.id().equals(HELD_OUT)).toList());
  }

  /**
   * Every character vector of the package's lazy-load database, by name, as R stores it (NA lines
   * as null).
   *
   * @param packageDir the R package directory
   * @return name → lines, in index order
   * @throws IOException if a file is missing or malformed
   */
  public static Map<String, List<String>> lines(Path packageDir) throws IOException {
    Path rdb = packageDir.resolve("data/Rdata.rdb");
    Path rdx = packageDir.resolve("data/Rdata.rdx");
    RData.Value index = RData.read(decompressIndex(Files.readAllBytes(rdx), rdx));
    if (!(index instanceof RData.ListValue list)
        || !(list.get("variables") instanceof RData.ListValue variables)) {
      throw new IOException(rdx + ": not a lazy-load index (no 'variables' list)");
    }
    byte[] db = Files.readAllBytes(rdb);
    Map<String, List<String>> result = new LinkedHashMap<>();
    List<String> names = variables.names();
    for (int i = 0; i < variables.values().size(); i++) {
      if (!(variables.values().get(i) instanceof RData.Ints position)
          || position.values().length != 2) {
        throw new IOException(rdx + ": entry " + names.get(i) + " is not (offset, length)");
      }
      int offset = position.values()[0];
      int length = position.values()[1];
      if (offset < 0 || length < 5 || (long) offset + length > db.length) {
        throw new IOException(
            rdb + ": block of " + names.get(i) + " at " + offset + "+" + length + " is outside");
      }
      RData.Value value = RData.read(inflateBlock(db, offset, length, rdb));
      if (value instanceof RData.Strings strings) {
        result.put(names.get(i), strings.values());
      }
    }
    return result;
  }

  /** A block of a lazy-load database: 4-byte big-endian length, then a zlib stream. */
  static byte[] inflateBlock(byte[] db, int offset, int length, Path file) throws IOException {
    int size = ByteBuffer.wrap(db, offset, 4).getInt();
    if (size < 0) {
      throw new IOException(file + ": negative block size at offset " + offset);
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(db, offset + 4, length - 4);
      byte[] out = new byte[size];
      int n = 0;
      while (n < size && !inflater.finished()) {
        int got = inflater.inflate(out, n, size - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += got;
      }
      if (n != size) {
        throw new IOException(
            file + ": block at offset " + offset + " inflated to " + n + " bytes, not " + size);
      }
      return out;
    } catch (DataFormatException e) {
      throw new IOException(
          file + ": block at offset " + offset + " is not a zlib stream: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  /** The index is gzip'd ({@code saveRDS}); a raw or length+zlib one is accepted too. */
  private static byte[] decompressIndex(byte[] bytes, Path file) throws IOException {
    if (bytes.length > 2 && (bytes[0] & 0xFF) == 0x1f && (bytes[1] & 0xFF) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        return in.readAllBytes();
      }
    }
    if (bytes.length > 2 && bytes[0] == 'X' && bytes[1] == '\n') {
      return bytes;
    }
    return inflateBlock(bytes, 0, bytes.length, file);
  }
}
