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
 *
 * The same pass computes the text's phrase key (`normalization/PhraseKeys.ts`) and runs a phrase
 * automaton over it (`scanText`), so a reply is read once for phrases and triggers.
 */
import { keyMapping, type PhraseAutomaton, PHRASE_COLUMNS, phraseKey } from "../normalization/PhraseKeys.ts"

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
  /** Where trigger words start: offset, then the bits of the groups of the stems starting there, for each word with any. */
  readonly starts: ReadonlyArray<number>
}

/** The offsets in `profile.starts` of words with a stem of group `bit`. */
export const startsOf = (profile: TextProfile, bit: number): ReadonlyArray<number> => {
  const out: Array<number> = []
  const starts = profile.starts
  for (let i = 0; i < starts.length; i += 2) if ((starts[i + 1]! & bit) !== 0) out.push(starts[i]!)
  return out
}

interface Group {
  readonly bit: number
  readonly stems: ReadonlyArray<string>
}

const groups: Array<Group> = []
/** A stem in its bucket: the stem, its group's bit, its fourth character (`-1`: any, for shorter stems). */
type Entry = readonly [string, number, number]

let index: Map<number, Array<Entry>> | undefined
/** For words starting with three ASCII letters (or fewer, then the word's end): whether any stem starts so. */
const asciiBuckets = new Uint8Array(27 * 27 * 27)
/** The same for the first two letters (`asciiBuckets` divided by 27): the first, cheaper test. */
const asciiPairs = new Uint8Array(27 * 27)
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

/** Lower case of Greek and Cyrillic capitals (U+0370–U+052F), computed once. */
const WIDE_LOWER: Uint16Array = Uint16Array.from({ length: 0x530 - 0x370 }, (_, i) => {
  const lowered = String.fromCharCode(0x370 + i).toLowerCase()
  return lowered.length === 1 ? lowered.charCodeAt(0) : 0x370 + i
})
/**
 * A character's lower case for stem matching: ASCII, Latin-1, Greek and Cyrillic (a capital at a
 * sentence's start, `Возврат`, `Без`, `Αναλαμβάνουμε`, must start its stem's word too).
 */
const lower = (c: number): number =>
  (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde && c !== 0xd7) ? c + 32 : c >= 0x370 && c < 0x530 ? WIDE_LOWER[c - 0x370]! : c
const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x2000)
/** A small integer for three characters (collisions are told apart by comparing the stems). */
const prefixHash = (a: number, b: number, c: number): number => ((a & 1023) << 20) | ((b & 1023) << 10) | (c & 1023)
/** A character as it counts in a word's prefix: lower case when a letter, 0 otherwise (the word ended). */
const wordChar = (c: number): number => (isLetter(c) ? lower(c) : 0)
/** The bucket of a word (or stem) starting with `a`, `b`, `c`: its first three letters, 0 after its end. */
const bucket = (a: number, b: number, c: number): number => {
  const second = wordChar(b)
  return prefixHash(lower(a), second, second === 0 ? 0 : wordChar(c))
}

const build = (): Map<number, Array<Entry>> => {
  const map = new Map<number, Array<Entry>>()
  const far: Array<readonly [string, number]> = []
  for (const { bit, stems } of groups) {
    for (const stem of stems) {
      if ((stem.codePointAt(0) ?? 0) >= 0x2e80) {
        far.push([stem, bit])
        continue
      }
      const h = bucket(stem.charCodeAt(0), stem.charCodeAt(1), stem.charCodeAt(2))
      const a = asciiBucket(stem.charCodeAt(0), stem.charCodeAt(1), stem.charCodeAt(2))
      if (a >= 0) {
        asciiBuckets[a] = 1
        asciiPairs[Math.floor(a / 27)] = 1
      }
      const entry: Entry = [stem, bit, stem.length > 3 ? stem.charCodeAt(3) : -1]
      const list = map.get(h)
      if (list === undefined) map.set(h, [entry])
      else list.push(entry)
    }
  }
  anywhere = far
  return map
}

/** Whether `text` at `i` starts with `stem` (lower case) from its `from`th character on, ignoring the case of `text`. */
const startsWithLower = (text: string, i: number, stem: string, from: number): boolean => {
  if (i + stem.length > text.length) return false
  for (let j = from; j < stem.length; j++) if (lower(text.charCodeAt(i + j)) !== stem.charCodeAt(j)) return false
  return true
}

