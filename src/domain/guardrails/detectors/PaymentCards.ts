/**
 * Payment cards: the number rules (Luhn, a major network's prefix and length) and the detector
 * of card numbers as people write them (grouped, split over lines, read digit by digit, after a
 * card word). Runs on normalized text (`normalization/Normalize.ts`).
 */
import { hasIdLabel } from "./IdentifierLabels.ts"
import { apartLeft, apartRight, gluedCue } from "./TokenBoundaries.ts"
import type { PiiCandidate } from "../verdict/Types.ts"

type Candidate = PiiCandidate

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
 * Card network by issuer prefix (IIN) and length. Only major networks are accepted: Visa,
 * Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir, RuPay (60, 65, 81, 82, 508,
 * 353, 356), Troy (9792), Elo (its ranges fall in Visa, Maestro and Discover), Uzcard and Humo
 * (8600, 9860). Other prefixes (1, 7, most of 8 and 9: gift cards, SIMs, tracking numbers) are
 * rejected.
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
  if ((p(2) === 81 || p(2) === 82) && n === 16) return "rupay"
  if (p(4) === 9792 && n === 16) return "troy"
  if ((p(4) === 8600 || p(4) === 9860) && n === 16) return "uzcard-humo"
  return undefined
}

/** A plausible payment card number: 13–19 digits, known network prefix/length, Luhn-valid. */
export const isPaymentCardNumber = (digits: string): boolean =>
  /^\d{13,19}$/.test(digits) && !/^(\d)\1+$/.test(digits) && cardNetwork(digits) !== undefined && luhnValid(digits)

/*
 * Payment card: a run of digit groups joined by separators — one or two spaces, a `-`, `.` or
 * `/` with optional spaces around it (`4404.3084.8852.4944`, `4433/2820/8125/9460`,
 * `5452 - 4281 - 6456 - 9076`), a comma (`5280, 1132, 8446, 5383` from speech to text) or a
 * line break. A card's digits (13–19) carry a major-network prefix and pass Luhn, and they are
 * grouped as cards are written:
 *
 * - the whole run, whatever its separators (`4968 4022-7941 5376`, a line break inside), when
 *   it is groups of four with a shorter last one, or one digit at a time (`4 8 3 8 0 4 …`, a
 *   phone transcript);
 * - otherwise the groups joined by one kind of separator (a segment): one group; fours with a
 *   shorter last one; 4-6-5, 4-6-4 (Amex, Diners), 4-4-5 (a 13-digit Visa); two groups. A comma
 *   or a line break joins only groups of four. A group shared with a following segment of
 *   another separator (`… 1111 12/26`, an expiry) is dropped from the end first. A segment
 *   longer than 19 digits is never regrouped into a card (a 22-digit tracking number), except
 *   that groups of 13+ digits each are tried alone (`4111111111111111 5555555555554444`).
 *
 * The number must stand alone (not glued to letters, `ORD-`, a currency sign) — a URL path
 * (`/checkout/4687…/`), query (`?card=…`, `%20` separators decoded by the normalization) or a
 * card word glued to it (`#card-4294-…`, `visa_4111…`) is fine — and not follow an identifier
 * label ("order #", "gift card", …).
 */
const CARD_SEPARATOR = String.raw`(?: {0,2}(?:[-/_]|\.{1,3}) {0,2}| ?, ?| {0,2}\n {0,2}| {1,2})`
const DIGIT_RUN_RE = new RegExp(String.raw`\d+(?:${CARD_SEPARATOR}\d+)*`, "g")
const SEPARATOR_RE = new RegExp(CARD_SEPARATOR, "g")

interface Group {
  readonly start: number
  readonly end: number
  /** The separator class before this group (`" "`, `-`, `.`, `/`, `,`, `\n`), `""` for the first one. */
  readonly sep: string
}

const groupsOf = (text: string, start: number, end: number): Array<Group> => {
  const run = text.slice(start, end)
  const groups: Array<Group> = []
  let at = 0
  let sep = ""
  SEPARATOR_RE.lastIndex = 0
  for (const m of run.matchAll(SEPARATOR_RE)) {
    groups.push({ start: start + at, end: start + m.index, sep })
    const punct = m[0].includes("\n") ? "\n" : m[0].trim()
    sep = punct === "" ? " " : punct
    at = m.index + m[0].length
  }
  groups.push({ start: start + at, end, sep })
  return groups
}

/** Groups of four with a shorter (1–4) last one. */
const foursWithLast = (lengths: ReadonlyArray<number>): boolean => {
  const last = lengths[lengths.length - 1] ?? 0
  return lengths.length >= 2 && lengths.slice(0, -1).every((l) => l === 4) && last >= 1 && last <= 4
}

