/**
 * Writes eval/labelled.jsonl: synthetic, seeded (same file every run), so the
 * set can be regenerated after a template change and reviewed as a diff.
 *
 *   npx tsx packages/redact/eval/generate.ts
 *
 * Every value is made up: names are drawn from lists, numbers are random with
 * valid checksums where the type has one. Half of the lines are hard negatives
 * or mix negatives with positives: order numbers, versions, ISBNs, dates that are
 * not birth dates, card-shaped numbers failing Luhn, hex trace ids, Titlecase
 * words that are not names. Names deliberately include ones that are not in
 * compromise's lexicon, so the PERSON figures are not flattering by design.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Entity {
  type: string;
  value: string;
}
interface Line {
  text: string;
  entities: Entity[];
}

// mulberry32: tiny seeded PRNG, so the file is reproducible.
let seed = 0x5eed;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const digits = (n: number): string => Array.from({ length: n }, () => String(int(0, 9))).join('');
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

const FIRST = ['John', 'Maria', 'Emily', 'Rajesh', 'Olga', 'Aisha', 'Wei', 'Fatima', 'Sarah', 'David', 'Priya', 'Carlos', 'Hannah', 'Kenji', 'Lucia', 'Ahmed', 'Sophie', 'Mohammed', 'Elena', 'Thomas', 'Ngozi', 'Siobhan', 'Tariq', 'Ingrid', 'Mateus', 'Yuki', 'Oluwaseun', 'Anneliese'];
const LAST = ['Smith', 'Garcia', 'Chen', 'Kumar', 'Petrova', 'Bello', 'Zhang', 'Al-Sayed', "O'Connor", 'Johnson', 'Natarajan', 'Silva', 'Becker', 'Tanaka', 'Rossi', 'Haddad', 'Dubois', 'Okonkwo', 'Murphy', 'Lindqvist', 'Nakamura', 'Kowalski', 'Fernandes', 'Adeyemi', 'MacLeod'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'corp.example.co.uk', 'test.example.io'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const person = (): string => `${pick(FIRST)} ${pick(LAST)}`;
const email = (): string => {
  const f = pick(FIRST).toLowerCase();
  const l = pick(LAST).toLowerCase().replace(/[^a-z]/g, '');
  return `${pick([`${f}.${l}`, `${f[0]}${l}`, `${f}_${l}${int(1, 99)}`, `${f}+ops`])}@${pick(DOMAINS)}`;
};
const phone = (): string =>
  pick([
    () => `+1 (${int(201, 989)}) 555-${pad(int(100, 199), 4)}`,
    () => `+1-${int(201, 989)}-555-${pad(int(100, 199), 4)}`,
    () => `+44 20 7946 ${pad(int(0, 999), 4)}`,
    () => `+44 7700 900${pad(int(0, 999), 3)}`,
    () => `+49 30 ${digits(8)}`,
    () => `+33 1 ${pad(int(10, 99))} ${pad(int(10, 99))} ${pad(int(10, 99))} ${pad(int(10, 99))}`,
    () => `+91 ${int(70000, 99999)} ${digits(5)}`,
    () => `+${int(2, 9)}${digits(10)}`,
    () => `(${int(201, 989)}) 555-${pad(int(100, 199), 4)}`,
    () => `${int(201, 989)}-555-${pad(int(100, 199), 4)}`,
    () => `${int(201, 989)}.555.${pad(int(100, 199), 4)}`,
    () => `020 7946 ${pad(int(0, 999), 4)}`,
    () => `07700 900${pad(int(0, 999), 3)}`,
    () => `030 ${digits(8)}`,
    () => `01 ${pad(int(10, 99))} ${pad(int(10, 99))} ${pad(int(10, 99))} ${pad(int(10, 99))}`,
  ])();
const ssn = (): string => `${pad(int(1, 665), 3)}-${pad(int(1, 99))}-${pad(int(1, 9999), 4)}`;

function luhnComplete(prefix: string, length: number): string {
  let body = prefix + digits(length - prefix.length - 1);
  for (let check = 0; check <= 9; check++) {
    const candidate = body + check;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let d = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return candidate;
  }
  body = '';
  return body;
}
const cardDigits = (): string => pick([() => luhnComplete('4', 16), () => luhnComplete(`5${int(1, 5)}`, 16), () => luhnComplete(pick(['34', '37']), 15), () => luhnComplete('6011', 16), () => luhnComplete('2221', 16)])();
const group4 = (d: string, sep: string): string => d.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
const card = (): string => {
  const d = cardDigits();
  return pick([d, group4(d, ' '), group4(d, '-')]);
};
/** Same shape, Luhn broken by bumping the last digit. */
const badCard = (): string => {
  const d = cardDigits();
  const last = (Number(d.at(-1)) + 1) % 10;
  return group4(d.slice(0, -1) + last, ' ');
};

