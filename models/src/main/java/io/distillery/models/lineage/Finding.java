package io.distillery.models.lineage;

/**
 * One result of verifying a lineage.
 *
 * @param severity whether it breaks the lineage
 * @param check which check found it: {@code files}, {@code manifest}, {@code chain}, {@code
 *     labels}, {@code teachers}, {@code evaluations}
 * @param message what does not match, naming the file, event or record
 */
public record Finding(Severity severity, String check, String message) {

  /** How much a finding matters. */
  public enum Severity {
    /** The lineage does not hold: something does not match what it claims. */
    MISMATCH,
    /** Could not be verified (e.g. labels deleted by retention), or looks odd but is allowed. */
    WARNING,
    /** A fact worth knowing. */
    NOTE
  }

  static Finding mismatch(String check, String message) {
    return new Finding(Severity.MISMATCH, check, message);
  }

  static Finding warning(String check, String message) {
    return new Finding(Severity.WARNING, check, message);
  }

  static Finding note(String check, String message) {
    return new Finding(Severity.NOTE, check, message);
  }

  @Override
  public String toString() {
    return severity.name().toLowerCase(java.util.Locale.ROOT) + " [" + check + "] " + message;
  }
}
