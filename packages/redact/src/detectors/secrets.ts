import { shannonEntropy } from '../checksums.ts';
import { P, type Span } from './span.ts';

/** Secrets: vendor-prefixed credentials, JWTs, and high-entropy tokens. A value
 * after a credential-named key ("password=…") is a cue rule (`ids.ts`). */

/** Credentials with a vendor prefix: cheap to match and never a false alarm. */
const SECRET_PREFIX_RE = new RegExp(
  [
    'sk-(?:proj-|ant-(?:api\\d\\d-)?|svcacct-)?[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic
    '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}', // Stripe
    'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub classic tokens
    'github_pat_[A-Za-z0-9_]{22,}', // GitHub fine-grained
    'xox[abposr]-[A-Za-z0-9-]{10,}', // Slack
    '(?:AKIA|ASIA)[0-9A-Z]{16}', // AWS access key id
    'AIza[0-9A-Za-z_-]{35}', // Google API key
    'glpat-[A-Za-z0-9_-]{20,}', // GitLab
    'npm_[A-Za-z0-9]{36}', // npm
    'hf_[A-Za-z0-9]{30,}', // Hugging Face
  ]
    .map((s) => `(?:${s})`)
    .join('|')
    .replace(/^/, '(?<![A-Za-z0-9_-])(?:')
    .concat(')(?![A-Za-z0-9_-])'),
  'g',
);
const JWT_RE = /(?<![\w-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}(?![\w-])/g;
/** Candidates for the entropy check: base64/base64url/hex-ish runs. */
const TOKEN_RE = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{32,}/g;
const MIN_ENTROPY_BITS = 4.2;

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
  if (!entropy || text.length < 32) return;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    if (looksLikeSecret(m[0])) {
      out.push({ start: m.index, end: m.index + m[0].length, type: 'SECRET', key: m[0], priority: P.SECRET_ENTROPY });
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
