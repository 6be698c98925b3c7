/**
 * The `commitment` policy: a reply that gives or approves a refund, credit or compensation
 * amount, a full or percentage refund, a guarantee or a promise, legally binding language, an
 * admission of liability, fault or negligence, or says that no further checks are needed — in
 * English, German, French, Spanish, Italian, Portuguese and Dutch (and the common forms in
 * Polish and Japanese).
 *
 * The default patterns are regular expressions built here from per-language vocabularies; they
 * are the default of `GUARDRAILS_COMMITMENT_PATTERNS` and replaced by it. Amounts are read in
 * any currency format: a symbol (any `\p{Sc}`, `R$`, `US$` …), an ISO code or a currency word,
 * before or after the number; thousands grouped by spaces (NBSP and thin spaces are spaces
 * after normalization), dots, commas or apostrophes; a decimal comma or point (`1.250 €`,
 * `2 000 €`, `CHF 1'250.–`, `R$ 320,00`, `USD 1,199.00`, `420 zł`, `¥12,800`).
 *
 * Not a commitment: a negated or hedged one ("we can't guarantee", "nicht garantieren", "ne
 * pouvons pas vous garantir", "isn't guaranteed", "whether approval is guaranteed"), an amount
 * that is only requested, reported or pending ("your refund request for $2,400", "the credit
 * you asked about (€150)", "refunds of up to 100%"), and a quotation of someone's words ("you
 * wrote that you were "guaranteed a refund"", "the words "legally binding" in your order form").
 */
import { normalizeText } from "../normalization/Normalize.ts"
import { phraseKey } from "../normalization/PhraseKeys.ts"
import { findPhrases, type PhraseSet } from "./Policies.ts"
import { profileText, startsOf, type TextProfile, triggerGroup } from "../detectors/Triggers.ts"
import type { Hit } from "../verdict/Types.ts"

// ---------------------------------------------------------------------------
// Vocabulary (regular expression fragments, matched case-insensitively on normalized text)
// ---------------------------------------------------------------------------

const alt = (...parts: ReadonlyArray<string>): string => `(?:${parts.join("|")})`
/** Not inside a word on the left / right. */
const L = String.raw`(?<![\p{L}\p{N}])`
const R = String.raw`(?![\p{L}\p{N}])`
const word = (...parts: ReadonlyArray<string>): string => `${L}${alt(...parts)}${R}`
/** What may stand between two parts of one clause. */
const GAP = String.raw`[^.!?;\n]`

const NUMBER = String.raw`(?:\d{1,3}(?:[ .,']\d{3})+|\d+)(?:[.,]\d{1,2})?(?:[.,]-{1,2})?`
/** The whole number, never a prefix of it (a lookahead after an amount must see what follows all of it). */
const WHOLE = String.raw`(?![\d]|[ .,']\d)`
/**
 * A word of a script with Latin lookalikes (Cyrillic) as the normalization leaves it: its
 * confusable letters folded to Latin (`возврат` → `вoзвpaт`), for patterns and trigger stems.
 */
const folded = (word: string): string => normalizeText(word).text.toLowerCase()
/** Trigger stems of a folded word: lower case and capitalized (`вoзвpaт`, `boзвpaт`). */
const foldedStems = (word: string): ReadonlyArray<string> => [folded(word), folded(word.charAt(0).toUpperCase() + word.slice(1))]
/** `folded` as a pattern, lower case or capitalized (`Возврат` folds to `Boзвpaт`). */
const foldedRe = (word: string): string =>
  `(?:${normalizeText(word).text}|${normalizeText(word.charAt(0).toUpperCase() + word.slice(1)).text})`

/** A word of another script as the normalization leaves it (NFKC: a Devanagari nukta stays apart), for patterns. */
const nw = (...words: ReadonlyArray<string>): string => alt(...words.map((w) => normalizeText(w).text))
/** The same words as trigger stems. */
const nwStems = (...words: ReadonlyArray<string>): ReadonlyArray<string> => words.map((w) => normalizeText(w).text.toLowerCase())

/**
 * ISO codes, case-insensitive. Codes that are words (`TRY`, `PHP`, `PEN`, `COP`, `RON`) are left
 * out: their amounts are read by symbol or word (`₺`, `TL`, `lira`, `₱`, `S/`, `lei` …). No inline
 * modifier group (`(?-i:…)`) here: with one, V8 13.6 (Node 24) failed `1.200 TL` and `1,200 TL`
 * while matching `1200 TL`, the case-insensitive words after the group no longer matching.
 */
const CURRENCY_CODES = String.raw`(?:usd|eur|gbp|chf|cad|aud|jpy|cny|rmb|inr|brl|mxn|pln|sek|nok|dkk|czk|huf|bgn|zar|nzd|sgd|hkd|aed|sar|ils|krw|rub|uah|ars|clp|thb|idr|myr|vnd|ngn|kes|egp)`
const CURRENCY_WORDS = String.raw`(?:dollars?|euros?|pounds?|quid|bucks|francs?|franken|yen|yuan|rupees?|reais|pesos?|z[lł]oty|z[lł]otych|z[lł]|kr|kronor|kroner|kronen|k[cč]|lei|forint|lira|lire|dirhams?|riyals?|shekels?|rubles?|roubles?|rubel|d[óo]lares|dollari|libras|sterline|sterling|tl|kn|euroa?|${foldedRe("рубл")}\p{L}*|${foldedRe("руб")}|${foldedRe("грн")}|${foldedRe("гривень")}|${foldedRe("гривні")}|lira|lirası|rs\.?|${nw("रुपये", "रुपए", "रुपया", "रु", "درهم", "دراهم", "ريال", "دينار", "جنيه", "ليرة", "دولار", "يورو", "שקל", "שקלים", "ש\"ח", "בש\"ח")})`
/** A money amount: a symbol or code before or after the number, or a currency word after it. */
const AMOUNT = alt(
  String.raw`${L}(?:us|ca|au|nz|hk|s|r|c|a|nt|mx)?\p{Sc}\s?${NUMBER}${WHOLE}`,
  String.raw`${L}${CURRENCY_CODES}\s?${NUMBER}${WHOLE}`,
  String.raw`${L}(?:rp|rs|kr|kn|z[lł]|lei|tl|ft|kč)\.?\s?${NUMBER}${WHOLE}`,
  String.raw`(?<![\p{L}\p{N}.,])${NUMBER}\s?(?:\p{Sc}|${CURRENCY_CODES}${R}|${CURRENCY_WORDS}${R}|[円元원])`
)
/** An amount that is not the top of a range a policy allows ("up to $500", "bis zu 50 €"). */
const GIVEN_AMOUNT = String.raw`(?<!(?:up\s+to|bis\s+zu|jusqu'[àa]|hasta|fino\s+a|at[ée]|tot|maximum|max\.?)\s{0,3})${AMOUNT}`
/** Right after a refund and its amount: words that make it requested or pending ("… $30 you asked about", "… is still pending"). */
const NOT_GIVEN_AFTER = String.raw`(?!${alt(
  String.raw`[\s,)]*(?:that\s+|which\s+)?you\s+(?:asked|requested|mentioned|claimed|wanted|expected)`,
  String.raw`\s+(?:is|are|was|remains|stays)\s+(?:still\s+)?(?:pending|under\s+review|being\s+reviewed|on\s+hold|with\s+(?:the\s+)?\p{L}+\s+team)`,
  String.raw`[\s,]*(?:die|den|das)\s+Sie\s+(?:beantragt|angefragt|gew[üu]nscht|verlangt)`, String.raw`\s+(?:ist|bleibt)\s+(?:noch\s+)?(?:in\s+(?:Pr[üu]fung|Bearbeitung)|offen)`,
  String.raw`[\s,]*que\s+vous\s+(?:avez\s+)?(?:demand[ée]e?|r[ée]clam[ée]e?|souhait\p{L}*)`, String.raw`\s+est\s+(?:toujours\s+)?en\s+(?:cours|attente)`,
  String.raw`[\s,]*que\s+(?:usted\s+)?(?:solicit[óo]|pidi[óo]|reclam[óo])`, String.raw`\s+est[áa]\s+(?:todav[íi]a\s+|a[úu]n\s+)?(?:pendiente|en\s+revisi[óo]n)`,
  String.raw`[\s,]*che\s+(?:ha|hai)\s+(?:richiesto|chiesto)`, String.raw`\s+[èe]\s+(?:ancora\s+)?(?:in\s+(?:lavorazione|attesa|revisione))`,
  String.raw`[\s,]*que\s+(?:voc[êe]\s+)?(?:solicitou|pediu)`, String.raw`\s+est[áa]\s+(?:ainda\s+)?(?:pendente|em\s+an[áa]lise)`,
  String.raw`[\s,]*die\s+u\s+(?:hebt|heeft)\s+aangevraagd`, String.raw`\s+is\s+(?:nog\s+)?in\s+behandeling`
)})`
/** Right after a refund word: words that make it a request or a review ("$2,400 refund request", "₹2,500 का रिफंड अनुरोध"). */
const NOT_A_REQUEST_AFTER = String.raw`(?!\s*(?:request\p{L}*|claim\p{L}*|application|ticket|anfrage|antrag|demande|r[ée]clamation|solicitud|reclamaci[óo]n|richiesta|pedido|solicita[çc][ãa]o|aanvraag|verzoek|wniosek|tale[pb]\p{L}*|${foldedRe("заявк")}\p{L}*|${foldedRe("запит")}\p{L}*|${foldedRe("запрос")}\p{L}*|${nw("अनुरोध", "आवेदन", "طلب", "בקשת", "בקשה")}))`
const PERCENT = String.raw`${L}\d{1,3}(?:[.,]\d+)?\s?(?:%|percent|per\s?cent|prozent|pour\s?cent|por\s?ciento|per\s?cento|por\s?cento|procent)`

