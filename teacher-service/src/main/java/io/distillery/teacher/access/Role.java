package io.distillery.teacher.access;

/** What a client may do; the names are the values of the token's {@code groups} claim. */
public enum Role {
  /** Read the teacher card. */
  DESCRIBE("describe"),
  /** Label samples. */
  LABEL("label"),
  /** Have the teacher generate continuations (causal LMs) before labelling. */
  GENERATE("generate");

  private final String claim;

  Role(String claim) {
    this.claim = claim;
  }

  /** The group name in the token. */
  public String claim() {
    return claim;
  }
}
