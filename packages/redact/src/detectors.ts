import { detectAddresses, detectEmail, detectPhones } from './detectors/contact.ts';
import { detectCards, detectIbans } from './detectors/financial.ts';
import { CUE_RULES, detectCued, detectSsn } from './detectors/ids.ts';
import { detectIps, detectMacs } from './detectors/network.ts';
import { detectSecrets } from './detectors/secrets.ts';
import { type Enabled, P, type Span } from './detectors/span.ts';

export type { Enabled, Span } from './detectors/span.ts';
export { detectEntropySecrets } from './detectors/secrets.ts';

/**
 * Structured detectors: one precompiled regex (or cue + value pair) per kind,
 * each behind a prefilter that costs less than the regex, and a validator that
 * runs only on matches (checksums, lengths, ranges).
 *
 * Every regex here is module-level and global; a detector resets `lastIndex`
 * before it scans, and JavaScript is single-threaded, so sharing them is safe.
 * Every quantifier is bounded (no `+`/`*` over an open run, no unbounded group
 * repetition), so no input can make a scan super-linear or overflow the regex
 * backtracking stack, and no match is longer than ~4,000 characters, which lets
 * redact.ts scan long text in overlapping chunks (the server runs this on
 * untrusted text). The entropy scan for unknown secrets is a character loop.
 *
 * One file per family under detectors/: contact.ts (email, phone, postal
 * address), secrets.ts, financial.ts (card, IBAN), network.ts (IP, MAC), ids.ts
 * (SSN and the cue + value rules); span.ts holds the Span type, the priorities
 * and the digit helpers they share. This file runs them in a fixed order.
 */

const HAS_DIGIT_RE = /\d/;

/** Runs every enabled structured detector over `text`, appending to `out`.
 * `entropy: false` leaves out the high-entropy token scan (redact.ts runs it
 * once over the whole text when it scans a long text in chunks). */
export function detectStructured(text: string, enabled: Enabled, out: Span[], entropy = true): void {
  if (enabled.has('EMAIL')) detectEmail(text, out);
  if (enabled.has('SECRET')) detectSecrets(text, out, entropy);
  if (enabled.has('MAC_ADDRESS')) detectMacs(text, out);
  if (enabled.has('IP_ADDRESS')) detectIps(text, out);
  // Everything below needs a digit; most strings in model traffic have none.
  if (!HAS_DIGIT_RE.test(text)) return;
  if (enabled.has('IBAN')) detectIbans(text, out);
  if (enabled.has('CREDIT_CARD')) detectCards(text, out);
  if (enabled.has('SSN')) detectSsn(text, out);
  if (enabled.has('PHONE')) detectPhones(text, out);
  for (const rule of CUE_RULES) if (enabled.has(rule.type)) detectCued(rule, text, out);
  if (enabled.has('ADDRESS')) detectAddresses(text, out);
}

export const PERSON_PRIORITY = P.PERSON;
