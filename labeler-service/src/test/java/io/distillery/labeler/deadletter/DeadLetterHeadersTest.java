package io.distillery.labeler.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distillery.proto.v1.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/** Header mapping alone: plain JUnit, no Kafka needed to compare header lists. */
class DeadLetterHeadersTest {

  @Test
  void aDeadLetterKeepsThePromptsOwnHeadersAndReplacesEarlierDeadLetterHeaders() {
    List<Header> original =
        List.of(
            header("trace-id", "abc-123"),
            header("producer", "upstream"),
            header(DeadLetterHeaders.REASON, "empty")); // it was dead-lettered once before
    DeadLetter letter =
        new DeadLetter(
            "p1",
            new byte[] {1},
            DeadLetterReason.MISSING_ID,
            "no id",
            "",
            SourceRecord.newBuilder().setTopic("distill.prompts").setOffset(7).build(),
            original);

    Headers headers = DeadLetterHeaders.of(letter);

    List<String> names = new ArrayList<>();
    headers.forEach(h -> names.add(h.key()));
    assertEquals(
        List.of(
            "trace-id",
            "producer",
            DeadLetterHeaders.REASON,
            DeadLetterHeaders.MESSAGE,
            DeadLetterHeaders.SOURCE_TOPIC,
            DeadLetterHeaders.SOURCE_PARTITION,
            DeadLetterHeaders.SOURCE_OFFSET),
        names);
    assertEquals("abc-123", value(headers, "trace-id"));
    assertEquals(DeadLetterReason.MISSING_ID.tag(), value(headers, DeadLetterHeaders.REASON));
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String value(Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
