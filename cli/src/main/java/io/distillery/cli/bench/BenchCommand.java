package io.distillery.cli.bench;

import picocli.CommandLine.Command;

/** Groups the benchmarks whose ratios BENCHMARKS.md records. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure throughput ratios side by side in one run (see BENCHMARKS.md).",
    subcommands = {
      TeacherBenchmark.class,
      LabelerBenchmark.class,
      io.distillery.cli.bench.watermark.WatermarkBenchmark.class,
      io.distillery.cli.bench.watermark.LmWatermarkBenchmark.class
    })
public final class BenchCommand {}
