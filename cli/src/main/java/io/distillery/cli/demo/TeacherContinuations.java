package io.distillery.cli.demo;

import io.distillery.models.tokenizer.TextTokenizer;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.TokenSequence;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The teacher's own greedy continuations of the evaluator's prompts, asked of teacher-service over
 * gRPC (a Label request with generation), so the report shows them beside the students'.
 */
final class TeacherContinuations {

  /** A prompt and what the teacher wrote after it. */
  record Continuation(String prompt, String text) {}

  private TeacherContinuations() {}

  /**
   * @param context the teacher's longest sequence: prompt and continuation must fit in it, so the
   *     continuations are shortened to fit the longest prompt
   */
  static List<Continuation> greedy(
      int grpcPort, Path tokenizerFile, List<String> prompts, int tokens, int context)
      throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile)) {
      LabelRequest.Builder request =
          LabelRequest.newBuilder()
              .setRequestId("demo-teacher-continuations")
              .setTopK(1)
              .setTemperature(1f);
      int longest = 1;
      for (String prompt : prompts) {
        TokenSequence.Builder ids = TokenSequence.newBuilder();
        long[] encoded = tokenizer.encode(prompt);
        if (encoded.length == 0) {
          ids.addIds(tokenizer.endOfTextId());
        }
        for (long id : encoded) {
          ids.addIds((int) id);
        }
        request.addSamples(ModelInput.newBuilder().setTokens(ids));
        longest = Math.max(longest, ids.getIdsCount());
      }
      int fitting = Math.min(tokens, context - longest);
      if (fitting < 1) {
        return prompts.stream().map(p -> new Continuation(p, "")).toList();
      }
      request.setGeneration(GenerationSettings.newBuilder().setMaxNewTokens(fitting));
      LabelResponse response =
          TeacherGrpc.newBlockingStub(channel)
              .withDeadlineAfter(120, TimeUnit.SECONDS)
              .label(request.build());
      List<Continuation> continuations = new ArrayList<>();
      for (int i = 0; i < prompts.size(); i++) {
        List<Long> generated = new ArrayList<>();
        for (int id : response.getSamples(i).getGeneratedIdsList()) {
          if (id == tokenizer.endOfTextId()) {
            break;
          }
          generated.add((long) id);
        }
        continuations.add(
            new Continuation(
                prompts.get(i),
                tokenizer.decode(generated.stream().mapToLong(Long::longValue).toArray())));
      }
      return continuations;
    } finally {
      channel.shutdownNow();
    }
  }
}
