/**
 * What one code point becomes in the normalization of `Normalize.ts`, after NFKC: removed
 * (invisible and format characters), unified (spaces, dashes, dots, quotes, `٪`), as an ASCII
 * digit (the digits of every script), or folded to the ASCII letter or punctuation its
 * confusable skeleton names (Cyrillic `а` → `a`, `∕` → `/`). Digits, ASCII and other characters
 * are never folded. See the module comment of `Normalize.ts` for the full list.
 */
import { confusableSkeletons } from "./Confusables.ts"

const INVISIBLE_RE =
  /^[\p{Cf}\p{Cc}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]$/u
const SPACE_RE = /^[\p{Zs}\u2800]$/u
const DASH_RE = /^[\p{Pd}\u2212\u2796\u02D7\u2043\uFE63\uFF0D\u2010\u2011]$/u
const DOTS = new Set([
  0x00b7, 0x0387, 0x06d4, 0x0701, 0x0702, 0x16eb, 0x2024, 0x2027, 0x2219, 0x22c5, 0x2e31, 0x3002, 0x30fb, 0xfe52,
  0xff0e, 0xff61, 0xff65, 0x2e33, 0x1427, 0xa60e
])
const SINGLE_QUOTES = new Set([0x2018, 0x2019, 0x201a, 0x201b, 0x2032, 0x02bc, 0x02b9, 0x2035, 0xff07])
const DOUBLE_QUOTES = new Set([0x201c, 0x201d, 0x201e, 0x201f, 0x2033, 0x2036, 0x00ab, 0x00bb, 0xff02, 0x02ba])
const LETTER_RE = /^\p{L}$/u
const UPPER_RE = /^\p{Lu}$/u
const DIGIT_RE = /^\p{Nd}$/u
const ASCII_LETTERS_RE = /^[A-Za-z]+$/
/** ASCII punctuation a non-ASCII symbol may fold to (never `<`, `>`: those are the prompt's business). */
const FOLDABLE_PUNCTUATION = "!#$&'()*+,-./:;=?@[]^_{|}"

/** The ASCII value of a decimal digit of any script: `\p{Nd}` digits come in runs of ten, 0 to 9. */
const digitValue = (cp: number): number => {
  let k = 0
  while (k < 60 && DIGIT_RE.test(String.fromCodePoint(cp - k - 1))) k++
  return k % 10
}

/** What one code point (already NFKC) becomes: `undefined` to keep it, `""` to drop it. */
const mapCodePoint = (cp: number): string | undefined => {
  const ch = String.fromCodePoint(cp)
  if (cp === 0x2028 || cp === 0x2029 || cp === 0x85) return "\n"
  if (INVISIBLE_RE.test(ch)) return ""
  if (SPACE_RE.test(ch)) return " "
  if (DASH_RE.test(ch)) return "-"
  if (DOTS.has(cp)) return "."
  if (SINGLE_QUOTES.has(cp)) return "'"
  if (DOUBLE_QUOTES.has(cp)) return "\""
  if (cp === 0x066a) return "%"
  // Turkish dotted capital I reads as I (its lower case is i; `ı` folds to `i` through the confusables).
  if (cp === 0x0130) return "I"
  if (DIGIT_RE.test(ch)) return String.fromCharCode(48 + digitValue(cp))
  const skeleton = confusableSkeletons.get(cp)
  if (skeleton === undefined) return undefined
  if (LETTER_RE.test(ch)) {
    if (skeleton === "rn") return "m"
    if (!ASCII_LETTERS_RE.test(skeleton)) return undefined
    // The skeleton maps `I` to `l`: an upper-case letter whose skeleton is `l` reads as `I`.
    if (skeleton === "l") return UPPER_RE.test(ch) ? "I" : "l"
    return UPPER_RE.test(ch) ? skeleton.toUpperCase() : skeleton
  }
  if (skeleton.length === 1 && FOLDABLE_PUNCTUATION.includes(skeleton)) return skeleton
  return undefined
}

const mapped = new Map<number, string | null>()
const MAX_CACHED = 20_000

/** What one code point (already NFKC) becomes: `undefined` to keep it, `""` to drop it (cached). */
export const foldCodePoint = (cp: number): string | undefined => {
  const hit = mapped.get(cp)
  if (hit !== undefined) return hit ?? undefined
  const value = mapCodePoint(cp)
  if (mapped.size < MAX_CACHED) mapped.set(cp, value ?? null)
  return value
}
