package io.distillery.cli.access;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillery teacher token}: mints a bearer token for one teacher client. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description =
        "Mint a bearer token (RS256 JWT) for one teacher client; print it on stdout. The client's"
            + " quota and top-k cap are set on the teacher (distillery.teacher.access.clients.<id>.*).")
public final class TeacherTokenCommand implements Callable<Integer> {

  @Option(names = "--key", required = true, description = "Issuer private key (PEM, PKCS#8).")
  Path key;

  @Option(
      names = "--issuer",
      defaultValue = "https://distillery.local",
      description =
          "iss claim; must equal the teacher's mp.jwt.verify.issuer (default: ${DEFAULT-VALUE}).")
  String issuer;

  @Option(names = "--client", required = true, description = "Client id, e.g. labeler.")
  String client;

  @Option(
      names = "--roles",
      split = ",",
      defaultValue = "describe,label",
      description = "Roles: describe, label, generate (default: ${DEFAULT-VALUE}).")
  List<String> roles;

  @Option(
      names = "--ttl",
      defaultValue = "P30D",
      description = "Lifetime, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration ttl;

  @Override
  public Integer call() throws Exception {
    System.out.println(
        TokenIssuer.mint(TokenIssuer.readPrivateKey(key), issuer, client, roles, ttl));
    return 0;
  }
}
