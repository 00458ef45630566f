package io.distillery.trainer.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.augment.Mixup;
import io.distillery.models.loss.HardLabel;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.trainer.labels.SoftLabel;
import io.distillery.trainer.support.SoftLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Online views: shifts and mixup. Plain JUnit: pure array arithmetic. */
class ViewAugmenterTest {

  private static final long[] SHAPE = {1, 6, 6};

  private static List<SoftLabel> labels(int n) {
    List<SoftLabel> out = new ArrayList<>();
    Random random = new Random(3);
    for (int i = 0; i < n; i++) {
      float[] pixels = new float[36];
      for (int p = 14; p < 22; p++) {
        pixels[p] = 0.1f + random.nextFloat();
      }
      out.add(
          SoftLabels.image(
              i,
              "p" + i,
              pixels,
              SHAPE,
              HardLabel.of(i % 3),
              TeacherCard.getDefaultInstance(),
              1f,
              SparseDistribution.getDefaultInstance()));
    }
    return out;
  }

  private static float sum(float[] values, int from, int to) {
    float s = 0;
    for (int i = from; i < to; i++) {
      s += values[i];
    }
    return s;
  }

  @Test
  void shiftsMoveImagesWithoutChangingTheirLabelsAndRepeatForASeed() {
    ViewAugmenter shifts = new ViewAugmenter(SHAPE, 1, 0f);
    List<SoftLabel> batch = labels(8);

    ViewAugmenter.Views views = shifts.views(batch, 3, 11);

    assertArrayEquals(views.inputs(), shifts.views(batch, 3, 11).inputs());
    int moved = 0;
    for (int i = 0; i < 8; i++) {
      float[] original = SoftLabels.pixels(batch.get(i));
      float[] view = java.util.Arrays.copyOfRange(views.inputs(), i * 36, (i + 1) * 36);
      if (!java.util.Arrays.equals(original, view)) {
        moved++;
      }
      assertEquals(1f, views.hard().prob(i, SoftLabels.label(batch.get(i))));
    }
    assertTrue(moved >= 5, moved + " of 8 views moved");
  }

  @Test
  void mixupMixesInputsAndHardTargetsWithTheSameWeight() {
    ViewAugmenter mixup = new ViewAugmenter(SHAPE, 0, 0.4f);
    List<SoftLabel> batch = labels(16);

    ViewAugmenter.Views views = mixup.views(batch, 3, 5);

    int mixed = 0;
    for (int i = 0; i < 16; i++) {
      float total = 0;
      for (int c = 0; c < 3; c++) {
        float p = views.hard().prob(i, c);
        assertTrue(p >= 0 && p <= 1.0001f);
        total += p;
      }
      assertEquals(1f, total, 1e-5);
      if (views.hard().prob(i, SoftLabels.label(batch.get(i))) < 0.999f) {
        mixed++;
      }
    }
    assertTrue(mixed >= 8, "most rows mix two classes: " + mixed);
    assertNotEquals(
        sum(SoftLabels.pixels(batch.get(0)), 0, 36),
        sum(views.inputs(), 0, 36),
        "views are mixtures");
  }

  @Test
  void betaSamplesHaveTheRightMean() {
    Random random = new Random(1);
    double mean = 0;
    for (int i = 0; i < 20_000; i++) {
      double x = Mixup.beta(random, 0.4);
      assertTrue(x >= 0 && x <= 1);
      mean += x;
    }
    assertEquals(0.5, mean / 20_000, 0.01);
  }
}
