package io.distillery.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
  @TempDir Path dir;

  @Test
  void mergesTheMostFrequentPairFirst() {
    BpeTokenizer bpe =
        new BpeTrainer(260, BpeTokenizer.END_OF_TEXT).train(List.of("low low low lower lowest"));
    assertEquals(260, bpe.vocabSize());
    assertEquals(259, bpe.endOfTextId());
    // l-o and o-w both occur 5 times: the tie goes to the smaller left id ('l' < 'o').
    assertEquals("lo", bpe.token(256));
    assertEquals("low", bpe.token(257));
    assertEquals("Ġlow", bpe.token(258)); // " low" 4 times
    assertArrayEquals(
        new int[] {257, 258, 258, 258, 'e', 'r', 258, 'e', 's', 't'},
        bpe.encode("low low low lower lowest"));
    assertArrayEquals(new int[] {bpe.endOfTextId()}, bpe.encode(BpeTokenizer.END_OF_TEXT));
  }

  @Test
  void encodesWhatTheTokenizersLibraryEncodesForAnyText() throws Exception {
    BpeTokenizer bpe = new BpeTrainer(400, BpeTokenizer.END_OF_TEXT).train(List.of(SAMPLE));
    Path file = dir.resolve("tokenizer.json");
    bpe.write(file);
    List<String> texts =
        new ArrayList<>(
            List.of(
                SAMPLE,
                "",
                " ",
                "   leading and trailing   ",
                "tabs\tand\r\nnewlines\n\n\n",
                "it's I'LL we've they'd 'tis",
                "naïve café — £20,000 😀 日本語 \u00a0nbsp",
                "one" + BpeTokenizer.END_OF_TEXT + "two " + BpeTokenizer.END_OF_TEXT,
                "12345 3.14 1,000,000"));
    Random random = new Random(7);
    String alphabet = "abcdefghij ,.'!?\n\t\"-éü€😀0123";
    for (int i = 0; i < 200; i++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(40);
      for (int k = 0; k < len; k++) {
        sb.appendCodePoint(
            alphabet.codePointAt(
                alphabet.offsetByCodePoints(
                    0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
      }
      texts.add(sb.toString());
    }
    try (TextTokenizer hf = TextTokenizer.load(file)) {
      assertEquals(400, hf.vocabSize());
      assertEquals(bpe.endOfTextId(), hf.endOfTextId());
      for (String text : texts) {
        long[] expected = Arrays.stream(bpe.encode(text)).asLongStream().toArray();
        assertArrayEquals(expected, hf.encode(text), () -> "text: [" + text + "]");
        assertEquals(text, bpe.decode(bpe.encode(text)));
        assertEquals(text, hf.decode(expected));
      }
    }
  }

  @Test
  void aTokenizerTrainedOnOneNovelEncodesTheHeldOutOneLikeTheLibrary() throws Exception {
    List<Document> novels = JaneAusten.novels(JaneAusten.locate(null));
    // One training novel and the first chapters of the held-out one keep this test fast; the
    // teacher command trains on all five novels and measures on the whole of Persuasion.
    String northanger = text(novels, "northangerabbey");
    String persuasion = text(novels, JaneAusten.HELD_OUT).substring(0, 100_000);
    BpeTokenizer bpe =
        new BpeTrainer(BpeTrainer.DEFAULT_VOCAB_SIZE, BpeTokenizer.END_OF_TEXT)
            .train(List.of(northanger));
    assertEquals(512, bpe.vocabSize());
    Path file = dir.resolve("tokenizer.json");
    bpe.write(file);
    assertEquals(bpe.toJson(), BpeTokenizer.read(file).toJson());
    try (TextTokenizer hf = TextTokenizer.load(file)) {
      long[] ids = hf.encode(persuasion);
      assertArrayEquals(Arrays.stream(bpe.encode(persuasion)).asLongStream().toArray(), ids);
      assertEquals(persuasion, hf.decode(ids));
      double bytesPerToken =
          (double) persuasion.getBytes(java.nio.charset.StandardCharsets.UTF_8).length / ids.length;
      // Measured: 2.1 bytes per token (2.13 on all of Persuasion with the five-novel tokenizer).
      assertTrue(bytesPerToken > 1.9 && bytesPerToken < 2.3, "bytes/token " + bytesPerToken);
    }
  }

  private static String text(List<Document> documents, String id) {
    return documents.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow().text();
  }

  @Test
  void refusesAVocabularyWithoutRoomForTheBytes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(256, "<|endoftext|>"));
    assertTrue(e.getMessage().contains(">= 257"), e.getMessage());
  }

  static final String SAMPLE =
      "It is a truth universally acknowledged, that a single man in possession of a good fortune,"
          + " must be in want of a wife.\n\nHowever little known the feelings or views of such a man"
          + " may be on his first entering a neighbourhood, this truth is so well fixed in the minds"
          + " of the surrounding families, that he is considered the rightful property of some one"
          + " or other of their daughters.\n\n\"My dear Mr. Bennet,\" said his lady to him one day,"
          + " \"have you heard that Netherfield Park is let at last?\"\n";
}
