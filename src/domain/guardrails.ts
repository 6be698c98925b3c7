/**
 * Publication guardrails for support replies: length cap with truncation,
 * forbidden phrases, and PII detection (payment cards, US SSNs, emails,
 * phone numbers, IBANs).
 *
 * Everything here is pure and synchronous: no I/O, no Effect.
 *
 * Ported from the original Python checker, with a much stronger PII detector:
 * every numeric kind is validated (Luhn + card network prefix, SSA number
 * rules, NANP rules, IBAN length + mod-97) and must stand alone (not be glued to
 * letters/digits of a longer code). Cue words are documented next to each
 * detector and in test/fixtures/guardrails/README.md.
 */

// ---------------------------------------------------------------------------
// Public types and defaults
// ---------------------------------------------------------------------------

export type PiiKind = "payment_card" | "ssn" | "email" | "phone" | "iban"

export type GuardrailPolicy =
  | "forbidden_phrase"
  | "pii_payment_card"
  | "pii_ssn"
  | "pii_email"
  | "pii_phone"
  | "pii_iban"

/** All PII kinds, in the order violations are reported. */
export const allPiiKinds: ReadonlyArray<PiiKind> = ["payment_card", "ssn", "email", "phone", "iban"]

export interface GuardrailRules {
  readonly maxLength: number
  readonly truncateTo: number
  readonly truncationNotice: string
  readonly forbiddenPhrases: ReadonlyArray<string>
  readonly piiKinds: ReadonlyArray<PiiKind>
}

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
  piiKinds: allPiiKinds
}

/** A detected PII span: `text.slice(start, end)` is the matched text (UTF-16 offsets). */
export interface PiiMatch {
  readonly kind: PiiKind
  readonly start: number
  readonly end: number
}

export interface GuardrailVerdict {
  readonly allowed: boolean
  /** Distinct, ordered: forbidden_phrase, then pii_* in `allPiiKinds` order. Never contains matched text. */
  readonly violations: ReadonlyArray<GuardrailPolicy>
  /** The text as it would be published (truncated when longer than `maxLength`). */
  readonly text: string
  readonly truncated: boolean
}

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

// ---------------------------------------------------------------------------
// Checksums and number rules (exported for tests and reuse)
// ---------------------------------------------------------------------------

/** Luhn (mod 10) check over a string of ASCII digits. */
export const luhnValid = (digits: string): boolean => {
  if (!/^\d+$/.test(digits)) return false
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

const inRange = (value: number, low: number, high: number): boolean => value >= low && value <= high

/**
 * Card network by issuer prefix (IIN) and length. Only major networks are
 * accepted: Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir.
 * Unknown prefixes (e.g. 1, 7, 8, 9 — gift cards, tracking numbers) are rejected.
 */
export const cardNetwork = (digits: string): string | undefined => {
  const n = digits.length
  const p = (k: number): number => Number(digits.slice(0, k))
  if (n < 12 || n > 19) return undefined
  if (digits.startsWith("4") && (n === 13 || n === 16 || n === 19)) return "visa"
  if ((inRange(p(2), 51, 55) || inRange(p(4), 2221, 2720)) && n === 16) return "mastercard"
  if ((p(2) === 34 || p(2) === 37) && n === 15) return "amex"
  if ((p(4) === 6011 || inRange(p(3), 644, 649) || p(2) === 65 || inRange(p(6), 622126, 622925)) && n >= 16) {
    return "discover"
  }
  if ((inRange(p(3), 300, 305) || p(4) === 3095 || p(2) === 36 || p(2) === 38 || p(2) === 39) && n >= 14) {
    return "diners"
  }
  if (inRange(p(4), 3528, 3589) && n >= 16) return "jcb"
  if (inRange(p(4), 2200, 2204) && n >= 16) return "mir"
  if (p(2) === 62 && n >= 16) return "unionpay"
  if ((p(2) === 50 || inRange(p(2), 56, 69)) && n >= 12) return "maestro"
  return undefined
}

/** A plausible payment card number: 13–19 digits, known network prefix/length, Luhn-valid. */
export const isPaymentCardNumber = (digits: string): boolean =>
  /^\d{13,19}$/.test(digits) && !/^(\d)\1+$/.test(digits) && cardNetwork(digits) !== undefined && luhnValid(digits)

/**
 * SSA rules for a US Social Security number: area 001–899 except 666 (900–999 are
 * ITINs / never issued), group 01–99, serial 0001–9999. Accepts `ddd-dd-dddd`,
 * `ddd dd dddd` or 9 digits.
 */
export const isValidSsn = (ssn: string): boolean => {
  const m = /^(\d{3})[- .]?(\d{2})[- .]?(\d{4})$/.exec(ssn)
  if (m === null) return false
  const area = Number(m[1])
  const group = Number(m[2])
  const serial = Number(m[3])
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0
}

/** IBAN length per country (SWIFT IBAN registry). */
export const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30
}

