package io.distillery.labeler.teacher;

import io.distillery.teacherclient.TeacherDescription;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.smallrye.mutiny.Uni;

/** Asks the teacher who it is. */
public interface TeacherDescriber {

  /** The teacher's card, or {@link TeacherUnavailableException} when it cannot be reached. */
  Uni<TeacherDescription> describe();
}
