package io.distillery.models.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.digest.Sha256;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.FileDigest;
import io.distillery.proto.v1.OffsetRange;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.TeacherCard;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Traces a checkpoint back to the labels it learned from and verifies every link: the files against
 * the manifest, the manifest against the checkpoint event that announced it (and the earlier
 * checkpoints of the job against theirs), and the teacher cards the manifest records against the
 * soft labels its offset ranges cite, read back from the soft-label topic.
 *
 * <p>Nothing here throws for a mismatch: every one becomes a {@link Finding}, so one run names all
 * that is wrong. {@link LineageException} means there is nothing to trace (no manifest, no topic).
 */
public final class LineageTracer {

  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
  private static final String TRAINER_STATE = "trainer-state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LineageOptions options;

  public LineageTracer(LineageOptions options) {
    this.options = options;
  }

  /**
   * The lineage of a job's latest announced checkpoint, or of the given step.
   *
   * @throws LineageException when no event announces such a checkpoint or its directory is not a
   *     local one
   */
  public Lineage traceJob(String jobId, OptionalLong step) {
    List<Announced> events;
    try (TopicRecords topics = new TopicRecords(options.kafka(), options.timeout())) {
      events = checkpointEvents(topics, jobId);
    }
    Optional<Announced> chosen =
        events.stream()
            .filter(e -> step.isEmpty() || e.event().getStep() == step.getAsLong())
            .max(
                Comparator.comparingLong((Announced e) -> e.event().getStep())
                    .thenComparingLong(e -> e.event().getCreatedAtMs()));
    if (chosen.isEmpty()) {
      throw new LineageException(
          "no event on "
              + options.checkpointsTopic()
              + " announces a checkpoint of job "
              + jobId
              + (step.isPresent() ? " at step " + step.getAsLong() : ""));
    }
    Path dir;
    try {
      dir = Path.of(URI.create(chosen.get().event().getUri()));
    } catch (RuntimeException e) {
      throw new LineageException(
          "job "
              + jobId
              + "'s checkpoint is at '"
              + chosen.get().event().getUri()
              + "', not a local directory; pass the directory instead",
          e);
    }
    return trace(dir);
  }

  /**
   * The lineage of a checkpoint directory ({@code <root>/<job>/step-<n>}).
   *
   * @throws LineageException when the directory has no readable manifest
   */
  public Lineage trace(Path dir) {
    OnDisk target = readManifest(dir);
    CheckpointEvent manifest = target.manifest();
    String jobId = manifest.getJobId();
    List<Finding> findings = new ArrayList<>();
    verifyFiles(dir, manifest, findings);

    try (TopicRecords topics = new TopicRecords(options.kafka(), options.timeout())) {
      List<Announced> events;
      try {
        events = checkpointEvents(topics, jobId);
      } catch (LineageException noTopic) {
        findings.add(Finding.mismatch("manifest", noTopic.getMessage()));
        events = List.of();
      }
      List<Lineage.ChainLink> chain = new ArrayList<>();
      List<CheckpointEvent> chainManifests = verifyChain(dir, target, events, chain, findings);
      List<Lineage.PassRange> ranges = mergedRanges(chainManifests);
      checkTiling(ranges, findings);

      LabelEvidence labels = readLabels(topics, ranges, manifest, findings);
      long skipped = skippedByTrainer(dir);
      judgeLabels(labels, manifest, skipped, findings);

      List<EvaluationEvent> evaluations = evaluations(topics, jobId, manifest, target, findings);

      List<Lineage.TeacherLineage> teachers = new ArrayList<>();
      for (TeacherCard card : manifest.getTeachersList()) {
        long[] counts = labels.perTeacher().getOrDefault(key(card), new long[2]);
        teachers.add(new Lineage.TeacherLineage(card, counts[0], counts[1]));
      }
      List<Lineage.DatasetCount> datasets = new ArrayList<>();
      labels.datasets().forEach((name, n) -> datasets.add(new Lineage.DatasetCount(name, n)));

      return new Lineage(
          jobId,
          manifest.getStep(),
          manifest.getPass(),
          manifest.getSamplesSeen(),
          manifest.getFinal(),
          manifest.getCreatedAtMs(),
          dir,
          target.sha256(),
          manifest.getStudent(),
          manifest.getLoss(),
          teachers,
          datasets,
          ranges,
          chain,
          new Lineage.LabelCheck(
              labels.cited(),
              labels.read(),
              !labels.all(),
              labels.fromListed(),
              labels.fromOthers(),
              labels.undecodable(),
              labels.deleted(),
              skipped),
          evaluations,
          List.copyOf(findings));
    }
  }

