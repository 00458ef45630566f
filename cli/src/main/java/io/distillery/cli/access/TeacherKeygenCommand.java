package io.distillery.cli.access;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillery teacher keygen}: the key pair of a token issuer for teacher access. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description =
        "Write an RSA key pair for signing teacher access tokens: the private key stays with whoever"
            + " issues tokens, teacher-service verifies with the public key"
            + " (mp.jwt.verify.publickey.location).")
public final class TeacherKeygenCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "Directory to write the PEM files to.")
  Path out;

  @Override
  public Integer call() throws Exception {
    TokenIssuer.generateKeys(out);
    System.out.printf(
        "wrote %s (keep secret) and %s%n",
        out.resolve(TokenIssuer.PRIVATE_KEY), out.resolve(TokenIssuer.PUBLIC_KEY));
    return 0;
  }
}
