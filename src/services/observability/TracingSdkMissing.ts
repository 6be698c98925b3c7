/**
 * The error of a tracer that cannot be built, in a module of its own: `Tracing.ts` names the
 * OpenTelemetry SDK's types, which are optional dependencies of the package, and the public
 * declarations must compile without them.
 */
import { Schema } from "effect"

/** Tracing was asked for, but the OpenTelemetry SDK (optional dependencies of the package) is not installed. */
export class TracingSdkMissing extends Schema.TaggedError<TracingSdkMissing>()("TracingSdkMissing", {
  message: Schema.String
}) {}
