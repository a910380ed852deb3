import { renderPdf } from './pdf-writer.ts';
import { type Block, type RichDocument, renderHtml, renderMarkdown, renderText } from './render.ts';
import type { EntityType } from '@frostbyte/redact';
import type { Topic } from '../stages/policy.ts';

/**
 * Seeded generator of synthetic documents for the load generator: topic-flavoured
 * prose in Markdown, HTML, plain text or PDF, some with synthetic PII, so the real
 * stage code has realistic work to do. Document `index` of a given `seed` is
 * always the same document, and documents can be generated independently (by
 * index) from any worker.
 *
 * All PII is synthetic and uses well-known test values (example.com mail,
 * 555-01xx phones, advertising SSNs, card-network test numbers, sample IBANs).
 * `pii` on each document is the ground truth of what was injected.
 */

export type GeneratedFormat = 'markdown' | 'html' | 'text' | 'pdf';

export interface GeneratedDocument {
  document_id: string;
  filename: string;
  format: GeneratedFormat;
  /** A string for the text formats, bytes for PDF: ready for the parse stage. */
  content: string | Uint8Array;
  topic: Topic;
  /** Injected PII counts by type, named as @frostbyte/redact names them (PERSON, EMAIL, PHONE, SSN, CREDIT_CARD, IBAN). */
  pii: Partial<Record<EntityType, number>>;
}

export interface CorpusOptions {
  seed: number;
  /** Formats to draw from, uniformly. Default: all four. */
  formats?: readonly GeneratedFormat[];
  /** Probability that a document carries a PII block. Default 0.3. */
  pii_rate?: number;
  /** Sections per document, inclusive range. Default [2, 5]. */
  sections?: readonly [number, number];
  /** Prefix of document ids. Default 'gen'. */
  id_prefix?: string;
}

const ALL_FORMATS: readonly GeneratedFormat[] = ['markdown', 'html', 'text', 'pdf'];
const TOPICS: readonly Topic[] = ['finance', 'legal', 'medical', 'hr', 'engineering', 'general'];
const EXTENSION: Record<GeneratedFormat, string> = { markdown: 'md', html: 'html', text: 'txt', pdf: 'pdf' };

export function* generateCorpus(options: CorpusOptions & { count: number }): Generator<GeneratedDocument> {
  for (let index = 0; index < options.count; index++) yield generateDocument(index, options);
}

export function generateDocument(index: number, options: CorpusOptions): GeneratedDocument {
  const random = rng(mix(options.seed, index));
  const formats = options.formats ?? ALL_FORMATS;
  const format = pick(random, formats);
  const topic = pick(random, TOPICS);
  const vocab = VOCABULARY[topic];
  const [minSections, maxSections] = options.sections ?? [2, 5];
  const sectionCount = minSections + Math.floor(random() * (maxSections - minSections + 1));

  const blocks: Block[] = [];
  const headings = shuffle(random, vocab.headings);
  for (let s = 0; s < sectionCount; s++) {
    blocks.push({ kind: 'heading', level: 1, text: headings[s % headings.length] as string });
    const paragraphs = 1 + Math.floor(random() * 3);
    for (let p = 0; p < paragraphs; p++) {
      const sentences = 2 + Math.floor(random() * 4);
      // Drawn without replacement so a paragraph never repeats a sentence template.
      const templates = shuffle(random, vocab.sentences).slice(0, sentences);
      blocks.push({ kind: 'paragraph', text: templates.map((template) => fill(random, template, vocab)).join(' ') });
    }
    if (random() < 0.25) blocks.push({ kind: 'list', items: Array.from({ length: 3 }, () => fill(random, pick(random, vocab.sentences), vocab)) });
  }

  const pii: Partial<Record<EntityType, number>> = {};
  if (random() < (options.pii_rate ?? 0.3)) {
    const contact = piiBlock(random, pii);
    blocks.splice(1 + Math.floor(random() * (blocks.length - 1)), 0, contact);
  }

  const doc: RichDocument = { title: `${fill(random, pick(random, vocab.titles), vocab)} ${1000 + Math.floor(random() * 9000)}`, blocks };
  const document_id = `${options.id_prefix ?? 'gen'}-${options.seed}-${index}`;
  const content =
    format === 'pdf' ? renderPdf(doc) : format === 'html' ? renderHtml(doc) : format === 'markdown' ? renderMarkdown(doc) : renderText(doc);
  return { document_id, filename: `${document_id}.${EXTENSION[format]}`, format, content, topic, pii };
}

