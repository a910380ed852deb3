import { shannonEntropy } from '../checksums.ts';
import { P, type Span } from './span.ts';

/** Secrets: vendor-prefixed credentials, JWTs, and high-entropy tokens. A value
 * after a credential-named key ("password=…") is a cue rule (`ids.ts`). */

/** The longest vendor-prefixed credential we look for. Real ones are under 200
 * characters (OpenAI project keys ~164); the bound keeps every match, and so
 * every scan, short (a 6 MB `sk-aaaa…` run used to overflow the regex stack). */
export const MAX_PREFIXED_SECRET = 512;

/** Credentials with a vendor prefix: cheap to match and never a false alarm.
 * Open-ended tails are bounded by MAX_PREFIXED_SECRET; a longer run is not a
 * vendor key (the entropy scan below still judges it). */
const SECRET_PREFIX_RE = new RegExp(
  [
    'sk-(?:proj-|ant-(?:api\\d\\d-)?|svcacct-)?[A-Za-z0-9_-]{20,512}', // OpenAI, Anthropic
    '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,512}', // Stripe
    'gh[pousr]_[A-Za-z0-9]{30,512}', // GitHub classic tokens
    'github_pat_[A-Za-z0-9_]{22,512}', // GitHub fine-grained
    'xox[abposr]-[A-Za-z0-9-]{10,512}', // Slack
    '(?:AKIA|ASIA)[0-9A-Z]{16}', // AWS access key id
    'AIza[0-9A-Za-z_-]{35}', // Google API key
    'glpat-[A-Za-z0-9_-]{20,512}', // GitLab
    'npm_[A-Za-z0-9]{36}', // npm
    'hf_[A-Za-z0-9]{30,512}', // Hugging Face
  ]
    .map((s) => `(?:${s})`)
    .join('|')
    .replace(/^/, '(?<![A-Za-z0-9_-])(?:')
    .concat(')(?![A-Za-z0-9_-])'),
  'g',
);
/** Header and payload up to 1,536 characters each, signature up to 900 (RS512
 * is 683): at most 3,980 characters, under the chunk context of redact.ts. A
 * larger JWT is not matched as one; its high-entropy parts still are, below. */
const JWT_RE = /(?<![\w-])eyJ[A-Za-z0-9_-]{5,1536}\.eyJ[A-Za-z0-9_-]{5,1536}\.[A-Za-z0-9_-]{10,900}(?![\w-])/g;
/** Candidates for the entropy check: maximal runs of base64/base64url/hex-ish
 * characters ([A-Za-z0-9+/=_-]) of 32 or more. Found by a character loop, not
 * the regex `(?<![…])[…]{32,}` it replaces: that regex overflowed V8's
 * backtracking stack on a few MB of such characters, and a run has no maximum
 * length (an unbounded key must still be redacted whole). */
const MIN_TOKEN_LENGTH = 32;
const MIN_ENTROPY_BITS = 4.2;
const TOKEN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-') TOKEN_CHAR[c.charCodeAt(0)] = 1;
const isTokenChar = (c: number): boolean => c < 128 && TOKEN_CHAR[c] === 1;

export function detectSecrets(text: string, out: Span[], entropy: boolean): void {
  SECRET_PREFIX_RE.lastIndex = 0;
  for (let m = SECRET_PREFIX_RE.exec(text); m !== null; m = SECRET_PREFIX_RE.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, type: 'SECRET', key: m[0], priority: P.SECRET_KNOWN });
  }
  if (text.includes('eyJ')) {
    JWT_RE.lastIndex = 0;
    for (let m = JWT_RE.exec(text); m !== null; m = JWT_RE.exec(text)) {
      out.push({ start: m.index, end: m.index + m[0].length, type: 'SECRET', key: m[0], priority: P.SECRET_KNOWN });
    }
  }
  if (entropy) detectEntropySecrets(text, out);
}

/** High-entropy tokens: one pass over the text, each character looked at once
 * (plus once more inside a candidate run for the entropy check). */
export function detectEntropySecrets(text: string, out: Span[]): void {
  if (text.length < MIN_TOKEN_LENGTH) return;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isTokenChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && isTokenChar(text.charCodeAt(i))) i++;
    if (i - start >= MIN_TOKEN_LENGTH) {
      const token = text.slice(start, i);
      if (looksLikeSecret(token)) out.push({ start, end: i, type: 'SECRET', key: token, priority: P.SECRET_ENTROPY });
    }
  }
}

/** Entropy alone flags hex ids too; trace and span ids (hex, UUIDs) must stay
 * readable in an observability product, so a secret also needs mixed case and a
 * digit, which random base64 has and hex or ids never do. */
function looksLikeSecret(token: string): boolean {
  let upper = false;
  let lower = false;
  let digit = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
    else if (c >= 48 && c <= 57) digit = true;
  }
  if (!(upper && lower && digit)) return false;
  return shannonEntropy(token) >= MIN_ENTROPY_BITS;
}
