/**
 * Phone numbers: international (`+`, `00`, phone links) and national formats of the default
 * region and of further regions after a cue, validated with `libphonenumber-js`; and the E.164
 * form of a phone number in a customer record. Runs on normalized text
 * (`normalization/Normalize.ts`).
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max"
import { normalizeText } from "../normalization/Normalize.ts"
import { hasIdLabel } from "./IdentifierLabels.ts"
import { digitsOf, isDigit, isolatedLeft, isolatedRight, isUnspacedScript, isWordChar } from "./TokenBoundaries.ts"
import type { PiiCandidate } from "../verdict/Types.ts"

type Candidate = PiiCandidate

/** What the PII detectors are configured with: the phone regions (`GUARDRAILS_DEFAULT_REGION`, `GUARDRAILS_PHONE_REGIONS`). */
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

/** A phone extension glued to the number ("202-555-0143x204", "ext.12") extends the span. */
const EXTENSION_RE = /^ ?(?:x|ext\.?|extension) ?\d{1,6}(?![\p{L}\p{N}_])/iu

const withExtension = (text: string, end: number): number => {
  const m = EXTENSION_RE.exec(text.slice(end, end + 20))
  return m === null ? end : end + m[0].length
}

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

export const phoneCue = (text: string, start: number): Cue => {
  const before = text.slice(Math.max(0, start - 80), start)
  if (before.includes("@") && EMAIL_BEFORE_RE.test(before)) return "strong"
  if (/[^\d]$/.test(before) || before === "") {
    if (STRONG_CUE_RE.test(before)) return "strong"
    if (WEAK_CUE_RE.test(before)) return "weak"
  }
  return undefined
}

export const regionOf = (region: string): CountryCode | undefined => {
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
export const validPhone = (raw: string, region: CountryCode | undefined): string | undefined => parseValidPhone(raw, region)?.e164

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

export const detectPhones = (text: string, options: PiiOptions, international: boolean): Array<Candidate> => {
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
export const PHONE_LINK_HINT_RE = /wa\.me\/|whatsapp\.com\/|t\.me\/|(?:phone|tel|mobile|msisdn|whatsapp|number)=/i

/** The E.164 form of a phone number written in a customer record (`undefined` when it is none). */
export const phoneValue = (raw: string, options: PiiOptions = defaultPiiOptions): string | undefined => {
  const text = raw.trim()
  const intl = text.startsWith("00") ? "+" + text.slice(2) : text
  return validPhone(intl, intl.startsWith("+") ? undefined : regionOf(options.defaultRegion)) ??
    (digitsOf(text).length >= 7 ? digitsOf(text) : undefined)
}
