/**
 * The building blocks of the commitment patterns (regular expression fragments, matched
 * case-insensitively on normalized text): alternation and word boundaries, words of other
 * scripts as the normalization leaves them, money amounts in any currency format (a symbol, an
 * ISO code or a currency word, before or after the number; thousands grouped by spaces, dots,
 * commas or apostrophes; a decimal comma or point), percentages, and the negations and hedges
 * that govern what follows them.
 */
import { normalizeText } from "../normalization/Normalize.ts"

/** An alternation of fragments, as a non-capturing group. */
export const alt = (...parts: ReadonlyArray<string>): string => `(?:${parts.join("|")})`
/** Not inside a word on the left / right. */
export const L = String.raw`(?<![\p{L}\p{N}])`
export const R = String.raw`(?![\p{L}\p{N}])`
export const word = (...parts: ReadonlyArray<string>): string => `${L}${alt(...parts)}${R}`
/** What may stand between two parts of one clause. */
export const GAP = String.raw`[^.!?;\n]`

const NUMBER = String.raw`(?:\d{1,3}(?:[ .,']\d{3})+|\d+)(?:[.,]\d{1,2})?(?:[.,]-{1,2})?`
/** The whole number, never a prefix of it (a lookahead after an amount must see what follows all of it). */
const WHOLE = String.raw`(?![\d]|[ .,']\d)`
/**
 * A word of a script with Latin lookalikes (Cyrillic) as the normalization leaves it: its
 * confusable letters folded to Latin (`возврат` → `вoзвpaт`), for patterns and trigger stems.
 */
const folded = (word: string): string => normalizeText(word).text.toLowerCase()
/** Trigger stems of a folded word: lower case and capitalized (`вoзвpaт`, `boзвpaт`). */
export const foldedStems = (word: string): ReadonlyArray<string> => [folded(word), folded(word.charAt(0).toUpperCase() + word.slice(1))]
/** `folded` as a pattern, lower case or capitalized (`Возврат` folds to `Boзвpaт`). */
export const foldedRe = (word: string): string =>
  `(?:${normalizeText(word).text}|${normalizeText(word.charAt(0).toUpperCase() + word.slice(1)).text})`

/** A word of another script as the normalization leaves it (NFKC: a Devanagari nukta stays apart), for patterns. */
export const nw = (...words: ReadonlyArray<string>): string => alt(...words.map((w) => normalizeText(w).text))
/** The same words as trigger stems. */
export const nwStems = (...words: ReadonlyArray<string>): ReadonlyArray<string> => words.map((w) => normalizeText(w).text.toLowerCase())

/**
 * ISO codes, case-insensitive. Codes that are words (`TRY`, `PHP`, `PEN`, `COP`, `RON`) are left
 * out: their amounts are read by symbol or word (`₺`, `TL`, `lira`, `₱`, `S/`, `lei` …). No inline
 * modifier group (`(?-i:…)`) here: with one, V8 13.6 (Node 24) failed `1.200 TL` and `1,200 TL`
 * while matching `1200 TL`, the case-insensitive words after the group no longer matching.
 */
