package io.distillery.trainer.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The build-time check of issue 12: no training code calls an {@link NDArray} op with a Java number
 * operand ({@code x.div(t)}, {@code x.mul(alpha)}, …). DJL 0.33's PyTorch engine wraps the number
 * in a scalar over a direct buffer that it closes when the op returns, while autograd may read it
 * again in backward (NumberOperandHazardTest in models). Use {@code OwnedArrays.scalar} instead.
 * Checked on the compiled classes with ArchUnit, so it sees every call, however written. Plain
 * JUnit: no service involved.
 */
class NoNumberOperandsInTrainingTest {

  /** The NDArray methods whose {@code Number} overload goes through {@code manager.create(n)}. */
  private static final Set<String> WRAPPING_OPS =
      Set.of(
          "add", "sub", "mul", "div", "mod", "pow", "maximum", "minimum", "eq", "neq", "gt", "gte",
          "lt", "lte", "addi", "subi", "muli", "divi", "modi", "powi", "rsub", "rdiv", "rsubi",
          "rdivi", "rmod", "rmodi", "rpow", "rpowi");

  /** Losses, networks, optimisers, teacher training (models) and the trainer service. */
  private static final String[] TRAINING_PACKAGES = {
    "io.distillery.models", "io.distillery.trainer"
  };

  static final DescribedPredicate<JavaMethodCall> NUMBER_OPERAND_OP =
      DescribedPredicate.describe(
          "an NDArray op with a java.lang.Number operand",
          call ->
              call.getTargetOwner().isAssignableTo(NDArray.class)
                  && WRAPPING_OPS.contains(call.getName())
                  && call.getTarget().getRawParameterTypes().stream()
                      .anyMatch(type -> type.isEquivalentTo(Number.class)));

  static final ArchRule RULE =
      noClasses()
          .should()
          .callMethodWhere(NUMBER_OPERAND_OP)
          .because(
              "DJL frees the number's scalar while autograd may still read it in backward:"
                  + " use OwnedArrays.scalar(value) (see NumberOperandHazardTest)");

  @Test
  void trainingCodeNeverPassesAJavaNumberToAnArrayOp() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(TRAINING_PACKAGES);
    for (String core :
        List.of(
            "io.distillery.models.loss.DistillationLoss",
            "io.distillery.trainer.training.StudentTrainer")) {
      assertTrue(classes.contain(core), "the check must see " + core);
    }
    RULE.check(classes);
  }

  @Test
  void theRuleCatchesTheDefectItGuardsAgainst() {
    JavaClasses offender = new ClassFileImporter().importClasses(List.of(Offender.class));
    assertThrows(AssertionError.class, () -> RULE.check(offender));
  }

  /** What DistillationLoss did before the fix. */
  static final class Offender {
    NDArray soften(NDArray logits, float temperature) {
      return logits.div(temperature);
    }
  }
}