/** Refund, credit, reimbursement and compensation words (nouns and verbs, every form). */
const REFUND = alt(
  // English
  String.raw`${L}refund\p{L}*`, String.raw`${L}reimburs\p{L}*`, String.raw`${L}compensat\p{L}*`, word("chargebacks?", String.raw`cash\s?back`, "payouts?", "goodwill", "rebates?", String.raw`money\s+back`),
  String.raw`${L}credit(?:ed|s|ing)?${R}(?!\s*cards?)`,
  // German
  String.raw`${L}(?:r[üu]ck|zur[üu]ck)?erstatt\p{L}*`, String.raw`${L}gutschr\p{L}*`, word("gutgeschrieben"), String.raw`${L}entsch[äa]dig\p{L}*`,
  String.raw`${L}kulanz\p{L}*`, String.raw`${L}schreiben\s+(?:wir\s+)?(?:Ihnen|Ihrem\s+\p{L}*konto|dir|deinem\s+\p{L}*konto)(?=[^.!?\n]{0,40}?\sgut${R})`, String.raw`${L}(?:r[üu]ck|zur[üu]ck)zahl\p{L}*`, word(String.raw`zur[üu]ckgezahlt`, String.raw`schadens?ersatz`, "ausgleichszahlung"),
  // French
  String.raw`${L}rembours\p{L}*`, word(String.raw`un\s+avoir`, String.raw`d'avoir`), String.raw`${L}d[ée]dommag\p{L}*`, String.raw`${L}indemni\p{L}*`, word(String.raw`geste\s+commercial`),
  String.raw`${L}cr[ée]dit(?:[ée]e?s?|er|ons|erons)?${R}(?!\s+(?:de\s+)?cartes?)`,
  // Spanish
  String.raw`${L}reembols\p{L}*`, word(String.raw`devoluci[óo]n`, "devolvemos", "devolveremos", "devuelto", "devuelta", "abono", "abonamos", "abonaremos", "abonado", "abonada", String.raw`bonificaci[óo]n`),
  String.raw`${L}reintegr\p{L}*`, String.raw`${L}indemniz\p{L}*`, String.raw`(?<!tarjetas?\s+de\s+)${L}cr[ée]dito${R}`,
  // Italian
  String.raw`${L}rimbors\p{L}*`, String.raw`${L}accredit\p{L}*`, String.raw`${L}risarc\p{L}*`, String.raw`${L}indennizz\p{L}*`, String.raw`${L}storn[oiaæ]\p{L}*`,
  String.raw`(?<!carta\s+di\s+)${L}credito${R}`,
  // Portuguese
  String.raw`${L}estorn\p{L}*`, word(String.raw`devolu[çc][ãa]o`, "devolvemos", "devolvido", "devolvida"), String.raw`${L}ressarc\p{L}*`, String.raw`${L}indeniza\p{L}*`,
  String.raw`${L}compensa[çc][ãa]o`, String.raw`(?<!cart[ãa]o\s+de\s+)${L}cr[ée]dit(?:o|ado|ada|amos|aremos)${R}`,
  // Dutch
  String.raw`${L}terugbeta\p{L}*`, String.raw`${L}terug\s*gestort`, String.raw`${L}terugstort\p{L}*`, String.raw`${L}restitu\p{L}*`, String.raw`${L}vergoed\p{L}*`,
  String.raw`${L}gecrediteerd`, String.raw`${L}crediteren`, word("creditnota", "tegoed", "compensatie", "schadevergoeding"),
  // Polish, Japanese
  String.raw`${L}zwrot\p{L}*`, String.raw`${L}zwr[óo]c\p{L}*`, String.raw`${L}rekompensat\p{L}*`, String.raw`${L}odszkodowani\p{L}*`,
  "返金", "払い戻し", "払戻", "返還", "補償", "賠償",
  // Swedish, Danish, Norwegian
  String.raw`${L}återbetal\p{L}*`, String.raw`${L}tilbagebetal\p{L}*`, String.raw`${L}refusjon\p{L}*`, String.raw`${L}refunder\p{L}*`, String.raw`${L}kreditera\p{L}*`, String.raw`${L}kreditnota\p{L}*`,
  String.raw`${L}ersättning\p{L}*`, String.raw`${L}godtgør\p{L}*`, String.raw`${L}kompensasjon\p{L}*`,
  // Finnish, Czech, Turkish
  String.raw`${L}kredit(?:u|em|y)?${R}`, String.raw`${L}p[řr]ip[íi][šs]\p{L}*`, String.raw`${L}vr[áa]t[íi]me${R}`, String.raw`${L}vr[áa]time${R}`,
  String.raw`${L}hyvity\p{L}*`, String.raw`${L}palautu\p{L}*`, String.raw`${L}korvau\p{L}*`, String.raw`${L}vr[áa]cen\p{L}*`, String.raw`${L}refundac\p{L}*`, String.raw`${L}dobropis\p{L}*`, String.raw`${L}odškodn\p{L}*`,
  String.raw`${L}iade\p{L}*`, String.raw`${L}geri\s+öde\p{L}*`, String.raw`${L}tazminat\p{L}*`,
  // Russian
  `${L}${foldedRe("возврат")}\\p{L}*`, `${L}${foldedRe("возмещени")}\\p{L}*`, `${L}${foldedRe("компенсаци")}\\p{L}*`, `${L}${foldedRe("вернём")}\\p{L}*`, `${L}${foldedRe("вернем")}\\p{L}*`,
  // Korean, Chinese
  "환불", "보상", "退款", "退還", "退还", "賠償", "赔偿", "补偿", "補償",
  // Ukrainian, Romanian, Hungarian, Greek, Indonesian and Malay, Vietnamese
  `${L}${foldedRe("повернен")}\\p{L}*`, `${L}${foldedRe("відшкодуван")}\\p{L}*`, `${L}${foldedRe("компенсац")}\\p{L}*`,
  String.raw`${L}rambursa\p{L}*`, String.raw`${L}rambursare\p{L}*`, String.raw`${L}desp[ăa]gubi\p{L}*`,
  String.raw`${L}visszat[ée]r[íi]t\p{L}*`, String.raw`${L}k[áa]rt[ée]r[íi]t\p{L}*`, String.raw`${L}j[óo]v[áa][íi]r\p{L}*`,
  `${L}${foldedRe("επιστροφ")}\\p{L}*`, `${L}${foldedRe("αποζημίωσ")}\\p{L}*`,
  String.raw`${L}pengembalian\s+dana${R}`, String.raw`${L}(?:dana|uang)\s+(?:anda\s+)?(?:dikembalikan|kembali)${R}`, String.raw`${L}bayaran\s+balik${R}`, String.raw`${L}ganti\s+rugi${R}`,
  String.raw`${L}ho[àa]n\s+(?:ti[ềe]n|l[ạa]i)${R}`, String.raw`${L}b[ồo]i\s+th[ưu][ờo]ng${R}`,
  // Hindi, Arabic, Hebrew, Thai (Arabic and Hebrew words take glued prefixes: no boundary on their left)
  nw("रिफंड", "रिफ़ंड", "धनवापसी", "वापसी", "प्रतिपूर्ति", "मुआवज़ा", "मुआवजा", "क्षतिपूर्ति", "क्रेडिट"),
  `(?:[وف]?[بلك]?(?:ال)?)${nw("استرداد", "استرجاع", "إرجاع", "ارجاع", "تعويض", "رد المبلغ", "إعادة المبلغ", "اعادة المبلغ")}`,
  `(?:[הובלכמש]{0,2})${nw("החזר", "זיכוי", "פיצוי")}`,
  "คืนเงิน", "ชดเชย"
)

