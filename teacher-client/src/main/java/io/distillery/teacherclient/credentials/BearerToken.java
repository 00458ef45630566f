package io.distillery.teacherclient.credentials;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.AbstractStub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Presents a bearer token ({@code authorization: Bearer <jwt>}) on every teacher call. The token
 * comes from config or from a file — a mounted Kubernetes Secret — which is re-read when it
 * changes, so a rotated token is used without a restart.
 */
public final class BearerToken extends CallCredentials {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Supplier<String> token;

  private BearerToken(Supplier<String> token) {
    this.token = token;
  }

  /** A fixed token. */
  public static BearerToken of(String token) {
    String trimmed = requireToken(token, "the configured token");
    return new BearerToken(() -> trimmed);
  }

  /** A token read from {@code file} (and again whenever the file changes). */
  public static BearerToken fromFile(Path file) {
    return new BearerToken(new FileToken(file));
  }

  /**
   * The stub with credentials attached when a token or a token file is configured (the token wins),
   * else the stub unchanged (open access).
   */
  public static <S extends AbstractStub<S>> S attach(
      S stub, Optional<String> token, Optional<Path> tokenFile) {
    if (token.isPresent() && !token.get().isBlank()) {
      return stub.withCallCredentials(of(token.get()));
    }
    if (tokenFile.isPresent()) {
      BearerToken credentials = fromFile(tokenFile.get());
      credentials.token.get(); // fail at start-up, naming the file, rather than on the first call
      return stub.withCallCredentials(credentials);
    }
    return stub;
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    try {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + token.get());
      applier.apply(headers);
    } catch (RuntimeException e) {
      applier.fail(
          Status.UNAUTHENTICATED
              .withDescription("no teacher token: " + e.getMessage())
              .withCause(e));
    }
  }

  private static String requireToken(String token, String source) {
    String trimmed = token == null ? "" : token.trim();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException(source + " is empty");
    }
    return trimmed;
  }

  /** The file's content, cached until its modification time changes. */
  private static final class FileToken implements Supplier<String> {
    private final Path file;
    private FileTime readAt;
    private String token;

    FileToken(Path file) {
      this.file = file;
    }

    @Override
    public synchronized String get() {
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        if (token == null || !modified.equals(readAt)) {
          token =
              requireToken(
                  new String(Files.readAllBytes(file), StandardCharsets.UTF_8),
                  "token file " + file);
          readAt = modified;
        }
        return token;
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the teacher token file " + file + ": " + e, e);
      }
    }
  }
}
