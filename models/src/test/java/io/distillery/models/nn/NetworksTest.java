package io.distillery.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetworksTest {

  @Test
  void theTeacherIsTheReferenceCnn() {
    NetworkSpec cnn = Networks.fashionCnn();
    assertEquals("fashion-cnn", cnn.name());
    assertArrayEquals(new long[] {1, 28, 28}, cnn.sampleShape());
    assertEquals(10, cnn.outputSize());
    assertEquals(new Layer.Conv(32, 3, 1), cnn.layers().get(0));
    assertEquals(new Layer.Dense(256), cnn.layers().get(7));
    assertEquals(new Layer.Dropout(0.5f), cnn.layers().get(9));
    assertEquals(cnn.layers().size(), cnn.newBlock().getChildren().size());
  }

  @Test
  void buildsMlpsFromLayerSizes() {
    NetworkSpec mlp = Networks.fashionMlp(0f, 128);
    assertEquals("mlp-784-128-10", mlp.name());
    assertEquals(
        List.of(new Layer.Flatten(), new Layer.Dense(128), new Layer.Relu(), new Layer.Dense(10)),
        mlp.layers());
    NetworkSpec wide = Networks.fashionMlp(0.5f, 1200, 1200);
    assertEquals("mlp-784-1200-1200-10-dropout0.5", wide.name());
    assertEquals(8, wide.layers().size());
  }

  @Test
  void rebuildsNetworksFromTheirNames() {
    for (NetworkSpec spec :
        List.of(
            Networks.fashionCnn(),
            Networks.fashionMlp(0f, 128),
            Networks.fashionMlp(0.2f, 256, 64),
            Networks.mlp(new long[] {16}, new int[] {16, 8, 3}, 0f))) {
      assertEquals(spec, Networks.byName(spec.name()));
    }
  }

  @Test
  void rejectsUnknownNamesAndMismatchedSizes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Networks.byName("resnet-50"));
    assertTrue(e.getMessage().contains("unknown network 'resnet-50'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Networks.mlp(new long[] {1, 28, 28}, new int[] {100, 10}, 0f));
    assertTrue(e.getMessage().contains("MLP input size 100"), e.getMessage());
  }
}
