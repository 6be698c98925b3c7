/**
 * Text as given to a model: the lighter form of the normalization (`Normalize.ts`), NFKC and
 * the removal of invisible and format characters only. No folding, so a customer's Cyrillic or
 * Greek is kept as written.
 */
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