/** The index in `asciiBuckets` of a word starting with `a`, `b`, `c` (`-1` when `a` or the letters after it are not ASCII). */
const asciiBucket = (a: number, b: number, c: number): number => {
  const x = (a | 32) - 96
  if (x < 1 || x > 26) return -1
  let y = (b | 32) - 96
  if (y < 1 || y > 26) {
    if (isLetter(b)) return -1
    y = 0
  }
  let z = y === 0 ? 0 : (c | 32) - 96
  if (z < 1 || z > 26) {
    if (z !== 0 && isLetter(c)) return -1
    z = 0
  }
  return (x * 27 + y) * 27 + z
}

/** The bits of the groups whose stems start the word at `i` of `text` (`c`: its first character). */
const wordTriggers = (map: Map<number, Array<Entry>>, text: string, i: number, c: number): number => {
  const b = text.charCodeAt(i + 1)
  const d = text.charCodeAt(i + 2)
  const a = asciiBucket(c, b, d)
  if (a >= 0 && asciiBuckets[a] === 0) return 0
  const list = map.get(bucket(c, b, d))
  if (list === undefined) return 0
  // A bucket's stems share their first three characters (the bucket); the fourth tells most apart.
  const fourth = lower(text.charCodeAt(i + 3))
  const from = a < 0 ? 0 : !isLetter(b) ? 1 : !isLetter(d) ? 2 : 3
  let bits = 0
  for (let j = 0; j < list.length; j++) {
    const entry = list[j]!
    if ((bits & entry[1]) !== 0 || (entry[2] !== -1 && entry[2] !== fourth)) continue
    if (startsWithLower(text, i, entry[0], from)) bits |= entry[1]
  }
  return bits
}

/** What one pass over a text found: its profile and the tags of the phrase keys in it. */
export interface ScannedText {
  readonly profile: TextProfile
  /** The or of the tags of `automaton`'s keys found in the text's phrase key. */
  readonly phrases: number
  /**
   * Whether the text is its own normalization: printable ASCII and line breaks only, without
   * the characters normalization resolves (`&`, `*`, `_`, `` ` ``, `~`, `%20` …).
   */
  readonly plain: boolean
}

const { asciiKeys, boundary, percentCodes, rn, sentenceEnd } = keyMapping
const htmlTag = keyMapping.htmlTag

/** What an ASCII character is to the scan: a key letter, a digit, `m`, a separator, a noted character, `%`, a sentence end. */
const LETTER = 0
const DIGIT = 1
const EM = 2
const SEPARATOR = 3
const NOTED = 4
const PERCENT_SIGN = 5
const STOP = 6
/** Or-ed into a class: normalization would change the character (`&`, `*`, `_`, `` ` ``, `~`, controls …). */
const NOT_PLAIN = 8
const CLASSES: Uint8Array = Uint8Array.from({ length: 128 }, (_, c) => {
  const key = asciiKeys[c]!
  const kind = c >= 48 && c <= 57
    ? DIGIT
    : key >= 0
    ? LETTER
    : key === rn
    ? EM
    : key === sentenceEnd
    ? STOP
    : c === 37
    ? PERCENT_SIGN
    : c === 64 || c === 58 || c === 34 || c === 39 || c === 40 || c === 91 || c === 123 || c === 60
    ? NOTED
    : SEPARATOR
  const plain = c === 10 || c === 13 || (c >= 0x20 && c <= 0x7d && c !== 0x26 && c !== 0x2a && c !== 0x5f && c !== 0x60)
  return kind | (plain ? 0 : NOT_PLAIN)
})

/** The automaton of no keys: one state that stays. */
const NO_TABLE = new Int32Array(PHRASE_COLUMNS)
const NO_OUTPUTS = new Int32Array(1)

/**
 * One pass over a normalized text: its profile (digits, characters, trigger groups) and the
 * phrase keys of `automaton` found in its phrase key (computed on the fly, like `phraseKey`).
 */
