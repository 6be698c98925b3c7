/** Assertions shared by the guardrails' class tests: each text blocked by, or passing, a policy. */
import { assert } from "@effect/vitest"
import { evaluateGuardrails, type GuardrailPolicy } from "../../src/domain/guardrails/verdict/Verdict.ts"

export const violations = (text: string): ReadonlyArray<GuardrailPolicy> => evaluateGuardrails(text).violations

/** Every text is blocked with `policy` among its violations. */
export const blocks = (policy: GuardrailPolicy, texts: ReadonlyArray<string>) => {
  const missed = texts.filter((t) => !violations(t).includes(policy))
  assert.deepStrictEqual(missed, [], `expected ${policy}`)
}

/** No text has `policy` among its violations. */
export const passes = (policy: GuardrailPolicy, texts: ReadonlyArray<string>) => {
  const flagged = texts.filter((t) => violations(t).includes(policy))
  assert.deepStrictEqual(flagged, [], `expected no ${policy}`)
}
