import { describe, expect, it } from 'vitest';
import { createParseModel } from '../stages/parse.ts';
import { createPolicyModel } from '../stages/policy.ts';
import { generateCorpus, generateDocument } from './generate.ts';

const parse = createParseModel();

describe('synthetic corpus generator', () => {
  it('is deterministic per (seed, index) and differs across seeds', () => {
    const a = generateDocument(7, { seed: 42 });
    const b = generateDocument(7, { seed: 42 });
    const c = generateDocument(7, { seed: 43 });
    expect(b).toEqual(a);
    expect(c.content).not.toEqual(a.content);
    expect(a.document_id).toBe('gen-42-7');
  });

  it('generates documents the real parse stage reads, in every format', async () => {
    const docs = [...generateCorpus({ seed: 1, count: 40 })];
    expect(new Set(docs.map((d) => d.format))).toEqual(new Set(['markdown', 'html', 'text', 'pdf']));
    for (const doc of docs) {
      const { output } = await parse.invoke(doc);
      expect(output.format).toBe(doc.format);
      expect(output.chunks.length).toBeGreaterThan(0);
    }
  });

  it('injects the PII it reports, and only into documents that report it', async () => {
    const docs = [...generateCorpus({ seed: 2, count: 30, formats: ['text'], pii_rate: 0.5 })];
    const withPii = docs.filter((d) => Object.keys(d.pii).length > 0);
    expect(withPii.length).toBeGreaterThan(5);
    expect(withPii.length).toBeLessThan(25);
    for (const doc of docs) {
      const text = doc.content as string;
      expect(/@example\.com/.test(text)).toBe((doc.pii.EMAIL ?? 0) > 0);
      if (doc.pii.SSN) expect(text).toMatch(/\d{3}-\d{2}-\d{4}/);
      if (doc.pii.IBAN) expect(text).toMatch(/IBAN [A-Z]{2}\d{2}/);
    }
  });

  it('writes topics the policy stage recognises most of the time', async () => {
    const policy = createPolicyModel();
    const docs = [...generateCorpus({ seed: 3, count: 60, formats: ['markdown'] })];
    let agree = 0;
    for (const doc of docs) {
      const { output } = await policy.invoke({ document_id: doc.document_id, text: doc.content as string, pii: doc.pii });
      if (output.decision.topic === doc.topic) agree += 1;
    }
    expect(agree / docs.length).toBeGreaterThanOrEqual(0.8);
  });
});
