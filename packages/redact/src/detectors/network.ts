import { isIPv6 } from 'node:net';
import { P, retryAfter, type Span } from './span.ts';

/** Network identifiers: IPv4 (not after a version cue), IPv6 (validated by
 * node:net) and MAC addresses. */

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_RE = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\w|\\.\\d)`, 'g');
/** "version 1.2.3.4" is a version, not a host. */
const VERSION_CUE_RE = /\b(?:version|ver\.?|release|build|firmware|v)\s*$/i;

/** Hex-and-colon runs (optionally ending in a dotted IPv4) validated by
 * node:net, which knows every compression rule; the regex only finds them. */
const IPV6_RE = /(?<![\w:.])[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?:%[A-Za-z0-9]{1,15})?(?![\w:]|\.\d)/g;
const HEX_DIGIT_RE = /[0-9A-Fa-f]/;

export function detectIps(text: string, out: Span[]): void {
  if (text.includes('.')) {
    IPV4_RE.lastIndex = 0;
    for (let m = IPV4_RE.exec(text); m !== null; m = IPV4_RE.exec(text)) {
      if (VERSION_CUE_RE.test(text.slice(Math.max(0, m.index - 12), m.index))) continue;
      out.push({ start: m.index, end: m.index + m[0].length, type: 'IP_ADDRESS', key: m[0], priority: P.IP_ADDRESS });
    }
  }
  if (text.includes(':')) {
    IPV6_RE.lastIndex = 0;
    for (let m = IPV6_RE.exec(text); m !== null; m = IPV6_RE.exec(text)) {
      let candidate = m[0];
      // A trailing single colon is punctuation ("from 2001:db8::1: timeout").
      if (candidate.endsWith(':') && !candidate.endsWith('::')) candidate = candidate.slice(0, -1);
      const zone = candidate.indexOf('%');
      const addr = zone === -1 ? candidate : candidate.slice(0, zone);
      // "::" alone is valid IPv6 but in text it is C++/Rust scope syntax.
      if (!HEX_DIGIT_RE.test(addr) || !isIPv6(addr)) {
        retryAfter(IPV6_RE, m.index);
        continue;
      }
      out.push({ start: m.index, end: m.index + candidate.length, type: 'IP_ADDRESS', key: addr.toLowerCase(), priority: P.IP_ADDRESS });
    }
  }
}

const MAC_RE =
  /(?<![\w:.-])(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w-]|[:.-]\w)/g;

export function detectMacs(text: string, out: Span[]): void {
  if (!text.includes(':') && !text.includes('-') && !text.includes('.')) return;
  MAC_RE.lastIndex = 0;
  for (let m = MAC_RE.exec(text); m !== null; m = MAC_RE.exec(text)) {
    const key = m[0].toLowerCase().replace(/[^0-9a-f]/g, '');
    out.push({ start: m.index, end: m.index + m[0].length, type: 'MAC_ADDRESS', key, priority: P.MAC_ADDRESS });
  }
}