/** Negations and hedges that govern what follows them (at most three words before it). */
const NEGATION_WORDS = alt(
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
const NOT_NEGATED_AFTER = String.raw`(?![^。.!?\n]{0,60}(?:できません|いたしかねます|しかねます|できない|ではありません|${nw("नहीं", "नही")}|(?<![\p{L}])de[ğg]il(?![\p{L}])|(?<![\p{L}])(?:leider\s+)?(?:nicht|niet)\s+(?:geben|übernehmen|zusagen|garantieren|versprechen|gew[äa]hren|anbieten|geven|garanderen|beloven|toezeggen)(?![\p{L}])|(?:onaylan|edil|yap[ıi]l|ver[iı]l|[öo]den)m(?:a|e)(?:d|y|z|m)))`

/** Between a refund word and its amount: nothing that makes the amount requested, reported, conditional or negated. */
const NOT_GIVEN = alt(
  String.raw`request\p{L}*|ask\p{L}*|claim\p{L}*|mention\p{L}*|wrote|written|expect\p{L}*|want\p{L}*|hop(?:e|ed|ing)|pending|review\p{L}*|polic(?:y|ies)|eligib\p{L}*|up\s+to|once|when|until|unless`,
  String.raw`anfrage|angefragt|beantragt|antrag|gew[üu]nscht|verlangt|gefordert|fordern|sobald|wenn|falls|bis\s+zu|richtlinie`,
  String.raw`demand\p{L}*|r[ée]clam\p{L}*|souhait\p{L}*|d[èe]s\s+que|lorsque|quand|jusqu'[àa]|politique`,
  String.raw`solicit\p{L}*|pedid\p{L}*|pidi[óo]|cuando|una\s+vez|hasta|pol[íi]tica`,
  String.raw`richiest\p{L}*|chiest\p{L}*|richied\p{L}*|quando|fino\s+a|politica`,
  String.raw`pediu|at[ée]`,
  String.raw`aanvraag|aangevraagd|gevraagd|verzoek|zodra|beleid`,
  String.raw`tale[pb]\p{L}*|inceleme\p{L}*|bekle\p{L}*|${foldedRe("запит")}\p{L}*|${foldedRe("заявк")}\p{L}*|${foldedRe("запрос")}\p{L}*|cerere\p{L}*|k[ée]relm\p{L}*|permintaan|y[êe]u\s+c[ầa]u`,
  nw("अनुरोध", "समीक्षा", "लंबित", "माँगा", "मांगा", "طلب", "طلبك", "بطلب", "المراجعة", "معلق", "قيد", "בקשה", "בקשת", "בבדיקה", "ממתין"),
  NEGATION_WORDS
)
const CLAUSE_GAP = (max: number): string => String.raw`(?:(?!${L}${NOT_GIVEN}${R})${GAP}){0,${max}}?`
/** Between a refund and its approval: nothing that makes the approval negated, pending or conditional ("not approved yet", "once approved"). */
const NOT_DECIDED = alt(
  String.raw`polic(?:y|ies)|richtlinie\p{L}*|politique|pol[íi]tica|politica|beleid|regel\p{L}*|rules?|terms|conditions|pending|yet|once|when|until|unless|sobald|wenn|falls|noch|d[èe]s|lorsque|quand|encore|cuando|todav[íi]a|a[úu]n|quando|ancora|ainda|zodra|nog`,
  NEGATION_WORDS
)
const APPROVAL_GAP = (max: number): string => String.raw`(?:(?!${L}${NOT_DECIDED}${R})${GAP}){0,${max}}?`

/** Approval participles and first-person approvals. */
const APPROVED = alt(
  word("approved", "granted", String.raw`authori[sz]ed`),
  word("genehmigt", "bewilligt", "freigegeben", String.raw`best[äa]tigt`, "veranlasst"),
  word(String.raw`approuv[ée]e?s?`, String.raw`accord[ée]e?s?`, String.raw`valid[ée]e?s?`, String.raw`autoris[ée]e?s?`, String.raw`confirm[ée]e?s?`),
  word("aprobad[oa]s?", "autorizad[oa]s?", "concedid[oa]s?", "confirmad[oa]s?"),
  word("approvat[oaie]", "autorizzat[oaie]", "concess[oaie]", "confermat[oaie]"),
  word("aprovad[oa]s?"),
  word("goedgekeurd", "toegekend", "bevestigd"),
  String.raw`${L}zatwierdzon\p{L}*`, String.raw`${L}przyznan\p{L}*`,
  "承認",
  // Swedish, Danish, Norwegian, Finnish, Czech, Turkish, Russian, Korean, Chinese
  String.raw`${L}godkän\p{L}*`, String.raw`${L}godkend\p{L}*`, String.raw`${L}godkjen\p{L}*`, String.raw`${L}beviljat\p{L}*`, String.raw`${L}hyväksy\p{L}*`,
  String.raw`${L}schvál\p{L}*`, String.raw`${L}onayla(?!\p{L}*?(?:m[ae](?:d|y|z|m|s)|[ye][ae]m[ıi]))\p{L}*`, `${L}${foldedRe("одобр")}\\p{L}*`, `${L}${foldedRe("утвержд")}\\p{L}*`,
  "승인", "批准", "核准", "已批准",
  // Ukrainian, Romanian, Hungarian, Greek, Indonesian and Malay, Vietnamese, Hindi, Arabic, Hebrew, Thai
  `${L}${foldedRe("схвален")}\\p{L}*`, `${L}${foldedRe("затверджен")}\\p{L}*`, `${L}${foldedRe("підтвердже")}\\p{L}*`,
  String.raw`${L}aprobat\p{L}*`, String.raw`${L}j[óo]v[áa]hagy\p{L}*`, `${L}${foldedRe("εγκρίθηκ")}\\p{L}*`, `${L}${foldedRe("εγκεκριμέν")}\\p{L}*`,
  String.raw`${L}disetujui${R}`, String.raw`${L}diluluskan${R}`, String.raw`${L}(?:đ[ưu][ợo]c\s+)?(?:duy[ệe]t|ch[ấa]p\s+(?:thu[ậa]n|nh[ậa]n))${R}`,
  nw("स्वीकृत", "मंज़ूर", "मंजूर", "अनुमोदित", "स्वीकार"),
  nw("الموافقة", "موافقة", "وافقنا", "تمت الموافقة", "اعتماد", "معتمد", "تم قبول"),
  nw("אושר", "אושרה", "מאושר", "אישרנו"),
  "อนุมัติ"
)
const APPROVE_FIRST_PERSON = alt(
  String.raw`${L}(?:i|we)(?:'ve|\s+have)?\s+(?:approved|authori[sz]ed|granted)${R}`,
  word(String.raw`(?:wir\s+)?(?:genehmigen|bewilligen|best[äa]tigen)(?:\s+wir)?`, String.raw`ich\s+(?:genehmige|best[äa]tige)`),
  word(String.raw`(?:nous\s+)?(?:approuvons|accordons|confirmons|validons)`, String.raw`je\s+(?:vous\s+)?(?:confirme|valide|approuve)`),
  word(String.raw`(?:le\s+|les\s+)?(?:confirmo|confirmamos|aprobamos|autorizamos|concedemos)`),
  word(String.raw`(?:le\s+)?(?:confermo|confermiamo|approviamo|autorizziamo)`),
  word(String.raw`(?:lhe\s+)?(?:confirmo|confirmamos|aprovamos|autorizamos)`),
  word(String.raw`(?:wij|we|ik)\s+(?:keuren|bevestigen|bevestig)`),
  word("potwierdzam", "potwierdzamy", "zatwierdzam", "zatwierdzamy")
)

/** A guarantee or a promise (verbs, participles; the English noun too). */
/**
 * After the noun "guarantee": a reference to a policy, what it applies to ("the money-back
 * guarantee in our terms applies to new plans only"), not a guarantee given.
 */
const NOT_A_GIVEN_GUARANTEE = String.raw`(?!\s+(?:(?:in|under|from|of)\s+(?:our|the|these|your)\s+(?:\p{L}+\s+)?(?:terms|policy|policies|conditions|contract|agreement|t&cs?)\s+)?(?:only\s+)?(?:applies|apply|covers|is\s+limited|does\s+not\s+apply|doesn't\s+apply|excludes|is\s+described|is\s+explained))`
const GUARANTEE = alt(
  String.raw`(?<![/.#=_-])${L}guarantee(?:[ds]|ing)?${R}(?![^.!?\n]{0,40}(?:(?:is|are)\s+not|isn't|aren't)\s+(?:available|offered|included|possible|supported|an\s+option|something\s+we))(?![^.!?\n]{0,40}(?:was|were|is|are)\s+(?:an?\s+|the\s+)?(?:old|former|expired|previous|past|outdated)\s+(?:banner|ad|advert\p{L}*|campaign|promotion|offer|slogan|claim|wording))(?!\s+(?:page|policy|policies|terms|section|link|article|faq|details|program(?:me)?|conditions|info(?:rmation)?|period|claim|form|scheme|document|pdf)${R})${NOT_A_GIVEN_GUARANTEE}`,
  String.raw`${L}(?:we|i)\s+(?:do\s+)?promise${R}`,
  word(String.raw`you\s+have\s+(?:my|our)\s+(?:personal\s+)?word`),
  word(String.raw`garantier(?:en|e|t|te|ten)`, String.raw`versprech(?:en|e)`, "versprochen", String.raw`sichern\s+(?:Ihnen\s+)?zu`, String.raw`zugesichert`),
  word("garantir", "garantissons", "garantis", "garantit", "garanti", "garantie", "garanties", "promettons", "promets", "promis"),
  word(String.raw`garantiza\p{L}*`, "garantizad[oa]s?", "prometemos", "prometo", String.raw`le\s+aseguramos`),
  word("garantiamo", "garantisco", "garantito", "garantita", "promettiamo", "prometto", String.raw`le\s+assicuriamo`),
  word("garantimos", "garantido", "garantida", String.raw`lhe\s+asseguramos`),
  word(String.raw`garander(?:en|t|de)`, "gegarandeerd", "beloven", "beloof", "beloofd"),
  String.raw`${L}gwarant\p{L}*`, String.raw`${L}obiecuj\p{L}*`,
  "保証します", "保証いたします", "お約束します", "約束します",
  // Swedish, Danish, Norwegian, Finnish, Czech, Hungarian, Romanian, Turkish, Russian, Ukrainian, Greek
  String.raw`${L}garanter(?:ar|er|ade|ede|te)${R}`, word("garanterat", "garanteret", "garantert", "lovar", "lovade", "lover", "lovet", "lovede"),
  String.raw`${L}garantujeme${R}`, String.raw`${L}zaru[čc]ujeme${R}`, String.raw`${L}sľubujeme${R}`, String.raw`${L}slibujeme${R}`,
  // "Tiene nuestra garantía", "vous avez notre garantie", "Sie haben unsere Garantie" (the match starts at the possessive).
  String.raw`(?<=(?:tiene|le\s+damos|le\s+doy)\s+)(?:nuestra|mi)\s+garant[íi]a${R}`, String.raw`(?<=(?:vous\s+avez|nous\s+vous\s+donnons)\s+)notre\s+garantie${R}`,
  String.raw`(?<=Sie\s+haben\s+)(?:unsere|meine)\s+Garantie${R}`, String.raw`(?<=(?:ha|hai)\s+la\s+)nostra\s+garanzia${R}`, String.raw`(?<=(?:tem|voc[êe]\s+tem)\s+a\s+)nossa\s+garantia${R}`,
  String.raw`${L}takaa(?:mme|n)${R}`, String.raw`${L}lupaa(?:mme|n)${R}`, String.raw`${L}zaru[čc]ujeme${R}`, String.raw`${L}garant[áa]l(?:juk|om)${R}`,
  String.raw`${L}[íi]g[ée]rj(?:ük|ük|uk)${R}`, String.raw`${L}garant[ăa]m${R}`, String.raw`${L}promitem${R}`,
  String.raw`${L}garanti\s+(?:ediyor|ederiz|veriyor)\p{L}*`, String.raw`${L}s[öo]z\s+veri(?:yor|riz)\p{L}*`, String.raw`${L}taahh[üu]t\s+ediyor\p{L}*`,
  `${L}${foldedRe("гарантируем")}${R}`, `${L}${foldedRe("обещаем")}${R}`, `${L}${foldedRe("гарантуємо")}${R}`, `${L}${foldedRe("обіцяємо")}${R}`,
  `${L}${foldedRe("εγγυόμαστε")}${R}`, `${L}${foldedRe("υποσχόμαστε")}${R}`,
  // Indonesian and Malay, Vietnamese, Hindi, Arabic, Hebrew, Chinese, Korean, Japanese, Thai
  String.raw`${L}(?:kami\s+)?(?:menjamin|jamin|berjanji)${R}`, String.raw`${L}(?:ch[úu]ng\s+t[ôo]i\s+)?(?:đ[ảa]m\s+b[ảa]o|cam\s+k[ếe]t|h[ứu]a)${R}`,
  nw("गारंटी देते", "गारंटी देता", "वादा करते", "वादा करता", "نضمن", "نعدك", "نعدكم", "מבטיחים", "מבטיח", "אנו מתחייבים"),
  "(?<!不|无法|無法|不能|没法|沒法|未能|难以|難以)(?:保证|保證|确保|確保|承诺|承諾)", "(?<!못\s?|없)(?:보장합니다|약속합니다|보장해\s?드립니다|약속드립니다)",
  "必ず[^。.!?\n]{0,30}?(?:します|いたします|致します|させていただきます)", "รับประกัน"
)

/** Legally binding language. */
/**
 * After "legally binding": a condition on signing makes it a statement about a contract's terms
 * ("the order form is legally binding once countersigned"), not a commitment by us.
 */
const NOT_A_BINDING_TERM = String.raw`(?!\s+(?:only\s+)?(?:once|when|after|upon|as\s+soon\s+as|if)\s+(?:it\s+(?:is|has\s+been)\s+|both\s+parties\s+have\s+)?(?:\p{L}+\s+){0,2}(?:counter)?sign)`
const BINDING = alt(
  String.raw`${L}legally[\s-]+binding${R}${NOT_A_BINDING_TERM}`,
  word(String.raw`legally\s+(?:obligated|responsible|liable)`, String.raw`binding\s+(?:agreement|commitment|offer|promise|contract|confirmation|undertaking)`),
  // A binding offer or discount with an amount or a percentage ("This offer is binding: 40% off …").
  String.raw`(?<=(?:offer|discount|price|deal|rate|quote|terms)\s+(?:is|are|will\s+be|remains?|stays?)\s+)binding${R}(?=[^.!?\n]{0,50}?(?:${PERCENT}|${AMOUNT}))`,
  String.raw`${L}rechts(?:verbindlich|kr[äa]ftig)\p{L}*`, String.raw`${L}(?:rechtlich|juristisch)\s+(?:verbindlich|bindend)\p{L}*`,
  String.raw`${L}verbindliche[nrs]?\s+(?:zusage|zusicherung|vereinbarung|erkl[äa]rung|angebot)`,
  String.raw`${L}(?:juridiquement|l[ée]galement)\s+(?:contraignant|engageant)\p{L}*`, word(String.raw`engagement\s+(?:ferme|contraignant)`, String.raw`offre\s+ferme`),
  String.raw`${L}(?:jur[íi]dica|legal)mente\s+vinculante\p{L}*`, word(String.raw`(?:compromiso|oferta)\s+vinculante`),
  String.raw`${L}(?:giuridica|legal)mente\s+vincolant\p{L}*`, word(String.raw`impegno\s+vincolante`),
  String.raw`${L}(?:juridica|legal)mente\s+vincula(?:tiv|nt)\p{L}*`, word(String.raw`compromisso\s+vinculativo`),
  String.raw`${L}(?:juridisch|wettelijk)\s+bindend\p{L}*`, word(String.raw`bindende\s+(?:toezegging|overeenkomst|afspraak)`),
  String.raw`${L}prawnie\s+wi[ąa][żz][ąa]c\p{L}*`,
  "法的拘束力"
)

/** Harm a company may say it is responsible for. */
const HARM = alt(
  String.raw`delays?|damages?|loss(?:es)?|outages?|errors?|mistakes?|problems?|issues?|costs?|charges?|inconvenience|failures?|breach\p{L}*|downtime|incident`,
  String.raw`schaden|sch[äa]den|verz[öo]gerung|ausfall|fehler|verlust|kosten`,
  String.raw`dommages?|retards?|pannes?|erreurs?|pertes?|pr[ée]judices?|frais|incident`,
  String.raw`da[ñn]os?|retrasos?|fallos?|errore?s?|p[ée]rdidas?|perjuicios?|gastos|incidente`,
  String.raw`danni|danno|ritard[oi]|guast[oi]|error[ei]|perdit[ae]|disservizi?o?|costi`,
  String.raw`danos?|atrasos?|falhas?|erros?|perdas?|preju[íi]zos?|custos`,
  String.raw`schade|vertraging|storing|fout|verlies|kosten`
)

/** Admissions of liability, responsibility, fault or negligence, and taking on costs or debts. */
const LIABILITY = alt(
  // English
  String.raw`${L}(?:we|i|the\s+company|our\s+company)\s+(?:hereby\s+|fully\s+)?(?:accept|admit|acknowledge|assume|take)s?\s+(?:full\s+|all\s+|complete\s+|total\s+)?(?:legal\s+)?(?:liability|responsibility|fault|blame)${R}`,
  String.raw`${L}(?:we\s+are|we're|i\s+am|i'm|(?:our|the)\s+(?:company|firm|business|shop|store)\s+is)\s+(?:fully\s+|legally\s+|entirely\s+)?(?:liable|at\s+fault)${R}`,
  String.raw`${L}(?:we\s+are|we're)\s+(?:fully\s+|entirely\s+|solely\s+)?responsible\s+for\s+(?:the\s+|this\s+|that\s+|your\s+|any\s+|all\s+(?:the\s+)?)?(?:\p{L}+\s+)?${HARM}${R}`,
  String.raw`${L}(?:(?:it|this|that)\s+(?:was|is)|it's|that's|was|is)\s+(?:entirely\s+|completely\s+|totally\s+|all\s+|fully\s+)?our\s+(?:own\s+)?fault${R}`,
  String.raw`${L}(?:we|i)\s+(?:were|was|have\s+been|had\s+been)\s+negligent${R}`, word(String.raw`negligence\s+on\s+our\s+part`, String.raw`our\s+negligence`, String.raw`admission\s+of\s+liability`),
  String.raw`${L}(?:we|i)\s+admit\s+(?:that\s+)?(?:we|i|it)${R}`,
  String.raw`${L}we(?:'ll|\s+will|\s+shall)\s+(?:cover|pay\s+for|bear|reimburse|refund)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:\p{L}+\s+)?(?:costs?|expenses|damages?|losses|replacement|repairs?|fees)${R}`,
  String.raw`${L}we\s+owe\s+you${GAP}{0,20}?${AMOUNT}`,
  String.raw`${L}we(?:'ll|\s+will|\s+shall)\s+(?:gladly\s+|happily\s+|also\s+)?(?:pay\s+for|cover\s+(?:the\s+)?(?:cost|costs|price|bill)\s+(?:of|for))${R}`,
  String.raw`${L}(?:a\s+empresa|n[óo]s)\s+(?:se\s+)?responsabiliza(?:mos)?\s+(?:por|pelo|pela|pelos|pelas)${R}`, String.raw`${L}nos\s+(?:hacemos|haremos)\s+(?:cargo|responsables)\s+de${R}`,
  String.raw`${L}(?:la\s+empresa|nosotros)\s+se\s+hace\s+responsable${R}`, String.raw`${L}ci\s+assumiamo\s+(?:la\s+|ogni\s+|tutta\s+la\s+)?responsabilit`, String.raw`${L}nous\s+nous\s+(?:engageons|portons\s+garants?)${R}`,
  "(?:当社|弊社)が[^。]{0,12}負担(?:いたします|します|致します|させていただきます)", "(?:由我们|我们|我們|由我們)(?:来|來)?(?:承担|承擔|负担|負擔)", "(?:저희가|당사가)[^.。]{0,15}부담(?:하겠습니다|합니다|해\s?드리겠습니다)",
  // Damages or costs named before, then taken on ("you are entitled to damages; we will pay them").
  String.raw`(?<=(?:damages?|costs?|fees?|charges?|expenses|losses|bills?|invoices?|compensation)[^.!?\n]{0,80})${L}we(?:'ll|\s+will|\s+shall)\s+(?:pay|cover|reimburse|compensate|settle)\s+(?:them|it|those|these|that|this)(?:\s+in\s+full)?${R}`,
  // German
  String.raw`${L}(?:übernehmen|tragen|anerkennen)\s+(?:wir\s+)?(?:die\s+|jede\s+)?(?:volle\s+|vollst[äa]ndige\s+|gesamte\s+|ganze\s+)?(?:Haftung|Verantwortung)${R}`,
  String.raw`${L}(?:Haftung|Verantwortung)\s+(?:übernehmen|anerkennen)${R}`, word(String.raw`wir\s+haften`, String.raw`haften\s+wir`, String.raw`unser(?:e|em)?\s+(?:Verschulden|Schuld)`, String.raw`fahrl[äa]ssig\s+gehandelt`, String.raw`schulden\s+Ihnen`),
  String.raw`${L}(?:wir\s+sind|sind\s+wir)\s+(?:voll\s+|vollst[äa]ndig\s+)?(?:haftbar|verantwortlich\s+f[üu]r\s+(?:den|die|das|alle)\s+(?:\p{L}+\s+)?${HARM})${R}`,
  String.raw`${L}(?:übernehmen|ersetzen|tragen)\s+(?:wir\s+)?(?:Ihnen\s+)?(?:alle\s+|s[äa]mtliche\s+|die\s+)?(?:entstandenen\s+)?(?:Kosten|Sch[äa]den|Schaden)${R}`,
  String.raw`${L}kommen\s+(?:wir\s+)?f[üu]r\s+(?:den\s+Schaden|die\s+Kosten|alle\s+Kosten|s[äa]mtliche\s+Kosten)\s+auf${R}`,
  // French
  String.raw`${L}(?:acceptons|reconnaissons|assumons|prenons|accepte|reconnais|assume)\s+(?:l'|la\s+|notre\s+|toute\s+la\s+|l'enti[èe]re\s+|la\s+pleine\s+|l'enti[èe]re\s+)?(?:enti[èe]re\s+|pleine\s+)?responsabilit[ée]${R}`,
  String.raw`${L}(?:c'est|c'[ée]tait|est|[ée]tait)\s+(?:enti[èe]rement\s+|totalement\s+)?(?:de\s+)?notre\s+faute${R}`, word(String.raw`notre\s+n[ée]gligence`, String.raw`nous\s+avons\s+[ée]t[ée]\s+n[ée]gligents?`, String.raw`nous\s+vous\s+devons`),
  String.raw`${L}nous\s+sommes\s+(?:enti[èe]rement\s+|pleinement\s+|seuls\s+)?responsables\s+d(?:e|u|es|')\s*(?:la\s+|l')?(?:\p{L}+\s+)?${HARM}${R}`,
  String.raw`${L}(?:prendrons|prenons)\s+en\s+charge\s+(?:tous\s+)?(?:les|vos)\s+(?:\p{L}+\s+)?(?:frais|co[ûu]ts|dommages)${R}`,
  // Spanish
  String.raw`${L}(?:asumimos|aceptamos|reconocemos|asumo|acepto|reconozco)\s+(?:toda\s+la\s+|la\s+plena\s+|la\s+total\s+|la\s+|nuestra\s+|plena\s+|toda\s+)?(?:total\s+|plena\s+)?responsabilidad${R}`,
  String.raw`${L}(?:es|fue|ha\s+sido)\s+(?:totalmente\s+|enteramente\s+)?(?:culpa\s+nuestra|nuestra\s+culpa)${R}`, word(String.raw`nuestra\s+negligencia`, String.raw`fuimos\s+negligentes`, String.raw`le\s+debemos`),
  String.raw`${L}somos\s+(?:totalmente\s+|plenamente\s+)?responsables\s+de(?:l)?\s+(?:los\s+|las\s+|la\s+|el\s+)?(?:\p{L}+\s+)?${HARM}${R}`,
  String.raw`${L}(?:cubriremos|asumiremos|pagaremos)\s+(?:todos\s+)?(?:los|sus)\s+(?:\p{L}+\s+)?(?:gastos|costes|costos|da[ñn]os)${R}`,
  // Italian
  String.raw`${L}(?:assumiamo|accettiamo|riconosciamo|mi\s+assumo)\s+(?:la\s+piena\s+|tutta\s+la\s+|la\s+nostra\s+|la\s+|piena\s+)?(?:piena\s+)?responsabilit[àa]${R}`,
  String.raw`${L}(?:[èe]|era|[èe]\s+stata)\s+(?:interamente\s+|totalmente\s+)?(?:colpa\s+nostra|nostra\s+colpa)${R}`, word(String.raw`nostra\s+negligenza`, String.raw`siamo\s+stati\s+negligenti`, String.raw`le\s+dobbiamo`),
  String.raw`${L}siamo\s+(?:pienamente\s+|interamente\s+)?responsabili\s+(?:del|della|dei|delle|per\s+il|per\s+la)\s+(?:\p{L}+\s+)?${HARM}${R}`,
  String.raw`${L}(?:copriremo|pagheremo|rimborseremo)\s+(?:tutte\s+)?(?:le|sue)\s+(?:\p{L}+\s+)?(?:spese|costi|danni)${R}`,
  // Portuguese
  String.raw`${L}(?:assumimos|aceitamos|reconhecemos|assumo)\s+(?:toda\s+a\s+|a\s+total\s+|a\s+nossa\s+|a\s+plena\s+|a\s+|total\s+|plena\s+)?(?:total\s+|plena\s+)?responsabilidade${R}`,
  String.raw`${L}(?:[ée]|foi)\s+(?:inteiramente\s+|totalmente\s+)?(?:culpa\s+nossa|nossa\s+culpa)${R}`, word(String.raw`nossa\s+neglig[êe]ncia`, String.raw`fomos\s+negligentes`, String.raw`devemos-lhe`, String.raw`lhe\s+devemos`),
  String.raw`${L}somos\s+(?:totalmente\s+|inteiramente\s+)?respons[áa]veis\s+(?:pelo|pela|pelos|pelas)\s+(?:\p{L}+\s+)?${HARM}${R}`,
  String.raw`${L}(?:cobriremos|pagaremos|arcaremos\s+com)\s+(?:todos\s+)?os\s+(?:\p{L}+\s+)?(?:custos|gastos|danos)${R}`,
  // Dutch
  String.raw`${L}(?:wij|we|ik)\s+(?:aanvaarden|accepteren|erkennen|nemen|aanvaard|accepteer|erken|neem)\s+(?:de\s+|alle\s+|volledige\s+)?(?:volledige\s+)?(?:aansprakelijkheid|verantwoordelijkheid)${R}`,
  String.raw`${L}(?:wij|we)\s+zijn\s+(?:volledig\s+)?aansprakelijk${R}`, word(String.raw`(?:het\s+is|het\s+was|dit\s+is|dit\s+was)\s+(?:volledig\s+|helemaal\s+)?onze\s+(?:eigen\s+)?schuld`, String.raw`onze\s+nalatigheid`),
  String.raw`${L}(?:wij|we)\s+(?:vergoeden|betalen)\s+(?:alle\s+|de\s+|uw\s+)?(?:\p{L}+\s+)?(?:kosten|schade)${R}`,
  // Polish, Japanese
  String.raw`${L}ponosimy\s+(?:pe[łl]n[ąa]\s+)?odpowiedzialno[śs][ćc]`, word(String.raw`nasza\s+wina`),
  "責任を負います", "責任を認め", "弊社の過失", "当社の過失",
  // Swedish, Danish, Norwegian, Finnish, Czech, Slovak, Romanian, Hungarian (each match starts at
  // its content word, a lookbehind holding the subject)
  String.raw`(?<=(?:vi|Vi)\s+(?:tar|bär|tager|påtar\s+oss|påtager\s+os)\s+(?:på\s+oss\s+)?(?:fullt\s+|hela\s+|det\s+fulde\s+|det\s+fulle\s+)?)ansvar(?:et)?${R}`,
  String.raw`(?<=(?:det|Det)\s+(?:är|er|var)\s+(?:helt\s+)?)(?:vårt|vores|vårt|vår)\s+(?:fel|fejl|feil|skyld)${R}`,
  String.raw`${L}otamme\s+(?:täyden\s+)?vastuun${R}`, String.raw`${L}meid[äa]n\s+vikamme${R}`,
  String.raw`${L}p[řr]eb[íi]r[áa]me\s+(?:plnou\s+)?odpov[ěe]dnost${R}`, String.raw`(?<=(?:je|Je|bola|byla)\s+to\s+)na[šs]e\s+(?:chyba|vina)${R}`,
  String.raw`${L}(?:ne\s+)?asum[ăa]m\s+(?:[îi]ntreaga\s+|toat[ăa]\s+)?responsabilitatea${R}`, String.raw`(?<=(?:este|a\s+fost)\s+)(?:vina|gre[şs]eala)\s+noastr[ăa]${R}`,
  String.raw`${L}v[áa]llaljuk\s+a\s+(?:teljes\s+)?felel[őo]ss[ée]get${R}`, String.raw`(?<=(?:ez|az)\s+(?:a\s+)?mi\s+)hib[áa]nk${R}`,
  // Turkish, Russian, Ukrainian, Greek
  `${L}${foldedRe("sorumluluğu")}\\s+(?:${foldedRe("tamamen")}\\s+)?(?:${foldedRe("üstleniyoruz")}|${foldedRe("kabul")}\\s+${foldedRe("ediyoruz")})${R}`,
  `${L}(?:${foldedRe("tamamen")}\\s+)?${foldedRe("bizim")}\\s+${foldedRe("hatamız")}${R}`,
  `(?<=${foldedRe("мы")}\\s+${foldedRe("берём")}\\s+${foldedRe("на")}\\s+${foldedRe("себя")}\\s+(?:${foldedRe("полную")}\\s+)?)${foldedRe("ответственность")}`,
  `(?<=${foldedRe("это")}\\s+)${foldedRe("наша")}\\s+(?:${foldedRe("вина")}|${foldedRe("ошибка")})`,
  `(?<=${foldedRe("беремо")}\\s+${foldedRe("на")}\\s+${foldedRe("себе")}\\s+(?:${foldedRe("повну")}\\s+)?)${foldedRe("відповідальність")}`,
  `(?<=${foldedRe("це")}\\s+)${foldedRe("наша")}\\s+(?:${foldedRe("провина")}|${foldedRe("помилка")})`,
  `${L}${foldedRe("αναλαμβάνουμε")}\\s+(?:${foldedRe("την")}\\s+)?(?:${foldedRe("πλήρη")}\\s+)?${foldedRe("ευθύνη")}`,
  `${L}${foldedRe("δικό")}\\s+${foldedRe("μας")}\\s+${foldedRe("λάθος")}`, `(?<=${foldedRe("λάθος")}\\s+${foldedRe("είναι")}\\s+)${foldedRe("δικό")}\\s+${foldedRe("μας")}`,
  // Indonesian and Malay, Vietnamese, Hindi, Arabic, Hebrew, Chinese, Korean, Thai
  String.raw`(?<=(?:kami|Kami)\s+)bertanggung\s+jawab\s+(?:penuh\s+)?(?:atas|untuk|terhadap)${R}`, String.raw`${L}kesalahan\s+(?:ada\s+(?:pada|di\s+pihak)\s+)?kami${R}`,
  String.raw`(?<=(?:ch[úu]ng\s+t[ôo]i|Ch[úu]ng\s+t[ôo]i)\s+(?:xin\s+)?)ch[ịi]u\s+(?:ho[àa]n\s+to[àa]n\s+)?tr[áa]ch\s+nhi[ệe]m${R}`, String.raw`${L}l[ỗo]i\s+(?:l[àa]\s+)?(?:c[ủu]a|do)\s+ch[úu]ng\s+t[ôo]i${R}`,
  nw("हम पूरी ज़िम्मेदारी लेते", "हम पूरी जिम्मेदारी लेते", "हम ज़िम्मेदारी लेते", "हम जिम्मेदारी लेते", "यह हमारी ग़लती", "यह हमारी गलती", "हमारी ग़लती है", "हमारी गलती है"),
  nw("نتحمل المسؤولية", "نتحمل كامل المسؤولية", "نتحمل المسؤولية الكاملة", "هذا خطؤنا", "إنه خطؤنا", "الخطأ خطؤنا", "الخطأ من جانبنا"),
  nw("אנו לוקחים אחריות", "אנחנו לוקחים אחריות", "אנו לוקחים את מלוא האחריות", "אנחנו לוקחים את מלוא האחריות", "זו אשמתנו", "זאת אשמתנו", "באשמתנו", "האשמה שלנו"),
  "(?:我们|我們)(?:愿意)?(?:承担|承擔)(?:全部|全|所有)?(?:的)?(?:责任|責任)", "是我们的(?:错|錯|责任|責任|失误|失誤)", "是我們的(?:错|錯|责任|責任|失误|失誤)",
  "(?:저희|당사)(?:의|가)?\\s?(?:잘못|책임)입니다", "책임지겠습니다", "책임을\\s?지겠습니다",
  "เราขอรับผิดชอบ", "เป็นความผิดของเรา", "เป็นความผิดพลาดของเรา"
)

/** A company paying or sending an amount ("vous verserons 2 000 €", "we'll send you $50"). */
const PAY_FIRST_PERSON = alt(
  String.raw`${L}(?:we|i)(?:'ll|\s+will|\s+shall)?\s+(?:pay|send|transfer|wire|give)\s+you${R}`,
  word(String.raw`(?:zahlen|überweisen|[üu]berweisen)\s+(?:wir\s+)?Ihnen`, String.raw`wir\s+(?:zahlen|überweisen)`),
  word(String.raw`(?:vous\s+)?(?:verserons|versons|verserai|paierons|payerons|virerons)`),
  word(String.raw`(?:le\s+)?(?:pagaremos|transferiremos|abonaremos|ingresaremos)`),
  word(String.raw`(?:le\s+)?(?:verseremo|pagheremo|bonificheremo)`),
  word(String.raw`(?:lhe\s+)?(?:pagaremos|transferiremos|depositaremos)`),
  word(String.raw`(?:wij|we)\s+(?:betalen|storten|maken)\s+u`)
)
/**
 * A company taking on a cost with an amount or a cap ("We'll pay for the technician visit, up to
 * $300", "wir übernehmen die Reparatur bis zu 300 €", "nous prendrons en charge … jusqu'à 200 €"):
 * a cap is still a commitment here, unlike a policy's "refunds of up to 100%".
 */
const COVER_FIRST_PERSON = alt(
  String.raw`${L}(?:we|i)(?:'ll|\s+will|\s+shall|\s+are\s+going\s+to|\s+can|\s+do)?\s+(?:(?:happily|gladly|also|fully)\s+)?(?:pay\s+for|cover|reimburse|pick\s+up\s+the\s+(?:bill|tab|cost)|foot\s+the\s+bill|take\s+care\s+of|absorb)${R}`,
  word(String.raw`(?:wir\s+)?(?:übernehmen|[üu]bernehmen|bezahlen|zahlen|erstatten)(?:\s+wir)?`),
  word(String.raw`nous\s+(?:prendrons|prenons)\s+en\s+charge`, String.raw`nous\s+(?:paierons|payerons|couvrirons|rembourserons|couvrons|payons)`),
  word(String.raw`(?:cubriremos|pagaremos|asumiremos|cubrimos|pagamos|nos\s+haremos\s+cargo\s+de|nos\s+hacemos\s+cargo\s+de)`),
  word(String.raw`(?:copriremo|pagheremo|copriamo|paghiamo|ci\s+faremo\s+carico\s+di|ci\s+facciamo\s+carico\s+di)`),
  word(String.raw`(?:cobriremos|pagaremos|cobrimos|arcaremos\s+com|arcamos\s+com)`),
  word(String.raw`(?:wij|we)\s+(?:betalen|vergoeden|dekken|nemen)`)
)
const COVER_WORDS = triggerGroup([
  "pay", "cover", "reimburs", "pick", "foot", "take", "absorb", "übernehm", "ubernehm", "bezahl", "zahl", "erstatt", "prendrons",
  "prenons", "paierons", "payerons", "couvri", "couvrons", "payons", "rembourserons", "cubri", "pagaremos", "pagamos", "asumiremos",
  "haremos", "hacemos", "copri", "pagheremo", "paghiamo", "faremo", "facciamo", "cobri", "arcaremos", "arcamos", "betalen",
  "vergoeden", "dekken", "nemen"
])
/** A cap before an amount ("up to", "bis zu", "jusqu'à", "hasta", "fino a", "até", "tot", "a maximum of"). */
const CAP = String.raw`(?:(?:up\s+to|a\s+maximum\s+of|max(?:imum)?\.?|bis\s+zu|h[öo]chstens|maximal|jusqu'[àa]|hasta|fino\s+a|at[ée]|tot|maximaal)\s+)?`

const NOT_AN_INVOICE = String.raw`(?:(?!${L}(?:invoice|bill|receipt|charge|rechnung|facture|factura|fattura|fatura|factuur)${R})${GAP}){0,30}?`

/** No further checks or verification needed. */
const NO_FURTHER_CHECKS = alt(
  String.raw`${L}no\s+(?:further|additional|more|other)\s+(?:checks?|verifications?|review|approvals?|questions|documents?|paperwork|proof|steps)(?:\s+(?:are|is|will\s+be))?\s+(?:needed|required|necessary)${R}`,
  String.raw`${L}(?:there\s+are|there's|with)\s+no\s+(?:further|additional|more)\s+(?:checks?|verifications?)${R}`,
  String.raw`${L}without\s+(?:any\s+)?(?:further|additional|more)\s+(?:checks?|verifications?|review)${R}`,
  String.raw`${L}no\s+need\s+(?:for\s+(?:any\s+)?(?:further\s+)?(?:checks?|verification)|to\s+verify)${R}`,
  String.raw`${L}(?:skip(?:ped)?|waived?|bypass(?:ed)?)\s+(?:the\s+)?(?:identity\s+|id\s+|security\s+)?(?:check|verification)s?${R}`,
  String.raw`${L}ohne\s+(?:weitere|zus[äa]tzliche|erneute)\s+(?:Pr[üu]fung|[ÜU]berpr[üu]fung|Kontrolle|Verifizierung|Nachweise?)\p{L}*`,
  String.raw`${L}keine\s+(?:weiteren|zus[äa]tzlichen)\s+(?:Pr[üu]fungen|[ÜU]berpr[üu]fungen|Kontrollen|Nachweise|Unterlagen)\s+(?:mehr\s+)?(?:n[öo]tig|notwendig|erforderlich)${R}`,
  String.raw`${L}sans\s+(?:autre|aucune\s+autre|plus\s+de|nouvelle)\s+(?:v[ée]rification|contr[ôo]le)s?${R}`,
  String.raw`${L}sans\s+(?:v[ée]rification|contr[ôo]le)s?\s+(?:suppl[ée]mentaire|compl[ée]mentaire)s?${R}`,
  String.raw`${L}aucune\s+(?:autre\s+)?v[ée]rification\s+(?:suppl[ée]mentaire\s+)?(?:n'est\s+)?(?:n[ée]cessaire|requise)${R}`,
  String.raw`${L}sin\s+(?:m[áa]s|otras|ninguna\s+otra|nuevas)\s+(?:comprobaci(?:[óo]n|ones)|verificaci(?:[óo]n|ones)|revisi(?:[óo]n|ones))${R}`,
  String.raw`${L}sin\s+(?:comprobaci|verificaci|revisi)(?:[óo]n|ones)\s+adicional(?:es)?${R}`,
  String.raw`${L}no\s+(?:se\s+necesitan|hacen\s+falta|son\s+necesarias)\s+m[áa]s\s+(?:comprobaciones|verificaciones)${R}`,
  String.raw`${L}senza\s+(?:ulteriori|altre)\s+(?:verifiche|controlli)${R}`,
  String.raw`${L}nessun[ao]?\s+(?:ulteriore|altra|altro)\s+(?:verifica|controllo)\s+(?:[èe]\s+)?(?:necessari[ao]|richiest[ao])${R}`,
  String.raw`${L}sem\s+(?:mais|outras|nenhuma\s+outra)\s+(?:verifica[çc](?:[ãa]o|[õo]es)|confirma[çc][õo]es|an[áa]lises)${R}`,
  String.raw`${L}sem\s+(?:verifica[çc][ãa]o|an[áa]lise)\s+adicional${R}`,
  String.raw`${L}n[ãa]o\s+(?:s[ãa]o\s+necess[áa]rias|[ée]\s+necess[áa]ria)\s+mais\s+verifica[çc][õo]es${R}`,
  String.raw`${L}zonder\s+(?:verdere|extra|aanvullende)\s+(?:controles?|verificatie)${R}`,
  String.raw`${L}geen\s+(?:verdere|extra|aanvullende)\s+(?:controles?|verificatie)\s+(?:meer\s+)?(?:nodig|vereist)${R}`,
  String.raw`${L}bez\s+(?:dalszej|dodatkowej)\s+weryfikacji`,
  "追加の確認は不要", "これ以上の確認は不要",
  // Swedish, Danish, Norwegian, Finnish, Czech, Romanian, Hungarian, Turkish, Indonesian, Vietnamese
  String.raw`${L}utan\s+(?:ytterligare|fler|vidare)\s+(?:kontroll(?:er)?|verifiering)${R}`, String.raw`${L}uden\s+(?:yderligere|flere)\s+(?:kontrol(?:ler)?|verificering)${R}`,
  String.raw`${L}uten\s+(?:ytterligere|flere)\s+(?:kontroll(?:er)?|verifisering)${R}`, String.raw`${L}ilman\s+(?:lis[äa]tarkistuksia|lis[äa]tarkastuksia|lis[äa]vahvistusta)${R}`,
  String.raw`${L}bez\s+(?:dal[šs][íi]ho|dodate[čc]n[ée]ho)\s+ov[ěe][řr]en[íi]${R}`, String.raw`${L}f[ăa]r[ăa]\s+(?:alte\s+)?verific[ăa]ri\s+suplimentare${R}`,
  String.raw`${L}tov[áa]bbi\s+ellen[őo]rz[ée]s\s+n[ée]lk[üu]l${R}`, `${L}${foldedRe("ek")}\\s+(?:${foldedRe("bir")}\\s+)?${foldedRe("kontrole")}\\s+${foldedRe("gerek")}\\s+${foldedRe("yok")}`,
  String.raw`${L}tanpa\s+(?:verifikasi|pemeriksaan)\s+(?:tambahan|lebih\s+lanjut)${R}`, String.raw`${L}kh[ôo]ng\s+c[ầa]n\s+(?:x[áa]c\s+minh|ki[ểe]m\s+tra)\s+th[êe]m${R}`,
  // Russian, Ukrainian, Greek, Hindi, Arabic, Hebrew, Chinese, Korean
  `${L}${foldedRe("без")}\\s+(?:${foldedRe("дополнительной")}|${foldedRe("дальнейшей")})\\s+${foldedRe("проверки")}`, `${L}${foldedRe("без")}\\s+${foldedRe("додаткової")}\\s+${foldedRe("перевірки")}`,
  `${L}${foldedRe("χωρίς")}\\s+(?:${foldedRe("περαιτέρω")}|${foldedRe("επιπλέον")})\\s+${foldedRe("έλεγχο")}`,
  nw("किसी और जाँच की आवश्यकता नहीं", "और जांच की जरूरत नहीं", "دون أي تحقق إضافي", "بدون أي تحقق إضافي", "لا حاجة لأي تحقق إضافي", "ללא בדיקות נוספות", "אין צורך בבדיקות נוספות"),
  "无需进一步(?:核实|验证|审核)", "不需要(?:额外|进一步)的?(?:验证|核实|审核)", "無需進一步(?:核實|驗證|審核)", "추가\\s?(?:확인|인증|검증)(?:이|은)?\\s?필요\\s?(?:없습니다|하지\\s?않습니다)"
)

/** A refund promised without an amount ("you'll get your money back", "vous serez remboursé"). */
const REFUND_PROMISE = alt(
  String.raw`${L}(?:you'll|you\s+will|you're\s+going\s+to)\s+(?:get|receive|be\s+getting)\s+(?:your\s+|a\s+|the\s+)?(?:money\s+back|refund|credit|reimbursement)${R}`,
  String.raw`${L}(?:we'll|we\s+will|i'll|i\s+will)\s+(?:refund|reimburse|compensate)\s+(?:you|your)${R}`,
  String.raw`${L}Sie\s+(?:erhalten|bekommen)\s+(?:Ihr\s+Geld|den\s+(?:vollen\s+)?Betrag|die\s+Summe)\s+zur[üu]ck${R}`, String.raw`${L}(?:wir\s+)?erstatten\s+(?:wir\s+)?Ihnen${R}`,
  String.raw`${L}vous\s+serez\s+rembours[ée]e?s?${R}`, String.raw`${L}nous\s+(?:vous\s+rembourserons|allons\s+vous\s+rembourser)${R}`,
  String.raw`${L}(?:le|te)\s+(?:reembolsaremos|devolveremos)(?:\s+el\s+dinero)?${R}`, String.raw`${L}(?:ser[áa]|ser[áa]n)\s+reembolsad[oa]s?${R}`,
  String.raw`${L}(?:la|le|ti)\s+rimborseremo${R}`, String.raw`${L}sar[àa]\s+rimborsat[oa]${R}`,
  String.raw`${L}(?:vamos|iremos)\s+(?:reembolsar|devolver)${R}`,
  String.raw`${L}(?:wij|we)\s+(?:betalen|storten)\s+(?:u|het\s+bedrag)\s+terug${R}`, String.raw`${L}u\s+krijgt\s+uw\s+geld\s+terug${R}`,
  String.raw`${L}(?:voc[êe]\s+)?(?:vai|ir[áa])\s+receber\s+(?:um\s+|o\s+|seu\s+)?(?:cr[ée]dito|reembolso|estorno)${R}`, String.raw`${L}(?:usted\s+)?va\s+a\s+recibir\s+(?:un\s+|el\s+|su\s+)?(?:cr[ée]dito|reembolso)${R}`,
  String.raw`${L}vous\s+(?:allez\s+recevoir|recevrez)\s+(?:un\s+|le\s+|votre\s+)?(?:avoir|remboursement|cr[ée]dit)${R}`, String.raw`${L}Sie\s+(?:bekommen|erhalten)\s+(?:eine\s+|die\s+)?(?:Gutschrift|Erstattung|R[üu]ckerstattung)${R}`,
  String.raw`${L}(?:you'll|you\s+will)\s+(?:get|receive)\s+(?:\d+|one|two|three|a)\s+(?:free\s+)?(?:months?|weeks?)(?:\s+(?:free|for\s+free|on\s+us))?${R}`
)
/** A condition earlier in the sentence ("If eligible, you'll get a refund", "Sobald …"). */
const CONDITIONAL_BEFORE_RE = /(?:^|[.!?]\s)[^.!?]*(?<![\p{L}\p{N}])(?:if|once|when|unless|provided|as\s+soon\s+as|wenn|falls|sobald|si|d[èe]s\s+que|lorsque|cuando|una\s+vez|quando|assim\s+que|als|zodra|indien)(?![\p{L}\p{N}])[^.!?]*$/iu

/** Full refunds. */
const FULL_REFUND = alt(
  String.raw`${L}(?:full|complete|entire|total)\s+refund${R}`, String.raw`${L}refund\p{L}*\s+(?:you\s+)?in\s+full${R}`,
  String.raw`${L}refund\p{L}*\s+(?:you\s+)?(?:the\s+)?(?:full|entire|whole)\s+(?:amount|price|cost|fee)${R}`,
  String.raw`${L}(?:volle|vollen|vollst[äa]ndige[nr]?|komplette[nr]?)\s+(?:R[üu]ck)?erstattung${R}`, String.raw`${L}(?:voll|vollst[äa]ndig|komplett)\s+(?:zur[üu]ck)?erstatte\p{L}*`,
  String.raw`${L}erstattung\s+in\s+voller\s+H[öo]he${R}`,
  String.raw`${L}remboursement\s+(?:int[ée]gral|total|complet)${R}`, String.raw`${L}rembours\p{L}*\s+(?:int[ée]gralement|en\s+totalit[ée]|enti[èe]rement)${R}`,
  String.raw`${L}(?:reembolso|devoluci[óo]n)\s+(?:total|completo|completa|[íi]ntegro|[íi]ntegra)${R}`, String.raw`${L}reembols\p{L}*\s+(?:la\s+)?totalidad${R}`,
  String.raw`${L}rimborso\s+(?:totale|completo|integrale)${R}`, String.raw`${L}rimbors\p{L}*\s+(?:integralmente|interamente)${R}`,
  String.raw`${L}reembolso\s+(?:total|integral|completo)${R}`, String.raw`${L}reembols\p{L}*\s+(?:integralmente|na\s+totalidade)${R}`,
  String.raw`${L}volledige\s+terugbetaling${R}`, String.raw`${L}volledig\s+terug(?:betalen|betaald|storten|gestort)${R}`,
  String.raw`${L}pe[łl]ny\s+zwrot`, "全額返金", "全額を返金", "全額払い戻し"
)

// ---------------------------------------------------------------------------
// Trigger words: a pattern runs only on a text with a word of each of its groups
// ---------------------------------------------------------------------------

const REFUND_WORDS = triggerGroup([
  "refund", "reimburs", "compensat", "chargeback", "cashback", "cash back", "payout", "goodwill", "rebate", "money back", "credit",
  "schreiben", "erstatt", "rückerstatt", "ruckerstatt", "zurück", "zuruck", "rückzahl", "ruckzahl", "gutschr", "gutgeschrieben", "entschädig",
  "entschadig", "kulanz", "schadensersatz", "schadenersatz", "ausgleichszahlung",
  "rembours", "avoir", "d'avoir", "dédommag", "dedommag", "indemni", "geste", "crédit",
  "reembols", "devolu", "devolv", "devuelt", "abono", "abonamos", "abonaremos", "abonad", "bonifica", "reintegr", "indemniz",
  "month", "months", "week", "weeks", "gutschrift", "rimbors", "accredit", "risarc", "indennizz", "storn",
  "estorn", "ressarc", "indeniza", "compensação", "compensacao",
  "återbetal", "tilbagebetal", "refusjon", "refunder", "kreditera", "kreditnota", "ersättning", "godtgør", "kompensasjon",
  "kredit", "připíš", "pripis", "vrátíme", "vratime", "vrátime", "hyvity", "palautu", "korvau", "vrácen", "vracen", "refundac", "dobropis", "odškodn", "iade", "geri", "tazminat",
  ...foldedStems("возврат"), ...foldedStems("возмещени"), ...foldedStems("компенсаци"), ...foldedStems("вернём"), ...foldedStems("вернем"), "환불", "보상", "退款", "退還", "退还", "賠償", "赔偿", "补偿", "補償",
  ...foldedStems("повернен"), ...foldedStems("відшкодуван"), ...foldedStems("компенсац"), "rambursa", "despăgubi", "despagubi",
  "visszatér", "visszater", "kártérít", "karterit", "jóváír", "jovair", ...foldedStems("επιστροφ"), ...foldedStems("αποζημίωσ"),
  "pengembalian", "dana", "uang", "bayaran", "ganti", "hoàn", "hoan", "bồi", "boi",
  ...nwStems("रिफंड", "रिफ़ंड", "धनवापसी", "वापसी", "प्रतिपूर्ति", "मुआवज़ा", "मुआवजा", "क्षतिपूर्ति", "क्रेडिट"),
  ...nwStems("استرد", "الاسترد", "باسترد", "واسترد", "لاسترد", "استرج", "الاسترج", "باسترج", "إرجاع", "ارجاع", "الإرجاع", "بإرجاع", "تعويض", "التعويض", "بتعويض", "كتعويض", "رد", "إعادة", "اعادة"),
  ...nwStems("החזר", "וההחזר", "ההחזר", "זיכוי", "הזיכוי", "פיצוי", "הפיצוי"), "คืนเงิน", "ชดเชย",
  "terugbeta", "teruggestort", "terug", "terugstort", "restitu", "vergoed", "gecrediteerd", "crediteren", "creditnota",
  "tegoed", "compensatie", "schadevergoeding",
  "zwrot", "zwróc", "zwroc", "rekompensat", "odszkodowani",
  "返金", "払い戻し", "払戻", "返還", "補償", "賠償"
])
const APPROVED_WORDS = triggerGroup([
  "approved", "granted", "authorised", "authorized", "genehmigt", "bewilligt", "freigegeben", "bestätigt", "bestatigt",
  "veranlasst", "approuv", "accord", "valid", "autoris", "confirmé", "confirme", "aprobad", "autorizad", "concedid", "confirmad",
  "approvat", "autorizzat", "concess", "confermat", "aprovad", "goedgekeurd", "toegekend", "bevestigd", "zatwierdzon",
  "przyznan", "承認", "godkän", "godkan", "godkend", "godkjen", "beviljat", "hyväksy", "schvál", "onayla", ...foldedStems("одобр"), ...foldedStems("утвержд"),
  "승인", "批准", "核准", "已批准",
  ...foldedStems("схвален"), ...foldedStems("затверджен"), ...foldedStems("підтвердже"), "aprobat", "jóváhagy", "jovahagy",
  ...foldedStems("εγκρίθηκ"), ...foldedStems("εγκεκριμέν"), "disetujui", "diluluskan", "được", "duoc", "duyệt", "duyet", "chấp", "chap",
  ...nwStems("स्वीकृत", "मंज़ूर", "मंजूर", "अनुमोदित", "स्वीकार"),
  ...nwStems("الموافقة", "موافقة", "بالموافقة", "وافقنا", "تمت", "اعتماد", "معتمد", "تم"),
  ...nwStems("אושר", "אושרה", "מאושר", "אישרנו"), "อนุมัติ"
])
const APPROVE_WORDS = triggerGroup([
  "approved", "authorised", "authorized", "granted", "genehmig", "bewillig", "bestätig", "bestatig", "approuvons", "accordons",
  "confirmons", "validons", "confirme", "valide", "approuve", "confirmo", "confirmamos", "aprobamos", "autorizamos", "concedemos",
  "confermo", "confermiamo", "approviamo", "autorizziamo", "aprovamos", "keuren", "bevestig", "potwierdza", "zatwierdza"
])
const FULL_WORDS = triggerGroup([
  "full", "complete", "entire", "total", "whole", "volle", "vollen", "vollst", "voll", "komplett", "intégral", "integral",
  "entièrement", "entierement", "totalit", "completo", "completa", "íntegr", "integr", "totalidad", "totale", "interamente",
  "totalidade", "volledig", "pełny", "pelny", "全額"
])
const GUARANTEE_WORDS = triggerGroup([
  "guarant", "promise", "word", "garant", "garand", "versprech", "versprochen", "sichern", "zugesichert", "promet", "promis", "asegur",
  "assicur", "assegur", "belo", "gwarant", "obiecuj", "保証", "約束",
  "lovar", "lovade", "lover", "lovet", "lovede", "takaa", "garantuj", "sľub", "slib", "nuestra", "mi", "notre", "unsere", "meine", "nostra", "nossa", "lupaa", "zaruč", "zaruc", "ígér", "iger", "promitem", "söz", "soz", "taahh",
  ...foldedStems("гарантируем"), ...foldedStems("обещаем"), ...foldedStems("гарантуємо"), ...foldedStems("обіцяємо"),
  ...foldedStems("εγγυόμαστε"), ...foldedStems("υποσχόμαστε"), "kami", "menjamin", "jamin", "berjanji", "chúng", "chung", "đảm", "dam", "cam", "hứa", "hua",
  ...nwStems("गारंटी", "वादा", "نضمن", "نعدك", "نعدكم", "מבטיחים", "מבטיח", "אנו"),
  "保证", "保證", "确保", "確保", "承诺", "承諾", "보장", "약속", "必ず", "รับประกัน"
])
const BINDING_WORDS = triggerGroup([
  "legally", "binding", "rechtsverbindlich", "rechtskräftig", "rechtskraftig", "rechtlich", "juristisch", "verbindlich",
  "juridiquement", "légalement", "legalement", "engagement", "offre", "jurídica", "juridica", "legalmente", "compromiso",
  "oferta", "giuridica", "impegno", "compromisso", "juridisch", "wettelijk", "bindende", "prawnie", "法的拘束力"
])
const LIABILITY_WORDS = triggerGroup([
  "liab", "responsib", "fault", "blame", "negligen", "admit", "admission", "cover", "pay", "owe", "reimburs", "bear", "refund", "haft", "verantwort",
  "verschulden", "schuld", "fahrlässig", "fahrlassig", "kosten", "schaden", "schäden", "kommen", "übernehm", "ubernehm",
  "tragen", "anerkennen", "ersetzen", "responsabilit", "faute", "négligen", "negligen", "devons", "prendrons", "prenons",
  "acceptons", "reconnaissons", "assumons", "culpa", "debemos", "asumimos", "aceptamos", "reconocemos", "somos",
  "cubriremos", "asumiremos", "pagaremos", "colpa", "empresa", "nós", "nos", "hacemos", "haremos", "nosotros", "ci", "当社", "弊社", "我们", "我們", "由我们", "由我們", "저희가", "당사가", "dobbiamo", "assumiamo", "accettiamo", "riconosciamo", "siamo",
  "copriremo", "pagheremo", "rimborseremo", "devemos", "assumimos", "aceitamos", "reconhecemos", "cobriremos", "arcaremos",
  "aansprakelijk", "verantwoordelijk", "nalatig", "vergoeden", "betalen", "onze", "ponosimy", "nasza", "責任", "過失",
  "ansvar", "ansvaret", "vårt", "vores", "vår", "otamme", "meidän", "meidan", "přebíráme", "prebirame", "naše", "nase", "asumăm", "asumam",
  "vina", "greşeala", "greseala", "vállaljuk", "vallaljuk", "hibánk", "hibank", ...foldedStems("sorumluluğu"), ...foldedStems("tamamen"),
  ...foldedStems("bizim"), ...foldedStems("ответственность"), ...foldedStems("наша"), ...foldedStems("відповідальність"),
  ...foldedStems("αναλαμβάνουμε"), ...foldedStems("δικό"), "bertanggung", "kesalahan", "chịu", "chiu", "lỗi", "loi",
  ...nwStems("हम", "यह", "हमारी", "نتحمل", "هذا", "إنه", "الخطأ", "אנו", "אנחנו", "זו", "זאת", "באשמתנו", "האשמה"),
  "我们", "我們", "是我们的", "是我們的", "저희", "당사", "책임지겠습니다", "책임을", "เราขอรับผิดชอบ", "เป็นความผิด"
])
const PAY_WORDS = triggerGroup([
  "pay", "send", "transfer", "wire", "give", "zahlen", "überweisen", "uberweisen", "verserons", "versons", "verserai",
  "paierons", "payerons", "virerons", "pagaremos", "transferiremos", "abonaremos", "ingresaremos", "verseremo", "pagheremo",
  "bonificheremo", "depositaremos", "betalen", "storten", "maken"
])
const CHECK_WORDS = triggerGroup([
  "further", "additional", "more", "other", "need", "skip", "waive", "bypass", "weitere", "zusätzlich", "zusatzlich",
  "erneute", "keine", "autre", "aucune", "plus", "nouvelle", "vérification", "verification", "contrôle", "controle", "más",
  "mas", "otras", "ninguna", "nuevas", "comprobaci", "verificaci", "revisi", "ulteriori", "altre", "nessun", "mais",
  "outras", "nenhuma", "verificação", "verificacao", "análise", "analise", "verdere", "extra", "aanvullende", "dalszej",
  "dodatkowej", "確認は不要", "utan", "uden", "uten", "ilman", "bez", "fără", "fara", "további", "tovabbi", ...foldedStems("ek"), "tanpa",
  "không", "khong", ...foldedStems("без"), ...foldedStems("χωρίς"), ...nwStems("किसी", "और", "دون", "بدون", "لا", "ללא", "אין"),
  "无需进一步", "不需要", "無需進一步", "추가"
])
const WAIVE_WORDS = triggerGroup(["waive"])
const INDEMNITY_WORDS = triggerGroup(["indemnif"])

// ---------------------------------------------------------------------------
// The default patterns
// ---------------------------------------------------------------------------

/**
 * A built-in pattern: every group in `needs` must have a word in the text, and a digit when
 * `digit`; with `unconditional`, a condition earlier in the sentence makes it no commitment.
 * A match starts at most `back` characters before a word of one of the `anchors` groups, at
 * the start of a word, a number or a currency sign: it is tried only there.
 */
interface BuiltinPattern {
  readonly source: string
  readonly needs: ReadonlyArray<number>
  readonly digit: boolean
  readonly unconditional?: boolean
  readonly anchors: number
  readonly back: number
  /** Before its anchor, a match starts with one of these words, or (`"amount"`) with an amount. */
  readonly leads?: ReadonlySet<string> | "amount"
}

const leads = (...words: ReadonlyArray<string>): ReadonlySet<string> => new Set(words)

const builtinPatterns: ReadonlyArray<BuiltinPattern> = [
  // A refund, credit or compensation with an amount, either order, in one clause.
  {
    source: String.raw`${REFUND}${CLAUSE_GAP(50)}${GIVEN_AMOUNT}${NOT_GIVEN_AFTER}${NOT_NEGATED_AFTER}`,
    needs: [REFUND_WORDS],
    digit: true,
    anchors: REFUND_WORDS,
    back: 3,
    leads: leads("un")
  },
  {
    source: String.raw`${GIVEN_AMOUNT}${CLAUSE_GAP(40)}${REFUND}${NOT_A_REQUEST_AFTER}${NOT_NEGATED_AFTER}`,
    needs: [REFUND_WORDS],
    digit: true,
    anchors: REFUND_WORDS,
    back: 70,
    leads: "amount"
  },
  // A percentage refund ("a 100 % refund", "remboursement à 100 %"), not "refunds of up to 100%".
  {
    source: String.raw`${PERCENT}(?:\s+(?!(?:of|de|der|des|del|della|di|van|do|da)${R})[\p{L}-]+){0,2}\s+${REFUND}|${REFUND}\s+(?:of|de|du|von|van|del|di|do|da|à|a)?\s*${PERCENT}`,
    needs: [REFUND_WORDS],
    digit: true,
    anchors: REFUND_WORDS,
    back: 30,
    leads: "amount"
  },
  // A refund promised without an amount.
  {
    source: REFUND_PROMISE,
    needs: [REFUND_WORDS],
    digit: false,
    unconditional: true,
    anchors: REFUND_WORDS,
    back: 40,
    leads: leads("you'll", "you", "you're", "we'll", "we", "i'll", "i", "sie", "wir", "vous", "nous", "le", "te", "será", "serán", "sera", "la", "ti", "sarà", "vamos", "iremos", "wij", "u", "você", "voce", "vai", "irá", "ira", "usted", "va")
  },
  // A full refund.
  { source: String.raw`${FULL_REFUND}${NOT_NEGATED_AFTER}`, needs: [REFUND_WORDS, FULL_WORDS], digit: false, anchors: REFUND_WORDS | FULL_WORDS, back: 0 },
  // An approved refund or credit (either order).
  { source: String.raw`${REFUND}${APPROVAL_GAP(40)}${APPROVED}${NOT_NEGATED_AFTER}`, needs: [REFUND_WORDS, APPROVED_WORDS], digit: false, anchors: REFUND_WORDS, back: 3, leads: leads("un") },
  { source: String.raw`${APPROVE_FIRST_PERSON}${APPROVAL_GAP(25)}${REFUND}`, needs: [REFUND_WORDS, APPROVE_WORDS], digit: false, anchors: APPROVE_WORDS, back: 12, leads: leads("i", "i've", "we", "we've", "wir", "ich", "nous", "je", "le", "les", "lhe", "wij", "ik") },
  // A guarantee or a promise.
  { source: String.raw`${GUARANTEE}${NOT_NEGATED_AFTER}`, needs: [GUARANTEE_WORDS], digit: false, anchors: GUARANTEE_WORDS, back: 15, leads: leads("we", "i", "you", "le", "lhe") },
  // Legally binding language.
  { source: BINDING, needs: [BINDING_WORDS], digit: false, anchors: BINDING_WORDS, back: 0 },
  // Liability, responsibility, fault, negligence; costs taken on; debts owed.
  {
    source: String.raw`${LIABILITY}${NOT_NEGATED_AFTER}`,
    needs: [LIABILITY_WORDS],
    digit: false,
    unconditional: true,
    anchors: LIABILITY_WORDS,
    back: 50,
    leads: leads(
      "we", "we're", "we'll", "i", "i'm", "the", "our", "it", "it's", "this", "that", "that's", "was", "is",
      "wir", "sind", "unser", "unsere", "unserem", "kommen", "übernehmen", "tragen", "ersetzen", "anerkennen",
      "nous", "c'est", "c'était", "c'etait", "est", "était", "etait", "notre", "prendrons", "prenons", "acceptons", "reconnaissons", "assumons", "accepte", "reconnais", "assume",
      "es", "fue", "ha", "somos", "nuestra", "asumimos", "aceptamos", "reconocemos", "asumo", "acepto", "reconozco", "cubriremos", "asumiremos", "pagaremos", "le",
      "è", "e", "era", "siamo", "nostra", "mi", "assumiamo", "accettiamo", "riconosciamo", "copriremo", "pagheremo", "rimborseremo",
      "é", "foi", "fomos", "nossa", "assumimos", "aceitamos", "reconhecemos", "cobriremos", "arcaremos", "lhe",
      "het", "dit", "wij", "ik", "onze", "ponosimy", "nasza", "a", "la", "nós", "nos", "ci", "ne"
    )
  },
  // A company taking on a cost, with an amount or a cap.
  {
    source: String.raw`${COVER_FIRST_PERSON}${APPROVAL_GAP(60)}${CAP}${AMOUNT}${NOT_NEGATED_AFTER}`,
    needs: [COVER_WORDS],
    digit: true,
    unconditional: true,
    anchors: COVER_WORDS,
    back: 12,
    leads: leads("we", "we'll", "i", "i'll", "wir", "nous", "wij")
  },
  // A company paying out an amount.
  { source: String.raw`${PAY_FIRST_PERSON}${NOT_AN_INVOICE}${GIVEN_AMOUNT}`, needs: [PAY_WORDS], digit: true, anchors: PAY_WORDS, back: 12, leads: leads("we", "we'll", "i", "i'll", "wir", "vous", "le", "lhe", "wij") },
  // No further checks or verification.
  {
    source: NO_FURTHER_CHECKS,
    needs: [CHECK_WORDS],
    digit: false,
    anchors: CHECK_WORDS,
    back: 35,
    leads: leads(
      "no", "there", "there's", "with", "without", "skip", "skipped", "waive", "waived", "bypass", "bypassed", "ohne", "keine", "sans", "aucune",
      "sin", "senza", "nessun", "nessuna", "nessuno", "sem", "não", "nao", "zonder", "geen", "bez"
    )
  },
  // Waived fees or rights; indemnity.
  {
    source: String.raw`${L}waive[sd]?${R}${GAP}{0,30}${L}(?:fees?|charges?|rights?|claims?|penalt(?:y|ies))${R}`,
    needs: [WAIVE_WORDS],
    digit: false,
    anchors: WAIVE_WORDS,
    back: 0
  },
  { source: String.raw`${L}indemnif(?:y|ies|ied|ication)${R}`, needs: [INDEMNITY_WORDS], digit: false, anchors: INDEMNITY_WORDS, back: 0 }
]

/**
 * The default commitment patterns (regular expressions, matched case-insensitively on the
 * normalized text), in the module comment's order: refund or compensation amounts (either
 * order), percentage and full refunds, approved refunds (either order), guarantees and
 * promises, legally binding language, liability and fault, a company paying an amount, no
 * further checks, waived fees, indemnity. A default pattern's match is not a commitment when
 * the words right before it negate it or make it requested (`isNegatedBefore`).
 */
export const defaultCommitmentPatterns: ReadonlyArray<string> = builtinPatterns.map((p) => p.source)

const builtinBySource: ReadonlyMap<string, BuiltinPattern> = new Map(builtinPatterns.map((p) => [p.source, p] as const))

/** Whether a pattern is one of the defaults (built here, so exempt from the length limit on configured ones). */
export const isBuiltinCommitmentPattern = (source: string): boolean => builtinBySource.has(source)

/** Commitment phrases matched like forbidden phrases (on phrase keys). */
export const defaultCommitmentPhrases: ReadonlyArray<string> = [
  // "legally binding" is a pattern (BINDING): a condition on signing after it is a contract's terms.
  "binding agreement",
  "binding commitment",
  "we accept liability",
  "we accept full liability",
  "we admit liability",
  "admission of liability",
  "we accept responsibility",
  "we accept full responsibility",
  "we take full responsibility",
  "we are liable",
  "we are legally responsible",
  "no further checks are needed",
  "no further checks needed",
  "no further checks are required",
  "no further verification is needed",
  "no further verification needed",
  "you have our word",
  "you have my word"
]

/** Negations and hedges right before a match (at most three words between): "we can't guarantee", "nicht garantieren". */
const NEGATED_BEFORE_RE = new RegExp(String.raw`${L}${NEGATION_WORDS}(?:\s+[\p{L}\p{M}']+(?:-[\p{L}\p{M}]+)*){0,3}\s+$`, "iu")

/** A request right before a match (at most three words between): "you requested a refund of", "Anfrage zur Erstattung". */
const REQUESTED_BEFORE_RE = new RegExp(
  String.raw`${L}${alt(
    String.raw`request(?:ed|s)?|asked\s+(?:for|about)|ask\s+for|claim(?:ed|s)?(?!\s+(?:your|the\s+free))|want(?:ed)?|expect(?:ed|ing)?|hoping\s+for`,
    String.raw`anfrage|antrag|beantragt|angefragt|gew[üu]nscht|verlangt|erwarten|erwartet`,
    String.raw`demande|demand[ée]e?|r[ée]clam[ée]e?|r[ée]clamation|souhaitez|souhait[ée]e?`,
    String.raw`solicitud|solicit[óo]|solicitado|solicitada|pidi[óo]|reclamaci[óo]n|reclam[óo]`,
    String.raw`richiesta|richiesto|chiesto|reclamo`,
    String.raw`pedido|pediu|solicita[çc][ãa]o|solicitou|reclama[çc][ãa]o`,
    String.raw`aanvraag|aangevraagd|verzoek|gevraagd`,
    String.raw`tale[pb]\p{L}*|wniosek|cerere|k[ée]relem|permintaan`,
    nw("अनुरोध", "طلب", "طلبك", "بطلب", "בקשת", "בקשה")
  )}(?:\s+[\p{L}\p{M}']+(?:-[\p{L}\p{M}]+)*){0,3}\s+$`,
  "iu"
)

/** Whether the words right before `start` negate what starts there, or make it something requested. */
/** Someone else's words reported right before a match ("The ad said 100% refund", "the reseller promised"). */
const REPORTED_BEFORE_RE =
  /(?<![\p{L}\p{N}])(?:the|an?|your|their|that|this|his|her)\s+(?:\p{L}+\s+)?(?:ad|ads|advert\p{L}*|banner|flyer|leaflet|website|site|page|listing|reseller|seller|dealer|merchant|retailer|vendor|partner|agent|email|message|post|sign|poster)\s+(?:said|says|claimed|claims|promised|promises|mentioned|mentions|read|reads|stated|states|advertised|offered)\s+(?:that\s+|a\s+|an\s+)?$/iu

export const isNegatedBefore = (text: string, start: number): boolean => {
  const before = text.slice(Math.max(0, start - 60), start)
  return NEGATED_BEFORE_RE.test(before) || REQUESTED_BEFORE_RE.test(before) || REPORTED_BEFORE_RE.test(before)
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

/** A commitment pattern as compiled for matching. */
export const compilePattern = (source: string): RegExp => new RegExp(source, "giu")

/**
 * A commitment pattern; `builtin` for the defaults (their prefilter, anchors and negation, and
 * the pattern as a sticky expression tried at its anchors), `undefined` when configured by hand.
 */
export type CommitmentPattern =
  | { readonly regex: RegExp; readonly builtin: undefined }
  | { readonly regex: undefined; readonly builtin: BuiltinPattern & { readonly sticky: RegExp } }

export const commitmentPattern = (source: string): CommitmentPattern => {
  const builtin = builtinBySource.get(source)
  return builtin === undefined
    ? { regex: compilePattern(source), builtin: undefined }
    : { regex: undefined, builtin: { ...builtin, sticky: new RegExp(source, "iuy") } }
}

const TOKEN_CHAR_RE = /[\p{L}\p{N}]/u
/** Whether the character at `i` is a letter or a digit (ASCII without a regular expression). */
const isTokenCharAt = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i)
  if (c < 128) return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122)
  return TOKEN_CHAR_RE.test(text[i] ?? "")
}

