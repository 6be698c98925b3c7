/**
 * One cheap pass over a normalized reply that tells the checks which of them can match, so a
 * reply without PII, links, credentials or commitments skips them: the digits it has, a few
 * characters, and which groups of trigger words start one of its words.
 *
 * A trigger group is a list of stems (lower case): a word of the text (a run of letters after a
 * character that is not one) that starts with a stem sets the group's bit. Stems in scripts
 * without spaces between words (Chinese, Japanese, Korean) match anywhere. Groups are declared
 * by the modules that use them, at load time (`triggerGroup`), at most 53.
 *
 * A check that uses a group must still match the text itself: a trigger is a necessary
 * condition, never a finding.
 */

/** What one pass found in a text. */
export interface TextProfile {
  /** ASCII digits. */
  readonly digits: number
  /** Bits of the trigger groups whose stems start a word (see `triggerGroup`). */
  readonly groups: number
  /** `@` or `%40` */
  readonly at: boolean
  /** `:` */
  readonly colon: boolean
  /** `(`, `[`, `{` or `<` */
  readonly bracket: boolean
  /** `"` or `'` */
  readonly quote: boolean
  /** A `.` between a letter or digit and a letter (`example.com`, `e.g`). */
  readonly dotted: boolean
  /** A character of a script without spaces between words (U+2E80 and above). */
  readonly cjk: boolean
}

interface Group {
  readonly bit: number
  readonly stems: ReadonlyArray<string>
}

const groups: Array<Group> = []
let index: Map<number, Array<readonly [string, number]>> | undefined
let anywhere: Array<readonly [string, number]> = []

/**
 * Declares a trigger group and returns its bit (a power of two; groups can be or-ed). Stems
 * are lower case letters (a stem may go on with other characters after its third: `no further`,
 * `e-mail`); a stem of one or two letters must be the whole word (`at`).
 */
export const triggerGroup = (stems: ReadonlyArray<string>): number => {
  if (index !== undefined) throw new Error("trigger groups must be declared when their module loads")
  if (groups.length >= 30) throw new Error("at most 30 trigger groups")
  const bit = 2 ** groups.length
  groups.push({ bit, stems: stems.map((s) => s.toLowerCase()) })
  return bit
}

const lower = (c: number): number => (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde && c !== 0xd7) ? c + 32 : c
const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x2000)
const prefixHash = (a: number, b: number, c: number): number => (a * 65536 + b) * 65536 + c
/** A character as it counts in a word's prefix: lower case when a letter, 0 otherwise (the word ended). */
const wordChar = (c: number): number => (isLetter(c) ? lower(c) : 0)
/** The bucket of a word (or stem) starting with `a`, `b`, `c`: its first three letters, 0 after its end. */
const bucket = (a: number, b: number, c: number): number => {
  const second = wordChar(b)
  return prefixHash(lower(a), second, second === 0 ? 0 : wordChar(c))
}

const build = (): Map<number, Array<readonly [string, number]>> => {
  const map = new Map<number, Array<readonly [string, number]>>()
  const far: Array<readonly [string, number]> = []
  for (const { bit, stems } of groups) {
    for (const stem of stems) {
      if ((stem.codePointAt(0) ?? 0) >= 0x2e80) {
        far.push([stem, bit])
        continue
      }
      const h = bucket(stem.charCodeAt(0), stem.charCodeAt(1), stem.charCodeAt(2))
      const list = map.get(h)
      if (list === undefined) map.set(h, [[stem, bit]])
      else list.push([stem, bit])
    }
  }
  anywhere = far
  return map
}

/** Whether `text` at `i` starts with `stem` (lower case), ignoring the case of `text`. */
const startsWithLower = (text: string, i: number, stem: string): boolean => {
  if (i + stem.length > text.length) return false
  for (let j = 0; j < stem.length; j++) if (lower(text.charCodeAt(i + j)) !== stem.charCodeAt(j)) return false
  return true
}

/** The profile of a normalized text (one pass). */
export const profileText = (text: string): TextProfile => {
  const map = (index ??= build())
  let digits = 0
  let mask = 0
  let at = false
  let colon = false
  let bracket = false
  let quote = false
  let dotted = false
  let cjk = false
  let prevLetter = false
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 128) {
      if (c >= 48 && c <= 57) {
        digits++
        prevLetter = false
        continue
      }
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
        if (!prevLetter) {
          const list = map.get(bucket(c, text.charCodeAt(i + 1), text.charCodeAt(i + 2)))
          if (list !== undefined) {
            for (const [stem, bit] of list) if ((mask & bit) === 0 && startsWithLower(text, i, stem)) mask |= bit
          }
        }
        prevLetter = true
        continue
      }
      prevLetter = false
      if (c === 64) at = true
      else if (c === 37) at ||= text.charCodeAt(i + 1) === 52 && text.charCodeAt(i + 2) === 48
      else if (c === 58) colon = true
      else if (c === 40 || c === 91 || c === 123 || c === 60) bracket = true
      else if (c === 34 || c === 39) quote = true
      else if (c === 46 && !dotted && i > 0) {
        const b = text.charCodeAt(i - 1)
        const a = text.charCodeAt(i + 1)
        dotted = ((b >= 48 && b <= 57) || isLetter(b)) && isLetter(a)
      }
      continue
    }
    if (c >= 0x2e80) cjk = true
    const letter = isLetter(c)
    if (letter && !prevLetter) {
      const list = map.get(bucket(c, text.charCodeAt(i + 1), text.charCodeAt(i + 2)))
      if (list !== undefined) {
        for (const [stem, bit] of list) if ((mask & bit) === 0 && startsWithLower(text, i, stem)) mask |= bit
      }
    }
    prevLetter = letter
  }
  if (cjk) for (const [stem, bit] of anywhere) if ((mask & bit) === 0 && text.includes(stem)) mask |= bit
  return { digits, groups: mask, at, colon, bracket, quote, dotted, cjk }
}