// ---------------------------------------------------------------- PII

const FIRST = ['Ava', 'Noah', 'Mia', 'Lucas', 'Zara', 'Omar', 'Ingrid', 'Kenji', 'Leila', 'Mateo', 'Priya', 'Tobias'];
const LAST = ['Lindqvist', 'Okafor', 'Marchetti', 'Nakamura', 'Haddad', 'Kowalski', 'Fernandes', 'Brennan', 'Varga', 'Osei'];
const SSNS = ['078-05-1120', '219-09-9999', '457-55-5462'];
const CARDS = ['4111 1111 1111 1111', '5555 5555 5555 4444', '4012 8888 8888 1881'];
const IBANS = ['GB82WEST12345698765432', 'DE89370400440532013000', 'NL91ABNA0417164300'];

function piiBlock(random: () => number, pii: Partial<Record<EntityType, number>>): Block {
  const count = (type: EntityType) => {
    pii[type] = (pii[type] ?? 0) + 1;
  };
  const first = pick(random, FIRST);
  const last = pick(random, LAST);
  const parts = [`Contact: ${first} ${last}`];
  count('PERSON');
  parts.push(`email ${first.toLowerCase()}.${last.toLowerCase()}@example.com`);
  count('EMAIL');
  parts.push(`phone (${pick(random, ['212', '415', '312', '617'])}) 555-01${String(Math.floor(random() * 100)).padStart(2, '0')}`);
  count('PHONE');
  const extra = random();
  if (extra < 0.33) {
    parts.push(`SSN ${pick(random, SSNS)}`);
    count('SSN');
  } else if (extra < 0.66) {
    parts.push(`card ${pick(random, CARDS)}`);
    count('CREDIT_CARD');
  } else {
    parts.push(`IBAN ${pick(random, IBANS)}`);
    count('IBAN');
  }
  return { kind: 'paragraph', text: `${parts.join(', ')}.` };
}

// ---------------------------------------------------------------- vocabulary

interface Vocabulary {
  titles: string[];
  headings: string[];
  sentences: string[];
  slots: Record<string, string[]>;
}

const COMMON_SLOTS = {
  period: ['Q1', 'Q2', 'Q3', 'Q4', 'the first half', 'last month', 'this week'],
  team: ['the platform team', 'finance', 'the legal team', 'the People team', 'the clinic', 'operations'],
  percent: ['3%', '7%', '12%', '18%', '25%', '40%'],
  number: ['4', '12', '30', '90', '250', '1,200'],
};

