/**
 * PII detectors: payment cards, US SSNs and ITINs, emails, phone numbers, IBANs.
 *
 * They run on normalized text (`normalization/Normalize.ts`: NFKC, invisible characters removed,
 * digits of every script as ASCII, dashes, spaces and dots unified, lookalike letters folded),
 * so `４８１５ ５８９７ …`, `4764\u200B4415…`, `6449–3874–…` and `maria＠mail.example.com`
 * reach them in their plain form. Every numeric kind is validated (Luhn and a card network
 * prefix; SSA or ITIN number rules; `libphonenumber-js` validity; IBAN registry length, BBAN
 * format and mod-97 through `ibantools`) and must stand alone, not be part of a longer code.
 * Cue and label rules are documented next to each detector and in
 * test/fixtures/guardrails/README.md.
 *
 * One module per kind (`PaymentCards.ts`, `SocialSecurityNumbers.ts`, `Emails.ts`,
 * `Phones.ts`, `Ibans.ts`) and for numbers read out as words (`SpokenNumbers.ts`); here they run
 * together, in priority order, and overlaps are resolved.
 */
import { AT_WORDS, detectEmails, mayHaveEmail } from "./Emails.ts"
import { detectIbans } from "./Ibans.ts"
import { detectCards } from "./PaymentCards.ts"
import { detectPhones, PHONE_LINK_HINT_RE, type PiiOptions, defaultPiiOptions } from "./Phones.ts"
import { detectSsns } from "./SocialSecurityNumbers.ts"
import { DIGIT_WORD_STEMS, detectSpokenNumbers, mayHaveSpokenNumber } from "./SpokenNumbers.ts"
import type { TextProfile } from "./Triggers.ts"
import { allPiiKinds, type PiiCandidate, type PiiKind } from "../verdict/Types.ts"

type Candidate = PiiCandidate

/** Seven digits with at most three separator characters between neighbours: what every phone candidate has. */
const PHONE_SHAPE_RE = /\d(?:[ ().\/+-]{0,3}\d){6}/

interface Detector {
  readonly detect: (text: string, options: PiiOptions) => Array<Candidate>
  /** Whether the detector can find anything in a text with `digits` ASCII digits (a cheap prefilter). */
  readonly applies: (text: string, digits: number, profile: TextProfile | undefined) => boolean
}

/**
 * Detectors in priority order. When spans overlap, the earlier detector wins (an email's
 * digits are never a phone; an IBAN's digits are never a card; "+43 664 12 3456" is a phone,
 * not an SSN; a card is never a national phone number).
 */
const DETECTORS: ReadonlyArray<Detector> = [
  { detect: detectEmails, applies: mayHaveEmail },
  { detect: detectIbans, applies: (_, digits) => digits >= 2 },
  {
    detect: (text, options) => detectPhones(text, options, true),
    applies: (text, digits) => digits >= 7 && (/\+|00/.test(text) || PHONE_LINK_HINT_RE.test(text)) && PHONE_SHAPE_RE.test(text)
  },
  { detect: detectCards, applies: (_, digits) => digits >= 13 },
  { detect: detectSsns, applies: (_, digits) => digits >= 9 },
  { detect: (text, options) => detectPhones(text, options, false), applies: (text, digits) => digits >= 7 && PHONE_SHAPE_RE.test(text) },
  { detect: detectSpokenNumbers, applies: (text, _, profile) => mayHaveSpokenNumber(text, profile) }
]

const countDigits = (text: string): number => {
  if (!/\d/.test(text)) return 0
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) n++
  }
  return n
}

/**
 * PII spans in a NORMALIZED text (offsets into it), sorted, never overlapping. All detectors
 * run (so overlaps resolve the same way regardless of `kinds`); the result is then restricted
 * to `kinds`.
 */
export const detectPiiNormalized = (
  text: string,
  kinds: ReadonlyArray<PiiKind> = allPiiKinds,
  options: PiiOptions = defaultPiiOptions,
  profile?: TextProfile
): ReadonlyArray<PiiCandidate> => {
  if (kinds.length === 0) return []
  const accepted: Array<PiiCandidate> = []
  const digits = profile?.digits ?? countDigits(text)
  // Without digits, only an email (an `@`, a `%40`, a bracket or an "at" word) or a number read out as words can be there.
  if (digits === 0 && profile !== undefined && !profile.at && !profile.bracket && (profile.groups & (AT_WORDS | DIGIT_WORD_STEMS)) === 0) return []
  for (const { applies, detect } of DETECTORS) {
    if (!applies(text, digits, profile)) continue
    for (const c of detect(text, options)) {
      if (c.end <= c.start) continue
      let lo = 0
      let hi = accepted.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if ((accepted[mid]?.start ?? 0) < c.start) lo = mid + 1
        else hi = mid
      }
      const before = accepted[lo - 1]
      const after = accepted[lo]
      if ((before !== undefined && before.end > c.start) || (after !== undefined && after.start < c.end)) continue
      accepted.splice(lo, 0, c)
    }
  }
  const wanted = new Set(kinds)
  return accepted.filter((m) => wanted.has(m.kind))
}
