package io.distillery.models.student;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import io.distillery.models.nn.Layer;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.proto.v1.StudentSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Students as checkpoints carry them: a {@link StudentSpec} that rebuilds the network and a {@value
 * #PARAMS_FILE} holding its parameters in DJL's format.
 */
public final class StudentModels {

  /** The parameter file's name inside a checkpoint. */
  public static final String PARAMS_FILE = "student.params";

  /** DJL engine that trains students: the only DJL engine that trains. */
  public static final String ENGINE = "PyTorch";

  private StudentModels() {}

  /** The spec recorded for a network: its name rebuilds it via {@link Networks#byName}. */
  public static StudentSpec spec(NetworkSpec network, long parameterCount) {
    StudentSpec.Builder spec =
        StudentSpec.newBuilder()
            .setArchitecture(network.name())
            .setOutputSize(network.outputSize())
            .setParameterCount(parameterCount);
    for (long dim : network.sampleShape()) {
      spec.addInputShape(dim);
    }
    for (Layer layer : network.layers()) {
      if (layer instanceof Layer.Dense dense && dense.units() != network.outputSize()) {
        spec.addHiddenSizes(dense.units());
      } else if (layer instanceof Layer.Dropout dropout) {
        spec.setDropout(dropout.rate());
      }
    }
    return spec.build();
  }

  /**
   * The network a spec describes.
   *
   * @throws IllegalArgumentException when the architecture is unknown, naming it
   */
  public static NetworkSpec network(StudentSpec spec) {
    return Networks.byName(spec.getArchitecture());
  }

  /** Writes a trained block's parameters. */
  public static void writeParameters(Block block, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    block.saveParameters(data);
    data.flush();
  }

  /**
   * Rebuilds a student on the PyTorch engine and loads its parameters, for inference.
   *
   * @throws MalformedModelException when the parameters do not fit the spec's network
   */
  public static Model load(StudentSpec spec, InputStream parameters)
      throws IOException, MalformedModelException {
    NetworkSpec network = network(spec);
    Model model = Model.newInstance("student-" + network.name(), Device.cpu(), ENGINE);
    try {
      model.setBlock(network.newBlock());
      model.getBlock().loadParameters(model.getNDManager(), new DataInputStream(parameters));
      // Grad mode is per thread in PyTorch; frozen parameters record no autograd graph.
      model.getBlock().freezeParameters(true);
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