  // ---- files and manifest ----------------------------------------------------------------

  private record OnDisk(Path dir, CheckpointEvent manifest, String sha256) {}

  private static OnDisk readManifest(Path dir) {
    Path file = dir.resolve(CheckpointStore.MANIFEST);
    if (!Files.isRegularFile(file)) {
      throw new LineageException("no " + CheckpointStore.MANIFEST + " in " + dir);
    }
    try {
      byte[] json = Files.readAllBytes(file);
      CheckpointEvent.Builder manifest = CheckpointEvent.newBuilder();
      JsonFormat.parser().merge(new String(json, StandardCharsets.UTF_8), manifest);
      if (manifest.getJobId().isBlank()) {
        throw new LineageException(file + " names no job");
      }
      return new OnDisk(dir, manifest.build(), Sha256.hex(json));
    } catch (InvalidProtocolBufferException e) {
      throw new LineageException(file + " is not a valid manifest: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new LineageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void verifyFiles(Path dir, CheckpointEvent manifest, List<Finding> findings) {
    Set<String> listed = new HashSet<>();
    for (FileDigest expected : manifest.getFilesList()) {
      listed.add(expected.getPath());
      Path file = dir.resolve(expected.getPath()).normalize();
      if (!file.startsWith(dir.normalize())) {
        findings.add(
            Finding.mismatch(
                "files", "the manifest lists " + expected.getPath() + ", outside " + dir));
        continue;
      }
      if (!Files.isRegularFile(file)) {
        findings.add(Finding.mismatch("files", file + " is listed in the manifest but missing"));
        continue;
      }
      try {
        String actual = Sha256.file(file);
        if (!actual.equals(expected.getSha256())) {
          findings.add(
              Finding.mismatch(
                  "files",
                  file
                      + " has sha256 "
                      + actual
                      + " but the manifest records "
                      + expected.getSha256()));
        } else if (Files.size(file) != expected.getSizeBytes()) {
          findings.add(
              Finding.mismatch(
                  "files",
                  file
                      + " has "
                      + Files.size(file)
                      + " bytes, the manifest records "
                      + expected.getSizeBytes()));
        }
      } catch (IOException e) {
        findings.add(Finding.mismatch("files", "cannot read " + file + ": " + e.getMessage()));
      }
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.equals(CheckpointStore.MANIFEST) && !listed.contains(name)) {
          findings.add(
              Finding.warning("files", entry + " is in the checkpoint but not in its manifest"));
        }
      }
    } catch (IOException e) {
      findings.add(Finding.mismatch("files", "cannot list " + dir + ": " + e.getMessage()));
    }
  }

  // ---- chain of checkpoints and their events ----------------------------------------------

  private record Announced(CheckpointEvent event, String location) {}

  private List<Announced> checkpointEvents(TopicRecords topics, String jobId) {
    List<Announced> out = new ArrayList<>();
    for (TopicRecords.Read read : topics.all(options.checkpointsTopic(), k -> true)) {
      try {
        CheckpointEvent event = CheckpointEvent.parseFrom(read.value());
        if (event.getJobId().equals(jobId)) {
          out.add(new Announced(event, read.location()));
        }
      } catch (InvalidProtocolBufferException notAnEvent) {
        // Another producer's record; it announces nothing of this job.
      }
    }
    return out;
  }

