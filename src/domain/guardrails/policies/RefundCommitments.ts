/**
 * The vocabulary of money commitments: refund, credit, reimbursement and compensation words;
 * what makes an amount requested, pending or conditional rather than given; approvals of a
 * refund; a company paying out or covering a cost; refunds promised without an amount; full
 * refunds; and the trigger words of these patterns. The patterns are put together in
 * `CommitmentPatterns.ts`.
 */
import { triggerGroup } from "../detectors/Triggers.ts"
import { alt, foldedRe, foldedStems, GAP, L, NEGATION_WORDS, nw, nwStems, R, word } from "./CommitmentGrammar.ts"

/** Right after a refund and its amount: words that make it requested or pending ("… $30 you asked about", "… is still pending"). */
export const NOT_GIVEN_AFTER = String.raw`(?!${alt(
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
export const NOT_A_REQUEST_AFTER = String.raw`(?!\s*(?:request\p{L}*|claim\p{L}*|application|ticket|anfrage|antrag|demande|r[ée]clamation|solicitud|reclamaci[óo]n|richiesta|pedido|solicita[çc][ãa]o|aanvraag|verzoek|wniosek|tale[pb]\p{L}*|${foldedRe("заявк")}\p{L}*|${foldedRe("запит")}\p{L}*|${foldedRe("запрос")}\p{L}*|${nw("अनुरोध", "आवेदन", "طلب", "בקשת", "בקשה")}))`

/** Refund, credit, reimbursement and compensation words (nouns and verbs, every form). */
export const REFUND = alt(
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
export const CLAUSE_GAP = (max: number): string => String.raw`(?:(?!${L}${NOT_GIVEN}${R})${GAP}){0,${max}}?`
/** Between a refund and its approval: nothing that makes the approval negated, pending or conditional ("not approved yet", "once approved"). */
const NOT_DECIDED = alt(
  String.raw`polic(?:y|ies)|richtlinie\p{L}*|politique|pol[íi]tica|politica|beleid|regel\p{L}*|rules?|terms|conditions|pending|yet|once|when|until|unless|sobald|wenn|falls|noch|d[èe]s|lorsque|quand|encore|cuando|todav[íi]a|a[úu]n|quando|ancora|ainda|zodra|nog`,
  NEGATION_WORDS
)
export const APPROVAL_GAP = (max: number): string => String.raw`(?:(?!${L}${NOT_DECIDED}${R})${GAP}){0,${max}}?`

/** Approval participles and first-person approvals. */
export const APPROVED = alt(
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
export const APPROVE_FIRST_PERSON = alt(
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

/** A company paying or sending an amount ("vous verserons 2 000 €", "we'll send you $50"). */
export const PAY_FIRST_PERSON = alt(
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
export const COVER_FIRST_PERSON = alt(
  String.raw`${L}(?:we|i)(?:'ll|\s+will|\s+shall|\s+are\s+going\s+to|\s+can|\s+do)?\s+(?:(?:happily|gladly|also|fully)\s+)?(?:pay\s+for|cover|reimburse|pick\s+up\s+the\s+(?:bill|tab|cost)|foot\s+the\s+bill|take\s+care\s+of|absorb)${R}`,
  word(String.raw`(?:wir\s+)?(?:übernehmen|[üu]bernehmen|bezahlen|zahlen|erstatten)(?:\s+wir)?`),
  word(String.raw`nous\s+(?:prendrons|prenons)\s+en\s+charge`, String.raw`nous\s+(?:paierons|payerons|couvrirons|rembourserons|couvrons|payons)`),
  word(String.raw`(?:cubriremos|pagaremos|asumiremos|cubrimos|pagamos|nos\s+haremos\s+cargo\s+de|nos\s+hacemos\s+cargo\s+de)`),
  word(String.raw`(?:copriremo|pagheremo|copriamo|paghiamo|ci\s+faremo\s+carico\s+di|ci\s+facciamo\s+carico\s+di)`),
  word(String.raw`(?:cobriremos|pagaremos|cobrimos|arcaremos\s+com|arcamos\s+com)`),
  word(String.raw`(?:wij|we)\s+(?:betalen|vergoeden|dekken|nemen)`)
)
export const COVER_WORDS = triggerGroup([
  "pay", "cover", "reimburs", "pick", "foot", "take", "absorb", "übernehm", "ubernehm", "bezahl", "zahl", "erstatt", "prendrons",
  "prenons", "paierons", "payerons", "couvri", "couvrons", "payons", "rembourserons", "cubri", "pagaremos", "pagamos", "asumiremos",
  "haremos", "hacemos", "copri", "pagheremo", "paghiamo", "faremo", "facciamo", "cobri", "arcaremos", "arcamos", "betalen",
  "vergoeden", "dekken", "nemen"
])
/** A cap before an amount ("up to", "bis zu", "jusqu'à", "hasta", "fino a", "até", "tot", "a maximum of"). */
export const CAP = String.raw`(?:(?:up\s+to|a\s+maximum\s+of|max(?:imum)?\.?|bis\s+zu|h[öo]chstens|maximal|jusqu'[àa]|hasta|fino\s+a|at[ée]|tot|maximaal)\s+)?`

export const NOT_AN_INVOICE = String.raw`(?:(?!${L}(?:invoice|bill|receipt|charge|rechnung|facture|factura|fattura|fatura|factuur)${R})${GAP}){0,30}?`

/** A refund promised without an amount ("you'll get your money back", "vous serez remboursé"). */
export const REFUND_PROMISE = alt(
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

/** Full refunds. */
export const FULL_REFUND = alt(
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

/** Trigger words: a pattern runs only on a text with a word of each of its groups. */
export const REFUND_WORDS = triggerGroup([
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
export const APPROVED_WORDS = triggerGroup([
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
export const APPROVE_WORDS = triggerGroup([
  "approved", "authorised", "authorized", "granted", "genehmig", "bewillig", "bestätig", "bestatig", "approuvons", "accordons",
  "confirmons", "validons", "confirme", "valide", "approuve", "confirmo", "confirmamos", "aprobamos", "autorizamos", "concedemos",
  "confermo", "confermiamo", "approviamo", "autorizziamo", "aprovamos", "keuren", "bevestig", "potwierdza", "zatwierdza"
])
export const FULL_WORDS = triggerGroup([
  "full", "complete", "entire", "total", "whole", "volle", "vollen", "vollst", "voll", "komplett", "intégral", "integral",
  "entièrement", "entierement", "totalit", "completo", "completa", "íntegr", "integr", "totalidad", "totale", "interamente",
  "totalidade", "volledig", "pełny", "pelny", "全額"
])

export const PAY_WORDS = triggerGroup([
  "pay", "send", "transfer", "wire", "give", "zahlen", "überweisen", "uberweisen", "verserons", "versons", "verserai",
  "paierons", "payerons", "virerons", "pagaremos", "transferiremos", "abonaremos", "ingresaremos", "verseremo", "pagheremo",
  "bonificheremo", "depositaremos", "betalen", "storten", "maken"
])
