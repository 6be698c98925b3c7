/**
 * Phrase keys: what phrase policies compare. A key is the text in lower case, accents removed,
 * every separator, punctuation mark and HTML tag dropped (so `guaran-teed`,
 * `g u a r a n t e e d`, `<em>guaranteed</em>` and `guaranteed` agree), `%` read as `percent`,
 * the ASCII confusables of the skeleton applied (`0`→`o`, `1`/`i`/`|`→`l`, `m`→`rn`), and a
 * sentence end (`.`, `!`, `?`, `;` before a space or a line break) kept as a boundary that no
 * phrase crosses. Keys are taken of normalized text (`Normalize.ts`).
 *
 * `phraseAutomaton` finds many keys in a text's key in one pass, without building the key as a
 * string; `keyMapping` lets another scanner (`detectors/Triggers.ts`) compute keys on the fly.
 */
import { Buffer } from "node:buffer"

const LETTER_RE = /^\p{L}$/u
const DIGIT_RE = /^\p{Nd}$/u

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
 * for several purposes (`detectors/Triggers.ts`); `fillKey` below is the reference.
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
