/**
 * IBANs: the SWIFT registry lengths, the mod-97 check, the country's BBAN format
 * (`ibantools`), and the detector of IBANs written contiguous or grouped. Runs on normalized
 * text (`normalization/Normalize.ts`).
 */
import * as ibantools from "ibantools"
import { apartLeft, apartRight, isUnspacedScript, isWordChar } from "./TokenBoundaries.ts"
import type { PiiCandidate } from "../verdict/Types.ts"

type Candidate = PiiCandidate

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

/**
 * Valid IBAN: known country, exact registry length, alphanumeric, mod-97 == 1, and the
 * country's BBAN format (`ibantools`). A wrong national check digit is still an IBAN someone
 * typed (and not every national scheme is public), so that one `ibantools` error is allowed.
 */
export const isValidIban = (iban: string): boolean => {
  const s = iban.replace(/ /g, "").toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false
  if (ibanLengths[s.slice(0, 2)] !== s.length || ibanMod97(s) !== 1) return false
  const { errorCodes } = ibantools.validateIBAN(s)
  return errorCodes.every((code) => code === ibantools.ValidationErrorsIBAN.WrongAccountBankBranchChecksum)
}

/*
 * IBAN: country code (known, case-insensitive) + 2 check digits, then BBAN characters,
 * contiguous or grouped with single spaces, dashes or ` - `. Exactly the registry length for
 * that country is read, the next character must not continue the run, and `isValidIban` must
 * hold (mod-97, BBAN format). Inside a URL path (`/refund/DE05…/submit`) it counts too.
 */
const IBAN_START_RE =
  /(?<![\p{N}_])(?<!(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}])\p{L})[A-Za-z]{2}\d{2}/gu
const ALNUM_RE = /[A-Za-z0-9]/

export const detectIbans = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(IBAN_START_RE)) {
    const country = m[0].slice(0, 2).toUpperCase()
    const length = ibanLengths[country]
    if (length === undefined) continue
    let collected = m[0].toUpperCase()
    let i = m.index + 4
    while (collected.length < length && i < text.length) {
      const ch = text[i]
      if (ch === " " || ch === "-" || ch === "." || ch === "/" || ch === "_" || ch === "\n" || ch === "\r") {
        // One separator: ` `, `-`, `.`, `/`, `_`, ` - `, or one line break with spaces around it (an IBAN split
        // over lines, or its BBAN on the next line).
        const brk = /^ *\r?\n */.exec(text.slice(i, i + 12))
        const spaced = /^ [-./_] /.test(text.slice(i, i + 3))
        const sep = brk !== null ? brk[0].length : spaced ? 3 : text.startsWith("  ", i) ? 2 : 1
        if (ALNUM_RE.test(text[i + sep] ?? "")) {
          i += sep
          continue
        }
        break
      }
      if (ch === undefined || !ALNUM_RE.test(ch)) break
      collected += ch.toUpperCase()
      i++
    }
    if (collected.length !== length || (isWordChar(text[i]) && !isUnspacedScript(text[i]))) continue
    if (!apartLeft(text, m.index, "-.") || !apartRight(text, i, "-.", false)) continue
    if (!isValidIban(collected)) continue
    out.push({ kind: "iban", start: m.index, end: i, value: collected })
  }
  return out
}
