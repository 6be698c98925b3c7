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
 * The per code point steps (removals, separators, digits, confusable folding) are in
 * `CodePointFolding.ts`; the lighter form for text given to a model (`cleanForModel`) is in
 * `ModelText.ts`; the phrase keys phrase policies compare are in `PhraseKeys.ts`.
 */
import { decodeHTML } from "entities"
import { foldCodePoint } from "./CodePointFolding.ts"

const MARK_RE = /^\p{M}$/u

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
      const value = cp < 128 ? (cp === 9 ? " " : undefined) : foldCodePoint(cp)
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
