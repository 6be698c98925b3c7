/**
 * Whether a detected number stands alone, not part of a longer code: its neighbours, the
 * joiners that glue it to one (`REF-555-0143-XK`, `v2.10.3`), the scripts written without
 * spaces between words, and cue words glued to it (`SSN362-70-0323`, `card-4294-…`). Shared by
 * the PII detectors.
 */
const WORD_CHAR = /[\p{L}\p{N}_]/u
export const isWordChar = (ch: string | undefined): boolean =>
  ch !== undefined && (ch.charCodeAt(0) < 128 ? /[A-Za-z0-9_]/.test(ch) : WORD_CHAR.test(ch))
export const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= "0" && ch <= "9"
const CURRENCY = "$€£¥₹"

/**
 * The span must not be part of a longer letter/digit run: the neighbouring
 * character must not be a word character, and a "joiner" (e.g. `-`, `.`, `/`)
 * directly followed/preceded by a word character also glues it into a longer
 * code (`REF-555-0143-XK`, `v2.10.3`, `ORD-2024-558812`).
 */
export const isolatedLeft = (text: string, start: number, joiners: string): boolean => {
  const prev = text[start - 1]
  if (prev === undefined) return true
  if (isWordChar(prev) || CURRENCY.includes(prev)) return false
  return !(joiners.includes(prev) && isWordChar(text[start - 2]))
}

export const isolatedRight = (text: string, end: number, joiners: string): boolean => {
  const next = text[end]
  if (next === undefined) return true
  if (isWordChar(next)) return false
  return !(joiners.includes(next) && isWordChar(text[end + 1]))
}

/**
 * Scripts written without spaces between words (Han, kana, Hangul as typed in chat, Thai): a
 * number right after or before one of their letters (`カード番号は4111…です`) stands apart from it.
 */
const UNSPACED_SCRIPT_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u
export const isUnspacedScript = (ch: string | undefined): boolean =>
  ch !== undefined && ch.charCodeAt(0) >= 0x0e00 && UNSPACED_SCRIPT_RE.test(ch)

/** `isolatedLeft`, or glued to a letter of a script without spaces. */
export const apartLeft = (text: string, start: number, joiners: string): boolean =>
  isolatedLeft(text, start, joiners) || isUnspacedScript(text[start - 1])

/**
 * `isolatedRight`, or glued to a letter of a script without spaces, or (`latin`, for validated
 * numbers only) to a Latin word (`…8110thx`).
 */
export const apartRight = (text: string, end: number, joiners: string, latin: boolean): boolean =>
  isolatedRight(text, end, joiners) || isUnspacedScript(text[end]) ||
  (latin && /^[A-Za-z]{2,}(?![\p{N}_])/u.test(text.slice(end, end + 24)))

export const isolated = (text: string, start: number, end: number, joiners: string): boolean =>
  isolatedLeft(text, start, joiners) && isolatedRight(text, end, joiners)

export const digitsOf = (s: string): string => s.replace(/\D/g, "")

/**
 * Whether the letters right before `start` (directly, or across one `-`, `_`, `#` or `:`) are
 * one word that `cue` accepts (`SSN362-70-0323`, `card-4294-…`).
 */
export const gluedCue = (text: string, start: number, cue: RegExp): boolean => {
  let i = start
  if ("-_#:".includes(text[i - 1] ?? " ")) i--
  let j = i
  while (j > 0 && /\p{L}/u.test(text[j - 1] ?? "")) j--
  if (i - j < 2 || isWordChar(text[j - 1])) return false
  return cue.test(text.slice(j, i))
}
