/**
 * `npm run bench:quota`: the pipeline against a provider with a request quota and an outage
 * (issue 15 §5). A loopback provider (`harness/fakes/QuotaProvider.ts`) allows R requests/s and
 * answers after L ms, in the OpenAI and the Anthropic wire formats; a backlog of N tickets goes
 * through triage, the specialists and the escalation agent on the embedded in-memory broker, in
 * this process, with the real SDK pointed at the provider. Everything else is configured as the
 * demo is (environment variables: `AGENT_CONCURRENCY`, `LLM_*`, …), so what is measured is
 * whatever the code does with its public configuration.
 *
 * Per format it prints: tickets resolved per second (a ticket sent to people is not throughput)
 * against the quota's bound (R ÷ 2 LLM calls per ticket), the share of requests answered 429
 * after the first 5 s (from the provider's own record), and the tickets by outcome, those sent
 * to people by reason. The outage case runs a second backlog (N/2 tickets unless
 * `--outage-tickets`) with an outage of D s that starts once a third of its tickets are done (or
 * a third of their LLM calls answered), and prints the tickets sent to people and the time from
 * the provider's recovery until every ticket has reached a destination. Then PASS/FAIL per
 * target (N/A when the run cannot tell): at least 0.9 of the bound; at most 5% of requests answered 429 after 5 s; no ticket to people (the
 * provider classifies every ticket confidently and its drafts pass the guardrails, so a ticket
 * to people can only come from throttling or from the outage; the outage target assumes D is
 * below the call policy's hold limit).
 *
 * Options: --rps R (default 20), --latency-ms L (200), --tickets N (600), --format
 * openai|anthropic|both (both), --outage-s D (15; 0 skips the outage case), --outage-mode
 * refuse|500|503|529|hang (refuse), --outage-tickets M (N/2), --window fixed|sliding (fixed),
 * --headers (send the rate-limit headers). Each run stops by itself: its deadline is twice the
 * time the bound allows plus the outage plus 30 s. Logs: LOG_LEVEL (default ERROR), to stderr.
 */
import { ConfigProvider, Effect, Fiber, Layer } from "effect"
import { EscalationTopics } from "../src/domain/Escalation.ts"
import { Topics } from "../src/domain/Topics.ts"
import { type Journey, runEmbeddedPipeline } from "../src/programs/Demo.ts"
import { CustomersForDemo, GuardrailsLive, LlmPreferMock } from "../src/programs/Environment.ts"
import { layerEscalationForDemo } from "../src/programs/escalation/EscalationService.ts"
import { RuntimeConfig, TriageConfig } from "../src/services/config/AppConfig.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../src/services/kafka/InMemoryKafka.ts"
import { providerGates } from "../src/services/llm/ProviderGate.ts"
import { layerLogging } from "../src/services/logging/Logging.ts"
import { type OutageMode, type QuotaProvider, type QuotaProviderStats, startQuotaProvider } from "../harness/fakes/QuotaProvider.ts"
import { args, option } from "./cli.ts"
import { BenchOptionError } from "./errors.ts"
import { backlog } from "./quotaTickets.ts"

type Format = "openai" | "anthropic"

const oneOf = <A extends string>(name: string, fallback: A, allowed: ReadonlyArray<A>): A => {
  const value = option(name, fallback)
  if (!(allowed as ReadonlyArray<string>).includes(value)) throw new BenchOptionError({ message: `${name} must be one of ${allowed.join("|")}, not ${value}` })
  return value as A
}

const positive = (name: string, fallback: number, allowZero = false): number => {
  const value = Number(option(name, String(fallback)))
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new BenchOptionError({ message: `${name} must be a positive number` })
  return value
}

const rps = positive("--rps", 20)
const latencyMs = positive("--latency-ms", 200, true)
const tickets = Math.round(positive("--tickets", 600))
const formats: ReadonlyArray<Format> = (() => {
  const chosen = oneOf("--format", "both", ["openai", "anthropic", "both"])
  return chosen === "both" ? ["openai", "anthropic"] : [chosen]
})()
const outageSeconds = positive("--outage-s", 15, true)
const outageMode = oneOf<OutageMode>("--outage-mode", "refuse", ["refuse", "500", "503", "529", "hang"])
const outageTickets = Math.round(positive("--outage-tickets", Math.max(1, Math.round(tickets / 2))))
const window = oneOf("--window", "fixed", ["fixed", "sliding"])
const headers = args.includes("--headers")
const trace = args.includes("--trace")

