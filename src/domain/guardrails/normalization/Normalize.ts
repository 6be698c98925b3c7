/**
 * The one normalization every guardrail text check runs on, with a map back to the original.
 *
 * `normalizeText` applies, in one pass per code point (repeated until nothing changes, so the
 * result is a fixed point: normalizing it again gives it back):
 *
 * - HTML entities decoded (`&#37;`, `&percnt;`, `&nbsp;`, `&#x200B;` …, with the `entities`
 *   package; named entities need their `;` except the common legacy ones `&amp` `&lt` `&gt`
 *   `&quot` `&nbsp` `&apos`);
 * - Unicode NFKC (per code point and its combining marks: fullwidth forms, ligatures,
 *   mathematical letters and digits, superscripts, `＠`, `．` …);
 * - invisible and format characters removed: every `\p{Cf}` (zero-width space/joiners, soft
 *   hyphen, word joiner, BOM, bidi embeddings, overrides, isolates and marks, the U+E0000 tag
 *   block), control characters other than tab and line breaks, variation selectors, the
 *   combining grapheme joiner, Mongolian free variation selectors and the Hangul fillers;
 * - the digits of every script (`\p{Nd}`) to ASCII;
 * - separators unified: dash-like (`\p{Pd}`, minus signs, U+02D7) to `-`, space-like (`\p{Zs}`,
 *   tab, braille blank) to ` `, line/paragraph separators to `\n`, dot-like (middle dots, `・`,
 *   `｡`, `۔`, one-dot leader, dot operators …) to `.`, curly quotes to `'` and `"`, `٪` to `%`,
 *   and the percent-encoded separators of URLs (`%20`, `%2D`, `%2E`) to ` `, `-` and `.`;
 * - confusable folding from Unicode's confusables data (the `unhomoglyph` package): a
 *   non-ASCII letter whose confusable skeleton is an ASCII letter becomes that letter, with its
 *   case (Cyrillic `а` → `a`, Greek `Ο` → `O`, `Ӏ` → `I`, `ı` → `i`); a non-ASCII symbol whose
 *   skeleton is one ASCII punctuation character becomes it (`∕` → `/`, `꞉` → `:`, `‚` → `,`).
 *   Digits, ASCII and other characters are never folded (the skeleton maps `0` to `O` and `1`
 *   to `l`, which detectors must not see);
 * - markdown emphasis resolved: backticks dropped; runs of `*` and `~` dropped unless they stand
 *   between spaces (`5 * 3`); runs of `_` dropped unless inside a word (`first_last`).
 *
 * Every normalized code unit knows the original span it came from, so a finding on the
 * normalized text is reported where it is in the original (`originalSpan`).
 *
 * `cleanForModel` is the lighter form for text given to a model (NFKC and the removals only:
 * no folding, so a customer's Cyrillic or Greek is kept as written).
 *
 * `phraseKey` is what phrase policies compare: lower case, accents removed, every separator,
 * punctuation mark and HTML tag dropped (so `guaran-teed`, `g u a r a n t e e d`,
 * `<em>guaranteed</em>` and `guaranteed` agree),
 * `%` read as `percent`, the ASCII confusables of the skeleton applied (`0`→`o`, `1`/`i`/`|`→`l`,
 * `m`→`rn`), and a sentence end (`.`, `!`, `?`, `;` before a space or a line break) kept as a
 * boundary that no phrase crosses.
 */
import { Buffer } from "node:buffer"
import { createRequire } from "node:module"
import { decodeHTML } from "entities"

// ---------------------------------------------------------------------------
// Confusables data
// ---------------------------------------------------------------------------

const loadConfusables = (): ReadonlyMap<number, string> => {
  const raw: unknown = createRequire(import.meta.url)("unhomoglyph/data.json")
  const map = new Map<number, string>()
  if (typeof raw !== "object" || raw === null) return map
  for (const [from, to] of Object.entries(raw)) {
    const cp = from.codePointAt(0)
    if (typeof to === "string" && cp !== undefined && String.fromCodePoint(cp) === from) map.set(cp, to)
  }
  return map
}

/** Code point → its confusable skeleton (Unicode confusables, via `unhomoglyph`). */
export const confusableSkeletons: ReadonlyMap<number, string> = loadConfusables()

/** The confusable skeleton of a string (code point by code point; unmapped code points stay). */
export const confusableSkeleton = (text: string): string => {
  let out = ""
  for (const ch of text) out += confusableSkeletons.get(ch.codePointAt(0) ?? 0) ?? ch
  return out
}

