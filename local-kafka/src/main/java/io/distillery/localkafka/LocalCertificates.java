package io.distillery.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and a broker certificate it signed, made with the JDK's own
 * {@code keytool} (no extra library): a PKCS12 keystore for the broker (key + chain) and a PKCS12
 * truststore for clients holding only the CA certificate. The broker certificate names {@value
 * LocalKafkaBroker#HOST} and {@code localhost}, so clients keep hostname verification on.
 *
 * <p>For tests and local runs only: the keys are generated fresh and the password is random.
 */
public final class LocalCertificates {

  /** Keystore and truststore type. */
  public static final String STORE_TYPE = "PKCS12";

  private static final String SUBJECT_NAMES = "SAN=ip:" + LocalKafkaBroker.HOST + ",dns:localhost";
  private static final String VALIDITY_DAYS = "30";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  private final Path dir;
  private final String password;

  private LocalCertificates(Path dir, String password) {
    this.dir = dir;
    this.password = password;
  }

  /**
   * Generates CA, broker key pair and certificate, keystore and truststore in {@code dir}.
   *
   * @throws IllegalStateException if keytool is missing or fails; the message carries its output
   */
  public static LocalCertificates generate(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create certificate dir " + dir, e);
    }
    LocalCertificates certs =
        new LocalCertificates(dir, java.util.UUID.randomUUID().toString().replace("-", ""));
    certs.run();
    return certs;
  }

  /** The broker's keystore: its private key and the chain broker → CA. */
  public Path keystore() {
    return dir.resolve("broker.p12");
  }

  /** The clients' truststore: the CA certificate only. */
  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  /** The CA certificate in PEM, for clients configured with {@code ssl.truststore.type=PEM}. */
  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  /** Password of keystore, key and truststore. */
  public String password() {
    return password;
  }

  private void run() {
    // -signer (JDK 17+) signs with a key of the same keystore: the CA is made there, signs the
    // broker's certificate (chain broker → CA), is exported, and its key is deleted.
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keystore",
        keystore(),
        "-dname",
        "CN=Distillery local CA",
        "-ext",
        "bc:c",
        "-ext",
        "ku:c=keyCertSign,cRLSign");
    keytool(
        "-genkeypair",
        "-alias",
        "broker",
        "-keystore",
        keystore(),
        "-dname",
        "CN=" + LocalKafkaBroker.HOST,
        "-ext",
        SUBJECT_NAMES,
        "-ext",
        "eku=serverAuth,clientAuth",
        "-signer",
        "ca");
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", keystore(), "-file", caPem());
    keytool("-delete", "-alias", "ca", "-keystore", keystore());
    keytool(
        "-importcert", "-noprompt", "-alias", "ca", "-keystore", truststore(), "-file", caPem());
  }

  private void keytool(Object... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // A short-lived JVM: skip the optimising compiler, it only costs start-up time.
    command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
    for (Object arg : args) {
      command.add(arg.toString());
    }
    // EC keys generate in milliseconds; RSA 2048 takes seconds on a busy core.
    if (args[0].equals("-genkeypair")) {
      command.addAll(
          List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", VALIDITY_DAYS));
    }
    // PKCS12 keys share the store password.
    command.addAll(List.of("-storetype", STORE_TYPE, "-storepass", password));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      boolean done = process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "keytool " + args[0] + " did not finish in " + KEYTOOL_TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool " + args[0] + " failed (exit " + process.exitValue() + "): " + output.trim());
      }
    } catch (IOException e) {
      throw new IllegalStateException("Could not run " + command.get(0) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running keytool " + args[0], e);
    }
  }
}