const CURRENCY_CODES = String.raw`(?:usd|eur|gbp|chf|cad|aud|jpy|cny|rmb|inr|brl|mxn|pln|sek|nok|dkk|czk|huf|bgn|zar|nzd|sgd|hkd|aed|sar|ils|krw|rub|uah|ars|clp|thb|idr|myr|vnd|ngn|kes|egp)`
const CURRENCY_WORDS = String.raw`(?:dollars?|euros?|pounds?|quid|bucks|francs?|franken|yen|yuan|rupees?|reais|pesos?|z[lł]oty|z[lł]otych|z[lł]|kr|kronor|kroner|kronen|k[cč]|lei|forint|lira|lire|dirhams?|riyals?|shekels?|rubles?|roubles?|rubel|d[óo]lares|dollari|libras|sterline|sterling|tl|kn|euroa?|${foldedRe("рубл")}\p{L}*|${foldedRe("руб")}|${foldedRe("грн")}|${foldedRe("гривень")}|${foldedRe("гривні")}|lira|lirası|rs\.?|${nw("रुपये", "रुपए", "रुपया", "रु", "درهم", "دراهم", "ريال", "دينار", "جنيه", "ليرة", "دولار", "يورو", "שקל", "שקלים", "ש\"ח", "בש\"ח")})`
/** A money amount: a symbol or code before or after the number, or a currency word after it. */
export const AMOUNT = alt(
  String.raw`${L}(?:us|ca|au|nz|hk|s|r|c|a|nt|mx)?\p{Sc}\s?${NUMBER}${WHOLE}`,
  String.raw`${L}${CURRENCY_CODES}\s?${NUMBER}${WHOLE}`,
  String.raw`${L}(?:rp|rs|kr|kn|z[lł]|lei|tl|ft|kč)\.?\s?${NUMBER}${WHOLE}`,
  String.raw`(?<![\p{L}\p{N}.,])${NUMBER}\s?(?:\p{Sc}|${CURRENCY_CODES}${R}|${CURRENCY_WORDS}${R}|[円元원])`
)
/** An amount that is not the top of a range a policy allows ("up to $500", "bis zu 50 €"). */
export const GIVEN_AMOUNT = String.raw`(?<!(?:up\s+to|bis\s+zu|jusqu'[àa]|hasta|fino\s+a|at[ée]|tot|maximum|max\.?)\s{0,3})${AMOUNT}`

export const PERCENT = String.raw`${L}\d{1,3}(?:[.,]\d+)?\s?(?:%|percent|per\s?cent|prozent|pour\s?cent|por\s?ciento|per\s?cento|por\s?cento|procent)`

/** Negations and hedges that govern what follows them (at most three words before it). */
export const NEGATION_WORDS = alt(
  String.raw`not|never|no|cannot|can't|unable\s+to|without|whether|if|\p{L}+n't`,
  String.raw`nicht|nie|niemals|kein\p{L}*|ohne|ob`,
  String.raw`ne|n'|pas|jamais|aucun\p{L}*|sans|si`,
  String.raw`nunca|jam[áa]s|ning[úu]n\p{L}*|sin`,
  String.raw`non|mai|nessun\p{L}*|senza`,
  String.raw`n[ãa]o|nenhum\p{L}*|sem`,
  String.raw`niet|nooit|geen|zonder`,
  "nie|bez",
  // Turkish, Russian and Ukrainian, Romanian, Hungarian, Greek, Indonesian, Vietnamese, Hindi, Arabic, Hebrew
  String.raw`de[ğg]il|yok|${foldedRe("не")}|${foldedRe("ні")}|${foldedRe("без")}|nu|f[ăa]r[ăa]|nem|n[ée]lk[üu]l|${foldedRe("δεν")}|${foldedRe("χωρίς")}|tidak|bukan|tanpa|kh[ôo]ng|ch[ưu]a`,
  nw("नहीं", "नही", "बिना", "لا", "لم", "لن", "ليس", "غير", "بدون", "לא", "אין", "ללא")
)
/** Japanese negative endings after the commitment, in the same sentence. */
export const NOT_NEGATED_AFTER = String.raw`(?![^。.!?\n]{0,60}(?:できません|いたしかねます|しかねます|できない|ではありません|${nw("नहीं", "नही")}|(?<![\p{L}])de[ğg]il(?![\p{L}])|(?<![\p{L}])(?:leider\s+)?(?:nicht|niet)\s+(?:geben|übernehmen|zusagen|garantieren|versprechen|gew[äa]hren|anbieten|geven|garanderen|beloven|toezeggen)(?![\p{L}])|(?:onaylan|edil|yap[ıi]l|ver[iı]l|[öo]den)m(?:a|e)(?:d|y|z|m)))`