/** LLM calls per ticket: triage's classification and the specialist's draft. */
const callsPerTicket = 2
const bound = rps / callsPerTicket
const warmupMs = 5_000

// ---------------------------------------------------------------------------
// One run
// ---------------------------------------------------------------------------

interface RunResult {
  readonly format: Format
  readonly tickets: number
  readonly wallSeconds: number
  readonly rows: ReadonlyArray<Journey>
  readonly stats: QuotaProviderStats
  /** When each ticket reached a destination (ms since the pipeline started). */
  readonly doneAtMs: ReadonlyArray<number>
  /** ms since the pipeline started; undefined without an outage. */
  readonly outage?: { readonly startMs: number; readonly endMs: number } | undefined
}

/** The environment of the run: this process's, with the provider chosen and pointed at the fake. */
const runEnv = (format: Format, provider: QuotaProvider): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value
  delete env["KAFKA_BOOTSTRAP_SERVERS"]
  delete env["DYNAMODB_TABLE"]
  env["MOCK_LLM"] = "false"
  env["LLM_PROVIDER"] = format
  if (format === "openai") {
    env["OPENAI_API_KEY"] = "sk-bench-quota"
    env["OPENAI_BASE_URL"] = `${provider.url}/v1`
  } else {
    env["ANTHROPIC_API_KEY"] = "sk-ant-bench-quota"
    env["ANTHROPIC_BASE_URL"] = provider.url
  }
  env["LOG_LEVEL"] = process.env["LOG_LEVEL"] ?? "ERROR"
  return env
}

/** Notes when each ticket reached a destination: resolved, tracked by the escalation agent, dead-lettered. */
const scanDestinations = (broker: InMemoryBroker["Service"], startedAt: number, doneAt: Map<string, number>) =>
  Effect.gen(function*() {
    const dlqs = (yield* broker.topics).filter((t) => t.endsWith(".dlq"))
    for (const topic of [Topics.resolved, EscalationTopics.escalated, ...dlqs]) {
      for (const record of yield* broker.records(topic)) {
        if (record.key !== null && !doneAt.has(record.key)) doneAt.set(record.key, performance.now() - startedAt)
      }
    }
    return doneAt.size
  })

/** Scans every 10 ms (as often as the demo looks), telling `onProgress` how many are done. */
const watchDestinations = (
  broker: InMemoryBroker["Service"],
  startedAt: number,
  doneAt: Map<string, number>,
  onProgress: (done: number) => void
) =>
  Effect.gen(function*() {
    while (true) {
      onProgress(yield* scanDestinations(broker, startedAt, doneAt))
      yield* Effect.sleep(10)
    }
  })

