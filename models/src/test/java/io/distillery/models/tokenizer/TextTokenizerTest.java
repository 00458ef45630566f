package io.distillery.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.digest.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizers other than ours load through the same code: a Llama-style one, written here. */
class TextTokenizerTest {
  @TempDir Path dir;

  /** SentencePiece-style BPE as Llama's tokenizer.json has it: ▁ for spaces, BOS added. */
  static final String LLAMA_LIKE =
      """
      {"version": "1.0", "truncation": null, "padding": null,
       "added_tokens": [
         {"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
         {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
         {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
       "normalizer": {"type": "Sequence", "normalizers": [
         {"type": "Prepend", "prepend": "▁"},
         {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
       "pre_tokenizer": null,
       "post_processor": {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
         "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                  {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
         "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
       "decoder": {"type": "Sequence", "decoders": [
         {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
         {"type": "ByteFallback"}, {"type": "Fuse"},
         {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
       "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
         "end_of_word_suffix": null, "fuse_unk": true, "byte_fallback": false,
         "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, "h": 4, "e": 5, "l": 6, "o": 7, "w": 8,
                   "r": 9, "d": 10, "he": 11, "ll": 12, "hell": 13, "hello": 14, "▁hello": 15, "▁w": 16, "or": 17},
         "merges": ["h e", "l l", "he ll", "hell o", "▁ hello", "▁ w", "o r"]}}
      """;

  @Test
  void loadsALlamaStyleTokenizerAndFindsItsEndOfText() throws IOException {
    Path file = Files.writeString(dir.resolve("tokenizer.json"), LLAMA_LIKE);
    try (TextTokenizer plain = TextTokenizer.load(dir);
        TextTokenizer withBos = TextTokenizer.load(file, null, true)) {
      assertEquals(18, plain.vocabSize());
      assertEquals("</s>", plain.endOfText());
      assertEquals(2, plain.endOfTextId());
      assertEquals(Sha256.file(file), plain.sha256());
      assertArrayEquals(new long[] {15, 16, 17, 6, 10}, plain.encode("hello world"));
      assertArrayEquals(new long[] {1, 15, 16, 17, 6, 10}, withBos.encode("hello world"));
      assertEquals("hello world", plain.decode(new long[] {15, 16, 17, 6, 10}));
    }
  }

  @Test
  void takesTheEndOfTextFromTokenizerConfigOrTheCaller() throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), LLAMA_LIKE);
    Files.writeString(
        dir.resolve("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"<s>\"}}");
    try (TextTokenizer configured = TextTokenizer.load(dir);
        TextTokenizer named = TextTokenizer.load(dir, "<unk>", false)) {
      assertEquals(1, configured.endOfTextId());
      assertEquals(0, named.endOfTextId());
    }
  }

  @Test
  void neitherTruncatesNorPads() throws IOException {
    BpeTokenizer bpe =
        new BpeTrainer(300, BpeTokenizer.END_OF_TEXT).train(List.of(BpeTrainerTest.SAMPLE));
    Path file = dir.resolve("tokenizer.json");
    bpe.write(file);
    String text = BpeTrainerTest.SAMPLE.repeat(10);
    try (TextTokenizer tokenizer = TextTokenizer.load(file)) {
      long[] ids = tokenizer.encode(text);
      assertTrue(ids.length > 1000, "DJL's default would stop at 512: " + ids.length);
      assertEquals(bpe.encode(text).length, ids.length);
      assertEquals(1, tokenizer.encode("a").length);
    }
  }

  @Test
  void explainsAMissingEndOfText() throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), LLAMA_LIKE.replace("</s>", "<end>"));
    IOException e = assertThrows(IOException.class, () -> TextTokenizer.load(dir));
    assertTrue(e.getMessage().contains("no end-of-text token"), e.getMessage());
  }
}
