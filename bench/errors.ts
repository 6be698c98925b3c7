/**
 * The benchmarks' failures as tagged errors. The harnesses drive processes and brokers with
 * Promises, so these are what their promises reject with (and what a script's top level throws
 * for an option it does not take); each script prints the error and exits 1.
 */
import { Data } from "effect"

/** An option has a value the benchmark does not take. */
export class BenchOptionError extends Data.TaggedError("BenchOptionError")<{ readonly message: string }> {}

/** Something the benchmark runs failed or stopped: the build, a pipe stage, a sanity check. */
export class BenchFailure extends Data.TaggedError("BenchFailure")<{ readonly message: string }> {}