  /**
   * Checks each checkpoint of the job up to the target against its event; returns the manifests of
   * the chain by step (from disk when the checkpoint is still there, else from its event).
   */
  private List<CheckpointEvent> verifyChain(
      Path dir,
      OnDisk target,
      List<Announced> events,
      List<Lineage.ChainLink> chain,
      List<Finding> findings) {
    long targetStep = target.manifest().getStep();
    Map<Long, OnDisk> onDisk = new TreeMap<>();
    onDisk.put(targetStep, target);
    Path jobDir = dir.toAbsolutePath().getParent();
    if (jobDir != null && Files.isDirectory(jobDir)) {
      try (Stream<Path> entries = Files.list(jobDir)) {
        for (Path entry : entries.toList()) {
          Matcher m = STEP_DIR.matcher(entry.getFileName().toString());
          if (!m.matches()) {
            continue;
          }
          long step = Long.parseLong(m.group(1));
          if (step >= targetStep) {
            continue;
          }
          try {
            OnDisk earlier = readManifest(entry);
            if (earlier.manifest().getJobId().equals(target.manifest().getJobId())) {
              onDisk.put(step, earlier);
            }
          } catch (LineageException damaged) {
            findings.add(
                Finding.mismatch(
                    "chain", "earlier checkpoint " + entry + ": " + damaged.getMessage()));
          }
        }
      } catch (IOException e) {
        findings.add(Finding.warning("chain", "cannot list " + jobDir + ": " + e.getMessage()));
      }
    }
    Map<Long, List<Announced>> byStep = new TreeMap<>();
    for (Announced a : events) {
      long step = a.event().getStep();
      boolean sameRun = a.event().getCreatedAtMs() <= target.manifest().getCreatedAtMs();
      if (step < targetStep && sameRun || step == targetStep) {
        byStep.computeIfAbsent(step, s -> new ArrayList<>()).add(a);
      }
    }
    Set<Long> steps = new java.util.TreeSet<>(onDisk.keySet());
    steps.addAll(byStep.keySet());
    List<CheckpointEvent> manifests = new ArrayList<>();
    int onlyFromEvents = 0;
    for (long step : steps) {
      OnDisk disk = onDisk.get(step);
      List<Announced> announced = byStep.getOrDefault(step, List.of());
      if (disk == null) {
        Announced latest = announced.get(announced.size() - 1);
        manifests.add(latest.event());
        chain.add(
            new Lineage.ChainLink(step, "", latest.event().getManifestSha256(), latest.location()));
        onlyFromEvents++;
        continue;
      }
      manifests.add(disk.manifest());
      Optional<Announced> match =
          announced.stream()
              .filter(a -> a.event().getManifestSha256().equals(disk.sha256()))
              .findFirst();
      if (match.isPresent()) {
        chain.add(
            new Lineage.ChainLink(
                step,
                disk.sha256(),
                match.get().event().getManifestSha256(),
                match.get().location()));
        continue;
      }
      String manifestFile = disk.dir().resolve(CheckpointStore.MANIFEST).toString();
      if (announced.isEmpty()) {
        chain.add(new Lineage.ChainLink(step, disk.sha256(), "", ""));
        findings.add(
            Finding.mismatch(
                step == targetStep ? "manifest" : "chain",
                "no event on "
                    + options.checkpointsTopic()
                    + " announces job "
                    + target.manifest().getJobId()
                    + " step "
                    + step
                    + " ("
                    + manifestFile
                    + ")"));
        continue;
      }
      Announced last = announced.get(announced.size() - 1);
      chain.add(
          new Lineage.ChainLink(
              step, disk.sha256(), last.event().getManifestSha256(), last.location()));
      findings.add(
          Finding.mismatch(
              step == targetStep ? "manifest" : "chain",
              manifestFile
                  + " has sha256 "
                  + disk.sha256()
                  + " but the checkpoint event at "
                  + last.location()
                  + " announced "
                  + last.event().getManifestSha256()
                  + differingFields(disk.manifest(), last.event())));
    }
    if (onlyFromEvents > 0) {
      findings.add(
          Finding.note(
              "chain",
              onlyFromEvents
                  + " earlier checkpoint(s) of the job are no longer on disk; their offset ranges"
                  + " come from their events"));
    }
    return manifests;
  }

