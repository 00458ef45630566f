package io.distillery.cli.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;

/** Runs {@code distillery detect ... --json} in this JVM and returns the report it printed. */
public final class DetectRun {

  private DetectRun() {}

  /** The JSON report of {@code detect} with {@code args} and {@code --json}; asserts exit 0. */
  public static JsonNode json(String... args) throws Exception {
    String[] withJson = Arrays.copyOf(args, args.length + 1);
    withJson[args.length] = "--json";
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      exit = new CommandLine(new DetectCommand()).execute(withJson);
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, out);
    return new ObjectMapper().readTree(out.substring(out.indexOf('{')));
  }
}