/** ISO 7064 mod 97-10 over an IBAN (country + check digits + BBAN), spaces ignored, case-insensitive. */
export const ibanMod97 = (iban: string): number => {
  const s = iban.replace(/ /g, "").toUpperCase()
  const rearranged = s.slice(4) + s.slice(0, 4)
  let r = 0
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0)
    if (code >= 48 && code <= 57) {
      r = (r * 10 + (code - 48)) % 97
    } else if (code >= 65 && code <= 90) {
      r = (r * 100 + (code - 55)) % 97
    } else {
      return -1
    }
  }
  return r
}

/** Valid IBAN: known country, exact registry length, alphanumeric, mod-97 == 1. */
export const isValidIban = (iban: string): boolean => {
  const s = iban.replace(/ /g, "").toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false
  const expected = ibanLengths[s.slice(0, 2)]
  return expected === s.length && ibanMod97(s) === 1
}

// ---------------------------------------------------------------------------
// Detection helpers
// ---------------------------------------------------------------------------

interface Candidate {
  readonly kind: PiiKind
  readonly start: number
  readonly end: number
}

const WORD_CHAR = /[\p{L}\p{N}_]/u
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && WORD_CHAR.test(ch)
const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= "0" && ch <= "9"
const CURRENCY = "$€£¥₹"

/**
 * The span must not be part of a longer letter/digit run: the neighbouring
 * character must not be a word character, and a "joiner" (e.g. `-`, `.`, `/`)
 * directly followed/preceded by a word character also glues it into a longer
 * code (`REF-555-0143-XK`, `v2.10.3`, `ORD-2024-558812`).
 */
const isolatedLeft = (text: string, start: number, joiners: string): boolean => {
  const prev = text[start - 1]
  if (prev === undefined) return true
  if (isWordChar(prev) || CURRENCY.includes(prev)) return false
  return !(joiners.includes(prev) && isWordChar(text[start - 2]))
}

const isolatedRight = (text: string, end: number, joiners: string): boolean => {
  const next = text[end]
  if (next === undefined) return true
  if (isWordChar(next)) return false
  return !(joiners.includes(next) && isWordChar(text[end + 1]))
}

const isolated = (text: string, start: number, end: number, joiners: string): boolean =>
  isolatedLeft(text, start, joiners) && isolatedRight(text, end, joiners)

/**
 * Negative cue: an identifier label right before a number ("order #", "tracking
 * number:", "invoice", "ref", ...) means the number is an identifier, not PII.
 * Not applied when a positive cue (SSN / phone cue) is present.
 */
const ID_LABEL =
  /\b(?:order|tracking|invoice|ticket|case|ref|reference|confirmation|shipment|parcel|waybill|transaction|txn|rma|sku|serial|part|claim|booking|batch|build|version|release|model|ean|upc|isbn|gtin|imei|barcode)\s*(?:nos?\.?|num(?:ber)?s?\.?|ids?|codes?|#)?\s*[:#]?(?:\s+(?:is|are))?\s*$/i

const hasIdLabel = (text: string, start: number): boolean => ID_LABEL.test(text.slice(Math.max(0, start - 40), start))

const digitsOf = (s: string): string => s.replace(/\D/g, "")

/** A phone extension glued to the number ("202-555-0143x204", "ext.12") extends the span. */
const EXTENSION_RE = /^ ?(?:x|ext\.?|extension) ?\d{1,6}(?![\p{L}\p{N}_])/iu

const withExtension = (text: string, end: number): number => {
  const m = EXTENSION_RE.exec(text.slice(end, end + 20))
  return m === null ? end : end + m[0].length
}

// ---------------------------------------------------------------------------
// Detectors (each returns candidates; overlaps are resolved by priority)
// ---------------------------------------------------------------------------

/*
 * Email: RFC 5322-ish dot-atom local part (letters incl. Unicode, digits and
 * !#$%&'*+/=?^_`{|}~-, dots between atoms), '@', one or more domain labels
 * (letters/digits, inner hyphens, ≤63 chars) and a TLD of ≥2 letters.
 * Quoted local parts and IP-literal domains are not supported.
 */
const EMAIL_RE =
  /(?<![\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-])[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}-]|\.[\p{L}\p{N}])/gu

