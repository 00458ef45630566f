package io.distillery.teacher.config;

import io.distillery.teacher.access.AccessConfig;
import io.distillery.teacher.watermark.WatermarkConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of teacher-service, under {@code distillery.teacher}. */
@ConfigMapping(prefix = "distillery.teacher")
public interface TeacherConfig {

  /**
   * DJL engine that runs the model: {@code TensorRT} (GPU nodes; needs NVIDIA's TensorRT
   * libraries), {@code OnnxRuntime} (CPU, same {@code model.onnx}) or {@code PyTorch} (CPU, DJL
   * parameters).
   */
  @WithDefault("OnnxRuntime")
  String engine();

  /**
   * Directory holding {@code teacher-card.json} and the model: {@code model.onnx} for OnnxRuntime
   * and TensorRT, {@code <architecture>-0000.params} for PyTorch. Without it the service starts but
   * stays not ready.
   */
  Optional<Path> modelDir();

  /**
   * Threads ONNX Runtime uses inside one forward pass; 0 lets it use every core. On small nodes
   * that also serve gRPC, 1 avoids oversubscribing the cores.
   */
  @WithDefault("0")
  int onnxIntraOpThreads();

  /**
   * Largest top-k a Label request may ask for (the card's {@code limits.max_top_k}); 0 allows the
   * whole output (every class, or every token of a language model's vocabulary).
   */
  @WithDefault("0")
  int maxTopK();

  /** Largest number of samples accepted in one Label request. */
  @WithDefault("1024")
  int maxRequestSamples();

  /** Dynamic batching. */
  Batching batching();

  /** Who may call the teacher, with which roles and limits; off (open access) by default. */
  AccessConfig access();

  /** The owner's watermark key, for clients whose outputs are marked. */
  WatermarkConfig watermark();

  /** How requests from many callers are combined into forward passes. */
  interface Batching {

    /** Largest forward pass; 1 turns batching off. */
    @WithDefault("64")
    int maxBatchSize();

    /** Longest the first sample of a batch waits for others to arrive. */
    @WithDefault("2ms")
    Duration maxDelay();

    /**
     * Samples that may wait at once; a request that does not fit is rejected at once with {@code
     * RESOURCE_EXHAUSTED}, which keeps memory bounded under overload.
     */
    @WithDefault("4096")
    int queueCapacity();

    /** Worker threads, each with its own predictor (DJL predictors are not thread-safe). */
    @WithDefault("1")
    int workers();
  }
}
