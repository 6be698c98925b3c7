/**
 * Tracing through OpenTelemetry (`@effect/opentelemetry`): spans are exported by OTLP/HTTP (JSON)
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; otherwise
 * nothing is exported.
 *
 * The OpenTelemetry SDK itself is in `TracingSdk.ts`, imported only when a tracer is built: every
 * agent imports this module, and without an endpoint none of them needs the SDK in its heap. The
 * SDK (`@effect/opentelemetry` and `@opentelemetry/*` but the API, which prom-client needs too)
 * is an optional dependency of the package:
 * without it, building a tracer fails with `TracingSdkMissing`.
 */
import type * as Resource from "@effect/opentelemetry/Resource"
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Config, Effect, Layer, Option } from "effect"
import { TracingEnabled } from "./TracingEnabled.ts"
import { TracingSdkMissing } from "./TracingSdkMissing.ts"

export { TracingSdkMissing }


const otelPackages = "@effect/opentelemetry @opentelemetry/exporter-trace-otlp-http @opentelemetry/resources @opentelemetry/sdk-trace-base @opentelemetry/sdk-trace-node @opentelemetry/semantic-conventions"

const loadSdk = Effect.tryPromise({
  try: () => import("./TracingSdk.ts"),
  catch: (cause) =>
    new TracingSdkMissing({
      message: `tracing (OTEL_EXPORTER_OTLP_ENDPOINT) needs the packages @effect/opentelemetry and @opentelemetry/*, which could not be loaded (npm install ${otelPackages}): ${
        cause instanceof Error ? cause.message : String(cause)
      }`
    })
})

/** A tracer that sends spans to `processor` (tests use an in-memory exporter). */
export const layerTracer = (serviceName: string, processor: SpanProcessor): Layer.Layer<Resource.Resource, TracingSdkMissing> =>
  Layer.unwrap(Effect.map(loadSdk, (sdk) => sdk.layerTracer(serviceName, processor)))

/** A setting that counts as unset when absent or blank (ConfigMaps list every key, some empty). */
const optionalSetting = (name: string) =>
  Config.String(name).pipe(
    Config.option,
    Config.map(Option.filter((value) => value.trim().length > 0))
  )

/** OTLP export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; no exporter otherwise. */
export const layerTracingFromConfig = (agent: string): Layer.Layer<Resource.Resource, Config.ConfigError | TracingSdkMissing> =>
  Layer.unwrap(Effect.gen(function*() {
    const endpoint = yield* optionalSetting("OTEL_EXPORTER_OTLP_ENDPOINT")
    // No exporter: nobody would see spans, so none are made (the trace context still travels
    // in the messages' headers).
    if (endpoint._tag === "None") return Layer.succeed(TracingEnabled, false) as Layer.Layer<Resource.Resource>
    const serviceName = yield* Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault(`support-agents-${agent}`))
    const tracesEndpoint = yield* optionalSetting("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    // The signal-specific endpoint is used as is; the general one gets `/v1/traces` appended
    // (the OTLP/HTTP convention). Headers and timeouts come from the standard OTEL_* variables.
    const url = tracesEndpoint._tag === "Some"
      ? tracesEndpoint.value
      : `${endpoint.value.replace(/\/+$/, "")}/v1/traces`
    yield* Effect.logInfo("exporting traces by OTLP").pipe(Effect.annotateLogs({ service: serviceName, url }))
    const sdk = yield* loadSdk
    return sdk.layerOtlpTracer(serviceName, url)
  }))