const detectEmails = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(EMAIL_RE)) {
    let start = m.index
    const end = start + m[0].length
    // Quotes/backticks/braces opening the local part are punctuation around the address.
    while (start < end && "'`{|".includes(text[start] ?? "")) start++
    if (text[start] === "@") continue
    out.push({ kind: "email", start, end })
  }
  return out
}

/*
 * IBAN: country code (known, case-insensitive) + 2 check digits, then BBAN
 * characters, contiguous or grouped with single spaces. Exactly the registry
 * length for that country is read, the next character must not continue the
 * run, and mod-97 must equal 1.
 */
const IBAN_START_RE = /(?<![\p{L}\p{N}_])[A-Za-z]{2}\d{2}/gu

const detectIbans = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(IBAN_START_RE)) {
    const country = m[0].slice(0, 2).toUpperCase()
    const length = ibanLengths[country]
    if (length === undefined) continue
    let collected = m[0].toUpperCase()
    let i = m.index + 4
    while (collected.length < length && i < text.length) {
      const ch = text[i]
      if (ch === " " && /[A-Za-z0-9]/.test(text[i + 1] ?? "")) {
        i++
        continue
      }
      if (ch === undefined || !/[A-Za-z0-9]/.test(ch)) break
      collected += ch.toUpperCase()
      i++
    }
    if (collected.length !== length || isWordChar(text[i])) continue
    if (!isolated(text, m.index, i, "-./")) continue
    if (ibanMod97(collected) !== 1) continue
    out.push({ kind: "iban", start: m.index, end: i })
  }
  return out
}

/*
 * Payment card: a maximal run of digits separated by at most single spaces or
 * dashes. The whole run must be 13–19 digits (a longer run such as a 22-digit
 * tracking number is never regrouped into a card; only space-separated pieces
 * that are each 13+ digits are tried on their own), isolated from surrounding
 * letters/digits, carry a major-network prefix and pass Luhn. A trailing
 * expiry/time group ("… 12/26") is dropped first. Skipped right after an
 * identifier label ("order #", "tracking number", ...).
 */
const DIGIT_RUN_RE = /\d(?:[ -]?\d)+/g

const detectCards = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  const consider = (start: number, end: number): boolean => {
    const digits = digitsOf(text.slice(start, end))
    if (digits.length < 13 || digits.length > 19) return false
    if (!isolated(text, start, end, "-./")) return false
    if (!isPaymentCardNumber(digits) || hasIdLabel(text, start)) return false
    out.push({ kind: "payment_card", start, end })
    return true
  }
  for (const m of text.matchAll(DIGIT_RUN_RE)) {
    const span = trimGluedGroups(text, m.index, m.index + m[0].length)
    if (span === undefined || consider(span[0], span[1])) continue
    // Several long numbers in a row ("4111111111111111 5555555555554444"): each
    // space-separated piece of 13+ digits is considered on its own. Short groups
    // (4-4-4-4-4-2 tracking numbers) are never regrouped.
    const [runStart, runEnd] = span
    let pieceStart = runStart
    for (let i = runStart; i <= runEnd; i++) {
      if (i === runEnd || text[i] === " ") {
        if (digitsOf(text.slice(pieceStart, i)).length >= 13) consider(pieceStart, i)
        pieceStart = i + 1
      }
    }
  }
  return out
}

/**
 * A first/last group glued to '/' or ':' and more digits belongs to a date or
 * time token ("4111 1111 1111 1111 12/26"), not to the digit run: drop it.
 */
