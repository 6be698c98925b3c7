/**
 * PII detectors: payment cards, US SSNs and ITINs, emails, phone numbers, IBANs.
 *
 * They run on normalized text (`guardrailsNormalize.ts`: NFKC, invisible characters removed,
 * digits of every script as ASCII, dashes, spaces and dots unified, lookalike letters folded),
 * so `４８１５ ５８９７ …`, `4764\u200B4415…`, `6449–3874–…` and `maria＠mail.example.com`
 * reach them in their plain form. Every numeric kind is validated (Luhn and a card network
 * prefix; SSA or ITIN number rules; `libphonenumber-js` validity; IBAN registry length, BBAN
 * format and mod-97 through `ibantools`) and must stand alone, not be part of a longer code.
 * Cue and label rules are documented next to each detector and in
 * test/fixtures/guardrails/README.md.
 */
import * as ibantools from "ibantools"
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max"
import { normalizeText } from "../normalization/Normalize.ts"
import { startsOf, type TextProfile, triggerGroup } from "./Triggers.ts"
import { allPiiKinds, type PiiCandidate, type PiiKind } from "../verdict/Types.ts"

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

export interface PiiOptions {
  /** Region whose national phone formats are recognised without a cue (ISO 3166 alpha-2). */
  readonly defaultRegion: string
  /** Further regions whose national formats count after a phone cue. */
  readonly phoneRegions: ReadonlyArray<string>
}

/**
 * The default further regions: North America, Europe, Latin America, Asia-Pacific, the Middle
 * East and Africa's largest markets (53 regions; at most 60 may be configured). The order
 * decides which region's reading of an ambiguous national number is kept as its value.
 */
export const defaultPhoneRegions: ReadonlyArray<string> = [
  "US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "LU", "ES", "PT", "IT", "MX", "BR", "AR", "CO",
  "AU", "NZ", "IN", "JP", "SG", "ZA", "SE", "NO", "DK", "FI", "PL", "CZ", "HU", "RO", "GR", "TR", "RU", "UA",
  "IL", "AE", "SA", "EG", "NG", "KE", "CN", "HK", "TW", "KR", "PH", "ID", "MY", "TH", "VN", "CL", "PE"
]

export const defaultPiiOptions: PiiOptions = { defaultRegion: "US", phoneRegions: defaultPhoneRegions }

// ---------------------------------------------------------------------------
// Checksums and number rules
// ---------------------------------------------------------------------------

/** Luhn (mod 10) check over a string of ASCII digits. */
export const luhnValid = (digits: string): boolean => {
  if (!/^\d+$/.test(digits)) return false
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

const inRange = (value: number, low: number, high: number): boolean => value >= low && value <= high

/**
 * Card network by issuer prefix (IIN) and length. Only major networks are accepted: Visa,
 * Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir, RuPay (60, 65, 81, 82, 508,
 * 353, 356), Troy (9792), Elo (its ranges fall in Visa, Maestro and Discover), Uzcard and Humo
 * (8600, 9860). Other prefixes (1, 7, most of 8 and 9: gift cards, SIMs, tracking numbers) are
 * rejected.
 */
export const cardNetwork = (digits: string): string | undefined => {
  const n = digits.length
  const p = (k: number): number => Number(digits.slice(0, k))
  if (n < 12 || n > 19) return undefined
  if (digits.startsWith("4") && (n === 13 || n === 16 || n === 19)) return "visa"
  if ((inRange(p(2), 51, 55) || inRange(p(4), 2221, 2720)) && n === 16) return "mastercard"
  if ((p(2) === 34 || p(2) === 37) && n === 15) return "amex"
  if ((p(4) === 6011 || inRange(p(3), 644, 649) || p(2) === 65 || inRange(p(6), 622126, 622925)) && n >= 16) {
    return "discover"
  }
  if ((inRange(p(3), 300, 305) || p(4) === 3095 || p(2) === 36 || p(2) === 38 || p(2) === 39) && n >= 14) {
    return "diners"
  }
  if (inRange(p(4), 3528, 3589) && n >= 16) return "jcb"
  if (inRange(p(4), 2200, 2204) && n >= 16) return "mir"
  if (p(2) === 62 && n >= 16) return "unionpay"
  if ((p(2) === 50 || inRange(p(2), 56, 69)) && n >= 12) return "maestro"
  if ((p(2) === 81 || p(2) === 82) && n === 16) return "rupay"
  if (p(4) === 9792 && n === 16) return "troy"
  if ((p(4) === 8600 || p(4) === 9860) && n === 16) return "uzcard-humo"
  return undefined
}

/** A plausible payment card number: 13–19 digits, known network prefix/length, Luhn-valid. */
export const isPaymentCardNumber = (digits: string): boolean =>
  /^\d{13,19}$/.test(digits) && !/^(\d)\1+$/.test(digits) && cardNetwork(digits) !== undefined && luhnValid(digits)

const SSN_SHAPE_RE = /^(\d{3})[- ./]?(\d{2})[- ./]?(\d{4})$/

/**
 * SSA rules for a US Social Security number: area 001–899 except 666 (900–999 are
 * ITINs / never issued), group 01–99, serial 0001–9999. Accepts `ddd-dd-dddd`,
 * `ddd dd dddd` or 9 digits.
 */
export const isValidSsn = (ssn: string): boolean => {
  const m = SSN_SHAPE_RE.exec(ssn)
  if (m === null) return false
  const area = Number(m[1])
  const group = Number(m[2])
  const serial = Number(m[3])
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0
}

/** SSA's advertising range 987-65-4320 … 987-65-4329: printed in examples, never issued to anyone. */
const isAdvertisingNumber = (digits: string): boolean => /^98765432\d$/.test(digits)

/**
 * IRS rules for an ITIN: area 900–999, group 50–65, 70–88, 90–92 or 94–99, serial not 0000.
 * Same shapes as `isValidSsn`.
 */
export const isValidItin = (itin: string): boolean => {
  const m = SSN_SHAPE_RE.exec(itin)
  if (m === null) return false
  const area = Number(m[1])
  const group = Number(m[2])
  const serial = Number(m[3])
  const groupOk = inRange(group, 50, 65) || inRange(group, 70, 88) || inRange(group, 90, 92) || inRange(group, 94, 99)
  return area >= 900 && groupOk && serial !== 0 && !isAdvertisingNumber(`${m[1]}${m[2]}${m[3]}`)
}

/** IBAN length per country (SWIFT IBAN registry). */
export const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30
}

/** ISO 7064 mod 97-10 over an IBAN (country + check digits + BBAN), spaces ignored, case-insensitive. */
export const ibanMod97 = (iban: string): number => {
  const s = iban.replace(/ /g, "").toUpperCase()
  const rearranged = s.slice(4) + s.slice(0, 4)
  let r = 0
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0)
    if (code >= 48 && code <= 57) {
      r = (r * 10 + (code - 48)) % 97
    } else if (code >= 65 && code <= 90) {
      r = (r * 100 + (code - 55)) % 97
    } else {
      return -1
    }
  }
  return r
}

/**
 * Valid IBAN: known country, exact registry length, alphanumeric, mod-97 == 1, and the
 * country's BBAN format (`ibantools`). A wrong national check digit is still an IBAN someone
 * typed (and not every national scheme is public), so that one `ibantools` error is allowed.
 */