// ---------------------------------------------------------------------------
// Per code point mapping
// ---------------------------------------------------------------------------

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
const MARK_RE = /^\p{M}$/u
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

const mapCached = (cp: number): string | undefined => {
  const hit = mapped.get(cp)
  if (hit !== undefined) return hit ?? undefined
  const value = mapCodePoint(cp)
  if (mapped.size < MAX_CACHED) mapped.set(cp, value ?? null)
  return value
}

// ---------------------------------------------------------------------------
// One pass
// ---------------------------------------------------------------------------

/** Characters that may make a pass change a text: all but line breaks and printable ASCII other than & * _ ` ~. */
const NEEDS_WORK_RE = /[^\n\r\x20-\x25\x27-\x29\x2B-\x5E\x61-\x7D]/

const ENTITY_RE = /&(?:#[xX][0-9a-fA-F]{1,6};?|#\d{1,7};?|[A-Za-z][A-Za-z0-9]{1,31};?)/y
const LEGACY_ENTITIES = new Set(["&amp", "&lt", "&gt", "&quot", "&nbsp", "&apos"])

const isSpace = (code: number | undefined): boolean => code === undefined || code === 32 || code === 10 || code === 13
const isAsciiWord = (code: number | undefined): boolean =>
  code !== undefined && ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127)

/** Whether a combining mark starts at `i`. */
const isMarkAt = (text: string, i: number): boolean => {
  const cp = text.codePointAt(i) ?? 0
  return cp >= 0x300 && MARK_RE.test(String.fromCodePoint(cp))
}

interface Pass {
  readonly text: string
  /** Per code unit of `text`: the start of its source span in the pass's input. */
  readonly starts: Int32Array
  /** Per code unit of `text`: the end (exclusive) of its source span in the pass's input. */
  readonly ends: Int32Array
}

/** A percent-encoded separator (`%20` space, `%2D` dash, `%2E` dot), as written in URLs. */
const PERCENT_SEPARATOR_RE = /%2[0DEde]/
const percentSeparator = (input: string, i: number): string | undefined => {
  if (input.charCodeAt(i + 1) !== 50 /* 2 */) return undefined
  const c = input.charCodeAt(i + 2) | 32
  return c === 48 /* 0 */ ? " " : c === 100 /* d */ ? "-" : c === 101 /* e */ ? "." : undefined
}