const trimGluedGroups = (text: string, start: number, end: number): readonly [number, number] | undefined => {
  let s = start
  let e = end
  const isSep = (ch: string | undefined): boolean => ch === " " || ch === "-"
  if ((text[e] === "/" || text[e] === ":") && isDigit(text[e + 1])) {
    while (e > s && !isSep(text[e - 1])) e--
    if (e === s) return undefined
    e--
  }
  if ((text[s - 1] === "/" || text[s - 1] === ":") && isDigit(text[s - 2])) {
    while (s < e && !isSep(text[s])) s++
    if (s >= e) return undefined
    s++
  }
  return [s, e]
}

/*
 * SSN cue: "SSN", "SS#", "social security" within 30 characters before the
 * number with no digit in between (e.g. "SSN: ", "Social Security number (",
 * "my ssn is ").
 */
const SSN_CUE_RE = /(?:\bssns?\b|\bss#|\bsocial[\s-]+security\b)[^\d]{0,30}$/i

const hasSsnCue = (text: string, start: number): boolean => SSN_CUE_RE.test(text.slice(Math.max(0, start - 50), start))

/*
 * SSN: `ddd-dd-dddd` or `ddd dd dddd` (same separator twice) anywhere; 9 contiguous
 * digits or `ddd.dd.dddd` only after an SSN cue. SSA rules must hold (see
 * isValidSsn). Without a cue, the number is skipped right after an identifier
 * label ("order #123-45-6789").
 */
const SSN_RE = /\d{3}([- .]?)\d{2}\1\d{4}/g

const detectSsns = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(SSN_RE)) {
    const start = m.index
    const end = start + m[0].length
    const sep = m[1] ?? ""
    if (!isValidSsn(m[0])) continue
    if (!isolated(text, start, end, "-./:")) continue
    // A `ddd dd dddd` group must not continue a longer space-grouped digit run.
    if (sep === " " && (isDigitAfterSpace(text, end) || isDigitBeforeSpace(text, start))) continue
    const cue = hasSsnCue(text, start)
    if (!cue && (sep === "" || sep === ".")) continue
    if (!cue && (hasIdLabel(text, start) || text[start - 1] === "#")) continue
    out.push({ kind: "ssn", start, end })
  }
  return out
}

const isDigitAfterSpace = (text: string, end: number): boolean => text[end] === " " && isDigit(text[end + 1])
const isDigitBeforeSpace = (text: string, start: number): boolean => text[start - 1] === " " && isDigit(text[start - 2])

/*
 * Phone, international: '+' country code (optionally written "(+44)") then
 * groups separated by single space/dot/dash, optional "(0)" trunk and "(area)" groups. 8–15 digits (E.164),
 * the country code must be an assigned zone; +1 numbers must be valid NANP.
 */
const PHONE_INTL_RE = /\+\d{1,3}\)?(?:[ .-]?\(0\))?(?:[ .-]?(?:\(\d{1,4}\)|\d{1,6})){1,7}/g

const TWO_DIGIT_CC = new Set([
  20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58,
  60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98
])
const THREE_DIGIT_ZONE = new Set([21, 22, 23, 24, 25, 26, 29, 35, 37, 38, 42, 50, 59, 67, 68, 69, 85, 87, 88, 96, 97, 99])

const validCountryPrefix = (digits: string): boolean => {
  const d1 = digits[0]
  if (d1 === "1" || d1 === "7") return true
  const two = Number(digits.slice(0, 2))
  return TWO_DIGIT_CC.has(two) || THREE_DIGIT_ZONE.has(two)
}

/** NANP: area code and exchange start with 2–9 and are not N11 service codes. */
const validNanp = (tenDigits: string): boolean =>
  /^[2-9]\d{2}[2-9]\d{6}$/.test(tenDigits) && tenDigits.slice(1, 3) !== "11" && tenDigits.slice(4, 6) !== "11"

const detectIntlPhones = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(PHONE_INTL_RE)) {
    const start = m.index
    const end = withExtension(text, start + m[0].length)
    if (isWordChar(text[start - 1]) || (text[start - 1] === " " && isDigit(text[start - 2]))) continue
    if (!isolatedRight(text, end, "-./:")) continue
    const digits = digitsOf(m[0].replace("(0)", ""))
    if (digits.length < 8 || digits.length > 15 || !validCountryPrefix(digits)) continue
    if (digits.startsWith("1") && (digits.length !== 11 || !validNanp(digits.slice(1)))) continue
    out.push({ kind: "phone", start, end })
  }
  return out
}

