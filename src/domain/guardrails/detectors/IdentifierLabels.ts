/**
 * Identifier labels: a label right before a number ("order #", "tracking number:", "invoice",
 * "Bestellnummer", `注文番号`, a postcode label) makes it an identifier, not PII. Shared by the
 * card, SSN, phone and spoken-number detectors.
 */
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

export const hasIdLabel = (text: string, start: number, digits = 0): boolean => {
  const before = text.slice(Math.max(0, start - 120), start)
  return ID_LABEL_RE.test(before) || UNSPACED_ID_LABEL_RE.test(before) || (digits <= 9 && POSTCODE_LABEL_RE.test(before))
}
