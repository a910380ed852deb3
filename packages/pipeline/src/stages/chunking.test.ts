import { describe, expect, it } from 'vitest';
import { chunkText, countTokens } from './chunking.ts';

const paragraph = (n: number) =>
  `Paragraph ${n} explains how the ingest service batches events before writing them to the database. ` +
  'It keeps latency low by flushing every 25 milliseconds or every thousand events, whichever comes first.';

describe('chunkText', () => {
  it('keeps every chunk within max_tokens and reports exact counts', () => {
    const text = Array.from({ length: 40 }, (_, i) => paragraph(i)).join('\n\n');
    const chunks = chunkText(text, { max_tokens: 120, overlap_tokens: 15 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.tokens).toBeLessThanOrEqual(120);
      expect(chunk.tokens).toBe(countTokens(chunk.text));
    }
  });

  it('prefers to cut at sentence ends', () => {
    const text = Array.from({ length: 20 }, (_, i) => paragraph(i)).join('\n\n');
    const chunks = chunkText(text, { max_tokens: 200, overlap_tokens: 0 });
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text).toMatch(/[.!?]$/);
  });

  it('overlaps consecutive chunks by roughly overlap_tokens', () => {
    const words = Array.from({ length: 600 }, (_, i) => `w${i}`).join(' ');
    const [first, second] = chunkText(words, { max_tokens: 100, overlap_tokens: 20 });
    const firstWords = first?.text.split(' ') ?? [];
    const secondWords = second?.text.split(' ') ?? [];
    const shared = firstWords.filter((w) => secondWords.includes(w));
    expect(shared.length).toBeGreaterThan(0);
    expect(countTokens(shared.join(' '))).toBeLessThanOrEqual(22);
    expect(secondWords[0]).toBe(shared[0]);
  });

  it('splits a single word longer than the limit without breaking characters', () => {
    const blob = 'é'.repeat(50) + 'x9'.repeat(400);
    const chunks = chunkText(`start ${blob} end`, { max_tokens: 32, overlap_tokens: 0 });
    for (const chunk of chunks) {
      expect(chunk.tokens).toBeLessThanOrEqual(32);
      expect(chunk.text).not.toContain('\uFFFD');
    }
    expect(chunks.map((c) => c.text).join('').replace(/\s/g, '')).toBe(`start${blob}end`);
  });

  it('returns nothing for blank text and rejects nonsensical options', () => {
    expect(chunkText('  \n\n ', { max_tokens: 200, overlap_tokens: 20 })).toEqual([]);
    expect(() => chunkText('x', { max_tokens: 4, overlap_tokens: 0 })).toThrow(RangeError);
    expect(() => chunkText('x', { max_tokens: 100, overlap_tokens: 60 })).toThrow(/overlap_tokens/);
  });
});
