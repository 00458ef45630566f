package io.distillery.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** TCP port checks and free-port picking on {@link LocalKafkaBroker#HOST}. */
final class Ports {

  private Ports() {}

  static int check(int port, String what) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          what + " must be 0-65535 (0 = any free port), was " + port);
    }
    return port;
  }

  /**
   * Returns {brokerPort, controllerPort}: fixed ports are checked to be free, 0s are replaced by
   * free ports. All sockets stay open until both are known, so the two picks never collide.
   */
  static int[] resolve(int brokerPort, int controllerPort) {
    if (brokerPort != 0 && brokerPort == controllerPort) {
      throw new IllegalArgumentException(
          "broker port and controller port must differ, both were " + brokerPort);
    }
    try (ServerSocket broker = bind(brokerPort, "Broker");
        ServerSocket controller = bind(controllerPort, "Controller")) {
      return new int[] {broker.getLocalPort(), controller.getLocalPort()};
    } catch (IOException e) {
      throw new UncheckedIOException("Could not probe ports on " + LocalKafkaBroker.HOST, e);
    }
  }

  /**
   * Returns {brokerPort, controllerPort, internalPort} like {@link #resolve(int, int)}, for a
   * broker that keeps a plaintext listener for itself beside its SASL_SSL client listener.
   */
  static int[] resolve(int brokerPort, int controllerPort, int internalPort) {
    if (brokerPort != 0 && brokerPort == controllerPort) {
      throw new IllegalArgumentException(
          "broker port and controller port must differ, both were " + brokerPort);
    }
    try (ServerSocket broker = bind(brokerPort, "Broker");
        ServerSocket controller = bind(controllerPort, "Controller");
        ServerSocket internal = bind(internalPort, "Internal listener")) {
      return new int[] {broker.getLocalPort(), controller.getLocalPort(), internal.getLocalPort()};
    } catch (IOException e) {
      throw new UncheckedIOException("Could not probe ports on " + LocalKafkaBroker.HOST, e);
    }
  }

  private static ServerSocket bind(int port, String what) throws IOException {
    ServerSocket socket = new ServerSocket();
    // Kafka binds with SO_REUSEADDR too, so a port in TIME_WAIT is not reported as taken.
    socket.setReuseAddress(true);
    try {
      socket.bind(new InetSocketAddress(InetAddress.getByName(LocalKafkaBroker.HOST), port));
      return socket;
    } catch (IOException e) {
      socket.close();
      throw new IllegalStateException(
          what + " port " + port + " on " + LocalKafkaBroker.HOST + " is already in use", e);
    }
  }
}