/** One normalization pass; `undefined` when the text comes out unchanged. */
const normalizePass = (input: string): Pass | undefined => {
  if (!NEEDS_WORK_RE.test(input) && !PERCENT_SEPARATOR_RE.test(input)) return undefined
  let out = ""
  const starts: Array<number> = []
  const ends: Array<number> = []
  const emit = (s: string, from: number, to: number): void => {
    out += s
    for (let k = 0; k < s.length; k++) {
      starts.push(from)
      ends.push(to)
    }
  }
  /** NFKC then the per code point mapping of `segment`, all attributed to [from, to). */
  const emitNormalized = (segment: string, from: number, to: number): void => {
    const nfkc = segment.normalize("NFKC")
    for (const ch of nfkc) {
      const cp = ch.codePointAt(0) ?? 0
      const value = cp < 128 ? (cp === 9 ? " " : undefined) : mapCached(cp)
      emit(value ?? ch, from, to)
    }
  }
  const n = input.length
  let i = 0
  while (i < n) {
    const code = input.charCodeAt(i)
    if (code === 38 /* & */) {
      ENTITY_RE.lastIndex = i
      const m = ENTITY_RE.exec(input)
      if (m !== null && (m[0].endsWith(";") || m[0].startsWith("&#") || LEGACY_ENTITIES.has(m[0]))) {
        const decoded = decodeHTML(m[0])
        if (decoded !== m[0]) {
          emitNormalized(decoded, i, i + m[0].length)
          i += m[0].length
          continue
        }
      }
      emit("&", i, i + 1)
      i++
      continue
    }
    if (code === 96 /* ` */ || code === 42 /* * */ || code === 95 /* _ */ || code === 126 /* ~ */) {
      let j = i + 1
      while (j < n && input.charCodeAt(j) === code) j++
      const before = i > 0 ? input.charCodeAt(i - 1) : undefined
      const after = j < n ? input.charCodeAt(j) : undefined
      const spaced = isSpace(before) && isSpace(after)
      const drop = code === 96 || (!spaced && (code !== 95 || !(isAsciiWord(before) && isAsciiWord(after))))
      if (!drop) emit(input.slice(i, j), i, j)
      i = j
      continue
    }
    if (code < 128) {
      if (code === 9) {
        emit(" ", i, i + 1)
        i++
        continue
      }
      if (code === 37 /* % */) {
        const sep = percentSeparator(input, i)
        if (sep !== undefined) {
          emit(sep, i, i + 3)
          i += 3
        } else {
          emit("%", i, i + 1)
          i++
        }
        continue
      }
      // A run of plain ASCII is copied as is.
      let j = i + 1
      while (j < n) {
        const c = input.charCodeAt(j)
        if (c >= 128 || c === 38 || c === 96 || c === 42 || c === 95 || c === 126 || c === 9 || c === 37) break
        j++
      }
      // A letter followed by combining marks goes with them, as one NFKC cluster.
      if (j < n && isMarkAt(input, j)) j--
      if (j > i) {
        out += input.slice(i, j)
        for (let k = i; k < j; k++) {
          starts.push(k)
          ends.push(k + 1)
        }
        i = j
        continue
      }
      let k = i + 1
      while (k < n && isMarkAt(input, k)) k += (input.codePointAt(k) ?? 0) > 0xffff ? 2 : 1
      emitNormalized(input.slice(i, k), i, k)
      i = k
      continue
    }
    // A non-ASCII code point and its combining marks: one NFKC cluster.
    const first = input.codePointAt(i) ?? 0
    let k = i + (first > 0xffff ? 2 : 1)
    while (k < n && isMarkAt(input, k)) k += (input.codePointAt(k) ?? 0) > 0xffff ? 2 : 1
    emitNormalized(input.slice(i, k), i, k)
    i = k
  }
  if (out === input) return undefined
  return { text: out, starts: Int32Array.from(starts), ends: Int32Array.from(ends) }
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/** A text after `normalizeText`, with the map back to the original. */
export interface NormalizedText {
  readonly original: string
  readonly text: string
  /** Per code unit of `text`, the original span it came from; `undefined` when `text === original`. */
  readonly starts: Int32Array | undefined
  readonly ends: Int32Array | undefined
}

const MAX_PASSES = 6

/** The normalization of the module comment, with the map back to `original`. */
export const normalizeText = (original: string): NormalizedText => {
  let text = original
  let starts: Int32Array | undefined
  let ends: Int32Array | undefined
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = normalizePass(text)
    if (next === undefined) break
    if (starts === undefined || ends === undefined) {
      starts = next.starts
      ends = next.ends
    } else {
      const s = new Int32Array(next.text.length)
      const e = new Int32Array(next.text.length)
      for (let k = 0; k < next.text.length; k++) {
        s[k] = starts[next.starts[k] ?? 0] ?? 0
        e[k] = ends[(next.ends[k] ?? 1) - 1] ?? original.length
      }
      starts = s
      ends = e
    }
    text = next.text
  }
  return { original, text, starts, ends }
}

/**
 * The original span of `[start, end)` in the normalized text: from where its first code unit
 * came from to where its last one ended. An empty span maps to an empty span.
 */
export const originalSpan = (normalized: NormalizedText, start: number, end: number): readonly [number, number] => {
  const { starts, ends } = normalized
  if (starts === undefined || ends === undefined) return [start, end]
  const length = normalized.text.length
  const s = Math.max(0, Math.min(start, length))
  const e = Math.max(s, Math.min(end, length))
  const from = s < length ? (starts[s] ?? normalized.original.length) : normalized.original.length
  if (e === s) return [from, from]
  return [from, Math.max(from, ends[e - 1] ?? normalized.original.length)]
}

const STRIP_RE =
  /[\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]|[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F]/gu
const STRIP_TEST_RE = new RegExp(STRIP_RE.source, "u")

/** Removes invisible and format characters (the removal step of `normalizeText`, on its own). */
export const stripInvisible = (text: string): string => (STRIP_TEST_RE.test(text) ? text.replace(STRIP_RE, "") : text)

/**
 * Text as given to a model: invisible and format characters (tags, bidi controls, zero-width
 * characters, variation selectors …) removed, then NFKC. No folding: scripts stay as written.
 */
export const cleanForModel = (text: string): string => {
  // eslint-disable-next-line no-control-regex
  if (/^[\n\r\t\x20-\x7E]*$/.test(text)) return text
  let current = text
  for (let pass = 0; pass < 3; pass++) {
    const next = stripInvisible(current).normalize("NFKC")
    if (next === current) break
    current = next
  }
  return current
}

