/**
 * The vocabulary of commitments beyond money: guarantees and promises, legally binding
 * language, admissions of liability, responsibility, fault or negligence (and taking on costs or
 * debts), "no further checks are needed", waived fees and indemnities; and the trigger words of
 * these patterns. The patterns are put together in `CommitmentPatterns.ts`.
 */
import { triggerGroup } from "../detectors/Triggers.ts"
import { alt, AMOUNT, foldedRe, foldedStems, GAP, L, nw, nwStems, PERCENT, R, word } from "./CommitmentGrammar.ts"

/**
 * After the noun "guarantee": a reference to a policy, what it applies to ("the money-back
 * guarantee in our terms applies to new plans only"), not a guarantee given.
 */
const NOT_A_GIVEN_GUARANTEE = String.raw`(?!\s+(?:(?:in|under|from|of)\s+(?:our|the|these|your)\s+(?:\p{L}+\s+)?(?:terms|policy|policies|conditions|contract|agreement|t&cs?)\s+)?(?:only\s+)?(?:applies|apply|covers|is\s+limited|does\s+not\s+apply|doesn't\s+apply|excludes|is\s+described|is\s+explained))`
/** A guarantee or a promise (verbs, participles; the English noun too). */
export const GUARANTEE = alt(
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

/**
 * After "legally binding": a condition on signing makes it a statement about a contract's terms
 * ("the order form is legally binding once countersigned"), not a commitment by us.
 */
const NOT_A_BINDING_TERM = String.raw`(?!\s+(?:only\s+)?(?:once|when|after|upon|as\s+soon\s+as|if)\s+(?:it\s+(?:is|has\s+been)\s+|both\s+parties\s+have\s+)?(?:\p{L}+\s+){0,2}(?:counter)?sign)`
/** Legally binding language. */
export const BINDING = alt(
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
export const LIABILITY = alt(
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

/** No further checks or verification needed. */
export const NO_FURTHER_CHECKS = alt(
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

/** Trigger words: a pattern runs only on a text with a word of each of its groups. */
export const GUARANTEE_WORDS = triggerGroup([
  "guarant", "promise", "word", "garant", "garand", "versprech", "versprochen", "sichern", "zugesichert", "promet", "promis", "asegur",
  "assicur", "assegur", "belo", "gwarant", "obiecuj", "保証", "約束",
  "lovar", "lovade", "lover", "lovet", "lovede", "takaa", "garantuj", "sľub", "slib", "nuestra", "mi", "notre", "unsere", "meine", "nostra", "nossa", "lupaa", "zaruč", "zaruc", "ígér", "iger", "promitem", "söz", "soz", "taahh",
  ...foldedStems("гарантируем"), ...foldedStems("обещаем"), ...foldedStems("гарантуємо"), ...foldedStems("обіцяємо"),
  ...foldedStems("εγγυόμαστε"), ...foldedStems("υποσχόμαστε"), "kami", "menjamin", "jamin", "berjanji", "chúng", "chung", "đảm", "dam", "cam", "hứa", "hua",
  ...nwStems("गारंटी", "वादा", "نضمن", "نعدك", "نعدكم", "מבטיחים", "מבטיח", "אנו"),
  "保证", "保證", "确保", "確保", "承诺", "承諾", "보장", "약속", "必ず", "รับประกัน"
])
export const BINDING_WORDS = triggerGroup([
  "legally", "binding", "rechtsverbindlich", "rechtskräftig", "rechtskraftig", "rechtlich", "juristisch", "verbindlich",
  "juridiquement", "légalement", "legalement", "engagement", "offre", "jurídica", "juridica", "legalmente", "compromiso",
  "oferta", "giuridica", "impegno", "compromisso", "juridisch", "wettelijk", "bindende", "prawnie", "法的拘束力"
])
export const LIABILITY_WORDS = triggerGroup([
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

export const CHECK_WORDS = triggerGroup([
  "further", "additional", "more", "other", "need", "skip", "waive", "bypass", "weitere", "zusätzlich", "zusatzlich",
  "erneute", "keine", "autre", "aucune", "plus", "nouvelle", "vérification", "verification", "contrôle", "controle", "más",
  "mas", "otras", "ninguna", "nuevas", "comprobaci", "verificaci", "revisi", "ulteriori", "altre", "nessun", "mais",
  "outras", "nenhuma", "verificação", "verificacao", "análise", "analise", "verdere", "extra", "aanvullende", "dalszej",
  "dodatkowej", "確認は不要", "utan", "uden", "uten", "ilman", "bez", "fără", "fara", "további", "tovabbi", ...foldedStems("ek"), "tanpa",
  "không", "khong", ...foldedStems("без"), ...foldedStems("χωρίς"), ...nwStems("किसी", "और", "دون", "بدون", "لا", "ללא", "אין"),
  "无需进一步", "不需要", "無需進一步", "추가"
])
export const WAIVE_WORDS = triggerGroup(["waive"])
export const INDEMNITY_WORDS = triggerGroup(["indemnif"])