/** One digit per group, at least 13 of them (a number read out digit by digit). */
const digitByDigit = (lengths: ReadonlyArray<number>): boolean => lengths.length >= 13 && lengths.every((l) => l === 1)

/** A card word shortly before a number (`card\n6011 …`, `Kartennummer: …`, `카드번호`), with no digit between. */
const CARD_CUE_BEFORE_RE =
  /(?:(?:카드|カード|卡号|卡號|银行卡|銀行卡|信用卡|بطاقة|כרטיס)[^\d]{0,30}$)|(?:^|[^\p{L}])(?:cards?|cc|pan|visa|master\s?card|mc|amex|discover|jcb|maestro|unionpay|karte\p{L}*|kreditkarte\p{L}*|kartennummer|tarjeta|carte|carta|cart[aã]o|kaart|creditcard|kort\p{L}*|kortti\p{L}*|karta|karty|kart[ıi]|card\s?number|card\s?no)(?![\p{L}])[^\d]{0,30}$/iu

/** How a card is written when its groups are joined by one separator `sep` (`cued`: after a card word). */
const cardGrouping = (lengths: ReadonlyArray<number>, sep: string | undefined, cued = false): boolean => {
  // A comma or a line break between two halves only right after a card word (`card\n60114109\n38681660`).
  if (sep === "," || sep === "\n") return foursWithLast(lengths) || (cued && lengths.length === 2)
  const n = lengths.length
  if (n <= 2) return true
  const key = lengths.join("-")
  // After a card word, any grouping of groups of two digits or more (`card 4073 057 469 358`).
  if (cued && lengths.every((l) => l >= 2)) return true
  return key === "4-6-5" || key === "4-6-4" || key === "4-4-5" || key === "4-3-3-3" || foursWithLast(lengths) || digitByDigit(lengths)
}

const CARD_JOINERS = "-."

/** A card word glued to the number (`card-4294…`, `visa_4111…`, `pan4111…`). */
const CARD_CUE_WORD_RE =
  /^(?:cards?|cc|pan|visa|mastercard|mc|amex|discover|jcb|maestro|unionpay|karte|kreditkarte|kartennummer|tarjeta|carte|carta|cart[aã]o|kaart|creditcard|cardnumber|cardno)$/i

export const detectCards = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  const consider = (groups: ReadonlyArray<Group>, mixed: boolean): boolean => {
    const first = groups[0]
    const last = groups[groups.length - 1]
    if (first === undefined || last === undefined) return false
    let digits = ""
    for (const g of groups) digits += text.slice(g.start, g.end)
    if (digits.length < 13 || digits.length > 19) return false
    const lengths = groups.map((g) => g.end - g.start)
    const sep = groups[1]?.sep
    const cued = CARD_CUE_BEFORE_RE.test(text.slice(Math.max(0, first.start - 50), first.start))
    if (mixed ? !(foursWithLast(lengths) || digitByDigit(lengths)) : !cardGrouping(lengths, sep, cued)) return false
    if (!apartRight(text, last.end, CARD_JOINERS, true)) return false
    if (!apartLeft(text, first.start, CARD_JOINERS) && !gluedCue(text, first.start, CARD_CUE_WORD_RE)) return false
    // A national network's 16-digit number (BC Card `94…` in Korea) only right after a card word.
    const national = cued && digits.length === 16 && digits.startsWith("9") && luhnValid(digits)
    if ((!isPaymentCardNumber(digits) && !national) || hasIdLabel(text, first.start)) return false
    out.push({ kind: "payment_card", start: first.start, end: last.end, value: digits })
    return true
  }
  for (const m of text.matchAll(DIGIT_RUN_RE)) {
    if (m[0].length < 13) continue
    const groups = groupsOf(text, m.index, m.index + m[0].length)
    // The whole run, whatever its separators, when grouped in fours or digit by digit.
    if (groups.length > 2 && consider(groups, true)) continue
    // Segments: maximal sequences of groups joined by one separator class; two neighbouring
    // segments share the group between them.
    let s = 0
    for (;;) {
      let e = s + 1
      const sep = groups[s + 1]?.sep
      while (e < groups.length && groups[e]?.sep === sep) e++
      const segment = groups.slice(s, e)
      const found = consider(segment, false) ||
        (e < groups.length && segment.length > 1 && consider(segment.slice(0, -1), false)) ||
        (s > 0 && segment.length > 1 && consider(segment.slice(1), false))
      if (!found && segment.length > 1) {
        for (const g of segment) if (g.end - g.start >= 13) consider([g], false)
      }
      if (e >= groups.length) break
      s = e - 1
    }
  }
  return out
}