export const isValidIban = (iban: string): boolean => {
  const s = iban.replace(/ /g, "").toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false
  if (ibanLengths[s.slice(0, 2)] !== s.length || ibanMod97(s) !== 1) return false
  const { errorCodes } = ibantools.validateIBAN(s)
  return errorCodes.every((code) => code === ibantools.ValidationErrorsIBAN.WrongAccountBankBranchChecksum)
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

type Candidate = PiiCandidate

const WORD_CHAR = /[\p{L}\p{N}_]/u
const isWordChar = (ch: string | undefined): boolean =>
  ch !== undefined && (ch.charCodeAt(0) < 128 ? /[A-Za-z0-9_]/.test(ch) : WORD_CHAR.test(ch))
const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= "0" && ch <= "9"
const CURRENCY = "$€£¥₹"

/**
 * The span must not be part of a longer letter/digit run: the neighbouring
 * character must not be a word character, and a "joiner" (e.g. `-`, `.`, `/`)
 * directly followed/preceded by a word character also glues it into a longer
 * code (`REF-555-0143-XK`, `v2.10.3`, `ORD-2024-558812`).
 */
const isolatedLeft = (text: string, start: number, joiners: string): boolean => {
  const prev = text[start - 1]
  if (prev === undefined) return true
  if (isWordChar(prev) || CURRENCY.includes(prev)) return false
  return !(joiners.includes(prev) && isWordChar(text[start - 2]))
}

const isolatedRight = (text: string, end: number, joiners: string): boolean => {
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
const isUnspacedScript = (ch: string | undefined): boolean =>
  ch !== undefined && ch.charCodeAt(0) >= 0x0e00 && UNSPACED_SCRIPT_RE.test(ch)

/** `isolatedLeft`, or glued to a letter of a script without spaces. */
const apartLeft = (text: string, start: number, joiners: string): boolean =>
  isolatedLeft(text, start, joiners) || isUnspacedScript(text[start - 1])

/**
 * `isolatedRight`, or glued to a letter of a script without spaces, or (`latin`, for validated
 * numbers only) to a Latin word (`…8110thx`).
 */
const apartRight = (text: string, end: number, joiners: string, latin: boolean): boolean =>
  isolatedRight(text, end, joiners) || isUnspacedScript(text[end]) ||
  (latin && /^[A-Za-z]{2,}(?![\p{N}_])/u.test(text.slice(end, end + 24)))

const isolated = (text: string, start: number, end: number, joiners: string): boolean =>
  isolatedLeft(text, start, joiners) && isolatedRight(text, end, joiners)

/**
 * Negative cue: an identifier label right before a number ("order #", "tracking number:",
 * "invoice", "member ID", "Bestellnummer", "pedido n.º" …) means the number is an identifier,
 * not PII; so are the numbers listed or ranged after it ("orders 99120341, 99120342 and …",
 * "IDs 512-555-0143 through 512-555-0199"). Not applied where a positive cue (SSN / phone cue)
 * is required and present.
 */
const ID_LABEL_RE = new RegExp(
  String.raw`(?:^|[^\p{L}\p{N}])(?:(?:order|tracking|track|invoice|ticket|reference|confirmation|shipment|parcel|package|waybill|consignment|transaction|serial|product|claim|booking|batch|build|version|release|model|iccid|barcode|member|membership|loyalty|rewards?|gift\s*card|voucher|coupon|promo|purchase\s+order|employee|staff|student|policy|contract|quote|licen[cs]e|device|asset|meeting|webinar|conference|webex|teams|teamviewer|anydesk|gotomeeting|passcode|customer|client|kunden|bestell|rechnungs|sendungs|auftrags|artikel|pedido|factura|albar[aá]n|commande|facture|colis|r[ée]f[ée]rence|referencia|riferimento|ordine|fattura|bestelling|factuur|zendingnummer|rechnung|vorgang|aktenzeichen|konto|steuer|siret|siren|mandat[e]?|referanse|referens|betalningsreferens|viite\p{L}*|variabiln[íi]\s+symbol|fedex|hermes|yodel|postnl|colissimo|chronopost|correos|inpost|bpost|posti|postnord|bring|sendle|aramex|label|etikett\p{L}*|étiquette)[\p{L}]*|(?:case|ref|awb|txn|rma|sku|part|item|lot|ean|upc|isbn|gtin|imei|meid|sim|po|room|zoom|vat|ust|mwst|tva|btw|iva|nif|kid|ocr|vs|brt|gls|dpd|dhl|ups|usps|tnt|sda|evri|seur|mrw|ppl)s?(?![\p{L}]))\.?-?\s*(?:nos?\.?|n[º°o]\.?\s*|nr\.?|num(?:ber|ero|éro|mer)?s?\.?|ids?|codes?|#)?\s*[:#]?(?:\s+(?:is|are|was|were|es|est|ist|says|reads|shows))?\s*(?:#?\d[\d ./-]{0,24}\d\s*(?:,|and|or|through|thru|to|&|und|et|y)\s*#?){0,5}$`,
  "iu"
)

/** Identifier labels of scripts without spaces between words, glued to what is before them (`会议号：`, `注文番号`). */
const UNSPACED_ID_LABEL_RE =
  /(?:订单|訂單|注文|주문|单号|單號|会议|會議|会議|회의|发票|發票|請求書|快递|快遞|运单|運單|追跡|송장|工单|工單|票号|参加者)[\p{L}]{0,3}[\s:：#＃]*(?:ID|Id|id)?[\s:：#＃]*(?:[A-Z]{1,4}[\s-]?)?$/u
/**
 * Postcode labels (`ZIP`, `PLZ`, `CEP`, `postcode`, `code postal` …): they veto only numbers of a
 * postcode's length, at most 9 digits (a ZIP+4), so a Turkish `cep` (mobile) number of 10 or more
 * digits is still a phone.
 */
const POSTCODE_LABEL_RE =
  /(?:^|[^\p{L}\p{N}])(?:cep|plz|zip|zipcode|zip\s*code|postcode|post\s*code|postal\s*code|code\s+postal|c[oó]digo\s+postal|postleitzahl|cap|postnummer|postinumero|kod\s+pocztowy|psč)\.?\s*[:#]?\s*$/iu

const hasIdLabel = (text: string, start: number, digits = 0): boolean => {
  const before = text.slice(Math.max(0, start - 120), start)
  return ID_LABEL_RE.test(before) || UNSPACED_ID_LABEL_RE.test(before) || (digits <= 9 && POSTCODE_LABEL_RE.test(before))
}

const digitsOf = (s: string): string => s.replace(/\D/g, "")

/** A phone extension glued to the number ("202-555-0143x204", "ext.12") extends the span. */
const EXTENSION_RE = /^ ?(?:x|ext\.?|extension) ?\d{1,6}(?![\p{L}\p{N}_])/iu

const withExtension = (text: string, end: number): number => {
  const m = EXTENSION_RE.exec(text.slice(end, end + 20))
  return m === null ? end : end + m[0].length
}

// ---------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------

/*
 * Plain addresses: RFC 5322-ish dot-atom local part (letters incl. Unicode, digits and
 * !#$%&'*+/=?^_`{|}~-, dots between atoms), '@' (or ' @ ' with a space on both sides), one or
 * more domain labels (letters/digits, inner hyphens, ≤63 chars) and a TLD of ≥2 letters.
 * Quoted local parts and IP-literal domains are not supported. `%40` (URL-encoded '@') counts
 * as '@'. Not an address: the user part of a URL (`https://example.com@evil.test/`, a link
 * trick the link policy blocks) and a file name (`logo@2x.png`: the "TLD" is a file extension).
 */
const EMAIL_RE =
  /(?<![\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-])[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*(?:@| @ |%40)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}-]|\.[\p{L}\p{N}])/gu

/** A URL's scheme and the start of its authority right before an address: URL userinfo. */
const URL_AUTHORITY_BEFORE_RE = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]*$/i

/**
 * File extensions that are not top-level domains: `logo@2x.png`, `icon@3x.webp` are file
 * names (the extensions that are TLDs too, `.zip`, `.mov`, `.pl` …, are not listed).
 */
const FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic", "avif", "pdf", "doc", "docx",
  "xls", "xlsx", "ppt", "pptx", "odt", "ods", "txt", "csv", "tsv", "json", "xml", "yaml", "yml", "toml", "ini", "cfg",
  "conf", "log", "js", "mjs", "cjs", "jsx", "ts", "tsx", "css", "scss", "html", "htm", "php", "exe", "dll", "dylib",
  "tar", "gz", "tgz", "bz2", "rar", "mp3", "mp4", "wav", "ogg", "webm", "mkv", "avi", "lock", "bak", "tmp"
])

/** A local part made of placeholder words (`firstname.lastname`, `your_name`): the shape of an address, not one. */
const TEMPLATE_LOCAL_RE =
  /^(?:(?:first|last|given|family|sur|user|your|full|vor|nach|pre)?(?:name|names)|first|last|initials?|user|username|you|yourname|vorname|nachname|pr[ée]nom|nom|nombre|apellido|cognome|sobrenome)(?:[._-](?:(?:first|last|given|family|sur|user|your)?name|first|last|initials?|vorname|nachname|pr[ée]nom|nom|nombre|apellido|cognome|sobrenome))*$/i

