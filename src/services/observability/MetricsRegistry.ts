/**
 * The Prometheus registry of the process, for metrics of one program's own (the intake's):
 * `serveProgram` provides the registry its `/metrics` serves (`layerObservers`); the default is
 * a registry of its own that nothing scrapes.
 */
import { Context } from "effect"
import { Registry } from "prom-client"

/** Where a program registers metrics of its own, next to the runtime's (served on `METRICS_PORT`). */
export const MetricsRegistry = Context.Reference<Registry>("support-agents/MetricsRegistry", {
  defaultValue: () => new Registry()
})
