import { IBAN_LENGTHS, ibanValid, luhnValid } from '../checksums.ts';
import { digitsOf, P, retryAfter, type Span } from './span.ts';

/** Financial identifiers: payment card numbers (Luhn + issuer range) and IBANs
 * (ISO 13616 length + mod-97). */

/** 12–19 digits, optionally grouped by single spaces or dashes. */
const CARD_RE = /(?<![\w+.-])\d(?:[ -]?\d){11,18}(?!\w|[.-]\d)/g;

/** Issuer ranges in use: 2–6 (Mastercard 2-series, Amex/Diners/JCB, Visa,
 * Mastercard, Discover/UnionPay/Maestro) from 13 digits; 12-digit Maestro (50,
 * 56–69); the legacy 15-digit JCB ranges 1800 and 2131. With Luhn this rejects
 * ~98% of random numbers of the same shape. */
function issuerPlausible(digits: string): boolean {
  const first = digits.charCodeAt(0) - 48;
  if (digits.length === 12) return digits.startsWith('50') || (digits >= '56' && digits < '7');
  if (digits.length === 15 && digits.startsWith('1800')) return true;
  return first >= 2 && first <= 6;
}

export function detectCards(text: string, out: Span[]): void {
  CARD_RE.lastIndex = 0;
  for (let m = CARD_RE.exec(text); m !== null; m = CARD_RE.exec(text)) {
    const digits = digitsOf(m[0]);
    if (!issuerPlausible(digits) || !luhnValid(digits)) {
      retryAfter(CARD_RE, m.index);
      continue;
    }
    out.push({ start: m.index, end: m.index + m[0].length, type: 'CREDIT_CARD', key: digits, priority: P.CREDIT_CARD });
  }
}

/** Upper or lower case (people type IBANs both ways); mod-97 keeps the false
 * positive rate of the looser shape negligible. */
const IBAN_RE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,32}/g;
const IBAN_PREFILTER_RE = /[A-Za-z]{2}\d\d/;

export function detectIbans(text: string, out: Span[]): void {
  if (!IBAN_PREFILTER_RE.test(text)) return;
  IBAN_RE.lastIndex = 0;
  for (let m = IBAN_RE.exec(text); m !== null; m = IBAN_RE.exec(text)) {
    const raw = m[0];
    const compactAll = raw.replace(/ /g, '').toUpperCase();
    const compact = compactAll.slice(0, IBAN_LENGTHS[compactAll.slice(0, 2)] ?? compactAll.length);
    if (!ibanValid(compact)) {
      retryAfter(IBAN_RE, m.index);
      continue;
    }
    // Map the compact length back onto the original (spaced) text.
    let seen = 0;
    let end = 0;
    while (end < raw.length && seen < compact.length) {
      if (raw.charCodeAt(end) !== 32) seen++;
      end++;
    }
    out.push({ start: m.index, end: m.index + end, type: 'IBAN', key: compact, priority: P.IBAN });
    // Let the scan continue right after the IBAN, not after the greedy tail.
    IBAN_RE.lastIndex = m.index + end;
  }
}