function ibanFor(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`;
  let rem = 0;
  for (const ch of rearranged) {
    const v = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const c of v) rem = (rem * 10 + Number(c)) % 97;
  }
  return `${country}${pad(98 - rem)}${bban}`;
}
const ibanCompact = (): string =>
  pick([
    () => ibanFor('DE', digits(18)),
    () => ibanFor('GB', `${pick(['WEST', 'NWBK', 'BARC'])}${digits(14)}`),
    () => ibanFor('FR', digits(23)),
    () => ibanFor('NL', `${pick(['ABNA', 'INGB', 'RABO'])}${digits(10)}`),
    () => ibanFor('ES', digits(20)),
    () => ibanFor('IT', `X${digits(22)}`),
  ])();
const iban = (): string => {
  const c = ibanCompact();
  return rand() < 0.5 ? c : c.replace(/(.{4})(?=.)/g, '$1 ');
};
const badIban = (): string => {
  const c = ibanCompact();
  const last = (Number(c.at(-1)) + 1) % 10;
  return c.slice(0, -1) + last;
};
const ipv4 = (): string => `${pick([10, 172, 192, 203, 198, 100])}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
const ipv6 = (): string =>
  pick([
    () => `2001:db8:${hex(4)}:${hex(4)}::${hex(3)}`,
    () => `fe80::${hex(3)}:${hex(4)}:${hex(4)}:${hex(4)}`,
    () => `2001:0db8:${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}`,
    () => `::ffff:192.0.2.${int(1, 254)}`,
  ])();
const mac = (): string => {
  const parts = Array.from({ length: 6 }, () => hex(2).toUpperCase());
  return pick([parts.join(':'), parts.join('-'), `${hex(4)}.${hex(4)}.${hex(4)}`]);
};
const date = (y: number): string => {
  const m = int(1, 12);
  const d = int(1, 28);
  return pick([`${y}-${pad(m)}-${pad(d)}`, `${pad(d)}/${pad(m)}/${y}`, `${m}/${d}/${y}`, `${d} ${MONTHS[m - 1]} ${y}`, `${MONTHS[m - 1]} ${d}, ${y}`, `${pad(d)}.${pad(m)}.${y}`]);
};
const dob = (): string => date(int(1940, 2005));
const passport = (): string => pick([digits(9), `${pick(['C', 'F', 'G'])}${digits(2)}X${digits(2)}T${digits(2)}`, `${digits(2)}${pick(['AB', 'CK', 'ZX'])}${digits(5)}`]);
const nationalId = (): { cue: string; value: string } =>
  pick([
    () => ({ cue: 'national insurance number', value: `${pick(['QQ', 'AB', 'JG'])} ${pad(int(10, 99))} ${pad(int(10, 99))} ${pad(int(10, 99))} ${pick(['A', 'B', 'C', 'D'])}` }),
    () => ({ cue: 'NINO', value: `${pick(['QQ', 'AB', 'JG'])}${digits(6)}${pick(['A', 'C'])}` }),
    () => ({ cue: 'national ID', value: `${pick(['L', 'T', 'X'])}${digits(8)}` }),
    () => ({ cue: 'Aadhaar', value: `${int(2000, 9999)} ${digits(4)} ${digits(4)}` }),
    () => ({ cue: 'DNI', value: `${digits(8)}${pick(['Z', 'R', 'W'])}` }),
    () => ({ cue: 'ID card number', value: `${pick(['T', 'L'])}${digits(2)}${pick(['A', 'X'])}${digits(5)}` }),
    () => ({ cue: 'BSN', value: digits(9) }),
  ])();
const STREETS = ['Baker', 'Oak', 'Maple', 'Elm', 'Pennsylvania', 'Market', 'Sunset', 'Church', 'High', 'Mill', 'Station', 'Victoria'];
const SUFFIXES = ['Street', 'St', 'Avenue', 'Ave', 'Road', 'Rd', 'Boulevard', 'Lane', 'Drive', 'Court', 'Way', 'Place'];
const address = (): string => `${int(1, 9999)}${pick(['', '', 'B'])} ${pick(STREETS)}${rand() < 0.3 ? ` ${pick(['Hill', 'Park', 'Green'])}` : ''} ${pick(SUFFIXES)}${rand() < 0.3 ? `, Apt ${int(1, 40)}` : ''}`;
const b62 = (n: number): string => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[int(0, 61)]).join('');
const b64url = (n: number): string => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[int(0, 63)]).join('');
const secret = (): string =>
  pick([
    () => `sk-proj-${b62(40)}`,
    () => `sk_live_${b62(24)}`,
    () => `ghp_${b62(36)}`,
    () => `gho_${b62(36)}`,
    () => `github_pat_11${b62(20)}_${b62(40)}`,
    () => `xoxb-${digits(12)}-${digits(12)}-${b62(24)}`,
    () => `AKIA${b62(16).toUpperCase()}`,
    () => `AIza${b64url(35)}`,
    () => `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${b64url(40)}.${b64url(43)}`,
    () => b62(40),
  ])();

