/**
 * Counters, gauges and histograms for the per-message hot path, exposed through a prom-client
 * `Registry` like its own metrics.
 *
 * prom-client hashes the label object of every `inc`/`set`/`observe` (sorting its keys) to find
 * the series; with a dozen observations per message that was several microseconds of CPU per
 * ticket. Here a series is looked up once (`series(...)`, or the one-label fast path) and then
 * updated as plain numbers; the registry reads the values when `/metrics` is scraped. The text
 * format is the one prom-client writes for its own metrics of the same type.
 */
import type { Metric, Registry } from "prom-client"

type Labels = Readonly<Record<string, string>>

interface Config {
  readonly name: string
  readonly help: string
  readonly labelNames?: ReadonlyArray<string> | undefined
  readonly registers: ReadonlyArray<Registry>
}

interface ExportedValue {
  readonly value: number
  readonly labels: Record<string, string | number>
  readonly metricName?: string
  /** Printed after `labels` and the registry's default labels (how prom-client orders a histogram's). */
  readonly sharedLabels?: Record<string, string>
}

abstract class FastMetric<S> {
  readonly name: string
  readonly help: string
  readonly labelNames: ReadonlyArray<string>
  readonly aggregator = "sum" as const
  abstract readonly type: "counter" | "gauge" | "histogram"
  protected readonly byKey = new Map<string, { readonly labels: Labels; readonly series: S }>()

  constructor(config: Config) {
    this.name = config.name
    this.help = config.help
    this.labelNames = config.labelNames ?? []
    // The registry only reads `name`, `help`, `type`, `aggregator` and `get()`.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric)
  }

  protected abstract make(): S

  /** The series of `labels` (every label name of the metric, no other). */
  series(labels: Labels = {}): S {
    const names = this.labelNames
    let key = ""
    for (let i = 0; i < names.length; i++) {
      const value = labels[names[i]!]
      if (value === undefined) throw new Error(`${this.name}: missing label ${names[i]}`)
      key = i === 0 ? value : `${key}\u0000${value}`
    }
    let entry = this.byKey.get(key)
    if (entry === undefined) {
      const copy: Record<string, string> = {}
      for (const name of names) copy[name] = labels[name]!
      entry = { labels: copy, series: this.make() }
      this.byKey.set(key, entry)
    }
    return entry.series
  }

  /** The series whose only label has `value` (metrics with one label). */
  seriesOf(value: string): S {
    const entry = this.byKey.get(value)
    return entry !== undefined ? entry.series : this.series({ [this.labelNames[0]!]: value })
  }

  collect() {}

  protected abstract values(): Array<ExportedValue>

  get() {
    // A metric without labels has its one series from the start (at zero), as in prom-client.
    if (this.labelNames.length === 0) this.series()
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.values()
    })
  }
}

export interface CounterSeries {
  value: number
}

/** A counter's or a gauge's series as the registry reads them. */
const numberValues = (byKey: ReadonlyMap<string, { readonly labels: Labels; readonly series: CounterSeries }>) =>
  [...byKey.values()].map(({ labels, series }) => ({ labels: { ...labels }, value: series.value }))

export class FastCounter extends FastMetric<CounterSeries> {
  readonly type = "counter" as const
  protected make(): CounterSeries {
    return { value: 0 }
  }
  /** Adds `by` (default 1) to the series of `labels`. */
  inc(labels?: Labels, by = 1) {
    if (by < 0 || !Number.isFinite(by)) throw new Error(`${this.name}: a counter only goes up (got ${by})`)
    this.series(labels).value += by
  }
  protected values() {
    return numberValues(this.byKey)
  }
}

export class FastGauge extends FastMetric<CounterSeries> {
  readonly type = "gauge" as const
  protected make(): CounterSeries {
    return { value: 0 }
  }
  set(labels: Labels | undefined, value: number) {
    this.series(labels).value = value
  }
  protected values() {
    return numberValues(this.byKey)
  }
}

export interface HistogramSeries {
  /** Observations per bucket (not cumulative); the last is +Inf. */
  readonly counts: Float64Array
  sum: number
  count: number
}

export class FastHistogram extends FastMetric<HistogramSeries> {
  readonly type = "histogram" as const
  readonly buckets: ReadonlyArray<number>

  constructor(config: Config & { readonly buckets: ReadonlyArray<number> }) {
    super(config)
    this.buckets = [...config.buckets].sort((a, b) => a - b)
  }

  protected make(): HistogramSeries {
    return { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }
  }

  /** Records `value` in `series` (from `series()`/`seriesOf()`). */
  observeIn(series: HistogramSeries, value: number) {
    const buckets = this.buckets
    let i = 0
    while (i < buckets.length && value > buckets[i]!) i++
    series.counts[i]!++
    series.sum += value
    series.count++
  }

  observe(labels: Labels | undefined, value: number) {
    this.observeIn(this.series(labels), value)
  }

  protected values() {
    const out: Array<ExportedValue> = []
    const bucketName = `${this.name}_bucket`
    for (const { labels, series } of this.byKey.values()) {
      let cumulative = 0
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += series.counts[i]!
        out.push({ labels: { le: this.buckets[i]! }, sharedLabels: { ...labels }, value: cumulative, metricName: bucketName })
      }
      out.push({ labels: { le: "+Inf" }, sharedLabels: { ...labels }, value: series.count, metricName: bucketName })
      out.push({ labels: {}, sharedLabels: { ...labels }, value: series.sum, metricName: `${this.name}_sum` })
      out.push({ labels: {}, sharedLabels: { ...labels }, value: series.count, metricName: `${this.name}_count` })
    }
    return out
  }
}
