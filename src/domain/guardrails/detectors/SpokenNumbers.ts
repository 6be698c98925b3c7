/**
 * Numbers read out as words (call transcripts, voice-to-text): digit words of seven languages,
 * "double" and "triple", read as a card, an SSN or ITIN, or a phone number. Runs on normalized
 * text (`normalization/Normalize.ts`).
 */
import { hasIdLabel } from "./IdentifierLabels.ts"
import { isPaymentCardNumber } from "./PaymentCards.ts"
import { type PiiOptions, phoneCue, regionOf, validPhone } from "./Phones.ts"
import { hasSsnCue, isValidItin, isValidSsn } from "./SocialSecurityNumbers.ts"
import { startsOf, type TextProfile, triggerGroup } from "./Triggers.ts"
import type { PiiCandidate } from "../verdict/Types.ts"

type Candidate = PiiCandidate

const DIGIT_WORDS: Readonly<Record<string, number>> = {
  zero: 0, oh: 0, o: 0, nought: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  null: 0, eins: 1, zwei: 2, zwo: 2, drei: 3, vier: 4, "fünf": 5, fuenf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9,
  "zéro": 0, un: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, sept: 7, huit: 8, neuf: 9,
  cero: 0, uno: 1, dos: 2, tres: 3, "trés": 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9,
  due: 2, tre: 3, quattro: 4, cinque: 5, sei: 6, sette: 7, otto: 8, nove: 9,
  um: 1, dois: 2, duas: 2, "três": 3, sete: 7, oito: 8,
  nul: 0, een: 1, "één": 1, twee: 2, drie: 3, vijf: 5, zes: 6, zeven: 7, negen: 9
}
/** "double five", "triple zero", "doppel", "doble": the next digit two or three times. */
const REPEAT_WORDS: Readonly<Record<string, number>> = { double: 2, triple: 3, doppel: 2, doppelt: 2, doble: 2, triplo: 3, doppio: 2 }
export const DIGIT_WORD_STEMS = triggerGroup([...Object.keys(DIGIT_WORDS), ...Object.keys(REPEAT_WORDS)].filter((w) => w.length > 2 || w === "oh"))
const SPOKEN_TOKEN = String.raw`(?:${[...Object.keys(DIGIT_WORDS), ...Object.keys(REPEAT_WORDS)].sort((a, b) => b.length - a.length).join("|")}|\d{1,4})`
/** A run of digit words (and short digit groups) joined by spaces, commas, dots or dashes, seven tokens or more. */
const SPOKEN_RUN_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])${SPOKEN_TOKEN}(?:[\s,.-]{1,3}${SPOKEN_TOKEN}){6,}(?![\p{L}\p{N}])`,
  "giu"
)
const SPOKEN_RUN_TEST_RE = new RegExp(SPOKEN_RUN_RE.source, "iu")
const SPOKEN_SPLIT_RE = /[\s,.-]+/u

/** The digits a spoken run stands for, and how many of its tokens were words. */
const spokenDigits = (run: string): { readonly digits: string; readonly words: number } => {
  let digits = ""
  let words = 0
  let repeat = 1
  for (const token of run.split(SPOKEN_SPLIT_RE)) {
    if (token === "") continue
    const lower = token.toLowerCase()
    const times = REPEAT_WORDS[lower]
    if (times !== undefined) {
      repeat = times
      words++
      continue
    }
    const value = /^\d+$/.test(token) ? token : DIGIT_WORDS[lower]?.toString()
    if (value === undefined) return { digits: "", words: 0 }
    if (!/^\d+$/.test(token)) words++
    digits += value.repeat(value.length === 1 ? repeat : 1)
    repeat = 1
  }
  return { digits, words }
}

/**
 * A card, an SSN or ITIN, or a phone read out as words (`four eight four three seven zero …`,
 * `my social is one three one six …`, `call me on oh seven seven double oh …`): at least seven
 * tokens, four of them words. A card by its digits (Luhn, network) unless labelled; an SSN only
 * after an SSN cue; a phone only after a strong phone cue.
 */
export const detectSpokenNumbers = (text: string, options: PiiOptions): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(SPOKEN_RUN_RE)) {
    const { digits, words } = spokenDigits(m[0])
    if (words < 4) continue
    const start = m.index
    const end = start + m[0].length
    if (digits.length >= 13 && digits.length <= 19 && isPaymentCardNumber(digits)) {
      if (!hasIdLabel(text, start)) out.push({ kind: "payment_card", start, end, value: digits })
      continue
    }
    if (digits.length === 9 && (isValidSsn(digits) || isValidItin(digits)) && hasSsnCue(text, start, end)) {
      out.push({ kind: "ssn", start, end, value: digits })
      continue
    }
    if (digits.length >= 7 && digits.length <= 15 && phoneCue(text, start) === "strong") {
      const plus = /(?:plus|\+)\s*$/i.test(text.slice(Math.max(0, start - 6), start))
      const value = plus
        ? validPhone("+" + digits, undefined)
        : validPhone(digits, regionOf(options.defaultRegion)) ??
          options.phoneRegions.map((r) => validPhone(digits, regionOf(r))).find((v) => v !== undefined) ?? digits
      out.push({ kind: "phone", start, end, value: value ?? "+" + digits })
    }
  }
  return out
}

/** Whether a text may hold a number read out as words (seven digit words or more). */
export const mayHaveSpokenNumber = (text: string, profile: TextProfile | undefined): boolean =>
  profile === undefined ? SPOKEN_RUN_TEST_RE.test(text) : startsOf(profile, DIGIT_WORD_STEMS).length >= 4