  /** Names the manifest fields an event disagrees on, e.g. " (fields that differ: loss)". */
  private static String differingFields(CheckpointEvent manifest, CheckpointEvent event) {
    CheckpointEvent announced = event.toBuilder().clearUri().clearManifestSha256().build();
    List<String> names = new ArrayList<>();
    for (FieldDescriptor field : CheckpointEvent.getDescriptor().getFields()) {
      if (!java.util.Objects.equals(manifest.getField(field), announced.getField(field))) {
        names.add(field.getName());
      }
    }
    return names.isEmpty()
        ? " (same fields, different bytes)"
        : " (fields that differ: " + String.join(", ", names) + ")";
  }

  private static List<Lineage.PassRange> mergedRanges(List<CheckpointEvent> manifests) {
    Map<String, List<Lineage.PassRange>> groups = new TreeMap<>();
    for (CheckpointEvent manifest : manifests) {
      for (OffsetRange r : manifest.getConsumedList()) {
        String group =
            String.format("%08d/%s/%08d", manifest.getPass(), r.getTopic(), r.getPartition());
        groups
            .computeIfAbsent(group, g -> new ArrayList<>())
            .add(
                new Lineage.PassRange(
                    manifest.getPass(),
                    r.getTopic(),
                    r.getPartition(),
                    r.getFromOffset(),
                    r.getToOffset()));
      }
    }
    List<Lineage.PassRange> merged = new ArrayList<>();
    for (List<Lineage.PassRange> group : groups.values()) {
      group.sort(Comparator.comparingLong(Lineage.PassRange::from));
      Lineage.PassRange current = null;
      for (Lineage.PassRange r : group) {
        if (current != null && r.from() == current.to() + 1) {
          current =
              new Lineage.PassRange(
                  current.pass(), current.topic(), current.partition(), current.from(), r.to());
        } else {
          if (current != null) {
            merged.add(current);
          }
          current = r;
        }
      }
      merged.add(current);
    }
    return merged;
  }

  /** Within a pass a partition's ranges must neither overlap (double counting) nor leave gaps. */
  private static void checkTiling(List<Lineage.PassRange> ranges, List<Finding> findings) {
    for (int i = 1; i < ranges.size(); i++) {
      Lineage.PassRange a = ranges.get(i - 1);
      Lineage.PassRange b = ranges.get(i);
      if (a.pass() != b.pass() || !a.topic().equals(b.topic()) || a.partition() != b.partition()) {
        continue;
      }
      if (b.from() <= a.to()) {
        findings.add(
            Finding.mismatch(
                "chain",
                "pass "
                    + a.pass()
                    + " consumed "
                    + a.topic()
                    + "-"
                    + a.partition()
                    + " offsets "
                    + b.from()
                    + "-"
                    + Math.min(a.to(), b.to())
                    + " twice"));
      } else {
        findings.add(
            Finding.warning(
                "chain",
                "pass "
                    + a.pass()
                    + " skips "
                    + a.topic()
                    + "-"
                    + a.partition()
                    + " offsets "
                    + (a.to() + 1)
                    + "-"
                    + (b.from() - 1)
                    + " (no checkpoint of the chain cites them)"));
      }
    }
  }

  // ---- labels --------------------------------------------------------------------------------

  private record LabelEvidence(
      long cited,
      long read,
      boolean all,
      long fromListed,
      long fromOthers,
      long undecodable,
      long deleted,
      Map<String, long[]> perTeacher,
      Map<String, Long> datasets,
      Optional<String> firstOther,
      Optional<String> firstUndecodable) {}

