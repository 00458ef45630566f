package io.distillery.drills.labeling;

import io.distillery.drills.support.FashionPrompts;
import io.distillery.proto.v1.LabelMix;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Malformed prompt records of many kinds, each with the dead-letter reasons it may get. Built from
 * real valid prompts so that each is wrong in one way only.
 */
final class MalformedPrompts {

  /** One bad record: its kind, its bytes, and the reasons the labeler may give (empty = any). */
  record Bad(String kind, byte[] value, Set<String> reasons) {}

  private static final Set<String> UNDECODABLE_PROTOBUF =
      Set.of("malformed-protobuf", "truncated-protobuf");

  private record Kind(String name, IntFunction<Bad> make) {}

  private MalformedPrompts() {}

  /** {@code count} bad records cycling through every kind; {@code maxPromptBytes} is the limit. */
  static List<Bad> make(int count, int maxPromptBytes, long seed) {
    Random random = new Random(seed);
    List<Kind> kinds = kinds(random, maxPromptBytes);
    List<Bad> bad = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      bad.add(kinds.get(i % kinds.size()).make().apply(i));
    }
    return bad;
  }

  /** The number of kinds. */
  static int kindCount() {
    return kinds(new Random(0), 1).size();
  }

  private static List<Kind> kinds(Random random, int maxPromptBytes) {
    return List.of(
        new Kind("empty", i -> bad("empty", new byte[0], "empty")),
        new Kind("random-bytes", i -> new Bad("random-bytes", randomBytes(random, i), Set.of())),
        new Kind(
            "truncated-protobuf",
            i -> {
              byte[] valid = valid(i).toByteArray();
              byte[] cut = java.util.Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 10));
              return new Bad("truncated-protobuf", cut, UNDECODABLE_PROTOBUF);
            }),
        new Kind(
            "absurd-protobuf-length",
            i ->
                new Bad(
                    "absurd-protobuf-length",
                    concat(new byte[] {0x1a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}, tail(i)),
                    UNDECODABLE_PROTOBUF)),
        new Kind(
            "overlong-varint",
            i -> {
              byte[] varint = new byte[12];
              java.util.Arrays.fill(varint, (byte) 0xff);
              varint[0] = 0x20; // field 4 (label), varint
              varint[11] = 0x01;
              return new Bad("overlong-varint", concat(varint, tail(i)), UNDECODABLE_PROTOBUF);
            }),
        new Kind(
            "invalid-utf8-protobuf",
            i ->
                new Bad(
                    "invalid-utf8-protobuf",
                    concat(new byte[] {0x0a, 0x03, (byte) 0xc3, 0x28, (byte) 0xff}, tail(i)),
                    // The labeler names bad UTF-8 in any string field, protobuf or JSON.
                    Set.of("invalid-utf8"))),
        new Kind(
            "deeply-nested-json",
            i -> {
              int depth = 2_000 + random.nextInt(20_000);
              String json =
                  "{\"id\":\"n"
                      + i
                      + "\",\"attributes\":"
                      + "[".repeat(depth)
                      + "]".repeat(depth)
                      + "}";
              return bad("deeply-nested-json", utf8(json), "invalid-json");
            }),
        new Kind(
            "truncated-json",
            i -> {
              String json = json(i);
              return bad(
                  "truncated-json",
                  utf8(json.substring(0, 1 + random.nextInt(json.length() - 2))),
                  "invalid-json");
            }),
        new Kind(
            "wrong-types-json",
            i ->
                bad(
                    "wrong-types-json",
                    utf8("{\"id\":" + i + ",\"label\":\"three\",\"input\":{\"tensor\":\"many\"}}"),
                    "invalid-json")),
        new Kind(
            "invalid-utf8-json",
            i ->
                bad(
                    "invalid-utf8-json",
                    concat(utf8("{\"id\":\""), new byte[] {(byte) 0xff, (byte) 0xfe}, utf8("\"}")),
                    // JSON records are decoded strictly: bad UTF-8 is named as such.
                    "invalid-utf8")),
        new Kind(
            "nan-values",
            i -> bad("nan-values", withValue(i, Float.NaN).toByteArray(), "non-finite-value")),
        new Kind(
            "infinite-values-json",
            i ->
                bad(
                    "infinite-values-json",
                    utf8(json(i).replaceFirst("\"values\":\\[", "\"values\":[\"Infinity\",")),
                    "tensor-size-mismatch",
                    "non-finite-value")),
        new Kind(
            "negative-shape",
            i -> {
              PromptEvent valid = valid(i);
              Tensor tensor =
                  valid.getInput().getTensor().toBuilder()
                      .clearShape()
                      .addShape(-1)
                      .addShape(-28)
                      .addShape(28)
                      .build();
              return bad(
                  "negative-shape", withTensor(valid, tensor).toByteArray(), "shape-mismatch");
            }),
        new Kind(
            "wrong-size",
            i -> {
              PromptEvent valid = valid(i);
              Tensor tensor = valid.getInput().getTensor().toBuilder().addValues(0.5f).build();
              return bad(
                  "wrong-size", withTensor(valid, tensor).toByteArray(), "tensor-size-mismatch");
            }),
        new Kind(
            "oversized",
            i -> {
              byte[] filler = new byte[maxPromptBytes + 1 + random.nextInt(1024)];
              random.nextBytes(filler);
              PromptEvent big =
                  valid(i).toBuilder()
                      .putAttributes("filler", java.util.Base64.getEncoder().encodeToString(filler))
                      .build();
              return bad("oversized", big.toByteArray(), "oversized-input");
            }),
        new Kind(
            "missing-id",
            i ->
                bad(
                    "missing-id",
                    valid(i).toBuilder().clearId().build().toByteArray(),
                    "missing-id")),
        new Kind(
            "no-input",
            i ->
                bad(
                    "no-input",
                    valid(i).toBuilder().clearInput().build().toByteArray(),
                    "empty-input")),
        new Kind(
            "tokens-for-an-image-teacher",
            i ->
                bad(
                    "tokens-for-an-image-teacher",
                    valid(i).toBuilder()
                        .setInput(
                            ModelInput.newBuilder().setTokens(TokenSequence.newBuilder().addIds(3)))
                        .build()
                        .toByteArray(),
                    "input-kind-mismatch")),
        new Kind(
            "label-out-of-range",
            i ->
                bad(
                    "label-out-of-range",
                    valid(i).toBuilder().setLabel(-7).build().toByteArray(),
                    "invalid-label")),
        new Kind(
            "nan-mix-weight",
            i ->
                bad(
                    "nan-mix-weight",
                    valid(i).toBuilder()
                        .setLabelMix(LabelMix.newBuilder().setSecondLabel(1).setWeight(Float.NaN))
                        .build()
                        .toByteArray(),
                    "invalid-label")));
  }

  private static Bad bad(String kind, byte[] value, String... reasons) {
    return new Bad(kind, value, Set.of(reasons));
  }

  private static PromptEvent valid(int i) {
    try {
      return FashionPrompts.prompt("bad-src", i);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String json(int i) {
    StringBuilder values = new StringBuilder();
    for (int v = 0; v < 784; v++) {
      values.append(v == 0 ? "" : ",").append(v % 5 == 0 ? "0.5" : "0");
    }
    return "{\"id\":\"j"
        + i
        + "\",\"dataset\":\"drill\",\"input\":{\"tensor\":{\"shape\":[1,28,28],\"values\":["
        + values
        + "]}}}";
  }

  private static PromptEvent withValue(int i, float value) {
    PromptEvent valid = valid(i);
    Tensor tensor =
        valid.getInput().getTensor().toBuilder().setValues(100 + i % 600, value).build();
    return withTensor(valid, tensor);
  }

  private static PromptEvent withTensor(PromptEvent event, Tensor tensor) {
    return event.toBuilder().setInput(ModelInput.newBuilder().setTensor(tensor)).build();
  }

  private static byte[] randomBytes(Random random, int i) {
    byte[] bytes = new byte[1 + random.nextInt(4096)];
    random.nextBytes(bytes);
    if (bytes[0] == '{') {
      bytes[0] = 0; // keep it binary garbage; JSON garbage has its own kinds
    }
    return bytes;
  }

  private static byte[] tail(int i) {
    return ("seed-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
