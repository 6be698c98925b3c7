/**
 * The names the guardrail modules share: PII kinds, policies, findings. No logic.
 */

export type PiiKind = "payment_card" | "ssn" | "email" | "phone" | "iban"

/** All PII kinds, in the order violations are reported. */
export const allPiiKinds: ReadonlyArray<PiiKind> = ["payment_card", "ssn", "email", "phone", "iban"]

/** The reply policies beyond PII, in the order violations are reported (after the PII ones). */
export type ReplyPolicy = "unsafe_link" | "commitment" | "foreign_customer_data"

export const allReplyPolicies: ReadonlyArray<ReplyPolicy> = ["unsafe_link", "commitment", "foreign_customer_data"]

/** A policy a reply can violate: a forbidden phrase, a kind of PII, or a reply policy. */
export type GuardrailPolicy =
  | "forbidden_phrase"
  | "pii_payment_card"
  | "pii_ssn"
  | "pii_email"
  | "pii_phone"
  | "pii_iban"
  | ReplyPolicy

/** Every policy, in the order violations are reported. */
export const allGuardrailPolicies: ReadonlyArray<GuardrailPolicy> = [
  "forbidden_phrase",
  "pii_payment_card",
  "pii_ssn",
  "pii_email",
  "pii_phone",
  "pii_iban",
  "unsafe_link",
  "commitment",
  "foreign_customer_data"
]

export const piiPolicy = (kind: PiiKind): GuardrailPolicy => {
  switch (kind) {
    case "payment_card":
      return "pii_payment_card"
    case "ssn":
      return "pii_ssn"
    case "email":
      return "pii_email"
    case "phone":
      return "pii_phone"
    case "iban":
      return "pii_iban"
  }
}

/**
 * What a finding is, within its policy: the PII kind for `pii_*` policies; `phrase` for a
 * forbidden phrase; for `unsafe_link`: `host_not_allowed`, `link_text_mismatch`,
 * `credential_request`; for `commitment`: `phrase`, `pattern`; for `foreign_customer_data`:
 * `customer_id`, `email`, `phone`.
 */
export type FindingKind =
  | PiiKind
  | "phrase"
  | "host_not_allowed"
  | "link_text_mismatch"
  | "credential_request"
  | "pattern"
  | "customer_id"

/** One violation at one place: `[start, end)` in the ORIGINAL text (UTF-16 offsets). Never the matched text. */
export interface GuardrailFinding {
  readonly policy: GuardrailPolicy
  readonly kind: FindingKind
  readonly start: number
  readonly end: number
}

/** A finding on the normalized text (the policies' modules return these; `Verdict.ts` maps them to the original). */
export interface Hit {
  readonly kind: FindingKind
  readonly start: number
  readonly end: number
}

/** A detected PII span: `text.slice(start, end)` is the matched text (UTF-16 offsets). */
export interface PiiMatch {
  readonly kind: PiiKind
  readonly start: number
  readonly end: number
}

/**
 * A PII span on the normalized text, with its canonical value (digits of a card or SSN, the
 * E.164 form of a phone when known, an email address in lower case, an IBAN in electronic
 * format). Values stay inside the guardrails: they are compared, never reported.
 */
export interface PiiCandidate extends PiiMatch {
  readonly value: string
}