const lines: Line[] = [];
const add = (text: string, entities: Entity[] = []): void => {
  lines.push({ text, entities });
};
/** Fills a template whose slots are [TYPE]; returns the text and labels. */
function fill(template: string, gens: Record<string, () => string>): Line {
  const entities: Entity[] = [];
  const text = template.replace(/\[([A-Z_]+)\]/g, (_, type: string) => {
    const gen = gens[type];
    if (gen === undefined) throw new Error(`no generator for ${type}`);
    const value = gen();
    entities.push({ type, value });
    return value;
  });
  return { text, entities };
}
const GENS: Record<string, () => string> = {
  EMAIL: email,
  PHONE: phone,
  SSN: ssn,
  CREDIT_CARD: card,
  IBAN: iban,
  IP_ADDRESS: () => (rand() < 0.6 ? ipv4() : ipv6()),
  MAC_ADDRESS: mac,
  ADDRESS: address,
  PERSON: person,
  SECRET: secret,
};

// ---- positives (one or more entities per line)
const POSITIVE_TEMPLATES = [
  'Please forward the summary to [EMAIL] before noon.',
  'The customer can be reached at [PHONE] during business hours.',
  'Call me back on [PHONE], thanks!',
  'Applicant SSN: [SSN] (verified).',
  'Charge the refund to card [CREDIT_CARD] and notify [EMAIL].',
  'Payment failed for [CREDIT_CARD]; retry scheduled.',
  'Wire the deposit to [IBAN] by Friday.',
  'Beneficiary account [IBAN], reference INV-2291.',
  'Login from [IP_ADDRESS] was blocked by the firewall.',
  'Device [MAC_ADDRESS] joined the network from [IP_ADDRESS].',
  'Ship the replacement to [ADDRESS] and email [EMAIL].',
  'Our office moved to [ADDRESS] last spring.',
  'Meeting notes: [PERSON] will review the contract with [PERSON].',
  'Summary prepared by [PERSON] for the quarterly audit.',
  'Please ask [PERSON] to approve the expense report.',
  'Authorization: Bearer [SECRET]',
  'export OPENAI_API_KEY=[SECRET]',
  'config: { apiKey: "[SECRET]", region: "eu-west-1" }',
  '[PERSON] ([EMAIL], [PHONE]) requested account deletion.',
  'Reply from [EMAIL]: my number changed to [PHONE].',
  'The tenant at [ADDRESS] reported a leak; contact [PERSON].',
  'Flagged transfer from [IBAN] to card [CREDIT_CARD].',
  'Host [IP_ADDRESS] leaked the token [SECRET] in its logs.',
];
for (let i = 0; i < 150; i++) {
  const t = POSITIVE_TEMPLATES[i % POSITIVE_TEMPLATES.length] as string;
  lines.push(fill(t, GENS));
}
// Cue-dependent types: value only counts next to its cue.
for (let i = 0; i < 20; i++) {
  const v = dob();
  const cue = pick(['DOB: ', 'Date of birth: ', 'born on ', 'D.O.B. ', 'Birth date ', 'date of birth is ']);
  const who = person();
  add(`Patient ${who}, ${cue}${v}, admitted for observation.`, [
    { type: 'PERSON', value: who },
    { type: 'DATE_OF_BIRTH', value: v },
  ]);
}
for (let i = 0; i < 12; i++) {
  const v = passport();
  const cue = pick(['Passport number: ', 'passport no. ', 'Passport #', 'passport ']);
  add(`Traveller presented ${cue}${v} at the gate.`, [{ type: 'PASSPORT', value: v }]);
}
for (let i = 0; i < 14; i++) {
  const { cue, value } = nationalId();
  add(`Verified ${cue} ${value} against the registry.`, [{ type: 'NATIONAL_ID', value }]);
}

