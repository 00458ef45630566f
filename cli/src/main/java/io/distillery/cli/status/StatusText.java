package io.distillery.cli.status;

import io.distillery.localkafka.DistilleryTopics;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.EvaluationSubject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The plain-text report of a {@link ClusterStatus}: cluster, topics, groups, evaluations. */
final class StatusText {

  private StatusText() {}

  /**
   * A plain-text report: cluster, status.topics(), consumer status.groups() and latest evaluations.
   */
  static String render(ClusterStatus status) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "Kafka at %s: %d broker%s, read %s%n%n",
            status.bootstrapServers(),
            status.brokers(),
            status.brokers() == 1 ? "" : "s",
            status.readAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));

    Table topicTable = new Table("TOPIC", "PARTITIONS", "RECORDS");
    for (ClusterStatus.TopicStatus t : status.topics()) {
      topicTable.row(
          t.name(),
          t.exists() ? Integer.toString(t.partitions()) : "-",
          t.exists() ? count(t.records()) : "missing");
    }
    topicTable.appendTo(out, 1, 2);

    out.append(System.lineSeparator());
    if (status.groups().isEmpty()) {
      out.append("No consumer status.groups() named ")
          .append(ClusterStatus.GROUP_PREFIX)
          .append("*.");
      out.append(System.lineSeparator());
    } else {
      Table groupTable = new Table("CONSUMER GROUP", "STATE", "MEMBERS", "TOPIC", "LAG");
      for (ClusterStatus.GroupStatus g : status.groups()) {
        if (g.lagByTopic().isEmpty()) {
          groupTable.row(g.group(), g.state(), Integer.toString(g.members()), "-", "-");
        }
        for (Map.Entry<String, Long> lag : g.lagByTopic().entrySet()) {
          groupTable.row(
              g.group(),
              g.state(),
              Integer.toString(g.members()),
              lag.getKey(),
              count(lag.getValue()));
        }
      }
      groupTable.appendTo(out, 2, 4);
    }

    out.append(System.lineSeparator());
    if (status.latestEvaluations().isEmpty()) {
      out.append("No evaluations in ").append(DistilleryTopics.EVALUATIONS).append(" yet.");
      out.append(System.lineSeparator());
    } else {
      List<EvaluationEvent> classifiers =
          status.latestEvaluations().values().stream().filter(e -> !isLanguageModel(e)).toList();
      List<EvaluationEvent> languageModels =
          status.latestEvaluations().values().stream().filter(StatusText::isLanguageModel).toList();
      if (!classifiers.isEmpty()) {
        Table evalTable =
            new Table(
                "JOB",
                "STEP",
                "SAMPLES",
                "STATUS",
                "ACCURACY",
                "ERRORS",
                "AGREEMENT",
                "KL",
                "PROMOTED");
        for (EvaluationEvent e : classifiers) {
          boolean ok = e.getStatus() == EvaluationStatus.EVALUATION_OK;
          boolean teacher = e.getSubject() == EvaluationSubject.SUBJECT_TEACHER;
          evalTable.row(
              e.getJobId(),
              teacher ? "-" : count(e.getStep()),
              teacher ? "-" : count(e.getSamplesSeen()),
              statusOf(e),
              ok ? percent(e.getMetrics().getAccuracy()) : "-",
              ok ? count(e.getMetrics().getErrors()) : "-",
              ok && !teacher ? percent(e.getMetrics().getAgreement()) : "-",
              ok && !teacher
                  ? String.format(Locale.ROOT, "%.4f", e.getMetrics().getKlTeacherStudent())
                  : "-",
              e.getPromoted() ? "yes" : "");
        }
        evalTable.appendTo(out, 1, 2, 4, 5, 6, 7);
      }
      if (!languageModels.isEmpty()) {
        if (!classifiers.isEmpty()) {
          out.append(System.lineSeparator());
        }
        // Language models: held-out bits per byte (the teacher's beside it), per-token scores.
        Table lmTable =
            new Table(
                "LM JOB",
                "STEP",
                "WINDOWS",
                "STATUS",
                "BITS/BYTE",
                "TEACHER",
                "PERPLEXITY",
                "KL/TOKEN",
                "AGREEMENT",
                "PROMOTED");
        for (EvaluationEvent e : languageModels) {
          boolean ok = e.getStatus() == EvaluationStatus.EVALUATION_OK;
          lmTable.row(
              e.getJobId(),
              count(e.getStep()),
              count(e.getSamplesSeen()),
              statusOf(e),
              ok ? String.format(Locale.ROOT, "%.4f", e.getMetrics().getBitsPerByte()) : "-",
              ok ? String.format(Locale.ROOT, "%.4f", e.getMetrics().getTeacherBitsPerByte()) : "-",
              ok ? String.format(Locale.ROOT, "%.2f", e.getMetrics().getPerplexity()) : "-",
              ok ? String.format(Locale.ROOT, "%.4f", e.getMetrics().getKlTeacherStudent()) : "-",
              ok ? percent(e.getMetrics().getAgreement()) : "-",
              e.getPromoted() ? "yes" : "");
        }
        lmTable.appendTo(out, 1, 2, 4, 5, 6, 7, 8);
      }
      for (EvaluationEvent e : status.latestEvaluations().values()) {
        if (e.getStatus() == EvaluationStatus.EVALUATION_FAILED) {
          out.append(String.format("%s failed: %s%n", e.getJobId(), e.getFailureReason()));
        }
      }
    }
    if (status.undecodableEvaluations() > 0) {
      out.append(
          String.format(
              "%d record(s) of %s could not be decoded%n",
              status.undecodableEvaluations(), DistilleryTopics.EVALUATIONS));
    }
    return out.toString();
  }

  /**
   * Whether an evaluation scored a language model: it counts held-out tokens (a failed one: its
   * eval set is text, not images).
   */
  static boolean isLanguageModel(EvaluationEvent e) {
    return e.getMetrics().getTokens() > 0
        || e.getMetrics().getBitsPerByte() > 0
        || (e.getStatus() == EvaluationStatus.EVALUATION_FAILED
            && !e.getEvalSetId().isEmpty()
            && !e.getEvalSetId().startsWith("fashion-mnist"));
  }

  private static String statusOf(EvaluationEvent e) {
    return e.getStatus() == EvaluationStatus.EVALUATION_OK
        ? "ok"
        : e.getStatus() == EvaluationStatus.EVALUATION_FAILED ? "FAILED" : "?";
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
  }

  /** A left-aligned text table; the columns named on output are right-aligned. */
  private static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    void row(String... cells) {
      rows.add(cells);
    }

    void appendTo(StringBuilder out, int... rightAligned) {
      int columns = rows.get(0).length;
      int[] widths = new int[columns];
      for (String[] row : rows) {
        for (int c = 0; c < columns; c++) {
          widths[c] = Math.max(widths[c], row[c].length());
        }
      }
      Set<Integer> right =
          java.util.Arrays.stream(rightAligned).boxed().collect(Collectors.toSet());
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < columns; c++) {
          if (c > 0) {
            line.append("  ");
          }
          String pad = " ".repeat(widths[c] - row[c].length());
          line.append(right.contains(c) ? pad + row[c] : row[c] + pad);
        }
        out.append(line.toString().stripTrailing()).append(System.lineSeparator());
      }
    }
  }
}