const runOnce = async (format: Format, count: number, outage: boolean): Promise<RunResult> => {
  const provider = await startQuotaProvider({ requestsPerSecond: rps, latencyMs, window, rateLimitHeaders: headers })
  const lines = backlog(count, `Q-${format}-${outage ? "outage" : "quota"}`)
  const outageMs = outage ? outageSeconds * 1_000 : 0
  const deadlineMs = Math.round(2 * (count / bound) * 1_000 + outageMs + 30_000)
  const doneAt = new Map<string, number>()
  let outageWindow: { startMs: number; endMs: number } | undefined
  const tracer = trace ? traceGates(provider) : undefined
  const program = Effect.gen(function*() {
    const broker = yield* InMemoryBroker
    const triage = yield* TriageConfig
    const runtime = yield* RuntimeConfig
    const startedAt = performance.now()
    const watcher = yield* Effect.forkChild(watchDestinations(broker, startedAt, doneAt, (done) => {
      // A third of the work: a third of the tickets done, or a third of their LLM calls answered.
      if (outage && outageWindow === undefined && (done >= count / 3 || provider.stats().ok >= (callsPerTicket * count) / 3)) {
        const startMs = performance.now() - startedAt
        outageWindow = { startMs, endMs: startMs + outageMs }
        provider.startOutage(outageMode, outageMs)
      }
    }))
    const rows = yield* runEmbeddedPipeline(lines, {
      triage: { ...triage, groupId: "triage-agent" },
      runtime,
      timeoutMs: deadlineMs
    })
    const wallSeconds = (performance.now() - startedAt) / 1_000
    yield* Fiber.interrupt(watcher)
    // The pipeline may have seen the last destinations before the watcher did.
    yield* scanDestinations(broker, startedAt, doneAt)
    return { rows, wallSeconds }
  })
  const env = runEnv(format, provider)
  try {
    const { rows, wallSeconds } = await Effect.runPromise(program.pipe(
      Effect.provide(Layer.mergeAll(layerInMemoryKafka(), LlmPreferMock, GuardrailsLive, CustomersForDemo, layerEscalationForDemo)),
      Effect.provide(layerLogging({ defaultLevel: "ERROR", stderr: true })),
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))
    ))
    const ids = rows.map((row) => row.ticket_id ?? "")
    return {
      format,
      tickets: count,
      wallSeconds,
      rows,
      stats: provider.stats(),
      doneAtMs: ids.flatMap((id) => {
        const at = doneAt.get(id)
        return at === undefined ? [] : [at]
      }),
      outage: outageWindow
    }
  } finally {
    if (tracer !== undefined) clearInterval(tracer)
    await provider.close()
  }
}

/** `--trace`: the gates' state and the provider's answers, once a second, on stderr. */
const traceGates = (provider: QuotaProvider): ReturnType<typeof setInterval> => {
  const started = performance.now()
  let last = provider.stats()
  return setInterval(() => {
    const now = provider.stats()
    const gates = providerGates().map((gate) => {
      const s = gate.status()
      return `limit ${s.concurrencyLimit} in flight ${s.inFlight} waiting ${s.waiting} pace ${s.requestsPerSecond?.toFixed(2) ?? "-"}`
    })
    process.stderr.write(
      `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s  ok ${now.ok - last.ok} 429 ${now.throttled - last.throttled}  ${gates.join(" | ")}\n`
    )
    last = now
  }, 1_000)
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

const countBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): ReadonlyArray<readonly [string, number]> => {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])
}

const list = (entries: ReadonlyArray<readonly [string, number]>): string =>
  entries.length === 0 ? "none" : entries.map(([k, n]) => `${k} ${n}`).join(", ")

/** Requests answered 429 among those that arrived 5 s or more after the first one. */
const throttledShareAfterWarmup = (stats: QuotaProviderStats): { readonly share: number; readonly requests: number } => {
  const first = stats.timeline.reduce((min, t) => Math.min(min, t.atMs), Number.POSITIVE_INFINITY)
  const later = stats.timeline.filter((t) => t.atMs >= first + warmupMs)
  return { share: later.length === 0 ? 0 : later.filter((t) => t.status === 429).length / later.length, requests: later.length }
}

const toPeople = (run: RunResult) => run.rows.filter((row) => row.outcome === "human")
const notDone = (run: RunResult) => run.rows.filter((row) => row.outcome === "pending" || row.outcome === "dlq")

const percent = (x: number) => `${(x * 100).toFixed(1)}%`

/** Tickets resolved by a specialist, per second of the run: tickets sent to people do not count. */
const resolvedRate = (run: RunResult) => run.rows.filter((row) => row.outcome === "resolved").length / run.wallSeconds

const shareText = (share: { readonly share: number; readonly requests: number }) =>
  share.requests === 0 ? "n/a (no request after the first 5 s)" : `${percent(share.share)} of ${share.requests} requests`