// ---- hard negatives, and negatives mixed with positives
const NEGATIVES: Array<() => Line> = [
  () => ({ text: `Order #${digits(10)} shipped on ${date(2024)}.`, entities: [] }),
  () => ({ text: `Order number ${digits(16)} is ready for pickup.`, entities: [] }),
  () => ({ text: `Upgraded the runtime from v${int(1, 20)}.${int(0, 9)}.${int(0, 20)} to version ${int(1, 20)}.${int(0, 9)}.${int(0, 9)}.${int(0, 9)}.`, entities: [] }),
  () => ({ text: `ISBN ${pick(['978-3-16-148410-0', '978-0-306-40615-7', '0-306-40615-2', '978-1-4028-9462-6'])} is out of print.`, entities: [] }),
  () => ({ text: `The invoice dated ${date(2023)} is due on ${date(2024)}.`, entities: [] }),
  () => ({ text: `Test card ${badCard()} was declined (checksum).`, entities: [] }),
  () => ({ text: `Malformed IBAN ${badIban()} rejected by validation.`, entities: [] }),
  () => ({ text: `trace_id=${hex(32)} span_id=${hex(16)} status=OK`, entities: [] }),
  () => ({ text: `Commit ${hex(40)} fixed the regression.`, entities: [] }),
  () => ({ text: `request ${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)} took ${int(10, 900)} ms`, entities: [] }),
  () => ({ text: pick(['The Model Registry flagged Policy Engine v2 for Review.', 'Send the Q3 Report to the Compliance Team before Friday.', 'Microsoft Azure and Google Cloud both support Kubernetes.', 'The New York Times covered the Annual General Meeting.', 'Use the Quick Start Guide in the Developer Portal.', 'Paris and London offices closed for Easter Monday.', 'Retrieval Augmented Generation improves Answer Quality.', 'The Data Protection Officer signed off on the Privacy Impact Assessment.']), entities: [] }),
  () => ({ text: `Total: ${int(100, 99999)}.${pad(int(0, 99))} EUR across ${int(2, 40)} items; latency p99 ${int(10, 400)} ms at ${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))}.`, entities: [] }),
  () => ({ text: `Chapter ${int(1, 30)} covers pages ${int(1, 200)}-${int(201, 400)} and ${int(2, 9)} Main Points.`, entities: [] }),
  () => ({ text: `Build ${int(1000, 9999)} of the pipeline used ${int(1, 64)} GB and ${int(1, 32)} cores.`, entities: [] }),
  () => ({ text: `The passport office is closed; national ID renewals resume in ${pick(MONTHS)}.`, entities: [] }),
  () => ({ text: `Use std::vector and the :: operator; a ratio of ${int(1, 9)}:${int(1, 9)} is fine.`, entities: [] }),
  () => ({ text: `Function AbstractSingletonProxyFactoryBean returned ${int(0, 99)} results.`, entities: [] }),
  () => ({ text: `Contact the Help Desk at extension ${int(1000, 9999)} or room ${int(100, 999)}.`, entities: [] }),
  () => {
    const who = person();
    const v = date(2024);
    return { text: `${who} joined on ${v}, born in spring.`, entities: [{ type: 'PERSON', value: who }] };
  },
  () => {
    const e = email();
    return { text: `Ticket ${digits(8)} (v${int(1, 9)}.${int(0, 9)}) escalated by ${e}.`, entities: [{ type: 'EMAIL', value: e }] };
  },
  () => {
    const c = card();
    return { text: `Valid ${c} vs invalid ${badCard()} in the same log line.`, entities: [{ type: 'CREDIT_CARD', value: c }] };
  },
];
for (let i = 0; i < 90; i++) {
  lines.push((NEGATIVES[i % NEGATIVES.length] as () => Line)());
}