const LEAD_WORD_RE = /[\p{L}'’]+/uy
const AMOUNT_START_RE = /[\p{Sc}\d]|[A-Z]{1,3}(?:\p{Sc}|\s?\d)/uy

/**
 * Where a built-in pattern may match: its anchor words, and before each (at most `back`
 * characters) the starts of its lead words or of amounts.
 */
const anchoredStarts = (text: string, profile: TextProfile, pattern: BuiltinPattern): ReadonlyArray<number> => {
  const out: Array<number> = []
  for (const at of startsOf(profile, pattern.anchors)) {
    const lead = pattern.leads
    if (lead !== undefined) {
      for (let p = Math.max(0, at - pattern.back); p < at; p++) {
        if (p > 0 && isTokenCharAt(text, p - 1)) continue
        const c = text.charCodeAt(p)
        if (c === 32 || c === 44 || c === 10) continue
        if (lead === "amount") {
          AMOUNT_START_RE.lastIndex = p
          if (!AMOUNT_START_RE.test(text)) continue
        } else {
          LEAD_WORD_RE.lastIndex = p
          const word = LEAD_WORD_RE.exec(text)?.[0]
          if (word === undefined || !lead.has(word.toLowerCase().replace("’", "'"))) continue
        }
        if (!out.includes(p)) out.push(p)
      }
    }
    if (!out.includes(at)) out.push(at)
  }
  return out.sort((a, b) => a - b)
}

// ---------------------------------------------------------------------------
// Quotations
// ---------------------------------------------------------------------------

/** Words that make a quotation someone else's ("you wrote", "the words", "Sie schrieben", "le terme" …) right before it. */
const ATTRIBUTION_BEFORE_RE = new RegExp(
  String.raw`(?:${alt(
    String.raw`you\s+(?:wrote|said|say|mentioned|asked|quoted|stated|claimed|were\s+told|were\s+promised|heard|read|saw|called\s+it)`,
    String.raw`(?:the|a|your)\s+(?:words?|phrase|term|wording|expression|line|sentence|text|label|ad|ads|advert\p{L}*|claim|message|email|note)`,
    String.raw`(?:ask(?:s|ed|ing)?\s+(?:us\s+)?(?:for|about)|request(?:s|ed|ing)?|want(?:s|ed)?|expect(?:s|ed)?|demand(?:s|ed)?|hop(?:e|es|ed|ing)\s+for)(?:\s+(?:a|an|the))?`,
    String.raw`(?:says|said|reads|mentions|states|called|so-called|quote|quoting)`,
    String.raw`Sie\s+(?:schrieben|schreiben|erw[äa]hnten|sagten|fragten|zitieren)|(?:das|dem)\s+Wort|die\s+(?:Worte|Formulierung|Aussage)|der\s+(?:Begriff|Ausdruck|Satz|Hinweis)`,
    String.raw`vous\s+(?:avez\s+(?:[ée]crit|mentionn[ée]|dit|cit[ée]|lu|vu|entendu)|[ée]crivez|dites|lisez)|(?:le|les)\s+(?:mots?|terme|termes)|la\s+(?:mention|phrase|formule)|l'expression`,
    String.raw`(?:usted\s+)?(?:escribi[óo]|mencion[óo]|dijo|cit[óo])|(?:la|las)\s+(?:palabras?|frase|expresi[óo]n)|el\s+t[ée]rmino`,
    String.raw`(?:ha|hai)\s+(?:scritto|detto|menzionato|citato)|(?:la|le)\s+(?:parol[ae]|frase|dicitura)|il\s+termine|l'espressione`,
    String.raw`(?:escreveu|mencionou|disse|citou)|(?:a|as)\s+(?:palavras?|frase|express[ãa]o)|o\s+termo`,
    String.raw`u\s+(?:schreef|noemde|zei)|(?:het|de)\s+(?:woord|woorden|term|zin|uitdrukking)`
  )})${R}[^.!?\n"]{0,50}$`,
  "iu"
)
/** Words right after a quotation that make it someone else's (`"100% money-back" ads you mentioned`). */
const ATTRIBUTION_AFTER_RE = new RegExp(
  String.raw`^[\s,)»]*(?:(?:\p{L}+\s+){0,2}(?:(?:that\s+|which\s+|as\s+)?you\s+(?:mentioned|wrote|said|quoted|saw|read|asked\s+about)|(?:you|the\s+customer)\s+(?:quoted|cited))` +
    // "… is the reseller's wording", "… isn't ours", "… steht nichts in …", "… ne figure pas dans …"
    String.raw`|(?:is|was|are|were)\s+(?:the|their|his|her|a|an|someone\s+else's)\s+(?:[\p{L}-]+(?:'s)?\s+){0,2}(?:wording|words|claim|phrase|term|slogan|promise|invention)` +
    String.raw`|(?:is|are)(?:\s+not|n't)\s+(?:ours|our\s+\p{L}+|in\s+(?:our|the|your)\s+\p{L}+|part\s+of|something\s+we)|steht\s+(?:nichts|nicht)|(?:ne\s+)?(?:figure|figurent|appara[îi]t|apparaissent)\s+pas|no\s+(?:aparece|figura|consta)|non\s+(?:compare|è\s+presente)|n[ãa]o\s+(?:consta|aparece)|staat\s+(?:niet|nergens)|ifadesi|s[öo]z[üu]|yaz[ıi]s[ıi])(?![\p{L}\p{N}])`,
  "iu"
)
const QUOTE_RE = /"([^"\n]{1,200})"|(?<![\p{L}\p{N}])'([^'\n]{1,200})'(?![\p{L}\p{N}])/gu

