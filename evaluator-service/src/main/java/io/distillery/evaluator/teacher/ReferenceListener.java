package io.distillery.evaluator.teacher;

/** Told once per teacher artifact and eval set, when its reference has just been fetched. */
@FunctionalInterface
public interface ReferenceListener {

  /**
   * Called before the reference is cached on disk, so that a crash in between makes a restarted
   * evaluator fetch and announce it again rather than never.
   */
  void fetched(TeacherReference reference);
}