// ---- hand-written hard cases (fixed text): where heuristics are known to strain.
const HAND: Line[] = [
  { text: 'grace hopper wrote the first compiler; ask her about it.', entities: [{ type: 'PERSON', value: 'grace hopper' }] },
  { text: 'Grace Hopper wrote the first compiler.', entities: [{ type: 'PERSON', value: 'Grace Hopper' }] },
  { text: 'Will Smith and May Li reviewed the draft.', entities: [{ type: 'PERSON', value: 'Will Smith' }, { type: 'PERSON', value: 'May Li' }] },
  { text: 'Ngozi Okonkwo and Tariq Haddad approved the budget.', entities: [{ type: 'PERSON', value: 'Ngozi Okonkwo' }, { type: 'PERSON', value: 'Tariq Haddad' }] },
  { text: 'Escalated to Okafor in the Lagos office.', entities: [{ type: 'PERSON', value: 'Okafor' }] },
  { text: 'JOHN SMITH, ACCOUNT HOLDER', entities: [{ type: 'PERSON', value: 'JOHN SMITH' }] },
  { text: 'Mr. Lindqvist asked for a callback.', entities: [{ type: 'PERSON', value: 'Lindqvist' }] },
  { text: 'The patient, Anneliese Becker, reported dizziness.', entities: [{ type: 'PERSON', value: 'Anneliese Becker' }] },
  { text: 'Thanks, Kenji!', entities: [{ type: 'PERSON', value: 'Kenji' }] },
  { text: 'Meet at Victoria Station near the Jordan River exhibit.', entities: [] },
  { text: 'Georgia Tech and Washington University co-authored the paper.', entities: [] },
  { text: 'Ford Motor Company recalled the Mustang.', entities: [] },
  { text: 'Christian Dior and Tommy Hilfiger both reported earnings.', entities: [] },
  { text: 'Angular, React and Svelte render the Admin Dashboard.', entities: [] },
  { text: 'We visited Santa Monica Pier and San Jose State.', entities: [] },
  { text: 'Call +1 415 555 2671 ext 3 after 5pm.', entities: [{ type: 'PHONE', value: '+1 415 555 2671' }] },
  { text: 'Reach the UK desk on +44 (0)20 7946 0958.', entities: [{ type: 'PHONE', value: '+44 (0)20 7946 0958' }] },
  { text: 'Mobile 0612 345 678 (NL).', entities: [{ type: 'PHONE', value: '0612 345 678' }] },
  { text: 'Phone: 4155552671', entities: [{ type: 'PHONE', value: '4155552671' }] },
  { text: 'SSN 123 45 6789 on file.', entities: [{ type: 'SSN', value: '123 45 6789' }] },
  { text: 'iban de89 3704 0044 0532 0130 00 typed in lower case', entities: [{ type: 'IBAN', value: 'de89 3704 0044 0532 0130 00' }] },
  { text: 'Card ending 4242 was charged 42.00 USD.', entities: [] },
  { text: 'Amex 3782 822463 10005 on file.', entities: [{ type: 'CREDIT_CARD', value: '3782 822463 10005' }] },
  { text: 'She was born 1987-11-02 in Leeds.', entities: [{ type: 'DATE_OF_BIRTH', value: '1987-11-02' }] },
  { text: 'Birthday: March 3rd, 1990', entities: [{ type: 'DATE_OF_BIRTH', value: 'March 3rd, 1990' }] },
  { text: 'Born in 1975, she founded the company on 2001-04-01.', entities: [] },
  { text: 'Lives at 42 Rue de Rivoli, 75001 Paris.', entities: [{ type: 'ADDRESS', value: '42 Rue de Rivoli' }] },
  { text: 'Deliver to Hauptstraße 5, 10115 Berlin.', entities: [{ type: 'ADDRESS', value: 'Hauptstraße 5' }] },
  { text: 'Our HQ: 350 5th Ave, Suite 3400, New York.', entities: [{ type: 'ADDRESS', value: '350 5th Ave, Suite 3400' }] },
  { text: 'password=Tr0ub4dor&3horse', entities: [{ type: 'SECRET', value: 'Tr0ub4dor&3horse' }] },
  { text: 'sha256 of the artefact: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', entities: [] },
  { text: 'The base64 logo is iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk', entities: [] },
  { text: 'Server listens on 0.0.0.0:8080 and 127.0.0.1.', entities: [{ type: 'IP_ADDRESS', value: '0.0.0.0' }, { type: 'IP_ADDRESS', value: '127.0.0.1' }] },
];
lines.push(...HAND);

const out = fileURLToPath(new URL('./labelled.jsonl', import.meta.url));
writeFileSync(out, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
console.log(`wrote ${lines.length} lines to ${out}`);
