/**
 * Runs eval cases through the agents' own code: `decideTriage` for triage, and each
 * specialist's instructions + `Llm.draft` + the `Guardrails` for replies (as the specialist's
 * handler does), with bounded concurrency. LLM errors are recorded as failures, never as
 * answers.
 */
import { Duration, Effect, Ref } from "effect"
import type { Priority, TicketTriaged, TriageType } from "../../domain/Events.ts"
import type { GuardrailPolicy } from "../../domain/guardrails/verdict/Verdict.ts"
import { decideTriage } from "../../programs/TriageAgent.ts"
import { specialists, type SpecialistSpec } from "../../programs/SpecialistAgent.ts"
import { Guardrails } from "../../services/guardrails/Guardrails.ts"
import { Llm, type LlmError, type TokenUsage } from "../../services/llm/Llm.ts"
import { type EvalCase, ticketOfCase } from "./Cases.ts"
import { judgeReply, type JudgeResult } from "./Judge.ts"

export interface Progress {
  readonly done: number
  readonly total: number
  readonly failed: number
}

export interface RunOptions {
  /** Cases in flight at once (≥ 1). */
  readonly concurrency: number
  /** Called after each case. */
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
}

export interface Failure {
  /** The LlmError's kind (`timeout`, `rate_limited`, …). */
  readonly kind: string
  readonly message: string
}

const failureOf = (error: LlmError): Failure => ({ kind: error.kind, message: error.message })

/** Runs `f` on every case, `concurrency` at a time, reporting progress; results in case order. */
const runAll = <A, R>(
  cases: ReadonlyArray<EvalCase>,
  options: RunOptions,
  failed: (a: A) => boolean,
  f: (c: EvalCase) => Effect.Effect<A, never, R>
) =>
  Effect.gen(function*() {
    const counts = yield* Ref.make({ done: 0, failed: 0 })
    const report = options.onProgress
    return yield* Effect.forEach(
      cases,
      (c) =>
        f(c).pipe(
          Effect.tap((a) =>
            Ref.updateAndGet(counts, (n) => ({ done: n.done + 1, failed: n.failed + (failed(a) ? 1 : 0) })).pipe(
              Effect.flatMap((n) => (report === undefined ? Effect.void : report({ ...n, total: cases.length })))
            )
          )
        ),
      { concurrency: Math.max(1, Math.floor(options.concurrency)) }
    )
  })

// ---------------------------------------------------------------------------
// Triage
// ---------------------------------------------------------------------------

export interface TriageAnswer {
  readonly type: TriageType
  readonly priority: Priority
  readonly confidence: number
  readonly route: "human" | "specialist"
  /** `unknown_type` or `low_confidence` when the route is human. */
  readonly humanReason: string | undefined
  readonly model: string
  readonly usage: TokenUsage
}

export interface TriageOutcome {
  readonly case: EvalCase
  readonly latencyMs: number
  /** Set when the LLM answered. */
  readonly answer: TriageAnswer | undefined
  /** Set when the LLM failed. */
  readonly failure: Failure | undefined
}

/** One case through the triage agent's decision. */
export const triageCase = (c: EvalCase, threshold: number) =>
  decideTriage(ticketOfCase(c), threshold).pipe(
    Effect.result,
    Effect.timed,
    Effect.map(([duration, result]): TriageOutcome => {
      const latencyMs = Duration.toMillis(duration)
      if (result._tag === "Failure") return { case: c, latencyMs, answer: undefined, failure: failureOf(result.failure) }
      const { classification, route } = result.success
      return {
        case: c,
        latencyMs,
        failure: undefined,
        answer: {
          type: classification.result.type,
          priority: classification.result.priority,
          confidence: classification.result.confidence,
          route: route.humanReason === undefined ? "specialist" : "human",
          humanReason: route.humanReason,
          model: classification.model,
          usage: classification.usage
        }
      }
    })
  )