// ---------------------------------------------------------------------------
// Phrase keys
// ---------------------------------------------------------------------------

/** A phrase key and, optionally, for each of its code units the normalized offset it came from. */
export interface PhraseKey {
  readonly key: string
  readonly at: Int32Array | undefined
}

/** Marks a sentence end in a key; no text character produces it. */
const PHRASE_BOUNDARY = 35 // "#"
const DROP = -1
const SENTENCE_END = -2
const PERCENT = -3
const RN = -4
const PERCENT_CODES = Array.from("percent", (c) => c.charCodeAt(0))

/** The key of each ASCII character (see the module comment): a code, or one of the markers above. */
const ASCII_KEYS: Int16Array = Int16Array.from({ length: 128 }, (_, code) => {
  const ch = String.fromCharCode(code)
  if (ch === "m" || ch === "M") return RN
  if (ch === "i" || ch === "I" || ch === "1" || ch === "|") return 108 // l
  if (ch === "0") return 111 // o
  if (/[a-z0-9]/.test(ch)) return code
  if (/[A-Z]/.test(ch)) return code + 32
  if (ch === "%") return PERCENT
  if (".!?;".includes(ch)) return SENTENCE_END
  return DROP
})

const HTML_TAG_RE = /<\/?[A-Za-z][A-Za-z0-9]{0,15}(?:\s[^<>]{0,300})?\/?>/y

/**
 * How a text's characters become phrase-key code units, for a scanner that reads a text once
 * for several purposes (`guardrailsTriggers.ts`); `fillKey` below is the reference.
 */
export const keyMapping = {
  asciiKeys: ASCII_KEYS,
  boundary: PHRASE_BOUNDARY,
  drop: DROP,
  sentenceEnd: SENTENCE_END,
  percent: PERCENT,
  rn: RN,
  percentCodes: PERCENT_CODES,
  htmlTag: HTML_TAG_RE,
  /** The key units of a non-ASCII character (`""`: none). */
  foldNonAscii: (ch: string): string => {
    if (!LETTER_RE.test(ch) && !DIGIT_RE.test(ch)) return ""
    let out = ""
    const folded = ch.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()
    for (let j = 0; j < folded.length; j++) {
      const c = folded.charCodeAt(j)
      const mapped = c < 128 ? (ASCII_KEYS[c] ?? DROP) : c
      if (mapped >= 0) out += String.fromCharCode(mapped)
      else if (mapped === RN) out += "rn"
    }
    return out
  }
} as const

let keyBuffer = new Uint16Array(1024)
let keyBytes = Buffer.from(keyBuffer.buffer)
let atBuffer = new Int32Array(1024)

/**
 * Writes the phrase key of a (normalized) text into `keyBuffer` (and, with `positions`, the
 * offset each key code unit came from into `atBuffer`); returns the key's length.
 */
const fillKey = (text: string, positions: boolean): number => {
  const capacity = text.length * 7 + 8
  if (keyBuffer.length < capacity) {
    keyBuffer = new Uint16Array(capacity)
    keyBytes = Buffer.from(keyBuffer.buffer)
    atBuffer = new Int32Array(capacity)
  }
  const buf = keyBuffer
  const at = atBuffer
  let k = 0
  let lastBoundary = true
  const n = text.length
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i)
    if (code < 128) {
      const mapped = ASCII_KEYS[code] ?? DROP
      if (mapped >= 0) {
        if (positions) at[k] = i
        buf[k++] = mapped
        lastBoundary = false
      } else if (mapped === DROP) {
        if (code === 60 /* < */) {
          // An HTML tag (`<em>`, `</b>`, `<span class="x">`) is markup, not words.
          HTML_TAG_RE.lastIndex = i
          const tag = HTML_TAG_RE.exec(text)
          if (tag !== null) i += tag[0].length - 1
        }
      } else if (mapped === RN) {
        if (positions) {
          at[k] = i
          at[k + 1] = i
        }
        buf[k] = 114
        buf[k + 1] = 110
        k += 2
        lastBoundary = false
      } else if (mapped === PERCENT) {
        for (const c of PERCENT_CODES) {
          if (positions) at[k] = i
          buf[k++] = c
        }
        lastBoundary = false
      } else if (!lastBoundary) {
        // A sentence end.
        const next = text.charCodeAt(i + 1)
        if (Number.isNaN(next) || next === 32 || next === 10 || next === 13) {
          if (positions) at[k] = i
          buf[k++] = PHRASE_BOUNDARY
          lastBoundary = true
        }
      }
      continue
    }
    if (code >= 0xd800 && code <= 0xdfff) continue
    const ch = text[i]!
    if (!LETTER_RE.test(ch) && !DIGIT_RE.test(ch)) continue
    const folded = ch.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()
    for (let j = 0; j < folded.length; j++) {
      const c = folded.charCodeAt(j)
      const mapped = c < 128 ? (ASCII_KEYS[c] ?? DROP) : c
      if (mapped >= 0) {
        if (positions) at[k] = i
        buf[k++] = mapped
      } else if (mapped === RN) {
        if (positions) {
          at[k] = i
          at[k + 1] = i
        }
        buf[k] = 114
        buf[k + 1] = 110
        k += 2
      }
    }
    lastBoundary = false
  }
  return k
}

