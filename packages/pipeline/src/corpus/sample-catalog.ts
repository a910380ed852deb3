import type { EntityType } from '@frostbyte/redact';
import type { Topic } from '../stages/policy.ts';
import type { Block, RichDocument } from './render.ts';
import catalogue from './sample-catalog.json' with { type: 'json' };

/**
 * Catalogue of the committed sample corpus (samples/documents/): the content
 * that scripts/make-samples.ts renders, with each file's topic and PII. The data
 * lives in `sample-catalog.json` (one entry per file, in render order); this
 * module types it and checks the enumerated fields once at load, since a JSON
 * import is not type-checked against `SampleSpec`. Every person, company,
 * address and identifier there is fictional; the PII-shaped values are the
 * well-known test values (SSN 078-05-1120, card 4111 1111 1111 1111,
 * IBAN GB82WEST12345698765432, 555-01xx phone numbers, example.com mail).
 *
 * `pii` lists the PII types a sample deliberately contains, named as
 * @frostbyte/redact names them, so tests and the redaction evaluation can check
 * against it.
 */

export interface SampleSpec {
  file: string;
  topic: Topic;
  /** PII types (the redaction package's entity names) the sample deliberately contains. */
  pii: EntityType[];
  doc: RichDocument;
  /** PDF only: start each level-1 section on a new page. */
  break_before_h1?: boolean;
}

// Records rather than arrays so the compiler fails when Topic, EntityType or Block gains a member.
const TOPICS: Record<Topic, true> = { finance: true, legal: true, medical: true, hr: true, engineering: true, general: true };
const PII_TYPES: Record<EntityType, true> = {
  EMAIL: true,
  PHONE: true,
  SSN: true,
  CREDIT_CARD: true,
  IBAN: true,
  IP_ADDRESS: true,
  MAC_ADDRESS: true,
  DATE_OF_BIRTH: true,
  PASSPORT: true,
  NATIONAL_ID: true,
  ADDRESS: true,
  PERSON: true,
  SECRET: true,
  CUSTOM: true,
};
const BLOCK_KINDS: Record<Block['kind'], true> = { heading: true, paragraph: true, list: true, table: true };

function checked(samples: readonly SampleSpec[]): SampleSpec[] {
  for (const s of samples) {
    const fail = (what: string) => new Error(`sample-catalog.json: ${s.file}: ${what}`);
    if (!Object.hasOwn(TOPICS, s.topic)) throw fail(`unknown topic ${s.topic}`);
    for (const t of s.pii) if (!Object.hasOwn(PII_TYPES, t)) throw fail(`unknown PII type ${t}`);
    for (const b of s.doc.blocks) {
      if (!Object.hasOwn(BLOCK_KINDS, b.kind)) throw fail(`unknown block kind ${b.kind}`);
      if (b.kind === 'heading' && b.level !== 1 && b.level !== 2) throw fail(`heading level ${b.level}`);
    }
  }
  return [...samples];
}

export const SAMPLES: SampleSpec[] = checked(catalogue as SampleSpec[]);

/** Deliberately damaged files: the parse stage must reject each with CorruptDocumentError. */
export const CORRUPT_SAMPLE_FILES: readonly string[] = ['corrupt-scan.pdf'];
