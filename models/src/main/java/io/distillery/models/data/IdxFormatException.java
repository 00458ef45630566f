package io.distillery.models.data;

import java.io.IOException;

/** An IDX file that does not have the layout its reader expects; the message names the file. */
public class IdxFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was expected and what was found, including the file name
   */
  public IdxFormatException(String message) {
    super(message);
  }
}