/*
 * Phone, US/NANP without '+': optional leading "1", then `(ddd)` or `ddd`, then
 * `ddd` and `dddd`, separated by single space, dot or dash — e.g. (202) 555-0143,
 * 202-555-0143, 202.555.0143, 1 800 555 0199. Caught without any cue. Area code
 * and exchange must start with 2–9 and not be N11. Must be isolated (so
 * REF-202-555-0143-XK, 10.202.555.0143 do not match) and not follow an
 * identifier label or '#'.
 */
const PHONE_US_RE = /(?:1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}/g

const detectUsPhones = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(PHONE_US_RE)) {
    let start = m.index
    let raw = m[0]
    let digits = digitsOf(raw)
    // A leading "1" that is really the end of a longer number: retry without it.
    if (digits.length === 11 && (isWordChar(text[start - 1]) || isDigit(text[start - 2]))) {
      const skip = /^1[ .-]?/.exec(raw)?.[0].length ?? 0
      start += skip
      raw = raw.slice(skip)
      digits = digits.slice(1)
    }
    const end = withExtension(text, m.index + m[0].length)
    const spaced = raw.includes(" ")
    if (!isolated(text, start, end, "-./:#")) continue
    if (spaced && (isDigitAfterSpace(text, end) || isDigitBeforeSpace(text, start))) continue
    const ten = digits.length === 11 ? digits.slice(1) : digits
    if (digits.length === 11 && !digits.startsWith("1")) continue
    if (!validNanp(ten)) continue
    if (text[start - 1] === "#" || hasIdLabel(text, start)) continue
    out.push({ kind: "phone", start, end })
  }
  return out
}

/*
 * Phone cue: call/called/calling, phone, telephone, tel, mobile, cell, fax,
 * whatsapp, sms, text, dial, ring, hotline, landline, "reach me/us at", and a
 * possessive "my/your/his/her/our/their/contact/direct/home/work/office number".
 * After a cue (and filler words such as "me", "us", "back", "on", "at", "is",
 * "number", ":"), a number of 7–15 digits made of digits, single spaces, dashes
 * and parentheses (optional leading '+') is a phone — this catches national
 * formats (020 7946 0958, 030 1234567) and bare 10-digit numbers. Dots, slashes
 * and colons are not accepted after a cue (versions, dates, IPs, times), and
 * ISO-date shapes are rejected.
 */
const PHONE_CUE_RE =
  /\b(?:call(?:ed|ing)?|phone|telephone|tel|mobile|cell(?:phone)?|fax|whatsapp|sms|text|dial|ring|hotline|landline|reach (?:me|us|him|her|them)|(?:my|your|his|her|our|their|contact|direct|home|work|office|callback) (?:phone )?number)\b/gi

const CUE_TAIL_RE =
  /^(?:[\s:.,#]+|(?:me|us|him|her|them|back|on|at|is|was|number|no|directly|line|via|to|the|our|my|your|we|have)\b)*?(\+?\(?\d[\d ()-]*\d)/i

const detectCuedPhones = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const cue of text.matchAll(PHONE_CUE_RE)) {
    const from = cue.index + cue[0].length
    const window = text.slice(from, from + 80)
    const m = CUE_TAIL_RE.exec(window)
    const raw = m?.[1]
    if (m === null || raw === undefined) continue
    const start = from + m[0].length - raw.length
    const end = withExtension(text, from + m[0].length)
    if (start - from > 40) continue
    const digits = digitsOf(raw)
    if (digits.length < 7 || digits.length > 15) continue
    if (/\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{4}/.test(raw)) continue
    if (/  |--|-\s|\s-/.test(raw)) continue
    if (!isolated(text, start, end, "-./:")) continue
    out.push({ kind: "phone", start, end })
  }
  return out
}

/**
 * Detectors in priority order. When spans overlap, the earlier detector wins
 * (an email's digits are never a phone; an IBAN's digits are never a card;
 * "+43 664 12 3456" is a phone, not an SSN).
 */
