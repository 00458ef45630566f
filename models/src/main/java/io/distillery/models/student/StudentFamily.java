package io.distillery.models.student;

import io.distillery.models.nn.NetworkSpec;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.Task;

/**
 * A kind of student network. A family turns the fields of a {@link StudentSpec} — the single source
 * of truth a checkpoint carries — into the network, and checks them, naming the field that is
 * wrong. Adding a family is a new implementation registered in {@link StudentModels}, never an edit
 * of the training loop.
 */
public interface StudentFamily {

  /** The family's name in {@link StudentSpec#getFamily()} and configuration, e.g. {@code mlp}. */
  String name();

  /** The task its students learn: what their inputs and outputs are. */
  Task task();

  /**
   * The network a spec of this family describes.
   *
   * @throws IllegalArgumentException naming the field and value that do not make a network
   */
  NetworkSpec network(StudentSpec spec);
}