/** The placeholders of a plain address: `firstname.lastname`, `your.name`, `user`, `you` (a name part is needed). */
const PLAIN_TEMPLATE_LOCAL_RE =
  /^(?:(?:(?:first|last|given|family|sur|full|your|user)?name)(?:[._-](?:(?:first|last|given|family|sur)?name|initials?))*|user|username|you|yourname|your[._-]name)$/i

const detectPlainEmails = (text: string, out: Array<Candidate>): void => {
  for (const m of text.matchAll(EMAIL_RE)) {
    let start = m.index
    const end = start + m[0].length
    // Quotes/backticks/braces opening the local part are punctuation around the address.
    while (start < end && "'`{|".includes(text[start] ?? "")) start++
    let raw = text.slice(start, end)
    // In a URL query (`?email=jane%40example.com`) the local part starts after the `=`.
    const encoded = raw.indexOf("%40")
    if (encoded >= 0) {
      const eq = raw.lastIndexOf("=", encoded)
      if (eq >= 0) {
        start += eq + 1
        raw = raw.slice(eq + 1)
      }
    }
    if (raw.startsWith("@") || raw.startsWith("%40") || raw.startsWith(" @")) continue
    // The user part of a URL (`https://example.com@evil.test/`) is the link's business.
    if (raw.startsWith("//") || URL_AUTHORITY_BEFORE_RE.test(text.slice(Math.max(0, start - 300), start))) continue
    if (FILE_EXTENSIONS.has(raw.slice(raw.lastIndexOf(".") + 1).toLowerCase())) continue
    // An SCP-style repository address (`git@github.com:org/app.git`), a placeholder
    // (`firstname.lastname@…`, `user@domain.tld`): the shape of an address, not one.
    if (text[end] === ":" && /[\w./~-]/.test(text[end + 1] ?? "")) continue
    const at = raw.search(/ @ |%40|@/)
    const local = raw.slice(0, at)
    if (PLAIN_TEMPLATE_LOCAL_RE.test(local) || /\.(?:tld|invalid|localhost)$/i.test(raw)) continue
    out.push({ kind: "email", start, end, value: raw.replace(/ @ |%40/, "@").toLowerCase() })
  }
}

/*
 * Obfuscated addresses: `jane (at) example (dot) com`, `bob [at] example [dot] net`,
 * `kwame{at}example.com`, `li.na(@)example.cn`, `name AT host DOT com`, `rick dot thornton at
 * example dot com`, `r.ahmed@example[dot]com`, and the bracketed words of other languages
 * (`(arobase)`, `(arroba)`, `(chiocciola)`, `(Klammeraffe)`, `(punkt)`, `(point)`, `(punto)` …).
 * A bracketed at (`(at)`, `[at]`, `{at}`, `<at>`, `(@)`, `(arobase)` …) always counts; a
 * bare ` at ` counts only when the address is unmistakable: upper-case `AT`, or a local part
 * with a `.`, `_`, `+` or digit (not a version such as `4.1`), or written with ` dot `, or an
 * email cue (email, e-mail, mail, address, contact, write, reply) shortly before. The domain
 * needs at least two labels joined by `.`, ` dot `, `[dot]` or `(dot)` and a TLD of 2–24
 * letters.
 */
/** The words an obfuscated address may use for its `@`, as trigger words (`guardrailsTriggers.ts`). */
const AT_WORDS = triggerGroup([
  "at", "arobase", "arobas", "arroba", "chiocciola", "klammeraffe", "affe", "apenstaartje", "snabel", "małpa", "malpa", "kukac",
  "zavináč", "zavinac"
])

/** "at" and "dot" in the languages people obfuscate addresses in (bracketed: `(arobase)`, `[punkt]`). */
const AT_WORD_RE_SOURCE = "at|@|arobase|arobas|arroba|chiocciola|klammeraffe|affe|apenstaartje|snabel-?a|ma[lł]pa|kukac|zavin[aá][cč]"
const DOT_WORDS = String.raw`dot|\.|punkt|point|punto|ponto|punt|kropka|pont|te[cč]ka|nokta|piste`
const BRACKETED_AT = String.raw`\s*[([{<]\s*(?:${AT_WORD_RE_SOURCE})\s*[)\]}>]\s*`
/**
 * An opening bracket and an "at" word glued to the local part with no closing bracket
 * (`priya.n{atexample{dot}in}`): an `@` only when the domain after it has a bracketed dot.
 */