export const scanText = (text: string, automaton?: PhraseAutomaton): ScannedText => {
  const map = (index ??= build())
  const table = automaton?.table ?? NO_TABLE
  const outputs = automaton?.outputs ?? NO_OUTPUTS
  let state = 0
  let found = 0
  let digits = 0
  let mask = 0
  let at = false
  let colon = false
  let bracket = false
  let quote = false
  let dotted = false
  let cjk = false
  let prevLetter = false
  let lastBoundary = true
  let plain = true
  const starts: Array<number> = []
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 128) {
      let kind = CLASSES[c]!
      if (kind >= NOT_PLAIN) {
        plain = false
        kind -= NOT_PLAIN
      }
      switch (kind) {
        case LETTER: {
          state = table[state * PHRASE_COLUMNS + asciiKeys[c]!]!
          found |= outputs[state]!
          lastBoundary = false
          if (!prevLetter) {
            prevLetter = true
            // Most words start with two letters no stem starts with: one table look-up says so.
            const b = text.charCodeAt(i + 1)
            const y = b >= 65 && b <= 122 && (CLASSES[b]! & 7) !== DIGIT ? ((CLASSES[b]! & 7) <= EM ? (b | 32) - 96 : 0) : b >= 128 ? -1 : 0
            if (y >= 0 && asciiPairs[((c | 32) - 96) * 27 + y] === 0) continue
            const bits = wordTriggers(map, text, i, c)
            if (bits !== 0) {
              mask |= bits
              starts.push(i, bits)
            }
          }
          continue
        }
        case SEPARATOR:
          prevLetter = false
          continue
        case DIGIT:
          state = table[state * PHRASE_COLUMNS + asciiKeys[c]!]!
          found |= outputs[state]!
          lastBoundary = false
          prevLetter = false
          digits++
          continue
        case EM: {
          // `m`: key `rn`.
          state = table[state * PHRASE_COLUMNS + 114]!
          found |= outputs[state]!
          state = table[state * PHRASE_COLUMNS + 110]!
          found |= outputs[state]!
          lastBoundary = false
          if (!prevLetter) {
            prevLetter = true
            const bits = wordTriggers(map, text, i, c)
            if (bits !== 0) {
              mask |= bits
              starts.push(i, bits)
            }
          }
          continue
        }
        case NOTED:
          prevLetter = false
          if (c === 64) at = true
          else if (c === 58) colon = true
          else if (c === 34 || c === 39) quote = true
          else {
            bracket = true
            if (c === 60) {
              htmlTag.lastIndex = i
              const tag = htmlTag.exec(text)
              if (tag !== null) i += tag[0].length - 1
            }
          }
          continue
        case PERCENT_SIGN: {
          prevLetter = false
          if (text.charCodeAt(i + 1) === 50 /* 2 */) {
            const d = text.charCodeAt(i + 2) | 32
            if (d === 48 || d === 100 || d === 101) plain = false
          }
          at ||= text.charCodeAt(i + 1) === 52 && text.charCodeAt(i + 2) === 48
          for (const p of percentCodes) {
            state = table[state * PHRASE_COLUMNS + p]!
            found |= outputs[state]!
          }
          lastBoundary = false
          continue
        }
        default: {
          // A sentence end (`.`, `!`, `?`, `;`).
          prevLetter = false
          if (c === 46 && !dotted && i > 0) {
            const b = text.charCodeAt(i - 1)
            dotted = ((b >= 48 && b <= 57) || isLetter(b)) && isLetter(text.charCodeAt(i + 1))
          }
          if (!lastBoundary) {
            const next = text.charCodeAt(i + 1)
            if (Number.isNaN(next) || next === 32 || next === 10 || next === 13) {
              state = table[state * PHRASE_COLUMNS + boundary]!
              found |= outputs[state]!
              lastBoundary = true
            }
          }
          continue
        }
      }
    }
    plain = false
    if (c >= 0xd800 && c <= 0xdfff) {
      prevLetter = false
      continue
    }
    if (c >= 0x2e80) cjk = true
    const letter = isLetter(c)
    if (letter && !prevLetter) {
      const bits = wordTriggers(map, text, i, c)
      if (bits !== 0) {
        mask |= bits
        starts.push(i, bits)
      }
    }
    prevLetter = letter
    const units = keyMapping.foldNonAscii(text[i]!)
    for (let j = 0; j < units.length; j++) {
      const u = units.charCodeAt(j)
      state = table[state * PHRASE_COLUMNS + (u < PHRASE_COLUMNS ? u : PHRASE_COLUMNS - 1)]!
      found |= outputs[state]!
    }
    if (units.length > 0) lastBoundary = false
  }
  if (cjk) {
    for (const [stem, bit] of anywhere) {
      for (let at = text.indexOf(stem); at >= 0; at = text.indexOf(stem, at + 1)) {
        mask |= bit
        starts.push(at, bit)
      }
    }
  }
  // Keys beyond ASCII (configured phrases in other scripts): on the key string.
  if (automaton !== undefined && automaton.otherKeys.length > 0) {
    const key = phraseKey(text).key
    for (const [needle, tag] of automaton.otherKeys) if (key.includes(needle)) found |= tag
  }
  return { profile: { digits, groups: mask, at, colon, bracket, quote, dotted, cjk, starts }, phrases: found, plain }
}

/** The profile of a normalized text (one pass). */
export const profileText = (text: string): TextProfile => scanText(text).profile