/**
 * The phrase key of a (normalized) text, see the module comment. With `positions`, `at[k]` is
 * the offset in `text` that key code unit `k` came from.
 */
export const phraseKey = (text: string, positions = false): PhraseKey => {
  const k = fillKey(text, positions)
  const key = keyBytes.toString("utf16le", 0, 2 * k)
  return { key, at: positions ? atBuffer.slice(0, k) : undefined }
}

/**
 * Finds keys in a text's phrase key without building it as a string: a deterministic
 * Aho-Corasick automaton over the key's code units. `scan` returns the or of the tags of the
 * keys found (`0`: none). Keys with code units beyond ASCII (configured phrases in other
 * scripts) are matched on the key string instead.
 */
export interface PhraseAutomaton {
  readonly scan: (text: string) => number
  /** The transition table (`COLUMNS` per state; code units beyond ASCII use the last column) and each state's tags. */
  readonly table: Int32Array
  readonly outputs: Int32Array
  /** Keys beyond ASCII, with their tags, matched on the key string. */
  readonly otherKeys: ReadonlyArray<readonly [string, number]>
}

/** Columns of `PhraseAutomaton.table`. */
export const PHRASE_COLUMNS = 128

const COLUMNS = PHRASE_COLUMNS

export const phraseAutomaton = (keys: ReadonlyArray<{ readonly key: string; readonly tag: number }>): PhraseAutomaton => {
  const ascii = keys.filter((k) => k.key.length > 0 && /^[\x00-\x7e]*$/.test(k.key))
  const other = keys.filter((k) => k.key.length > 0 && !/^[\x00-\x7e]*$/.test(k.key))
  // The trie, then the failure links (breadth first), as a full transition table.
  const next: Array<Int32Array> = [new Int32Array(COLUMNS).fill(-1)]
  const output: Array<number> = [0]
  for (const { key, tag } of ascii) {
    let state = 0
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i)
      let to = next[state]![c]!
      if (to === -1) {
        to = next.length
        next[state]![c] = to
        next.push(new Int32Array(COLUMNS).fill(-1))
        output.push(0)
      }
      state = to
    }
    output[state]! |= tag
  }
  const fail = new Int32Array(next.length)
  const queue: Array<number> = []
  for (let c = 0; c < COLUMNS; c++) {
    const to = next[0]![c]!
    if (to === -1) next[0]![c] = 0
    else queue.push(to)
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!
    for (let c = 0; c < COLUMNS; c++) {
      const to = next[state]![c]!
      const fallback = next[fail[state]!]![c]!
      if (to === -1) next[state]![c] = fallback
      else {
        fail[to] = fallback
        output[to]! |= output[fallback]!
        queue.push(to)
      }
    }
  }
  const table = new Int32Array(next.length * COLUMNS)
  next.forEach((row, state) => table.set(row, state * COLUMNS))
  const outputs = Int32Array.from(output)
  const otherKeys = other.map(({ key, tag }) => [key, tag] as const)
  return {
    table,
    outputs,
    otherKeys,
    scan: (text) => {
      const k = fillKey(text, false)
      const buf = keyBuffer
      let state = 0
      let found = 0
      for (let i = 0; i < k; i++) {
        const c = buf[i]!
        state = table[state * COLUMNS + (c < COLUMNS ? c : COLUMNS - 1)]!
        found |= outputs[state]!
      }
      if (otherKeys.length > 0) {
        const key = keyBytes.toString("utf16le", 0, 2 * k)
        for (const [needle, tag] of otherKeys) if (key.includes(needle)) found |= tag
      }
      return found
    }
  }
}
