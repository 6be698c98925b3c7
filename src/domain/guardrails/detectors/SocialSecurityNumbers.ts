/**
 * US Social Security numbers and ITINs: the SSA and IRS number rules, the SSN cues, and the
 * detector (dashed or spaced without a cue; other shapes, misplaced separators and digits read
 * one at a time only after a cue). Runs on normalized text (`normalization/Normalize.ts`).
 */
import { hasIdLabel } from "./IdentifierLabels.ts"
import { apartLeft, apartRight, digitsOf, gluedCue, isDigit, isolated } from "./TokenBoundaries.ts"
import type { PiiCandidate } from "../verdict/Types.ts"

type Candidate = PiiCandidate

const inRange = (value: number, low: number, high: number): boolean => value >= low && value <= high

const SSN_SHAPE_RE = /^(\d{3})[- ./]?(\d{2})[- ./]?(\d{4})$/

/**
 * SSA rules for a US Social Security number: area 001–899 except 666 (900–999 are
 * ITINs / never issued), group 01–99, serial 0001–9999. Accepts `ddd-dd-dddd`,
 * `ddd dd dddd` or 9 digits.
 */
export const isValidSsn = (ssn: string): boolean => {
  const m = SSN_SHAPE_RE.exec(ssn)
  if (m === null) return false
  const area = Number(m[1])
  const group = Number(m[2])
  const serial = Number(m[3])
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0
}

/** SSA's advertising range 987-65-4320 … 987-65-4329: printed in examples, never issued to anyone. */
const isAdvertisingNumber = (digits: string): boolean => /^98765432\d$/.test(digits)

/**
 * IRS rules for an ITIN: area 900–999, group 50–65, 70–88, 90–92 or 94–99, serial not 0000.
 * Same shapes as `isValidSsn`.
 */
export const isValidItin = (itin: string): boolean => {
  const m = SSN_SHAPE_RE.exec(itin)
  if (m === null) return false
  const area = Number(m[1])
  const group = Number(m[2])
  const serial = Number(m[3])
  const groupOk = inRange(group, 50, 65) || inRange(group, 70, 88) || inRange(group, 90, 92) || inRange(group, 94, 99)
  return area >= 900 && groupOk && serial !== 0 && !isAdvertisingNumber(`${m[1]}${m[2]}${m[3]}`)
}

/*
 * SSN / ITIN cue: "SSN", "S.S.N.", "SS#", "social", "social security", "soc sec", "ITIN",
 * "TIN", "taxpayer id…", "tax id" at most 30 characters before the number with no digit in
 * between (or with only a last-four mention between: "last 4 of my social is 1234, the full one
 * is …"), or "(social)" / "(ssn)" right after it.
 */
const SSN_CUE_RE =
  /(?:\bssns?\b|\bs\.\s?s\.\s?n\b\.?|\bs\s+s\s+n\b|\bss\s?#|\bss\s+(?:no|nr|num|number)\b\.?|\bsocial\b|\bsoc\.?\s*sec\b|\bitins?\b|\btins?\b|\btaxpayer\b|\btax[\s-]*id\b|sozialversicherungsnummer)(?:[^\d]{0,30}|[^\d]{0,12}(?<!\d)\d{4}(?!\d)[^\d]{0,40})$/i
const SSN_CUE_AFTER_RE = /^\s*[([]?\s*(?:(?:the|my|his|her|their|your)\s+)?(?:ssn|social(?:\s+security)?|itin)\b/i

export const hasSsnCue = (text: string, start: number, end: number): boolean =>
  SSN_CUE_RE.test(text.slice(Math.max(0, start - 80), start)) || SSN_CUE_AFTER_RE.test(text.slice(end, end + 25))

/*
 * SSN: three groups 3-2-4 with the same separator twice. With a dash (`123-45-6789`,
 * `078 - 05 - 1120`) or one space (`123 45 6789`) it is an SSN without a cue; with dots,
 * slashes, two spaces or no separator (`123456789`) only after an SSN/ITIN cue. SSA rules
 * (`isValidSsn`) or ITIN rules (`isValidItin`) must hold. Without a cue, the number is skipped
 * right after an identifier label ("order #123-45-6789", "employee ID …").
 */
const SSN_RE = /(?<!\d)\d{3}( ?-{1,2} ?| ?\. ?| ?\/ ?| ?_ ?| {1,2}|)\d{2}\1\d{4}(?!\d)/g
/** Nine digits with separators in other places or of other widths (`806-823525`, `316 98  6284`): an SSN only after a cue. */
const MISPLACED_SSN_RE = /(?<![\d-])\d{1,8}(?:(?: {1,2}|-| - )\d{1,8}){1,2}(?![\d-]| \d)/g

const isDigitAfterSpace = (text: string, end: number): boolean => text[end] === " " && isDigit(text[end + 1])
const isDigitBeforeSpace = (text: string, start: number): boolean => text[start - 1] === " " && isDigit(text[start - 2])

/** One digit at a time (`6 2 7 2 6 5 8 5 3`, a phone transcript): an SSN only after a cue. */
const SPELLED_SSN_RE = /(?<!\d {0,2})\d(?: {1,2}\d){8}(?! {0,2}\d)/g
/** An SSN cue glued to the number (`SSN362-70-0323`, `ITIN:912…`). */
const SSN_CUE_WORD_RE = /^(?:ssns?|itins?|tins?|ss)$/i

export const detectSsns = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(SPELLED_SSN_RE)) {
    const digits = digitsOf(m[0])
    const end = m.index + m[0].length
    if ((isValidSsn(digits) || isValidItin(digits)) && isolated(text, m.index, end, "-./") && hasSsnCue(text, m.index, end)) {
      out.push({ kind: "ssn", start: m.index, end, value: digits })
    }
  }
  for (const m of text.matchAll(MISPLACED_SSN_RE)) {
    const digits = digitsOf(m[0])
    const end = m.index + m[0].length
    if (digits.length !== 9) continue
    if ((isValidSsn(digits) || isValidItin(digits)) && isolated(text, m.index, end, "-./") && hasSsnCue(text, m.index, end)) {
      out.push({ kind: "ssn", start: m.index, end, value: digits })
    }
  }
  for (const m of text.matchAll(SSN_RE)) {
    const start = m.index
    const end = start + m[0].length
    const sep = m[1] ?? ""
    const digits = digitsOf(m[0])
    if (!isValidSsn(digits) && !isValidItin(digits)) continue
    const left = apartLeft(text, start, "-./") || gluedCue(text, start, SSN_CUE_WORD_RE)
    if (!left || !apartRight(text, end, "-./", sep.trim() === "-") || (text[start - 1] === ":" && isDigit(text[start - 2])) || (text[end] === ":" && isDigit(text[end + 1]))) continue
    // A spaced `ddd dd dddd` must not continue a longer space-grouped digit run.
    if (sep.trim() === "" && (isDigitAfterSpace(text, end) || isDigitBeforeSpace(text, start))) continue
    const cue = hasSsnCue(text, start, end)
    const plain = sep.trim() === "-" || sep === " "
    if (!cue && !plain) continue
    if (!cue && (hasIdLabel(text, start) || text[start - 1] === "#")) continue
    out.push({ kind: "ssn", start, end, value: digits })
  }
  return out
}