const describeRun = (run: RunResult, title: string): ReadonlyArray<string> => {
  const rate = resolvedRate(run)
  const share = throttledShareAfterWarmup(run.stats)
  const operations = list(countBy(run.stats.timeline, (t) => `${t.operation} ${t.status}`))
  const lines = [
    `${title}`,
    `  tickets ${run.tickets}, wall ${run.wallSeconds.toFixed(1)} s (${(run.tickets / run.wallSeconds).toFixed(2)} tickets/s to a destination); ` +
    `resolved ${rate.toFixed(2)} tickets/s, bound ${bound.toFixed(2)} tickets/s, ratio ${(rate / bound).toFixed(3)}`,
    `  provider: ${run.stats.requests} requests (${(run.stats.requests / run.tickets).toFixed(2)} per ticket), ok ${run.stats.ok}, 429 ${run.stats.throttled}, 5xx ${run.stats.failed}, reset ${run.stats.refused}; by operation: ${operations}`,
    `  429 after the first 5 s: ${shareText(share)}`,
    `  outcomes: ${list(countBy(run.rows, (row) => row.outcome))}`,
    `  to people by reason: ${list(countBy(toPeople(run), (row) => row.reason ?? "(none)"))}`
  ]
  if (run.outage !== undefined) {
    const last = run.doneAtMs.length === run.tickets ? Math.max(...run.doneAtMs) : undefined
    const doneBefore = run.doneAtMs.filter((at) => at < run.outage!.startMs).length
    const drain = last === undefined
      ? "not drained before the deadline"
      : last < run.outage.endMs
      ? `drained ${((run.outage.endMs - last) / 1_000).toFixed(1)} s BEFORE the recovery (tickets given up on during the outage)`
      : `${((last - run.outage.endMs) / 1_000).toFixed(1)} s`
    lines.push(
      `  outage: ${outageMode} for ${outageSeconds} s from ${(run.outage.startMs / 1_000).toFixed(1)} s (${doneBefore} tickets done before it)`,
      `  to people: ${toPeople(run).length}; recovery → backlog drained: ${drain}`
    )
  } else if (outageSeconds > 0 && title.includes("outage")) {
    lines.push("  outage: did not start (the run ended before a third of its work was done)")
  }
  return lines
}

const verdict = (pass: boolean | undefined, text: string) => `${pass === undefined ? "N/A " : pass ? "PASS" : "FAIL"}  ${text}`

const targets = (steady: RunResult, outage: RunResult | undefined): ReadonlyArray<string> => {
  const rate = resolvedRate(steady)
  const share = throttledShareAfterWarmup(steady.stats)
  const lines = [
    verdict(rate / bound >= 0.9, `${steady.format}: resolved tickets/s ${(rate / bound).toFixed(3)} of the quota's bound (>= 0.9)`),
    verdict(
      share.requests === 0 ? undefined : share.share <= 0.05,
      `${steady.format}: ${shareText(share)} answered 429 after the first 5 s (<= 5%)`
    ),
    verdict(toPeople(steady).length === 0 && notDone(steady).length === 0, `${steady.format}: ${toPeople(steady).length} tickets to people under the quota (0)${notDone(steady).length === 0 ? "" : `, ${notDone(steady).length} not delivered`}`)
  ]
  if (outage !== undefined) {
    lines.push(verdict(
      outage.outage === undefined ? undefined : toPeople(outage).length === 0 && notDone(outage).length === 0,
      `${outage.format}: ${toPeople(outage).length} tickets to people for a ${outageSeconds} s ${outageMode} outage (0)${notDone(outage).length === 0 ? "" : `, ${notDone(outage).length} not delivered`}`
    ))
  }
  return lines
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

const print = (lines: ReadonlyArray<string>) => console.log(lines.join("\n"))

print([
  `bench:quota: quota ${rps} requests/s (${window} window${headers ? ", rate-limit headers" : ""}), latency ${latencyMs} ms, ` +
  `${tickets} tickets; outage ${outageSeconds === 0 ? "skipped" : `${outageMode} ${outageSeconds} s over ${outageTickets} tickets`}; ` +
  `bound ${bound} tickets/s (${callsPerTicket} LLM calls per ticket); AGENT_CONCURRENCY ${process.env["AGENT_CONCURRENCY"] ?? "default"}`
])
const verdicts: Array<string> = []
for (const format of formats) {
  const steady = await runOnce(format, tickets, false)
  print(["", ...describeRun(steady, `${format}, under the quota:`)])
  const outage = outageSeconds > 0 ? await runOnce(format, outageTickets, true) : undefined
  if (outage !== undefined) print(describeRun(outage, `${format}, with an outage:`))
  verdicts.push(...targets(steady, outage))
}
print(["", ...verdicts])