  private LabelEvidence readLabels(
      TopicRecords topics,
      List<Lineage.PassRange> ranges,
      CheckpointEvent manifest,
      List<Finding> findings) {
    // Distinct cited offsets per topic-partition: passes read the same offsets again.
    Map<String, List<long[]>> intervals = new TreeMap<>();
    for (Lineage.PassRange r : ranges) {
      intervals
          .computeIfAbsent(r.topic() + "\u0000" + r.partition(), k -> new ArrayList<>())
          .add(new long[] {r.from(), r.to()});
    }
    long cited = 0;
    for (Map.Entry<String, List<long[]>> e : intervals.entrySet()) {
      e.setValue(union(e.getValue()));
      for (long[] iv : e.getValue()) {
        cited += iv[1] - iv[0] + 1;
      }
    }
    boolean all = options.readsAllLabels() || cited <= options.labelSample();
    // Evenly spaced positions over all cited offsets, first and last included.
    Set<Long> chosenIndexes = new HashSet<>();
    if (!all) {
      int n = options.labelSample();
      for (int i = 0; i < n; i++) {
        chosenIndexes.add(n == 1 ? 0 : Math.round((double) i * (cited - 1) / (n - 1)));
      }
    }
    Map<String, Long> teacherKeys = new LinkedHashMap<>();
    manifest.getTeachersList().forEach(c -> teacherKeys.put(key(c), 0L));
    Map<String, long[]> perTeacher = new LinkedHashMap<>();
    Map<String, Long> datasets = new TreeMap<>();
    long read = 0;
    long listed = 0;
    long others = 0;
    long undecodable = 0;
    long deleted = 0;
    String firstOther = null;
    String firstUndecodable = null;
    long index = 0;
    for (Map.Entry<String, List<long[]>> e : intervals.entrySet()) {
      String[] tp = e.getKey().split("\u0000");
      String topic = tp[0];
      int partition = Integer.parseInt(tp[1]);
      List<Long> wanted = new ArrayList<>();
      for (long[] iv : e.getValue()) {
        for (long offset = iv[0]; offset <= iv[1]; offset++, index++) {
          if (all || chosenIndexes.contains(index)) {
            wanted.add(offset);
          }
        }
      }
      TopicRecords.Offsets got = topics.offsets(topic, partition, wanted);
      deleted += got.deleted().size();
      if (!got.beyondEnd().isEmpty()) {
        findings.add(
            Finding.mismatch(
                "labels",
                "the chain cites "
                    + topic
                    + "-"
                    + partition
                    + " offsets up to "
                    + got.beyondEnd().last()
                    + ", beyond the end of the log ("
                    + got.beyondEnd().size()
                    + " offset(s) were never written; was the topic recreated?)"));
      }
      for (TopicRecords.Read r : got.found()) {
        read++;
        SoftLabelEvent label;
        try {
          label = r.value() == null ? null : SoftLabelEvent.parseFrom(r.value());
        } catch (InvalidProtocolBufferException e1) {
          label = null;
        }
        if (label == null || !label.hasTeacher()) {
          undecodable++;
          if (firstUndecodable == null) {
            firstUndecodable = r.location();
          }
          continue;
        }
        String k = key(label.getTeacher());
        if (teacherKeys.containsKey(k)) {
          listed++;
          long[] counts = perTeacher.computeIfAbsent(k, x -> new long[2]);
          counts[0]++;
          if (label.getForbiddenTeacherOverride()) {
            counts[1]++;
          }
          datasets.merge(label.getDataset(), 1L, Long::sum);
        } else {
          others++;
          if (firstOther == null) {
            firstOther =
                "label "
                    + r.location()
                    + " was produced by teacher "
                    + describe(label.getTeacher());
          }
        }
      }
    }
    return new LabelEvidence(
        cited,
        read,
        all,
        listed,
        others,
        undecodable,
        deleted,
        perTeacher,
        datasets,
        Optional.ofNullable(firstOther),
        Optional.ofNullable(firstUndecodable));
  }