const OPEN_AT = String.raw`(?<=[\p{L}\p{N}])[([{<]\s*(?:${AT_WORD_RE_SOURCE})(?![)\]}>]|\s*[)\]}>])`
const AT_ANCHOR_RE = new RegExp(String.raw`${BRACKETED_AT}|\s+at\s+|${OPEN_AT}`, "giu")
/** With a plain `@` as well, for an address whose dots only are obfuscated (`r.ahmed@example[dot]com`). */
const AT_OR_PLAIN_ANCHOR_RE = new RegExp(String.raw`${BRACKETED_AT}|\s+at\s+|${OPEN_AT}|@`, "giu")
const BRACKETED_DOT = String.raw`\s*[([{<]\s*(?:${DOT_WORDS})\s*[)\]}>]\s*`
const DOT_SEP = String.raw`(?:${BRACKETED_DOT}|\s+dot\s+|\.)`
const BRACKETED_DOT_RE = new RegExp(BRACKETED_DOT.replace(/^\\s\*/, ""), "iu")
/** Whether a text may hold an obfuscated address (a cheap test before `detectObfuscatedEmails`). */
const OBFUSCATED_HINT_RE = new RegExp(String.raw`\bat\b|[([{<]\s*(?:${AT_WORD_RE_SOURCE})\s*[)\]}>]|${OPEN_AT}`, "iu")
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`
const DOMAIN_AT_RE = new RegExp(String.raw`${LABEL}(?:${DOT_SEP}${LABEL})+(?![\p{L}\p{N}-]|\.[\p{L}\p{N}])`, "iuy")
const LOCAL_BEFORE_RE = /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}][\p{L}\p{N}._%+'-]*(?:\s+dot\s+[\p{L}\p{N}][\p{L}\p{N}._%+'-]*)*$/iu
const EMAIL_CUE_RE = /(?:e-?mail|gmail|mail|address|contact|write|reply|send)[^\n]{0,40}$/i
const VERSION_RE = /^v?\d+(?:\.\d+)*$/i
/** Words that stand before " at <site>" in prose ("contact us at help.example.com"), never a local part on their own. */
const PROSE_WORDS = new Set([
  "me", "us", "you", "him", "her", "them", "it", "we", "i", "they", "our", "your", "home", "work", "office", "least",
  "all", "once", "first", "last", "that", "this", "look", "available", "online", "here", "there", "anytime", "page",
  "site", "website", "link", "portal", "account", "support", "help", "directly", "mail", "email", "e-mail", "is", "are"
])

/** A determiner before a bare local part makes it a noun of prose ("the charger at shop dot com"). */
const DETERMINER_BEFORE_RE = /(?<![\p{L}\p{N}])(?:the|a|an|my|your|our|their|his|her|this|that|some)\s+$/iu

const DOT_SEP_RE = new RegExp(String.raw`${BRACKETED_DOT}|\s+dot\s+`, "giu")
const canonicalDomain = (domain: string): string => domain.replace(DOT_SEP_RE, ".").toLowerCase()

const detectObfuscatedEmails = (text: string, out: Array<Candidate>, plainAt: boolean): void => {
  for (const anchor of text.matchAll(plainAt ? AT_OR_PLAIN_ANCHOR_RE : AT_ANCHOR_RE)) {
    const plain = anchor[0] === "@"
    const bare = !plain && !/[([{<]/.test(anchor[0])
    const open = !plain && /[([{<]/.test(anchor[0]) && !/[)\]}>]/.test(anchor[0])
    const domainStart = anchor.index + anchor[0].length
    DOMAIN_AT_RE.lastIndex = domainStart
    const domain = DOMAIN_AT_RE.exec(text)
    if (domain === null) continue
    // A plain `@` is the plain detector's, unless the domain's dots are obfuscated.
    if (plain && !BRACKETED_DOT_RE.test(domain[0]) && !/\sdot\s/i.test(domain[0])) continue
    if (open && !BRACKETED_DOT_RE.test(domain[0])) continue
    const canonical = canonicalDomain(domain[0])
    const labels = canonical.split(".")
    const tld = labels[labels.length - 1] ?? ""
    if (!/^\p{L}{2,24}$/u.test(tld) || labels.some((l) => l.length === 0 || l.length > 63)) continue
    const left = text.slice(Math.max(0, anchor.index - 80), anchor.index)
    const local = LOCAL_BEFORE_RE.exec(left)
    if (local === null) continue
    const localText = local[0]
    const localCanonical = localText.replace(/\s+dot\s+/gi, ".")
    if (!/\p{L}/u.test(localCanonical) || VERSION_RE.test(localCanonical) || TEMPLATE_LOCAL_RE.test(localCanonical)) continue
    const start = anchor.index - localText.length
    if (bare) {
      // Prose: "<site> dot com's booth" (a possessive), "bought it at <site> dot com" (a pronoun or
      // a word of prose as the local part).
      if (/^['’]s(?![\p{L}\p{N}])/u.test(text.slice(domainStart + domain[0].length, domainStart + domain[0].length + 3))) continue
      const plainWord = !/[._+\d]/.test(localText) && !/\sdot\s/i.test(localText)
      const prose = plainWord &&
        (PROSE_WORDS.has(localCanonical.toLowerCase()) || DETERMINER_BEFORE_RE.test(text.slice(Math.max(0, start - 12), start)))
      const strong = /\bAT\b/.test(anchor[0]) ||
        !plainWord ||
        (/\sdot\s/i.test(domain[0]) && !prose) ||
        (!PROSE_WORDS.has(localCanonical.toLowerCase()) && EMAIL_CUE_RE.test(text.slice(Math.max(0, start - 45), start)))
      if (!strong) continue
    }
    out.push({ kind: "email", start, end: domainStart + domain[0].length, value: `${localCanonical.toLowerCase()}@${canonical}` })
  }
}

const detectEmails = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  const at = text.includes("@")
  if (at || text.includes("%40")) detectPlainEmails(text, out)
  const plainAt = at && (BRACKETED_DOT_RE.test(text) || /\sdot\s/i.test(text))
  if (plainAt || OBFUSCATED_HINT_RE.test(text)) detectObfuscatedEmails(text, out, plainAt)
  return out
}

// ---------------------------------------------------------------------------
// IBAN
// ---------------------------------------------------------------------------

/*
 * IBAN: country code (known, case-insensitive) + 2 check digits, then BBAN characters,
 * contiguous or grouped with single spaces, dashes or ` - `. Exactly the registry length for
 * that country is read, the next character must not continue the run, and `isValidIban` must
 * hold (mod-97, BBAN format). Inside a URL path (`/refund/DE05…/submit`) it counts too.
 */
const IBAN_START_RE =
  /(?<![\p{N}_])(?<!(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}])\p{L})[A-Za-z]{2}\d{2}/gu
const ALNUM_RE = /[A-Za-z0-9]/

const detectIbans = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(IBAN_START_RE)) {
    const country = m[0].slice(0, 2).toUpperCase()
    const length = ibanLengths[country]
    if (length === undefined) continue
    let collected = m[0].toUpperCase()
    let i = m.index + 4
    while (collected.length < length && i < text.length) {
      const ch = text[i]
      if (ch === " " || ch === "-" || ch === "." || ch === "/" || ch === "_" || ch === "\n" || ch === "\r") {
        // One separator: ` `, `-`, `.`, `/`, `_`, ` - `, or one line break with spaces around it (an IBAN split
        // over lines, or its BBAN on the next line).
        const brk = /^ *\r?\n */.exec(text.slice(i, i + 12))
        const spaced = /^ [-./_] /.test(text.slice(i, i + 3))
        const sep = brk !== null ? brk[0].length : spaced ? 3 : text.startsWith("  ", i) ? 2 : 1
        if (ALNUM_RE.test(text[i + sep] ?? "")) {
          i += sep
          continue
        }
        break
      }
      if (ch === undefined || !ALNUM_RE.test(ch)) break
      collected += ch.toUpperCase()
      i++
    }
    if (collected.length !== length || (isWordChar(text[i]) && !isUnspacedScript(text[i]))) continue
    if (!apartLeft(text, m.index, "-.") || !apartRight(text, i, "-.", false)) continue
    if (!isValidIban(collected)) continue
    out.push({ kind: "iban", start: m.index, end: i, value: collected })
  }
  return out
}

// ---------------------------------------------------------------------------
// Payment cards
// ---------------------------------------------------------------------------

/*
 * Payment card: a run of digit groups joined by separators — one or two spaces, a `-`, `.` or
 * `/` with optional spaces around it (`4404.3084.8852.4944`, `4433/2820/8125/9460`,
 * `5452 - 4281 - 6456 - 9076`), a comma (`5280, 1132, 8446, 5383` from speech to text) or a
 * line break. A card's digits (13–19) carry a major-network prefix and pass Luhn, and they are
 * grouped as cards are written:
 *
 * - the whole run, whatever its separators (`4968 4022-7941 5376`, a line break inside), when
 *   it is groups of four with a shorter last one, or one digit at a time (`4 8 3 8 0 4 …`, a
 *   phone transcript);
 * - otherwise the groups joined by one kind of separator (a segment): one group; fours with a
 *   shorter last one; 4-6-5, 4-6-4 (Amex, Diners), 4-4-5 (a 13-digit Visa); two groups. A comma
 *   or a line break joins only groups of four. A group shared with a following segment of
 *   another separator (`… 1111 12/26`, an expiry) is dropped from the end first. A segment
 *   longer than 19 digits is never regrouped into a card (a 22-digit tracking number), except
 *   that groups of 13+ digits each are tried alone (`4111111111111111 5555555555554444`).
 *
 * The number must stand alone (not glued to letters, `ORD-`, a currency sign) — a URL path
 * (`/checkout/4687…/`), query (`?card=…`, `%20` separators decoded by the normalization) or a
 * card word glued to it (`#card-4294-…`, `visa_4111…`) is fine — and not follow an identifier
 * label ("order #", "gift card", …).
 */
const CARD_SEPARATOR = String.raw`(?: {0,2}(?:[-/_]|\.{1,3}) {0,2}| ?, ?| {0,2}\n {0,2}| {1,2})`
const DIGIT_RUN_RE = new RegExp(String.raw`\d+(?:${CARD_SEPARATOR}\d+)*`, "g")
const SEPARATOR_RE = new RegExp(CARD_SEPARATOR, "g")

interface Group {
  readonly start: number
  readonly end: number
  /** The separator class before this group (`" "`, `-`, `.`, `/`, `,`, `\n`), `""` for the first one. */
  readonly sep: string
}

const groupsOf = (text: string, start: number, end: number): Array<Group> => {
  const run = text.slice(start, end)
  const groups: Array<Group> = []
  let at = 0
  let sep = ""
  SEPARATOR_RE.lastIndex = 0
  for (const m of run.matchAll(SEPARATOR_RE)) {
    groups.push({ start: start + at, end: start + m.index, sep })
    const punct = m[0].includes("\n") ? "\n" : m[0].trim()
    sep = punct === "" ? " " : punct
    at = m.index + m[0].length
  }
  groups.push({ start: start + at, end, sep })
  return groups
}

/** Groups of four with a shorter (1–4) last one. */
const foursWithLast = (lengths: ReadonlyArray<number>): boolean => {
  const last = lengths[lengths.length - 1] ?? 0
  return lengths.length >= 2 && lengths.slice(0, -1).every((l) => l === 4) && last >= 1 && last <= 4
}

/** One digit per group, at least 13 of them (a number read out digit by digit). */
const digitByDigit = (lengths: ReadonlyArray<number>): boolean => lengths.length >= 13 && lengths.every((l) => l === 1)

/** A card word shortly before a number (`card\n6011 …`, `Kartennummer: …`, `카드번호`), with no digit between. */
const CARD_CUE_BEFORE_RE =
  /(?:(?:카드|カード|卡号|卡號|银行卡|銀行卡|信用卡|بطاقة|כרטיס)[^\d]{0,30}$)|(?:^|[^\p{L}])(?:cards?|cc|pan|visa|master\s?card|mc|amex|discover|jcb|maestro|unionpay|karte\p{L}*|kreditkarte\p{L}*|kartennummer|tarjeta|carte|carta|cart[aã]o|kaart|creditcard|kort\p{L}*|kortti\p{L}*|karta|karty|kart[ıi]|card\s?number|card\s?no)(?![\p{L}])[^\d]{0,30}$/iu

