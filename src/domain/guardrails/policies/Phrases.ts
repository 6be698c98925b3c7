/**
 * Phrase policies: forbidden phrases and commitment phrases, matched on phrase keys
 * (`normalization/PhraseKeys.ts`), so case, accents, spacing, hyphens, punctuation, markup,
 * `%`/`percent`, English contractions and the ASCII confusables do not matter. Works on the
 * normalized text (`normalization/Normalize.ts`) and returns spans on it.
 */
import { phraseKey } from "../normalization/PhraseKeys.ts"

/** Phrases with their keys, for `findPhrases`. */
export interface PhraseSet {
  readonly phrases: ReadonlyArray<string>
  /** Per phrase, the keys of its written forms (`I am not a lawyer`, `I'm not a lawyer`). */
  readonly keys: ReadonlyArray<ReadonlyArray<string>>
  /** Any of the keys (one scan of a text's key instead of one per phrase). */
  readonly any: RegExp | undefined
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** English contractions, both ways: a phrase written one way also matches the other. */
const CONTRACTIONS: ReadonlyArray<readonly [string, string]> = [
  ["i am", "i'm"], ["you are", "you're"], ["we are", "we're"], ["they are", "they're"], ["it is", "it's"],
  ["that is", "that's"], ["is not", "isn't"], ["are not", "aren't"], ["was not", "wasn't"],
  ["do not", "don't"], ["does not", "doesn't"], ["did not", "didn't"], ["cannot", "can't"], ["can not", "can't"],
  ["will not", "won't"], ["would not", "wouldn't"], ["we will", "we'll"], ["i will", "i'll"], ["you will", "you'll"],
  ["we have", "we've"], ["i have", "i've"], ["let us", "let's"]
]

/** The written forms of a phrase: as given, and with each contraction expanded or contracted. */
const phraseForms = (phrase: string): ReadonlyArray<string> => {
  const forms = new Set([phrase.normalize("NFKC").replace(/[\u2018\u2019\u02bc]/g, "'")])
  for (const [long, short] of CONTRACTIONS) {
    for (const form of [...forms]) {
      for (const [from, to] of [[long, short], [short, long]] as const) {
        const re = new RegExp(String.raw`(?<![\p{L}'])${escapeRegExp(from)}(?![\p{L}'])`, "giu")
        if (re.test(form)) forms.add(form.replace(re, to))
      }
    }
  }
  return [...forms]
}

export const phraseSet = (phrases: ReadonlyArray<string>): PhraseSet => {
  const keys = phrases.map((phrase) => [
    ...new Set(phraseForms(phrase).map((form) => phraseKey(form).key.replaceAll("#", "")).filter((k) => k.length > 0))
  ])
  const all = keys.flat()
  return { phrases, keys, any: all.length === 0 ? undefined : new RegExp(all.map(escapeRegExp).join("|")) }
}

/**
 * Where the phrases occur in a normalized text: substring match on phrase keys (case, accents,
 * spacing, hyphens, punctuation, `%`/`percent` and the ASCII confusables do not matter; a
 * sentence end does). `key` is `phraseKey(text).key` when the caller has it. Returns, per phrase found, its index and the normalized span of its first
 * occurrence.
 */
export const findPhrases = (
  text: string,
  set: PhraseSet,
  key: string = phraseKey(text).key
): ReadonlyArray<{ readonly index: number; readonly start: number; readonly end: number }> => {
  if (set.any === undefined || !set.any.test(key)) return []
  const found: Array<readonly [number, string]> = []
  set.keys.forEach((needles, index) => {
    const needle = needles.find((n) => key.includes(n))
    if (needle !== undefined) found.push([index, needle])
  })
  if (found.length === 0) return []
  const { key: keyed, at } = phraseKey(text, true)
  return found.map(([index, needle]) => {
    const k = keyed.indexOf(needle)
    const start = at?.[k] ?? 0
    const end = (at?.[k + needle.length - 1] ?? start) + 1
    return { index, start, end }
  })
}
