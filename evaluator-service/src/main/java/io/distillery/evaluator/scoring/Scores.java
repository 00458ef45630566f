package io.distillery.evaluator.scoring;

/**
 * A model's scores on a held-out set, computed from natural-log probabilities at T = 1.
 *
 * @param samples images scored
 * @param errors images whose top-1 class differs from the ground truth
 * @param accuracy {@code (samples - errors) / samples}
 * @param agreement fraction of images whose top-1 class equals the teacher's
 * @param klTeacherStudent mean KL(teacher ‖ student) in nats
 * @param nll mean negative log-likelihood of the ground truth in nats
 */
public record Scores(
    int samples,
    int errors,
    double accuracy,
    double agreement,
    double klTeacherStudent,
    double nll) {

  /**
   * Scores a student against the ground truth and the teacher.
   *
   * @param student row-major (samples, classes) log-probabilities of the student
   * @param teacher the teacher's, same layout; every class present (full distributions)
   * @param labels ground-truth class per sample
   * @param classes values per row
   * @return the scores
   * @throws IllegalArgumentException when the arrays do not fit together, naming the sizes
   */
  public static Scores compute(float[] student, float[] teacher, int[] labels, int classes) {
    int n = labels.length;
    if (n == 0) {
      throw new IllegalArgumentException("cannot score an empty eval set");
    }
    if (student.length != n * classes || teacher.length != n * classes) {
      throw new IllegalArgumentException(
          String.format(
              "student has %d and teacher %d log-probabilities, expected %d samples × %d classes",
              student.length, teacher.length, n, classes));
    }
    int errors = 0;
    int agreements = 0;
    double kl = 0;
    double nll = 0;
    for (int i = 0; i < n; i++) {
      int row = i * classes;
      int predicted = argMax(student, row, classes);
      if (predicted != labels[i]) {
        errors++;
      }
      if (predicted == argMax(teacher, row, classes)) {
        agreements++;
      }
      nll -= student[row + labels[i]];
      kl += kl(teacher, student, row, classes);
    }
    return new Scores(
        n, errors, (double) (n - errors) / n, (double) agreements / n, kl / n, nll / n);
  }

  /** Scores the teacher itself: agreement 1 and KL 0 by definition. */
  public static Scores ofTeacher(float[] teacher, int[] labels, int classes) {
    return compute(teacher, teacher, labels, classes);
  }

  private static double kl(float[] teacher, float[] student, int row, int classes) {
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      double logP = teacher[row + c];
      double p = Math.exp(logP);
      // 0 · log 0 = 0: classes the teacher rules out cost nothing.
      if (p > 0) {
        sum += p * (logP - student[row + c]);
      }
    }
    // KL is never negative; float rounding can make a perfect match come out at -1e-8.
    return Math.max(sum, 0);
  }

  private static int argMax(float[] values, int row, int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (values[row + c] > values[row + best]) {
        best = c;
      }
    }
    return best;
  }
}
