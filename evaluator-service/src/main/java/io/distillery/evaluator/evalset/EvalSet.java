package io.distillery.evaluator.evalset;

import io.distillery.models.data.LabeledImages;
import io.distillery.models.digest.Sha256;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The held-out set checkpoints are scored on.
 *
 * @param id stable name written into every evaluation, e.g. {@code fashion-mnist/t10k}
 * @param data the images and their ground-truth labels
 * @param classes number of classes
 * @param digest sha256 of the labels and pixels: a cached teacher reference is reused only for the
 *     very same images
 */
public record EvalSet(String id, LabeledImages data, int classes, String digest) {

  /** Builds a set and computes its digest. */
  public static EvalSet of(String id, LabeledImages data, int classes) {
    return new EvalSet(id, data, classes, digest(data));
  }

  /** Number of images. */
  public int size() {
    return data.size();
  }

  /** Shape of one image, e.g. (1, 28, 28). */
  public long[] sampleShape() {
    return data.sampleShape();
  }

  /** Whether a model taking {@code shape} inputs fits these images. */
  public boolean fitsInputShape(long[] shape) {
    return Arrays.equals(shape, sampleShape());
  }

  private static String digest(LabeledImages data) {
    MessageDigest sha = Sha256.newDigest();
    ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
    header.putInt(data.size()).putInt(data.channels()).putInt(data.rows()).putInt(data.cols());
    sha.update(header.array());
    ByteBuffer labels = ByteBuffer.allocate(data.labels().length * 4);
    labels.asIntBuffer().put(data.labels());
    sha.update(labels);
    ByteBuffer pixels = ByteBuffer.allocate(data.images().length * 4);
    pixels.asFloatBuffer().put(data.images());
    sha.update(pixels);
    return Sha256.hex(sha);
  }
}