const DETECTORS: ReadonlyArray<{
  readonly detect: (text: string) => Array<Candidate>
  /**
   * What its matches cannot do without: every email has an '@', every other kind at least two
   * ASCII digits, an international phone a '+'. A text lacking it skips the detector, which
   * would find nothing in it anyway (most replies have no PII: this makes the checks several
   * times cheaper for them).
   */
  readonly applies: (text: string, digits: boolean) => boolean
}> = [
  { detect: detectEmails, applies: (text) => text.includes("@") },
  { detect: detectIbans, applies: (_, digits) => digits },
  { detect: detectIntlPhones, applies: (text, digits) => digits && text.includes("+") },
  { detect: detectCards, applies: (_, digits) => digits },
  { detect: detectSsns, applies: (_, digits) => digits },
  { detect: detectUsPhones, applies: (_, digits) => digits },
  { detect: detectCuedPhones, applies: (_, digits) => digits }
]

const TWO_DIGITS_RE = /\d\D*\d/

/**
 * Detect PII spans. All detectors run (so overlaps resolve the same way
 * regardless of `kinds`); the result is then restricted to `kinds` and sorted
 * by position.
 */
export const detectPii = (text: string, kinds: ReadonlyArray<PiiKind> = allPiiKinds): ReadonlyArray<PiiMatch> => {
  // Accepted spans never overlap, so sorted by start they are also sorted by end.
  const accepted: Array<PiiMatch> = []
  const digits = TWO_DIGITS_RE.test(text)
  for (const { applies, detect } of DETECTORS) {
    if (!applies(text, digits)) continue
    for (const c of detect(text)) {
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
      accepted.splice(lo, 0, { kind: c.kind, start: c.start, end: c.end })
    }
  }
  const wanted = new Set(kinds)
  return accepted.filter((m) => wanted.has(m.kind))
}

// ---------------------------------------------------------------------------
// Forbidden phrases, truncation, verdict
// ---------------------------------------------------------------------------

/** Lower-case and collapse every whitespace run (incl. line breaks, NBSP) to one space. */
const normalizeForPhrases = (s: string): string => s.replace(/\s+/gu, " ").toLowerCase()

/** The normalized needles of a phrase list, computed once per list. */
const needlesOf = new WeakMap<ReadonlyArray<string>, ReadonlyArray<string>>()

/** Case-insensitive, whitespace-insensitive substring match (same substring semantics as the Python original). */
export const findForbiddenPhrases = (text: string, phrases: ReadonlyArray<string>): ReadonlyArray<string> => {
  let needles = needlesOf.get(phrases)
  if (needles === undefined) {
    needles = phrases.map((phrase) => normalizeForPhrases(phrase).trim())
    needlesOf.set(phrases, needles)
  }
  const haystack = normalizeForPhrases(text)
  return phrases.filter((_, i) => {
    const needle = needles[i]!
    return needle.length > 0 && haystack.includes(needle)
  })
}

/**
 * Length is measured in Unicode code points (like Python's `len`), so a
 * surrogate pair is never split.
 */
const truncateText = (text: string, rules: GuardrailRules): { readonly text: string; readonly truncated: boolean } => {
  if (text.length <= rules.maxLength) return { text, truncated: false }
  const codePoints = Array.from(text)
  if (codePoints.length <= rules.maxLength) return { text, truncated: false }
  return { text: codePoints.slice(0, Math.max(0, rules.truncateTo)).join("") + rules.truncationNotice, truncated: true }
}

/**
 * Evaluate a reply before publishing. Phrase and PII checks run on the full
 * input text, before truncation; truncation itself is not a violation.
 */
export const evaluateGuardrails = (text: string, rules: GuardrailRules = defaultGuardrailRules): GuardrailVerdict => {
  const violations: Array<GuardrailPolicy> = []
  if (findForbiddenPhrases(text, rules.forbiddenPhrases).length > 0) violations.push("forbidden_phrase")
  const found = new Set(detectPii(text, rules.piiKinds).map((m) => m.kind))
  for (const kind of allPiiKinds) {
    if (found.has(kind)) violations.push(piiPolicy(kind))
  }
  const published = truncateText(text, rules)
  return { allowed: violations.length === 0, violations, text: published.text, truncated: published.truncated }
}

// ---------------------------------------------------------------------------
// Corpus scoring
// ---------------------------------------------------------------------------

export interface PiiCorpusEntry {
  readonly id: string
  readonly text: string
  readonly pii: ReadonlyArray<PiiKind>
}