/** How a card is written when its groups are joined by one separator `sep` (`cued`: after a card word). */
const cardGrouping = (lengths: ReadonlyArray<number>, sep: string | undefined, cued = false): boolean => {
  // A comma or a line break between two halves only right after a card word (`card\n60114109\n38681660`).
  if (sep === "," || sep === "\n") return foursWithLast(lengths) || (cued && lengths.length === 2)
  const n = lengths.length
  if (n <= 2) return true
  const key = lengths.join("-")
  // After a card word, any grouping of groups of two digits or more (`card 4073 057 469 358`).
  if (cued && lengths.every((l) => l >= 2)) return true
  return key === "4-6-5" || key === "4-6-4" || key === "4-4-5" || key === "4-3-3-3" || foursWithLast(lengths) || digitByDigit(lengths)
}

const CARD_JOINERS = "-."

/** A card word glued to the number (`card-4294…`, `visa_4111…`, `pan4111…`). */
const CARD_CUE_WORD_RE =
  /^(?:cards?|cc|pan|visa|mastercard|mc|amex|discover|jcb|maestro|unionpay|karte|kreditkarte|kartennummer|tarjeta|carte|carta|cart[aã]o|kaart|creditcard|cardnumber|cardno)$/i

/**
 * Whether the letters right before `start` (directly, or across one `-`, `_`, `#` or `:`) are
 * one word that `cue` accepts (`SSN362-70-0323`, `card-4294-…`).
 */
const gluedCue = (text: string, start: number, cue: RegExp): boolean => {
  let i = start
  if ("-_#:".includes(text[i - 1] ?? " ")) i--
  let j = i
  while (j > 0 && /\p{L}/u.test(text[j - 1] ?? "")) j--
  if (i - j < 2 || isWordChar(text[j - 1])) return false
  return cue.test(text.slice(j, i))
}

const detectCards = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  const consider = (groups: ReadonlyArray<Group>, mixed: boolean): boolean => {
    const first = groups[0]
    const last = groups[groups.length - 1]
    if (first === undefined || last === undefined) return false
    let digits = ""
    for (const g of groups) digits += text.slice(g.start, g.end)
    if (digits.length < 13 || digits.length > 19) return false
    const lengths = groups.map((g) => g.end - g.start)
    const sep = groups[1]?.sep
    const cued = CARD_CUE_BEFORE_RE.test(text.slice(Math.max(0, first.start - 50), first.start))
    if (mixed ? !(foursWithLast(lengths) || digitByDigit(lengths)) : !cardGrouping(lengths, sep, cued)) return false
    if (!apartRight(text, last.end, CARD_JOINERS, true)) return false
    if (!apartLeft(text, first.start, CARD_JOINERS) && !gluedCue(text, first.start, CARD_CUE_WORD_RE)) return false
    // A national network's 16-digit number (BC Card `94…` in Korea) only right after a card word.
    const national = cued && digits.length === 16 && digits.startsWith("9") && luhnValid(digits)
    if ((!isPaymentCardNumber(digits) && !national) || hasIdLabel(text, first.start)) return false
    out.push({ kind: "payment_card", start: first.start, end: last.end, value: digits })
    return true
  }
  for (const m of text.matchAll(DIGIT_RUN_RE)) {
    if (m[0].length < 13) continue
    const groups = groupsOf(text, m.index, m.index + m[0].length)
    // The whole run, whatever its separators, when grouped in fours or digit by digit.
    if (groups.length > 2 && consider(groups, true)) continue
    // Segments: maximal sequences of groups joined by one separator class; two neighbouring
    // segments share the group between them.
    let s = 0
    for (;;) {
      let e = s + 1
      const sep = groups[s + 1]?.sep
      while (e < groups.length && groups[e]?.sep === sep) e++
      const segment = groups.slice(s, e)
      const found = consider(segment, false) ||
        (e < groups.length && segment.length > 1 && consider(segment.slice(0, -1), false)) ||
        (s > 0 && segment.length > 1 && consider(segment.slice(1), false))
      if (!found && segment.length > 1) {
        for (const g of segment) if (g.end - g.start >= 13) consider([g], false)
      }
      if (e >= groups.length) break
      s = e - 1
    }
  }
  return out
}

// ---------------------------------------------------------------------------
// SSN and ITIN
// ---------------------------------------------------------------------------

/*
 * SSN / ITIN cue: "SSN", "S.S.N.", "SS#", "social", "social security", "soc sec", "ITIN",
 * "TIN", "taxpayer id…", "tax id" at most 30 characters before the number with no digit in
 * between (or with only a last-four mention between: "last 4 of my social is 1234, the full one
 * is …"), or "(social)" / "(ssn)" right after it.
 */
