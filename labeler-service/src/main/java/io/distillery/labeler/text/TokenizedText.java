package io.distillery.labeler.text;

/**
 * A text's tokens with where each lies in the text's UTF-8 bytes.
 *
 * @param ids token ids in order
 * @param byteStarts per token, the offset of its first byte
 * @param byteEnds per token, the offset after its last byte (a token holding part of a multi-byte
 *     character spans that whole character)
 */
public record TokenizedText(int[] ids, int[] byteStarts, int[] byteEnds) {

  /** Number of tokens. */
  public int size() {
    return ids.length;
  }
}