export interface PiiScore {
  readonly truePositives: number
  readonly falsePositives: number
  readonly falseNegatives: number
  /** 1 when nothing was predicted. */
  readonly precision: number
  /** 1 when nothing was labelled. */
  readonly recall: number
}

export interface PiiCorpusMistake {
  readonly id: string
  readonly missed: ReadonlyArray<PiiKind>
  readonly spurious: ReadonlyArray<PiiKind>
}

export interface PiiCorpusReport {
  readonly entries: number
  readonly perKind: Readonly<Record<PiiKind, PiiScore>>
  /** Micro-averaged over all (text, kind) pairs. */
  readonly overall: PiiScore
  readonly mistakes: ReadonlyArray<PiiCorpusMistake>
}

const isPiiKind = (u: unknown): u is PiiKind => typeof u === "string" && (allPiiKinds as ReadonlyArray<string>).includes(u)

/** Parse a JSONL corpus (`{"id","text","pii":[...]}` per line, blank lines ignored). Throws on malformed lines. */
export const parsePiiCorpus = (jsonl: string): ReadonlyArray<PiiCorpusEntry> =>
  jsonl.split("\n").flatMap((line, index): Array<PiiCorpusEntry> => {
    if (line.trim() === "") return []
    const value: unknown = JSON.parse(line)
    if (typeof value !== "object" || value === null) throw new Error(`corpus line ${index + 1}: not an object`)
    const id: unknown = Reflect.get(value, "id")
    const text: unknown = Reflect.get(value, "text")
    const pii: unknown = Reflect.get(value, "pii")
    if (typeof id !== "string" || typeof text !== "string" || !Array.isArray(pii) || !pii.every(isPiiKind)) {
      throw new Error(`corpus line ${index + 1}: expected {id: string, text: string, pii: PiiKind[]}`)
    }
    return [{ id, text, pii }]
  })

const score = (tp: number, fp: number, fn: number): PiiScore => ({
  truePositives: tp,
  falsePositives: fp,
  falseNegatives: fn,
  precision: tp + fp === 0 ? 1 : tp / (tp + fp),
  recall: tp + fn === 0 ? 1 : tp / (tp + fn)
})

/**
 * Precision/recall per kind and overall. A (text, kind) pair counts once:
 * predicted kinds (from `detect`) versus labelled kinds.
 */
export const scorePiiCorpus = (
  entries: ReadonlyArray<PiiCorpusEntry>,
  detect: (text: string) => ReadonlyArray<PiiMatch> = (text) => detectPii(text)
): PiiCorpusReport => {
  const counts = new Map<PiiKind, { tp: number; fp: number; fn: number }>(
    allPiiKinds.map((k) => [k, { tp: 0, fp: 0, fn: 0 }])
  )
  const mistakes: Array<PiiCorpusMistake> = []
  for (const entry of entries) {
    const predicted = new Set(detect(entry.text).map((m) => m.kind))
    const labelled = new Set(entry.pii)
    const missed: Array<PiiKind> = []
    const spurious: Array<PiiKind> = []
    for (const kind of allPiiKinds) {
      const c = counts.get(kind)
      if (c === undefined) continue
      const p = predicted.has(kind)
      const l = labelled.has(kind)
      if (p && l) c.tp++
      else if (p) {
        c.fp++
        spurious.push(kind)
      } else if (l) {
        c.fn++
        missed.push(kind)
      }
    }
    if (missed.length > 0 || spurious.length > 0) mistakes.push({ id: entry.id, missed, spurious })
  }
  const kindScore = (k: PiiKind): PiiScore => {
    const c = counts.get(k) ?? { tp: 0, fp: 0, fn: 0 }
    return score(c.tp, c.fp, c.fn)
  }
  const perKind: Record<PiiKind, PiiScore> = {
    payment_card: kindScore("payment_card"),
    ssn: kindScore("ssn"),
    email: kindScore("email"),
    phone: kindScore("phone"),
    iban: kindScore("iban")
  }
  let tp = 0
  let fp = 0
  let fn = 0
  for (const c of counts.values()) {
    tp += c.tp
    fp += c.fp
    fn += c.fn
  }
  return { entries: entries.length, perKind, overall: score(tp, fp, fn), mistakes }
}
