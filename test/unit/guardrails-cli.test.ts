/**
 * The guardrails command lines, run as a user would: `node scripts/guardrails.ts` and
 * `node scripts/eval-guardrails.ts` on fixture files, checking stdout lines and exit codes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { allPiiKinds, defaultGuardrailRules } from "../../src/domain/guardrails/verdict/Verdict.ts"
import { maxCorpusFileBytes, parseCorpusFile, scoreCorpus } from "../../src/tooling/eval/GuardrailsEval.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "guardrails-cli-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const fixture = (name: string, lines: ReadonlyArray<string>): string => {
  const path = join(dir, name)
  writeFileSync(path, lines.map((l) => `${l}\n`).join(""))
  return path
}

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a script with this Node; GUARDRAILS_* come only from `env`. */
const run = (script: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Effect.Effect<Run> =>
  Effect.promise(() =>
    new Promise<Run>((resolve, reject) => {
      const base: Record<string, string> = {}
      for (const [k, v] of Object.entries(process.env)) {
        if (v !== undefined && !k.startsWith("GUARDRAILS_")) base[k] = v
      }
      const child = spawn(process.execPath, [script, ...args], {
        cwd: root,
        env: { ...base, ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      child.once("error", reject)
      child.once("close", (code) => resolve({ code, stdout, stderr }))
    })
  )

/** stdout as JSON values, one per line; fails the test if any line is not JSON. */
const jsonLines = (stdout: string): ReadonlyArray<Record<string, unknown>> => {
  assert.isTrue(stdout === "" || stdout.endsWith("\n"), "output ends with a newline")
  return stdout.split("\n").filter((l) => l !== "").map((line) => {
    const value: unknown = JSON.parse(line)
    assert.isTrue(typeof value === "object" && value !== null && !Array.isArray(value), line)
    return value as Record<string, unknown>
  })
}

const line = (id: string | number, text: string) => JSON.stringify({ id, text })

describe("scripts/guardrails.ts", () => {
  it.live("one verdict line per input line, in order, with the policies violated", () =>
    Effect.gen(function*() {
      const file = fixture("replies.jsonl", [
        line("clean", "Thanks for reaching out, we have refunded the duplicate charge."),
        line("card", "The card 4111 1111 1111 1111 was declined."),
        line("phrase", "Good news: guaranteed approval for your request!"),
        "",
        line(7, "Mail us at jane.doe@example.com or call (202) 555-0143, this is legal advice.")
      ])
      const result = yield* run("scripts/guardrails.ts", ["--file", file])
      assert.strictEqual(result.code, 0, result.stderr)
      assert.strictEqual(result.stderr, "")
      assert.deepStrictEqual(jsonLines(result.stdout), [
        {
          id: "clean",
          allowed: true,
          violations: [],
          text: "Thanks for reaching out, we have refunded the duplicate charge."
        },
        { id: "card", allowed: false, violations: ["pii_payment_card"], text: "The card 4111 1111 1111 1111 was declined." },
        {
          id: "phrase",
          allowed: false,
          violations: ["forbidden_phrase", "commitment"],
          text: "Good news: guaranteed approval for your request!"
        },
        {
          id: 7,
          allowed: false,
          violations: ["forbidden_phrase", "pii_email", "pii_phone"],
          text: "Mail us at jane.doe@example.com or call (202) 555-0143, this is legal advice."
        }
      ])
    }))

  it.live("rules come from GUARDRAILS_MAX_LENGTH and GUARDRAILS_FORBIDDEN_PHRASES", () =>
    Effect.gen(function*() {
      const long = "a".repeat(120)
      const file = fixture("rules.jsonl", [
        line("long", long),
        line("custom", "Try the Banana   Split plan."),
        line("default-phrase", "This is legal advice.")
      ])
      const result = yield* run("scripts/guardrails.ts", ["--file", file], {
        GUARDRAILS_MAX_LENGTH: "100",
        GUARDRAILS_FORBIDDEN_PHRASES: "banana split | free money"
      })
      assert.strictEqual(result.code, 0, result.stderr)
      const [truncated, custom, replaced] = jsonLines(result.stdout)
      const keep = 100 - (defaultGuardrailRules.maxLength - defaultGuardrailRules.truncateTo)
      assert.deepStrictEqual(truncated, {
        id: "long",
        allowed: true,
        violations: [],
        text: "a".repeat(keep) + defaultGuardrailRules.truncationNotice
      })
      assert.deepInclude(custom, { allowed: false, violations: ["forbidden_phrase"] })
      assert.deepInclude(replaced, { allowed: true, violations: [] }, "the configured list replaces the defaults")
    }))

  it.live("a malformed line gives {line, error}, the others are still checked, exit code 1", () =>
    Effect.gen(function*() {
      const file = fixture("malformed.jsonl", [
        line("first", "hello"),
        "{not json",
        "[1, 2]",
        JSON.stringify({ id: "no-text" }),
        JSON.stringify({ id: true, text: "x" }),
        line("last", "SSN 123-45-6789 on file.")
      ])
      const result = yield* run("scripts/guardrails.ts", ["--file", file])
      assert.strictEqual(result.code, 1)
      const out = jsonLines(result.stdout)
      assert.lengthOf(out, 6)
      assert.deepInclude(out[0]!, { id: "first", allowed: true })
      for (const [index, lineNumber] of [[1, 2], [2, 3], [3, 4], [4, 5]] as const) {
        assert.strictEqual(out[index]!["line"], lineNumber)
        assert.isString(out[index]!["error"])
        assert.isAbove(String(out[index]!["error"]).length, 0)
        assert.notProperty(out[index]!, "allowed")
      }
      assert.include(String(out[1]!["error"]), "invalid JSON")
      assert.include(String(out[3]!["error"]), "\"text\"")
      assert.include(String(out[4]!["error"]), "\"id\"")
      assert.deepInclude(out[5]!, { id: "last", allowed: false, violations: ["pii_ssn"] })
    }))

  it.live("usage and configuration problems: message on stderr, nothing on stdout, exit code 2", () =>
    Effect.gen(function*() {
      const missing = yield* run("scripts/guardrails.ts", [])
      assert.strictEqual(missing.code, 2)
      assert.strictEqual(missing.stdout, "")
      assert.include(missing.stderr, "missing --file")
      assert.include(missing.stderr, "usage:")

      const file = fixture("ok.jsonl", [line("a", "hello")])
      const badConfig = yield* run("scripts/guardrails.ts", ["--file", file], { GUARDRAILS_MAX_LENGTH: "lots" })
      assert.strictEqual(badConfig.code, 2)
      assert.strictEqual(badConfig.stdout, "")
      assert.include(badConfig.stderr, "GUARDRAILS_MAX_LENGTH")

      const unreadable = yield* run("scripts/guardrails.ts", ["--file", join(dir, "nope.jsonl")])
      assert.strictEqual(unreadable.code, 2)
      assert.strictEqual(unreadable.stdout, "")
      assert.include(unreadable.stderr, "nope.jsonl")
    }))
})

describe("scripts/eval-guardrails.ts", () => {
  const rowOf = (stdout: string, label: string): ReadonlyArray<string> => {
    const row = stdout.split("\n").find((l) => l.startsWith(`${label} `))
    assert.isDefined(row, `row ${label}`)
    return row!.trim().split(/\s+/)
  }

  it.live("on the labelled corpora: a row per kind and overall for each file and all together, targets met, exit code 0", () =>
    Effect.gen(function*() {
      const result = yield* run("scripts/eval-guardrails.ts", [])
      assert.strictEqual(result.code, 0, result.stdout + result.stderr)
      for (const kind of [...allPiiKinds, "overall"]) {
        const [, tp, fp, fn, precision, recall] = rowOf(result.stdout, kind)
        for (const n of [tp, fp, fn]) assert.match(n ?? "", /^\d+$/)
        for (const ratio of [precision, recall]) assert.match(ratio ?? "", /^[01]\.\d{3}$/)
      }
      assert.include(result.stdout, "PII detection, corpus.jsonl")
      assert.include(result.stdout, "PII detection, people.jsonl")
      assert.match(result.stdout, /PII detection, all \d+ files together/)
      assert.include(result.stdout, "precision >= 0.98, recall >= 0.97: PASS")
    }))

  it.live("a corpus the detector does badly on: figures reflect it, FAIL per kind and exit code 1", () =>
    Effect.gen(function*() {
      const corpus = fixture("weak.jsonl", [
        JSON.stringify({ id: "w1", text: "Write to jane.doe@example.com today.", pii: ["email"] }),
        JSON.stringify({ id: "w2", text: "Nothing sensitive here.", pii: ["email"] }),
        JSON.stringify({ id: "w3", text: "Card 4111 1111 1111 1111 on file.", pii: [] })
      ])
      const result = yield* run("scripts/eval-guardrails.ts", ["--file", corpus])
      assert.strictEqual(result.code, 1)
      assert.deepStrictEqual(rowOf(result.stdout, "email"), ["email", "1", "0", "1", "1.000", "0.500", "FAIL"])
      assert.deepStrictEqual(rowOf(result.stdout, "payment_card"), ["payment_card", "0", "1", "0", "0.000", "1.000", "FAIL"])
      assert.deepStrictEqual(rowOf(result.stdout, "ssn"), ["ssn", "0", "0", "0", "1.000", "1.000", "n/a"])
      assert.deepStrictEqual(rowOf(result.stdout, "overall"), ["overall", "1", "1", "1", "0.500", "0.500"])
      assert.include(result.stdout, "w2: missed email")
      assert.include(result.stdout, "w3: spurious payment_card")
      assert.include(result.stdout, "recall >= 0.97: FAIL")
    }))

  it.live("policy lines are scored per policy, with the line's customer", () =>
    Effect.gen(function*() {
      const customer = { customer_id: "cust-1", email: "jane@example.com" }
      const corpus = fixture("policies.jsonl", [
        JSON.stringify({ id: "c1", text: "Your refund of $2,400 has been approved.", policies: ["commitment"], customer }),
        JSON.stringify({ id: "c2", text: "See [billing.example.com](https://evil.example.net/x).", policies: ["unsafe_link"], customer }),
        JSON.stringify({ id: "c3", text: "Customer cust-77 asked the same.", policies: ["foreign_customer_data"], customer }),
        JSON.stringify({ id: "c4", text: "Thanks, we are looking into it.", policies: [], customer })
      ])
      const result = yield* run("scripts/eval-guardrails.ts", ["--file", corpus])
      assert.strictEqual(result.code, 0, result.stdout + result.stderr)
      assert.include(result.stdout, "Reply policies, policies.jsonl (4 texts)")
      for (const policy of ["commitment", "unsafe_link", "foreign_customer_data"]) {
        assert.deepStrictEqual(rowOf(result.stdout, policy), [policy, "1", "0", "0", "1.000", "1.000", "PASS"])
      }
    }))

  it.live("a policy file is scored on the pii_* policies only when it labels them (the PII files measure PII)", () =>
    Effect.gen(function*() {
      const customer = { customer_id: "cust-1", email: "jane@example.com" }
      const unlabelled = fixture("own-email.jsonl", [
        JSON.stringify({ id: "o1", text: "We'll write to jane@example.com.", policies: [], customer })
      ])
      const result = yield* run("scripts/eval-guardrails.ts", ["--file", unlabelled])
      assert.strictEqual(result.code, 0, result.stdout + result.stderr)
      assert.isFalse(result.stdout.split("\n").some((l) => l.startsWith("pii_email ")))
      assert.include(result.stdout, "not scored here (no line labels them): pii_payment_card, pii_ssn, pii_email")
      const labelled = fixture("pii-policies.jsonl", [
        JSON.stringify({ id: "l1", text: "We'll write to jane@example.com.", policies: ["pii_email"], customer }),
        JSON.stringify({ id: "l2", text: "Call +1 415 692 1847.", policies: [], customer })
      ])
      const scored = yield* run("scripts/eval-guardrails.ts", ["--file", labelled])
      assert.deepStrictEqual(rowOf(scored.stdout, "pii_email"), ["pii_email", "1", "0", "0", "1.000", "1.000", "PASS"])
      assert.isFalse(scored.stdout.split("\n").some((l) => l.startsWith("pii_phone ")))
    }))

  it.live("lines of an unknown shape are ignored with a message naming the file and line; the others are scored", () =>
    Effect.gen(function*() {
      const corpus = fixture("broken.jsonl", [
        JSON.stringify({ id: "ok", text: "Write to jane.doe@example.com", pii: ["email"] }),
        JSON.stringify({ id: "bad", text: "hi", pii: ["passport"] }),
        "not json",
        JSON.stringify({ id: "x", body: "an attack ticket" })
      ])
      const result = yield* run("scripts/eval-guardrails.ts", ["--file", corpus])
      assert.strictEqual(result.code, 0, result.stdout + result.stderr)
      assert.include(result.stderr, "broken.jsonl line 2: ignored")
      assert.include(result.stderr, "broken.jsonl line 3: ignored (invalid JSON")
      assert.include(result.stderr, "broken.jsonl line 4: ignored")
      assert.deepStrictEqual(rowOf(result.stdout, "email"), ["email", "1", "0", "0", "1.000", "1.000", "PASS"])
    }))

  it.live("a file over the corpus size limit: exit code 2, naming the file and the limit, nothing scored", () =>
    Effect.gen(function*() {
      const huge = join(dir, "huge.jsonl")
      // Sparse: its size is over the limit without writing 32 MiB.
      writeFileSync(huge, "")
      truncateSync(huge, maxCorpusFileBytes + 1)
      const result = yield* run("scripts/eval-guardrails.ts", ["--file", huge])
      assert.strictEqual(result.code, 2)
      assert.strictEqual(result.stdout, "")
      assert.include(result.stderr, "huge.jsonl")
      assert.include(result.stderr, `larger than the limit of ${maxCorpusFileBytes} bytes`)
    }))

  it.live("a file that cannot be read: exit code 2", () =>
    Effect.gen(function*() {
      const result = yield* run("scripts/eval-guardrails.ts", ["--file", join(dir, "missing.jsonl")])
      assert.strictEqual(result.code, 2)
      assert.strictEqual(result.stdout, "")
      assert.include(result.stderr, "missing.jsonl")
    }))
})

describe("a corpus file with its own forbidden phrases", () => {
  const lines = [
    JSON.stringify({ forbidden_phrases: ["we pinky swear"] }),
    JSON.stringify({ id: "x1", text: "We p\u00adinky swear it works.", policies: ["forbidden_phrase"] }),
    JSON.stringify({ id: "x2", text: "This is legal advice.", policies: [] })
  ].join("\n")
  it("scores its policy lines against those phrases, not the configured ones", () => {
    const file = parseCorpusFile("own.jsonl", lines)
    assert.deepStrictEqual(file.ignored, [])
    assert.deepStrictEqual(file.policies.map((e) => e.forbiddenPhrases), [["we pinky swear"], ["we pinky swear"]])
    const scores = scoreCorpus(file.pii, file.policies)
    assert.deepStrictEqual(
      [scores.policies?.perPolicy.forbidden_phrase.truePositives, scores.policies?.perPolicy.forbidden_phrase.falsePositives],
      [1, 0]
    )
  })
  it("a bad header is an ignored line with the reason", () => {
    const file = parseCorpusFile("bad.jsonl", JSON.stringify({ forbidden_phrases: [] }))
    assert.strictEqual(file.ignored.length, 1)
    assert.match(file.ignored[0]?.reason ?? "", /forbidden_phrases/)
  })
})