const SSN_CUE_RE =
  /(?:\bssns?\b|\bs\.\s?s\.\s?n\b\.?|\bs\s+s\s+n\b|\bss\s?#|\bss\s+(?:no|nr|num|number)\b\.?|\bsocial\b|\bsoc\.?\s*sec\b|\bitins?\b|\btins?\b|\btaxpayer\b|\btax[\s-]*id\b|sozialversicherungsnummer)(?:[^\d]{0,30}|[^\d]{0,12}(?<!\d)\d{4}(?!\d)[^\d]{0,40})$/i
const SSN_CUE_AFTER_RE = /^\s*[([]?\s*(?:(?:the|my|his|her|their|your)\s+)?(?:ssn|social(?:\s+security)?|itin)\b/i

const hasSsnCue = (text: string, start: number, end: number): boolean =>
  SSN_CUE_RE.test(text.slice(Math.max(0, start - 80), start)) || SSN_CUE_AFTER_RE.test(text.slice(end, end + 25))

/*
 * SSN: three groups 3-2-4 with the same separator twice. With a dash (`123-45-6789`,
 * `078 - 05 - 1120`) or one space (`123 45 6789`) it is an SSN without a cue; with dots,
 * slashes, two spaces or no separator (`123456789`) only after an SSN/ITIN cue. SSA rules
 * (`isValidSsn`) or ITIN rules (`isValidItin`) must hold. Without a cue, the number is skipped
 * right after an identifier label ("order #123-45-6789", "employee ID …").
 */
const SSN_RE = /(?<!\d)\d{3}( ?-{1,2} ?| ?\. ?| ?\/ ?| ?_ ?| {1,2}|)\d{2}\1\d{4}(?!\d)/g
/** Nine digits with separators in other places or of other widths (`806-823525`, `316 98  6284`): an SSN only after a cue. */
const MISPLACED_SSN_RE = /(?<![\d-])\d{1,8}(?:(?: {1,2}|-| - )\d{1,8}){1,2}(?![\d-]| \d)/g

const isDigitAfterSpace = (text: string, end: number): boolean => text[end] === " " && isDigit(text[end + 1])
const isDigitBeforeSpace = (text: string, start: number): boolean => text[start - 1] === " " && isDigit(text[start - 2])

/** One digit at a time (`6 2 7 2 6 5 8 5 3`, a phone transcript): an SSN only after a cue. */
const SPELLED_SSN_RE = /(?<!\d {0,2})\d(?: {1,2}\d){8}(?! {0,2}\d)/g
/** An SSN cue glued to the number (`SSN362-70-0323`, `ITIN:912…`). */
const SSN_CUE_WORD_RE = /^(?:ssns?|itins?|tins?|ss)$/i

const detectSsns = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(SPELLED_SSN_RE)) {
    const digits = digitsOf(m[0])
    const end = m.index + m[0].length
    if ((isValidSsn(digits) || isValidItin(digits)) && isolated(text, m.index, end, "-./") && hasSsnCue(text, m.index, end)) {
      out.push({ kind: "ssn", start: m.index, end, value: digits })
    }
  }
  for (const m of text.matchAll(MISPLACED_SSN_RE)) {
    const digits = digitsOf(m[0])
    const end = m.index + m[0].length
    if (digits.length !== 9) continue
    if ((isValidSsn(digits) || isValidItin(digits)) && isolated(text, m.index, end, "-./") && hasSsnCue(text, m.index, end)) {
      out.push({ kind: "ssn", start: m.index, end, value: digits })
    }
  }
  for (const m of text.matchAll(SSN_RE)) {
    const start = m.index
    const end = start + m[0].length
    const sep = m[1] ?? ""
    const digits = digitsOf(m[0])
    if (!isValidSsn(digits) && !isValidItin(digits)) continue
    const left = apartLeft(text, start, "-./") || gluedCue(text, start, SSN_CUE_WORD_RE)
    if (!left || !apartRight(text, end, "-./", sep.trim() === "-") || (text[start - 1] === ":" && isDigit(text[start - 2])) || (text[end] === ":" && isDigit(text[end + 1]))) continue
    // A spaced `ddd dd dddd` must not continue a longer space-grouped digit run.
    if (sep.trim() === "" && (isDigitAfterSpace(text, end) || isDigitBeforeSpace(text, start))) continue
    const cue = hasSsnCue(text, start, end)
    const plain = sep.trim() === "-" || sep === " "
    if (!cue && !plain) continue
    if (!cue && (hasIdLabel(text, start) || text[start - 1] === "#")) continue
    out.push({ kind: "ssn", start, end, value: digits })
  }
  return out
}

// ---------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------

/*
 * Phone candidates: an optional `+`, `(+44)` or `00` prefix, then digits and `(area)` groups
 * joined by single spaces, `-`, `.`, `/`, ` - ` or a `(0)` trunk, 7–15 digits in all.
 *
 * - With `+` or `00`: a phone when `libphonenumber-js` finds it valid (any country), or after a
 *   phone cue with 8–15 digits. `00` followed by `0`, or after an identifier label without a
 *   strong cue, is not a prefix (`GTIN 00012345600012`, `case number is 00123456789`). So is a
 *   number in a phone link (`tel:+33…`, `sms:`, `wa.me/447911123456`, `?phone=…`).
 * - Otherwise (national formats), a phone when
 *   - it is valid for the default region and written as a phone number (with separators or
 *     parentheses) or after any cue;
 *   - it is valid for one of the further regions (`GUARDRAILS_PHONE_REGIONS`) and either comes
 *     after a strong cue, or has a national number's shape: 9 digits or more, written with separators
 *     or parentheses and starting with a trunk prefix (`0171 2345678`, `090-1234-5678`,
 *     `8 (912) 345-67-89`);
 *   - or after a strong cue with 7–15 digits as written.
 *   Never right after an identifier label, and never a date, time, IP address or version shape.
 *   NANP numbers with an N11 area code or exchange are not valid.
 *
 * Strong cues: call/phone/tel/mobile/cell/fax/WhatsApp/SMS/text/dial/ring/hotline/landline/reach
 * and their forms in German, French, Spanish, Italian, Dutch, Portuguese, the Nordic languages,
 * Finnish, Polish, Turkish, Russian, Hebrew, Arabic, Hindi, Chinese, Japanese and Korean (Handy,
 * Durchwahl, téléphone, portable, llámame, telemóvel, cellulare, bellen, GSM, tlf, puhelin,
 * телефон, נייד, هاتف, नंबर, 電話, 携帯, 手机, 연락처 …), a possessive number ("my number", "her
 * mobile number", "my son's number", "contact number") or line ("office line"). Weak cues:
 * `line`, `contact`, `number`/`Nummer`/`numéro`/`número`. The cue must come at most 60
 * characters before the number, with no digit in between.
 */
const PHONE_CANDIDATE_RE =
  /(?:\(\+\d{1,3}\) ?|\+ ?|(?<![\p{L}\p{N}])00 ?)?(?:\(\d{1,5}\)|\d)(?:(?: ?[-./] ?| |\(0\) ?| ?\(\d{1,5}\) ?)?\d)+/gu

const STRONG_PHONE_CUE = [
  String.raw`call(?:ed|ing|back|s)?|phone|ph|telephone|tel|tlf|t[ée]l|t[eé]l[eé]?f[oó]n\p{L}*|t[ée]l[ée]phone|telem[oó]vel|mobile?|mobil|mob|m[óo]vil|cell(?:phone|ulare)?|cel|celular|cp|hp|gsm|handy|festnetz|natel|durchwahl|r[üu]ckruf\p{L}*|fax|whatsapp|whats|wpp|zap(?:zap)?|signal|viber|telegram|sms|text(?:ing)?|dial|ring|hotline|landline|reach(?:ed|able)?`,
  String.raw`joindre|rappel\p{L}*|appel\p{L}*|ll[aá]m\p{L}*|chiam\p{L}*|anruf\p{L}*|rufen|erreichbar|bel(?:len)?|portable|puhelin\p{L}*|soita\p{L}*|zadzwo\p{L}*|dzwo\p{L}*|komórk\p{L}*|ara\p{L}*|telefon\p{L}*|cep`
].join("|")
/** Cue words of other scripts: plain words (no pattern syntax), normalized like the text. */
const OTHER_SCRIPT_PHONE_CUE =
  "τηλέφωνο|Τηλέφωνο|τηλ|Τηλ|κινητό|Κινητό|τηλεφώνου|телефон|тел|моб|мобильный|сотовый|звоните|позвоните|נייד|טלפון|פלאפון|هاتف|جوال|موبايل|رقمي|اتصل|फ़ोन|फोन|मोबाइल|नंबर|नम्बर"
/** Cues in scripts without spaces between words: no word boundary is needed around them. */
const UNBOUNDED_PHONE_CUE = "電話|携帯|手机|电话|手機|联系|聯絡|연락처|전화|휴대폰|핸드폰"
const NUMBER_WORD = String.raw`(?:number|nummer|num[ée]ro|número|numero|no\.)`
/** "my number", "her mobile number", "my son's number", "contact number", "office line": strong. */
const POSSESSIVE_NUMBER = String.raw`(?:my|your|his|her|our|their|[\p{L}]+'s|contact|direct|home|work|office|callback|mobile|cell)\s+(?:phone\s+|mobile\s+|cell\s+)?${NUMBER_WORD}|(?:office|home|work|direct|phone|private|support)\s+line`
const WEAK_PHONE_CUE = String.raw`line|contact[oe]?|contatto|kontakt|num(?:ber|ero|éro|mer)|número`
/** Plain cue words go through the normalization the text had (Cyrillic `е` reads as Latin `e` there). */
const normalizedCues = (cues: string): string => normalizeText(cues).text
const cueRe = (cues: string, unbounded?: string): RegExp =>
  new RegExp(
    String.raw`(?:(?:^|[^\p{L}])(?:${cues})(?![\p{L}\p{M}])${unbounded === undefined ? "" : `|${unbounded}`})[^\d]{0,60}$`,
    "iu"
  )
const STRONG_CUE_RE = cueRe(`${STRONG_PHONE_CUE}|${normalizedCues(OTHER_SCRIPT_PHONE_CUE)}|${POSSESSIVE_NUMBER}`, UNBOUNDED_PHONE_CUE)
const WEAK_CUE_RE = cueRe(WEAK_PHONE_CUE)
/** The contact words among the weak cues ("el contacto del otro comprador: 612 34 99 80"). */
const CONTACT_CUE_RE = cueRe(String.raw`contact[oe]?|contatto|kontakt`)

const DATE_TIME_RE = /^(?:(?:1[89]|2\d)\d{2}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{1,2}:\d{2})/
const IP_OR_VERSION_RE = /^\d{1,3}(?:\.\d{1,3}){2,}$/
/**
 * A software version of four or more dotted parts (`122.0.6261.112`, `10.0.19045.3570`): an inner
 * part of one digit or of four or more, which a dotted phone number never has (`1.800.555.1234`,
 * `06.12.34.56.78`), after a product name or `version` / `v` / `build`.
 */
const DOTTED_VERSION_RE = /^\d{1,4}(?:\.\d{1,6}){3,}$/
const VERSION_BEFORE_RE = /(?:(?<![\p{L}\p{N}])(?:version|ver\.?|v|build|release|firmware|update)|(?<![\p{L}\p{N}])\p{Lu}[\p{L}\p{N}+-]*)[\s:]*$/u
const isSoftwareVersion = (text: string, start: number, raw: string): boolean => {
  if (!DOTTED_VERSION_RE.test(raw)) return false
  const parts = raw.split(".")
  if (!parts.slice(1, -1).some((p) => p.length === 1 || p.length >= 4)) return false
  return VERSION_BEFORE_RE.test(text.slice(Math.max(0, start - 30), start))
}
/** International numbers written without `+` in messaging links and query parameters. */
const PHONE_LINK_RE =
  /(?:\bwa\.me\/|\bwhatsapp\.com\/send\/?\?(?:[^\s#]*&)?phone=|\bt\.me\/|(?:^|[?&\s;])(?:phone|tel|mobile|msisdn|whatsapp|number)=)(?:\+|%2B)?(\d{8,15})(?![\p{L}\p{N}])/giu

type Cue = "strong" | "weak" | undefined

/** An IBAN's country, check digits and first groups right before a number. */
const IBAN_PREFIX_BEFORE_RE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){1,7} $/

/** An email address right before, with at most a separator between: a contact line (`name@example.pt / 912 342 080`). */
const EMAIL_BEFORE_RE = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}\s*(?:[/|,;·•]|\s-\s)?\s*$/u

const phoneCue = (text: string, start: number): Cue => {
  const before = text.slice(Math.max(0, start - 80), start)
  if (before.includes("@") && EMAIL_BEFORE_RE.test(before)) return "strong"
  if (/[^\d]$/.test(before) || before === "") {
    if (STRONG_CUE_RE.test(before)) return "strong"
    if (WEAK_CUE_RE.test(before)) return "weak"
  }
  return undefined
}

const regionOf = (region: string): CountryCode | undefined => {
  const upper = region.toUpperCase()
  return isSupportedCountry(upper) ? upper : undefined
}

/** NANP: area code and exchange must not be N11 service codes (`libphonenumber-js` accepts 202-911-…). */
const nanpServiceCode = (e164: string): boolean => e164.startsWith("+1") && (e164.slice(3, 5) === "11" || e164.slice(6, 8) === "11")

interface ValidPhone {
  readonly e164: string
  /** Written with a trunk prefix or a leading 0, as national numbers are (`0171 …`, `8 (912) …`, `06 …`). */
  readonly trunk: boolean
}

/** `raw` as a valid number (international, or national for `region`), with the shape it was written in. */
const parseValidPhone = (raw: string, region: CountryCode | undefined): ValidPhone | undefined => {
  try {
    const parsed = parsePhoneNumberFromString(raw, region === undefined ? undefined : { defaultCountry: region })
    if (parsed === undefined || !parsed.isValid() || nanpServiceCode(parsed.number)) return undefined
    const digits = digitsOf(raw.replace("(0)", "0"))
    return { e164: parsed.number, trunk: digits.startsWith("0") || digits.length > parsed.nationalNumber.length }
  } catch {
    return undefined
  }
}

/** The E.164 form of `raw` when it is a valid number (international, or national for `region`). */
const validPhone = (raw: string, region: CountryCode | undefined): string | undefined => parseValidPhone(raw, region)?.e164

/**
 * Nothing glued before a number: no letter or digit, no `-`, `.`, `/` or `#` after one, no `:`
 * after a digit (a time); a label's colon (`携帯：090…`, `Tel:030…`) and a phone link's scheme
 * (`tel:+33…`) are fine.
 */
const phoneIsolatedLeft = (text: string, start: number): boolean => {
  if (text[start - 1] === ":") return !isDigit(text[start - 2])
  return isolatedLeft(text, start, "-./#")
}

const detectPhoneLinks = (text: string, out: Array<Candidate>): void => {
  for (const m of text.matchAll(PHONE_LINK_RE)) {
    const digits = m[1] ?? ""
    const e164 = validPhone("+" + digits, undefined)
    if (e164 === undefined) continue
    const end = m.index + m[0].length
    out.push({ kind: "phone", start: end - digits.length, end, value: e164 })
  }
}

const detectPhones = (text: string, options: PiiOptions, international: boolean): Array<Candidate> => {
  const out: Array<Candidate> = []
  if (international && PHONE_LINK_HINT_RE.test(text)) detectPhoneLinks(text, out)
  for (const m of text.matchAll(PHONE_CANDIDATE_RE)) {
    let raw = m[0]
    let start = m.index
    const intl = raw.startsWith("+") || raw.startsWith("(+") || raw.startsWith("00")
    if (intl !== international) continue
    // Trailing separators are not part of the number.
    raw = raw.replace(/[ .\-/]+$/, "")
    const digits = digitsOf(raw.replace("(0)", ""))
    if (digits.length < 7 || digits.length > 17) continue
    const end = withExtension(text, start + raw.length)
    if (!isolatedRight(text, end, "-./:") && !isUnspacedScript(text[end])) continue
    // A placeholder (`(000) 123-4567`, `000-000-0000`): a first group of zeros is no number.
    if (/^\(?0{3,}\)?(?:[ .\-/)]|$)/.test(raw.replace(/^\+ ?|^00 ?/, ""))) continue
    if (raw.startsWith("(+")) {
      if (isWordChar(text[start - 1])) continue
    } else if (!phoneIsolatedLeft(text, start)) continue
    if (text[start - 1] === " " && isDigit(text[start - 2]) && !intl) continue
    const cue = phoneCue(text, start)
    if (intl) {
      if (raw.startsWith("00") && (digits[2] === "0" || (cue !== "strong" && hasIdLabel(text, start, digits.length)))) continue
      const plus = "+" + (raw.startsWith("00") ? digits.slice(2) : digits)
      const e164 = validPhone(plus, undefined)
      if (e164 !== undefined || (cue !== undefined && digits.length >= 8 && digits.length <= 15)) {
        if (raw.startsWith("(+")) start += 1
        out.push({ kind: "phone", start, end, value: e164 ?? plus })
      }
      continue
    }
    if (digits.length > 15) continue
    if (DATE_TIME_RE.test(raw) || IP_OR_VERSION_RE.test(raw) || (cue === undefined && isSoftwareVersion(text, start, raw))) continue
    if (hasIdLabel(text, start, digits.length) || text[start - 1] === "#") continue
    // The rest of an account number (`IBAN NL93 XFDS 9016 6298 35` that fails its check): no phone.
    if (IBAN_PREFIX_BEFORE_RE.test(text.slice(Math.max(0, start - 40), start))) continue
    const formatted = /[ .\-/()]/.test(raw)
    const defaultRegion = regionOf(options.defaultRegion)
    let value = validPhone(raw, defaultRegion)
    if (value !== undefined && !formatted && cue === undefined) continue
    const shaped = cue !== "strong" && nationalShape(raw, digits)
    // A weak cue ("contacto: 612 34 99 80") with a number written with separators: valid for a further region.
    const contact = cue === "weak" && formatted && CONTACT_CUE_RE.test(text.slice(Math.max(0, start - 80), start))
    if (value === undefined && (cue === "strong" || shaped || contact)) {
      for (const region of options.phoneRegions) {
        const code = regionOf(region)
        if (code === undefined || code === defaultRegion) continue
        const phone = parseValidPhone(raw, code)
        if (phone !== undefined && (!shaped || phone.trunk)) {
          value = phone.e164
          break
        }
      }
    }
    if (value === undefined && cue === "strong" && !/ {2}|--/.test(raw)) value = digits
    if (value === undefined) continue
    out.push({ kind: "phone", start, end, value })
  }
  return out
}

/**
 * Written like a national number of some region: 9–15 digits starting with a trunk prefix (`0`,
 * or `8` before an area code in parentheses), grouped with separators, every group of two
 * digits or more after the prefix (not `0-306-40615-2`, an ISBN), and no dot beside another
 * separator (not `0.99 1.99 2.49`, prices).
 */
const nationalShape = (raw: string, digits: string): boolean => {
  if (digits.length < 9 || !/[ .\-/()]/.test(raw) || !/^\(?[08]/.test(raw)) return false
  if (raw.includes(".") && /[ \-/()]/.test(raw)) return false
  const groups = raw.split(/\D+/).filter((g) => g.length > 0)
  return groups.every((g, i) => g.length >= 2 || (i === 0 && /^[08] ?\(/.test(raw)))
}

/** A phone link may hold an international number without `+` (a cheap test before `detectPhoneLinks`). */
const PHONE_LINK_HINT_RE = /wa\.me\/|whatsapp\.com\/|t\.me\/|(?:phone|tel|mobile|msisdn|whatsapp|number)=/i

// ---------------------------------------------------------------------------
// Numbers read out as words (call transcripts, voice-to-text)
// ---------------------------------------------------------------------------

/** Digit words of English, German, French, Spanish, Italian, Portuguese and Dutch (normalized text: lower case compared). */
const DIGIT_WORDS: Readonly<Record<string, number>> = {
  zero: 0, oh: 0, o: 0, nought: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  null: 0, eins: 1, zwei: 2, zwo: 2, drei: 3, vier: 4, "fünf": 5, fuenf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9,
  "zéro": 0, un: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, sept: 7, huit: 8, neuf: 9,
  cero: 0, uno: 1, dos: 2, tres: 3, "trés": 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9,
  due: 2, tre: 3, quattro: 4, cinque: 5, sei: 6, sette: 7, otto: 8, nove: 9,
  um: 1, dois: 2, duas: 2, "três": 3, sete: 7, oito: 8,
  nul: 0, een: 1, "één": 1, twee: 2, drie: 3, vijf: 5, zes: 6, zeven: 7, negen: 9
}
/** "double five", "triple zero", "doppel", "doble": the next digit two or three times. */
const REPEAT_WORDS: Readonly<Record<string, number>> = { double: 2, triple: 3, doppel: 2, doppelt: 2, doble: 2, triplo: 3, doppio: 2 }
const DIGIT_WORD_STEMS = triggerGroup([...Object.keys(DIGIT_WORDS), ...Object.keys(REPEAT_WORDS)].filter((w) => w.length > 2 || w === "oh"))
const SPOKEN_TOKEN = String.raw`(?:${[...Object.keys(DIGIT_WORDS), ...Object.keys(REPEAT_WORDS)].sort((a, b) => b.length - a.length).join("|")}|\d{1,4})`
/** A run of digit words (and short digit groups) joined by spaces, commas, dots or dashes, seven tokens or more. */
const SPOKEN_RUN_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])${SPOKEN_TOKEN}(?:[\s,.-]{1,3}${SPOKEN_TOKEN}){6,}(?![\p{L}\p{N}])`,
  "giu"
)
const SPOKEN_RUN_TEST_RE = new RegExp(SPOKEN_RUN_RE.source, "iu")
const SPOKEN_SPLIT_RE = /[\s,.-]+/u

/** The digits a spoken run stands for, and how many of its tokens were words. */
const spokenDigits = (run: string): { readonly digits: string; readonly words: number } => {
  let digits = ""
  let words = 0
  let repeat = 1
  for (const token of run.split(SPOKEN_SPLIT_RE)) {
    if (token === "") continue
    const lower = token.toLowerCase()
    const times = REPEAT_WORDS[lower]
    if (times !== undefined) {
      repeat = times
      words++
      continue
    }
    const value = /^\d+$/.test(token) ? token : DIGIT_WORDS[lower]?.toString()
    if (value === undefined) return { digits: "", words: 0 }
    if (!/^\d+$/.test(token)) words++
    digits += value.repeat(value.length === 1 ? repeat : 1)
    repeat = 1
  }
  return { digits, words }
}

/**
 * A card, an SSN or ITIN, or a phone read out as words (`four eight four three seven zero …`,
 * `my social is one three one six …`, `call me on oh seven seven double oh …`): at least seven
 * tokens, four of them words. A card by its digits (Luhn, network) unless labelled; an SSN only
 * after an SSN cue; a phone only after a strong phone cue.
 */
const detectSpokenNumbers = (text: string, options: PiiOptions): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const m of text.matchAll(SPOKEN_RUN_RE)) {
    const { digits, words } = spokenDigits(m[0])
    if (words < 4) continue
    const start = m.index
    const end = start + m[0].length
    if (digits.length >= 13 && digits.length <= 19 && isPaymentCardNumber(digits)) {
      if (!hasIdLabel(text, start)) out.push({ kind: "payment_card", start, end, value: digits })
      continue
    }
    if (digits.length === 9 && (isValidSsn(digits) || isValidItin(digits)) && hasSsnCue(text, start, end)) {
      out.push({ kind: "ssn", start, end, value: digits })
      continue
    }
    if (digits.length >= 7 && digits.length <= 15 && phoneCue(text, start) === "strong") {
      const plus = /(?:plus|\+)\s*$/i.test(text.slice(Math.max(0, start - 6), start))
      const value = plus
        ? validPhone("+" + digits, undefined)
        : validPhone(digits, regionOf(options.defaultRegion)) ??
          options.phoneRegions.map((r) => validPhone(digits, regionOf(r))).find((v) => v !== undefined) ?? digits
      out.push({ kind: "phone", start, end, value: value ?? "+" + digits })
    }
  }
  return out
}

/** Whether a text may hold a number read out as words (seven digit words or more). */
const mayHaveSpokenNumber = (text: string, profile: TextProfile | undefined): boolean =>
  profile === undefined ? SPOKEN_RUN_TEST_RE.test(text) : startsOf(profile, DIGIT_WORD_STEMS).length >= 4

// ---------------------------------------------------------------------------
// All detectors
// ---------------------------------------------------------------------------

/** Seven digits with at most three separator characters between neighbours: what every phone candidate has. */
const PHONE_SHAPE_RE = /\d(?:[ ().\/+-]{0,3}\d){6}/

interface Detector {
  readonly detect: (text: string, options: PiiOptions) => Array<Candidate>
  /** Whether the detector can find anything in a text with `digits` ASCII digits (a cheap prefilter). */
  readonly applies: (text: string, digits: number, profile: TextProfile | undefined) => boolean
}

/**
 * Detectors in priority order. When spans overlap, the earlier detector wins (an email's
 * digits are never a phone; an IBAN's digits are never a card; "+43 664 12 3456" is a phone,
 * not an SSN; a card is never a national phone number).
 */
const DETECTORS: ReadonlyArray<Detector> = [
  { detect: detectEmails, applies: (text) => text.includes("@") || text.includes("%40") || OBFUSCATED_HINT_RE.test(text) },
  { detect: detectIbans, applies: (_, digits) => digits >= 2 },
  {
    detect: (text, options) => detectPhones(text, options, true),
    applies: (text, digits) => digits >= 7 && (/\+|00/.test(text) || PHONE_LINK_HINT_RE.test(text)) && PHONE_SHAPE_RE.test(text)
  },
  { detect: detectCards, applies: (_, digits) => digits >= 13 },
  { detect: detectSsns, applies: (_, digits) => digits >= 9 },
  { detect: (text, options) => detectPhones(text, options, false), applies: (text, digits) => digits >= 7 && PHONE_SHAPE_RE.test(text) },
  { detect: detectSpokenNumbers, applies: (text, _, profile) => mayHaveSpokenNumber(text, profile) }
]

const countDigits = (text: string): number => {
  if (!/\d/.test(text)) return 0
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) n++
  }
  return n
}

/**
 * PII spans in a NORMALIZED text (offsets into it), sorted, never overlapping. All detectors
 * run (so overlaps resolve the same way regardless of `kinds`); the result is then restricted
 * to `kinds`.
 */
export const detectPiiNormalized = (
  text: string,
  kinds: ReadonlyArray<PiiKind> = allPiiKinds,
  options: PiiOptions = defaultPiiOptions,
  profile?: TextProfile
): ReadonlyArray<PiiCandidate> => {
  if (kinds.length === 0) return []
  const accepted: Array<PiiCandidate> = []
  const digits = profile?.digits ?? countDigits(text)
  // Without digits, only an email (an `@`, a `%40`, a bracket or an "at" word) or a number read out as words can be there.
  if (digits === 0 && profile !== undefined && !profile.at && !profile.bracket && (profile.groups & (AT_WORDS | DIGIT_WORD_STEMS)) === 0) return []
  for (const { applies, detect } of DETECTORS) {
    if (!applies(text, digits, profile)) continue
    for (const c of detect(text, options)) {
      if (c.end <= c.start) continue
      let lo = 0
      let hi = accepted.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if ((accepted[mid]?.start ?? 0) < c.start) lo = mid + 1
        else hi = mid
      }
      const before = accepted[lo - 1]
      const after = accepted[lo]
      if ((before !== undefined && before.end > c.start) || (after !== undefined && after.start < c.end)) continue
      accepted.splice(lo, 0, c)
    }
  }
  const wanted = new Set(kinds)
  return accepted.filter((m) => wanted.has(m.kind))
}

/** The E.164 form of a phone number written in a customer record (`undefined` when it is none). */
export const phoneValue = (raw: string, options: PiiOptions = defaultPiiOptions): string | undefined => {
  const text = raw.trim()
  const intl = text.startsWith("00") ? "+" + text.slice(2) : text
  return validPhone(intl, intl.startsWith("+") ? undefined : regionOf(options.defaultRegion)) ??
    (digitsOf(text).length >= 7 ? digitsOf(text) : undefined)
}