  private void judgeLabels(
      LabelEvidence labels, CheckpointEvent manifest, long skipped, List<Finding> findings) {
    if (labels.deleted() > 0) {
      findings.add(
          Finding.warning(
              "labels",
              labels.deleted()
                  + " cited label(s) are no longer on the topic (retention or compaction); their"
                  + " teachers cannot be checked"));
    }
    String listed =
        manifest.getTeachersList().stream()
            .map(LineageTracer::describe)
            .reduce((a, b) -> a + "; " + b)
            .orElse("none");
    long notTrained = labels.fromOthers() + labels.undecodable();
    if (labels.fromOthers() > 0 && labels.fromListed() == 0) {
      findings.add(
          Finding.mismatch(
              "teachers",
              "none of the "
                  + labels.read()
                  + " cited labels read came from a teacher the manifest lists ("
                  + listed
                  + "); e.g. "
                  + labels.firstOther().orElse("")));
    } else if (notTrained > 0) {
      boolean explained = skipped > 0 && (!labels.all() || notTrained <= skipped);
      String what =
          notTrained
              + " cited record(s) read were not trained on ("
              + labels.fromOthers()
              + " from teachers the manifest does not list, "
              + labels.undecodable()
              + " undecodable"
              + labels.firstOther().map(s -> "; e.g. " + s).orElse("")
              + labels.firstUndecodable().map(s -> "; undecodable e.g. " + s).orElse("")
              + ")";
      if (explained) {
        findings.add(
            Finding.note(
                "labels",
                what
                    + "; the trainer recorded "
                    + skipped
                    + " skipped label(s), which covers them"));
      } else {
        findings.add(
            Finding.mismatch(
                "teachers",
                what
                    + " but the trainer recorded only "
                    + skipped
                    + " skipped label(s); the manifest lists: "
                    + listed));
      }
    }
    for (TeacherCard card : manifest.getTeachersList()) {
      if (labels.perTeacher().containsKey(key(card)) || labels.read() == 0) {
        continue;
      }
      String message =
          "the manifest lists teacher "
              + describe(card)
              + " but none of the "
              + labels.read()
              + " cited labels read came from it";
      findings.add(
          labels.all() && labels.deleted() == 0
              ? Finding.mismatch("teachers", message)
              : Finding.note("teachers", message + " (a sample; read all labels to be sure)"));
    }
  }

  private static long skippedByTrainer(Path dir) {
    Path state = dir.resolve(TRAINER_STATE);
    if (!Files.isRegularFile(state)) {
      return 0;
    }
    try {
      JsonNode skipped = JSON.readTree(state.toFile()).path("skipped");
      long total = 0;
      for (JsonNode n : skipped) {
        total += n.asLong();
      }
      return total;
    } catch (IOException e) {
      return 0;
    }
  }

  // ---- evaluations ---------------------------------------------------------------------------

  private List<EvaluationEvent> evaluations(
      TopicRecords topics,
      String jobId,
      CheckpointEvent manifest,
      OnDisk target,
      List<Finding> findings) {
    List<EvaluationEvent> out = new ArrayList<>();
    List<TopicRecords.Read> records;
    try {
      records = topics.all(options.evaluationsTopic(), k -> true);
    } catch (LineageException noTopic) {
      findings.add(
          Finding.warning("evaluations", noTopic.getMessage() + "; no evaluation history"));
      return out;
    }
    for (TopicRecords.Read r : records) {
      try {
        EvaluationEvent e = EvaluationEvent.parseFrom(r.value());
        if (e.getJobId().equals(jobId)) {
          out.add(e);
        }
      } catch (InvalidProtocolBufferException notAnEvaluation) {
        // Not ours to judge.
      }
    }
    out.sort(Comparator.comparingLong(EvaluationEvent::getEvaluatedAtMs));
    for (EvaluationEvent e : out) {
      if (e.getStep() == manifest.getStep()
          && !e.getCheckpointSha256().isEmpty()
          && !e.getCheckpointSha256().equals(target.sha256())) {
        findings.add(
            Finding.warning(
                "evaluations",
                "an evaluation of step "
                    + e.getStep()
                    + " scored a checkpoint whose manifest sha256 is "
                    + e.getCheckpointSha256()
                    + ", not this one's "
                    + target.sha256()));
      }
    }
    return out;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static List<long[]> union(List<long[]> intervals) {
    intervals.sort(Comparator.comparingLong(iv -> iv[0]));
    List<long[]> out = new ArrayList<>();
    for (long[] iv : intervals) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && iv[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], iv[1]);
      } else {
        out.add(new long[] {iv[0], iv[1]});
      }
    }
    return out;
  }

  /** A teacher's identity: model id, version and artifact digest. */
  static String key(TeacherCard card) {
    return card.getModelId() + "\u0000" + card.getVersion() + "\u0000" + card.getArtifactSha256();
  }

  /** "fashion-cnn 1.0 (sha256 ab12…)". */
  public static String describe(TeacherCard card) {
    return card.getModelId()
        + " "
        + card.getVersion()
        + " (sha256 "
        + card.getArtifactSha256()
        + ")";
  }
}
