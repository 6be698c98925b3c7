/**
 * The rules the guardrails check a reply against (`GuardrailRules`), their defaults, the limits
 * on configurable lists, and what is wrong with a set of rules (sizes, regular expressions,
 * regions, hosts). `GuardrailsConfig` (services) reads them from the environment.
 */
import { isSupportedCountry } from "libphonenumber-js/max"
import { defaultPhoneRegions } from "../detectors/Phones.ts"
import {
  compilePattern,
  defaultCommitmentPatterns,
  defaultCommitmentPhrases,
  isBuiltinCommitmentPattern
} from "../policies/CommitmentPatterns.ts"
import { defaultCustomerIdPattern } from "../policies/ForeignCustomerData.ts"
import { allPiiKinds, type PiiKind } from "./Types.ts"

/** What the guardrails check a reply against; `defaultGuardrailRules` holds the defaults and `GuardrailsConfig` reads them from the environment. */
export interface GuardrailRules {
  readonly maxLength: number
  readonly truncateTo: number
  readonly truncationNotice: string
  readonly forbiddenPhrases: ReadonlyArray<string>
  readonly piiKinds: ReadonlyArray<PiiKind>
  /** Region (ISO 3166 alpha-2) whose national phone formats count without a cue. */
  readonly defaultRegion: string
  /** Further regions whose national phone formats count after a phone cue. */
  readonly phoneRegions: ReadonlyArray<string>
  /** Link hosts a reply may point to (each also allows its sub-domains). */
  readonly allowedLinkHosts: ReadonlyArray<string>
  /** Commitment phrases (matched like forbidden phrases). */
  readonly commitmentPhrases: ReadonlyArray<string>
  /** Commitment patterns: regular expressions, matched case-insensitively on the normalized text. */
  readonly commitmentPatterns: ReadonlyArray<string>
  /** The shape of a customer id (a regular expression), for `foreign_customer_data`. */
  readonly customerIdPattern: string
}

/** The rules the guardrails use when none are given: 2000 characters, the original system's forbidden phrases, every PII kind, safe links, commitments and other customers' data. */
export const defaultGuardrailRules: GuardrailRules = {
  maxLength: 4000,
  truncateTo: 3950,
  truncationNotice: "\n\n[Response truncated for length.]",
  forbiddenPhrases: [
    "I am not a lawyer",
    "I am not a doctor",
    "this is legal advice",
    "guaranteed approval",
    "100% refund"
  ],
  piiKinds: allPiiKinds,
  defaultRegion: "US",
  phoneRegions: defaultPhoneRegions,
  allowedLinkHosts: ["example.com"],
  commitmentPhrases: defaultCommitmentPhrases,
  commitmentPatterns: defaultCommitmentPatterns,
  customerIdPattern: defaultCustomerIdPattern
}

/** Limits on configurable lists, so a configuration cannot make every reply slow. */
export const guardrailLimits = {
  maxPhrases: 200,
  maxPhraseLength: 200,
  maxPatterns: 50,
  maxPatternLength: 500,
  maxHosts: 200,
  maxHostLength: 253,
  maxRegions: 60,
  /** Characters of one configuration value. */
  maxValueLength: 20_000
} as const

/**
 * What is wrong with a commitment or customer id pattern (`undefined`: nothing). The built-in
 * commitment patterns are built and tested with the code: nothing is wrong with them.
 */
export const patternProblem = (source: string): string | undefined => {
  if (isBuiltinCommitmentPattern(source)) return undefined
  if (source.length > guardrailLimits.maxPatternLength) {
    return `at most ${guardrailLimits.maxPatternLength} characters, got ${source.length}`
  }
  try {
    if (compilePattern(source).test("")) return "matches the empty string"
  } catch (error) {
    return `not a valid regular expression (${error instanceof Error ? error.message : String(error)})`
  }
  return undefined
}

const HOST_NAME_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

/** What is wrong with an allowed link host (`undefined`: nothing). */
export const hostProblem = (host: string): string | undefined =>
  host.length > guardrailLimits.maxHostLength
    ? `at most ${guardrailLimits.maxHostLength} characters`
    : HOST_NAME_RE.test(host)
    ? undefined
    : `${JSON.stringify(host)} is not a host name (letters, digits, hyphens and dots, e.g. help.example.com)`

/** What is wrong with a phone region (`undefined`: nothing). */
export const regionProblem = (region: string): string | undefined =>
  /^[A-Z]{2}$/.test(region) && isSupportedCountry(region)
    ? undefined
    : `${JSON.stringify(region)} is not a region code known to libphonenumber (ISO 3166 alpha-2, e.g. US, GB, DE)`

/** What is wrong with a list of phrases (`undefined`: nothing). */
export const phrasesProblem = (phrases: ReadonlyArray<string>): string | undefined => {
  if (phrases.length > guardrailLimits.maxPhrases) return `at most ${guardrailLimits.maxPhrases} phrases, got ${phrases.length}`
  const long = phrases.findIndex((p) => p.length > guardrailLimits.maxPhraseLength)
  return long < 0 ? undefined : `phrase ${long + 1}: at most ${guardrailLimits.maxPhraseLength} characters`
}

/** What is wrong with a set of rules (an empty list when nothing is): sizes, regular expressions, regions, hosts. */
export const guardrailRuleProblems = (rules: GuardrailRules): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const note = (name: string, problem: string | undefined) => {
    if (problem !== undefined) problems.push(`${name}: ${problem}`)
  }
  note("forbiddenPhrases", phrasesProblem(rules.forbiddenPhrases))
  note("commitmentPhrases", phrasesProblem(rules.commitmentPhrases))
  if (rules.commitmentPatterns.length > guardrailLimits.maxPatterns) {
    problems.push(`commitmentPatterns: at most ${guardrailLimits.maxPatterns} patterns, got ${rules.commitmentPatterns.length}`)
  }
  rules.commitmentPatterns.forEach((p, i) => note(`commitmentPatterns[${i}]`, patternProblem(p)))
  note("customerIdPattern", patternProblem(rules.customerIdPattern))
  for (const region of [rules.defaultRegion, ...rules.phoneRegions]) note("region", regionProblem(region))
  if (rules.allowedLinkHosts.length > guardrailLimits.maxHosts) {
    problems.push(`allowedLinkHosts: at most ${guardrailLimits.maxHosts} hosts, got ${rules.allowedLinkHosts.length}`)
  }
  rules.allowedLinkHosts.forEach((host, i) => note(`allowedLinkHosts[${i}]`, hostProblem(host)))
  return problems
}