const VOCABULARY: Record<Topic, Vocabulary> = {
  finance: {
    titles: ['Quarterly Finance Report', 'Budget Review', 'Invoice Summary', 'Expense Audit'],
    headings: ['Revenue', 'Operating expenses', 'Cash flow', 'Budget variance', 'Accounts payable', 'Outlook'],
    sentences: [
      'Revenue in {period} was {amount}, {direction} {percent} against budget.',
      'The {item} line of the budget closed at {amount}.',
      'Accounts payable processed {number} invoices and {number} wire transfers.',
      'Finance expects cash flow to remain positive as the {item} cost falls.',
      'Each payment over {amount} needs approval from the budget holder.',
      'The ledger was reconciled and the auditor reviewed the expense claims.',
    ],
    slots: {
      amount: ['$1.2M', '$48,000', '$310,500', 'EUR 18,750', '$2.4M'],
      direction: ['up', 'down'],
      item: ['cloud hosting', 'travel', 'payroll tax', 'software licence', 'marketing'],
    },
  },
  legal: {
    titles: ['Services Agreement', 'Data Processing Addendum', 'Licence Agreement', 'Settlement Terms'],
    headings: ['Definitions', 'Obligations', 'Liability', 'Termination', 'Governing law', 'Confidentiality'],
    sentences: [
      'Each party shall keep the other party\'s confidential information secret for {number} months.',
      'Liability under this agreement is limited to the fees paid in the previous {number} months.',
      'Either party may terminate the contract for material breach not remedied within {number} days.',
      'The supplier shall indemnify the customer against claims of {claim}.',
      'This agreement is governed by the law of {jurisdiction}.',
      'Counsel for both parties reviewed the clause on {claim}.',
    ],
    slots: {
      claim: ['intellectual property infringement', 'data protection breach', 'negligence', 'trademark infringement'],
      jurisdiction: ['England and Wales', 'the State of New York', 'Ireland', 'Ontario'],
    },
  },
  medical: {
    titles: ['Clinical Summary', 'Patient Care Plan', 'Lab Results Review', 'Ward Handover Notes'],
    headings: ['Presenting symptoms', 'Diagnosis', 'Treatment', 'Medication', 'Follow-up', 'Allergies'],
    sentences: [
      'The patient reported {symptom} for {number} days before admission.',
      'The physician prescribed {drug} with a dosage of {dose} twice daily.',
      'Blood pressure and oxygen saturation were stable during treatment.',
      'The diagnosis was confirmed by lab results and clinical examination.',
      'The nurse reviewed the medication chart and the allergy list.',
      'Follow-up with the clinic is planned in {number} weeks.',
    ],
    slots: {
      symptom: ['fever', 'persistent cough', 'migraine', 'chest pain', 'fatigue'],
      drug: ['amoxicillin', 'ibuprofen', 'metformin', 'lisinopril'],
      dose: ['250 mg', '500 mg', '10 mg', '1 g'],
    },
  },
  hr: {
    titles: ['Employee Handbook Update', 'Onboarding Guide', 'Benefits Overview', 'Hiring Plan'],
    headings: ['Benefits', 'Leave', 'Payroll', 'Performance reviews', 'Onboarding', 'Recruiting'],
    sentences: [
      'Every employee accrues {number} days of paid leave per year.',
      'The manager completes the performance review with the employee each {cycle}.',
      'Payroll runs on the last working day of the month, including salary and benefits.',
      'New hires meet the People team during onboarding in their first week.',
      'Recruiting plans to hire {number} candidates for {role} roles.',
      'Parental leave is available to every employee after probation.',
    ],
    slots: {
      cycle: ['quarter', 'half year', 'year'],
      role: ['engineering', 'sales', 'support', 'finance'],
    },
  },
  engineering: {
    titles: ['Service Design Doc', 'Incident Postmortem', 'Release Notes', 'Architecture Review'],
    headings: ['Context', 'Architecture', 'Deployment', 'Latency', 'Rollback plan', 'Incident timeline'],
    sentences: [
      'The {component} service handles {number} requests per second with p99 latency of {latency}.',
      'The deployment pipeline runs integration tests before each release.',
      'During the incident the {component} queue grew to {number} thousand events.',
      'We roll back by redeploying the previous release of the {component} service.',
      'A cache in front of the database endpoint cut latency by {percent}.',
      'The architecture review approved the API change behind a feature flag.',
    ],
    slots: {
      component: ['ingest', 'embedding', 'writer', 'gateway', 'search'],
      latency: ['45 ms', '80 ms', '120 ms', '2.4 s'],
    },
  },
  general: {
    titles: ['Office Newsletter', 'Meeting Notes', 'Facilities Update', 'Community Digest'],
    headings: ['News', 'Events', 'Around the building', 'Reminders', 'Thank you'],
    sentences: [
      'The {place} will be closed on {day} for {reason}.',
      'Join the {event} on {day} at the {place}.',
      'Thank you to everyone who helped organise the {event}.',
      'Please remember to return borrowed {object} to reception.',
      'Photos from the {event} are on the noticeboard by the {place}.',
    ],
    slots: {
      place: ['cafeteria', 'lobby', 'roof garden', 'library', 'main kitchen'],
      day: ['Monday', 'Wednesday', 'Friday'],
      reason: ['cleaning', 'a private event', 'repairs'],
      event: ['bake sale', 'walking group', 'book club', 'summer picnic'],
      object: ['umbrellas', 'chairs', 'books'],
    },
  },
};

function fill(random: () => number, template: string, vocab: Vocabulary): string {
  return template.replace(/\{(\w+)\}/g, (whole, slot: string) => {
    const options = vocab.slots[slot] ?? (COMMON_SLOTS as Record<string, string[]>)[slot];
    return options ? pick(random, options) : whole;
  });
}

// ---------------------------------------------------------------- randomness

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function shuffle<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Combines seed and index into one 32-bit state (splitmix-style avalanche). */
function mix(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32 → floats in [0, 1). */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