/** Every case through triage. */
export const runTriage = (cases: ReadonlyArray<EvalCase>, threshold: number, options: RunOptions) =>
  runAll(cases, options, (o: TriageOutcome) => o.failure !== undefined, (c) => triageCase(c, threshold))

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

export interface ReplyDraft {
  readonly specialist: string
  readonly text: string
  readonly allowed: boolean
  readonly violations: ReadonlyArray<GuardrailPolicy>
  readonly truncated: boolean
  readonly model: string
  readonly usage: TokenUsage
}

export interface JudgeOutcome {
  readonly result: JudgeResult | undefined
  readonly failure: Failure | undefined
}

export interface ReplyOutcome {
  readonly case: EvalCase
  readonly latencyMs: number
  /** Set when the case has no specialist (expected type `unknown`). */
  readonly skipped: string | undefined
  readonly draft: ReplyDraft | undefined
  readonly failure: Failure | undefined
  /** Set when the judge ran. */
  readonly judge: JudgeOutcome | undefined
}

/** The specialist of a type. */
export const specialistFor = (type: TriageType): SpecialistSpec | undefined =>
  specialists.find((spec) => spec.type === type)

/** The `ticket.triaged` a specialist would receive for a case routed to its expected type. */
export const triagedOfCase = (c: EvalCase, spec: SpecialistSpec): TicketTriaged => ({
  event_type: "ticket.triaged",
  ticket_id: c.id,
  customer_id: c.customer_id,
  type: spec.type,
  priority: c.expected_priority,
  confidence: 1,
  needs_review: false,
  triaged_at: "2026-01-01T09:00:01Z",
  reasoning: "eval: routed to the expected type",
  original_subject: c.subject,
  body: c.body,
  channel: c.channel
})

/** Temperature of specialist drafts (as `specialistAgent`). */
export const specialistTemperature = 0.3

/** One case through its expected type's specialist (draft + guardrails), and the judge. */
export const replyCase = (c: EvalCase, judge: boolean) =>
  Effect.gen(function*() {
    const spec = specialistFor(c.expected_type)
    if (spec === undefined) {
      return { case: c, latencyMs: 0, skipped: "no specialist for type unknown", draft: undefined, failure: undefined, judge: undefined } satisfies ReplyOutcome
    }
    const llm = yield* Llm
    const guardrails = yield* Guardrails
    const ticket = triagedOfCase(c, spec)
    const [duration, result] = yield* llm.draft({
      agent: spec.name,
      instructions: spec.instructions,
      ticket,
      temperature: specialistTemperature
    }).pipe(
      Effect.flatMap((draft) =>
        Effect.map(
          guardrails.check(draft.text, { customerId: ticket.customer_id, customer: ticket.customer }),
          (verdict) => ({ draft, verdict })
        )
      ),
      Effect.result,
      Effect.timed
    )
    const latencyMs = Duration.toMillis(duration)
    if (result._tag === "Failure") {
      return { case: c, latencyMs, skipped: undefined, draft: undefined, failure: failureOf(result.failure), judge: undefined } satisfies ReplyOutcome
    }
    const { draft, verdict } = result.success
    const judged = judge
      ? yield* judgeReply(c, spec.type, spec.name, draft.text).pipe(
        Effect.match({
          onFailure: (error): JudgeOutcome => ({ result: undefined, failure: failureOf(error) }),
          onSuccess: (r): JudgeOutcome => ({ result: r, failure: undefined })
        })
      )
      : undefined
    return {
      case: c,
      latencyMs,
      skipped: undefined,
      failure: undefined,
      judge: judged,
      draft: {
        specialist: spec.name,
        text: draft.text,
        allowed: verdict.allowed,
        violations: verdict.violations,
        truncated: verdict.truncated,
        model: draft.model,
        usage: draft.usage
      }
    } satisfies ReplyOutcome
  })

/** Every case through its specialist; the judge runs when `judge` is true. */
export const runReplies = (cases: ReadonlyArray<EvalCase>, judge: boolean, options: RunOptions) =>
  runAll(cases, options, (o: ReplyOutcome) => o.failure !== undefined, (c) => replyCase(c, judge))