/** The quotations of a text that are attributed to someone else (spans on it). */
const attributedQuotes = (text: string): ReadonlyArray<readonly [number, number]> => {
  const spans: Array<readonly [number, number]> = []
  for (const m of text.matchAll(QUOTE_RE)) {
    const start = m.index
    const end = start + m[0].length
    const before = text.slice(Math.max(0, start - 80), start)
    if (ATTRIBUTION_BEFORE_RE.test(before) || ATTRIBUTION_AFTER_RE.test(text.slice(end, end + 60))) spans.push([start, end])
  }
  return spans
}

// ---------------------------------------------------------------------------
// The policy
// ---------------------------------------------------------------------------

/**
 * Commitment hits: phrases (on keys; `phrasesMayMatch` false when the caller knows none can)
 * and patterns (on the normalized text, the defaults only when `profile` has their words),
 * outside the quotations attributed to someone else.
 */
export const findCommitments = (
  text: string,
  phrases: PhraseSet,
  patterns: ReadonlyArray<CommitmentPattern>,
  profile: TextProfile = profileText(text),
  key?: string,
  phrasesMayMatch = true
): ReadonlyArray<Hit> => {
  let quotes: ReadonlyArray<readonly [number, number]> | undefined
  const quoted = (at: number): boolean => profile.quote && (quotes ??= attributedQuotes(text)).some(([s, e]) => s <= at && at < e)
  const hits: Array<Hit> = []
  if (phrasesMayMatch) {
    for (const p of findPhrases(text, phrases, key ?? phraseKey(text).key)) {
      if (!quoted(p.start)) hits.push({ kind: "phrase", start: p.start, end: p.end })
    }
  }
  for (const { builtin, regex } of patterns) {
    if (builtin === undefined) {
      if (regex === undefined) continue
      for (const m of text.matchAll(regex)) {
        if (quoted(m.index)) continue
        hits.push({ kind: "pattern", start: m.index, end: m.index + Math.max(1, m[0].length) })
        break
      }
      continue
    }
    if ((builtin.digit && profile.digits === 0) || !builtin.needs.every((bit) => (profile.groups & bit) !== 0)) continue
    for (const at of anchoredStarts(text, profile, builtin)) {
      builtin.sticky.lastIndex = at
      const m = builtin.sticky.exec(text)
      if (m === null || quoted(at) || isNegatedBefore(text, at)) continue
      if (builtin.unconditional === true && CONDITIONAL_BEFORE_RE.test(text.slice(Math.max(0, at - 200), at))) continue
      hits.push({ kind: "pattern", start: at, end: at + Math.max(1, m[0].length) })
      break
    }
  }
  return hits
}
