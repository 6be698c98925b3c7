/**
 * The OpenTelemetry side of tracing (`Tracing.ts`): the `@effect/opentelemetry` tracer and the
 * OTLP/HTTP exporter.
 *
 * Its own module so that the OpenTelemetry SDK (a few hundred modules, several MB of heap) is
 * loaded only by a process that traces: `Tracing.ts` imports it when a tracing layer is built,
 * i.e. when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (or a test asks for a tracer).
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import type * as Resource from "@effect/opentelemetry/Resource"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { Layer } from "effect"

/** A tracer that sends spans to `processor`. */
export const layerTracer = (serviceName: string, processor: SpanProcessor): Layer.Layer<Resource.Resource> =>
  NodeSdk.layer(() => ({
    resource: { serviceName, serviceVersion: "0.1.0" },
    spanProcessor: processor
  }))

/** A tracer exporting spans in batches by OTLP/HTTP (JSON) to `url`. */
export const layerOtlpTracer = (serviceName: string, url: string): Layer.Layer<Resource.Resource> =>
  layerTracer(serviceName, new BatchSpanProcessor(new OTLPTraceExporter({ url })))
