import { Tiktoken } from 'js-tiktoken/lite';
import cl100k_base from 'js-tiktoken/ranks/cl100k_base';

/**
 * Token counting and token-bounded chunking with the `cl100k_base` encoding.
 * The BPE ranks ship inside the js-tiktoken package (imported above), so nothing
 * is fetched at run time.
 */

export const TOKENIZER = 'cl100k_base';

let encoder: Tiktoken | undefined;
function getEncoder(): Tiktoken {
  encoder ??= new Tiktoken(cl100k_base);
  return encoder;
}

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return getEncoder().encode(text).length;
}

export interface Chunk {
  index: number;
  text: string;
  tokens: number;
}

export interface ChunkOptions {
  /** Hard upper bound: no chunk is longer than this many tokens. */
  max_tokens: number;
  /** Approximate number of tokens repeated at the start of the next chunk. */
  overlap_tokens: number;
}

interface Piece {
  text: string;
  tokens: number;
  /**
   * How good a place to cut right after this piece is: 3 = end of a sentence that
   * ends a paragraph, 2 = end of a sentence, 1 = end of a paragraph or line without
   * final punctuation (a heading, a list item), 0 = between words. Cutting after
   * a heading is ranked low so a heading stays with the text it introduces.
   */
  boundary: 0 | 1 | 2 | 3;
}

const SENTENCE_END = /[.!?]["')\]]?$/;

/**
 * Splits text into chunks of at most `max_tokens` tokens, cutting between words
 * and preferring sentence ends, with about `overlap_tokens` of context carried
 * over. Invariant: every chunk's `tokens` is its exact encoded length and
 * `tokens <= max_tokens`.
 */
export function chunkText(text: string, options: ChunkOptions): Chunk[] {
  const { max_tokens, overlap_tokens } = options;
  if (!(max_tokens >= 8)) throw new RangeError(`chunk max_tokens must be >= 8, got ${max_tokens}`);
  if (!(overlap_tokens >= 0 && overlap_tokens < max_tokens / 2)) {
    throw new RangeError(`chunk overlap_tokens must be in [0, max_tokens/2), got ${overlap_tokens}`);
  }
  const pieces = toPieces(text, max_tokens);
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < pieces.length) {
    // Greedy fill by per-piece counts, remembering the last sentence boundary.
    // Greedy fill by per-piece counts; then, if the text goes on, cut at the best
    // boundary (latest among equals) in the last 40% of the chunk.
    let end = start;
    let sum = 0;
    let bestCut = -1;
    let bestRank = 0;
    while (end < pieces.length && sum + (pieces[end] as Piece).tokens <= max_tokens) {
      const piece = pieces[end] as Piece;
      sum += piece.tokens;
      end += 1;
      if (piece.boundary > 0 && piece.boundary >= bestRank && sum >= max_tokens * 0.6) {
        bestCut = end;
        bestRank = piece.boundary;
      }
    }
    if (end < pieces.length && bestCut > start) end = bestCut;
    if (end === start) end = start + 1; // toPieces guarantees a single piece fits

    // Per-piece counts can differ from the count of the joined text by a token or
    // two where BPE merges across a boundary; re-encode and shrink to keep the bound.
    let chunkTextValue = joinPieces(pieces, start, end);
    let tokens = countTokens(chunkTextValue);
    while (tokens > max_tokens && end - start > 1) {
      end -= 1;
      chunkTextValue = joinPieces(pieces, start, end);
      tokens = countTokens(chunkTextValue);
    }
    if (chunkTextValue.length > 0) chunks.push({ index: chunks.length, text: chunkTextValue, tokens });
    if (end >= pieces.length) break;

    // Step back over the last pieces worth ~overlap_tokens, always moving forward.
    let next = end;
    let carried = 0;
    while (next - 1 > start && carried + (pieces[next - 1] as Piece).tokens <= overlap_tokens) {
      next -= 1;
      carried += (pieces[next] as Piece).tokens;
    }
    start = next;
  }
  return chunks;
}

function joinPieces(pieces: Piece[], start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += (pieces[i] as Piece).text;
  return out.trim();
}

/** Words with their leading whitespace; a word longer than max_tokens is cut into char slices that fit. */
function toPieces(text: string, maxTokens: number): Piece[] {
  const pieces: Piece[] = [];
  for (const match of text.matchAll(/\s*\S+/g)) {
    const raw = match[0];
    const tokens = countTokens(raw);
    const after = text.slice(match.index + raw.length).match(/^[^\S\n]*(\n?)[^\S\n]*(\n?)/) as RegExpMatchArray;
    const sentence = SENTENCE_END.test(raw);
    const paragraph = after[2] === '\n';
    const line = after[1] === '\n' || match.index + raw.length === text.length;
    const boundary = sentence && (paragraph || line) ? 3 : sentence ? 2 : paragraph || line ? 1 : 0;
    if (tokens <= maxTokens) {
      pieces.push({ text: raw, tokens, boundary });
      continue;
    }
    // Pathological token (base64 blob, long URL): slice by characters. Slicing by
    // code points, not token ids, so no slice ends inside a multi-byte character.
    const chars = Array.from(raw);
    let from = 0;
    while (from < chars.length) {
      let size = Math.min(chars.length - from, maxTokens * 2);
      let slice = chars.slice(from, from + size).join('');
      let sliceTokens = countTokens(slice);
      while (sliceTokens > maxTokens && size > 1) {
        size = Math.max(1, Math.floor(size * 0.75));
        slice = chars.slice(from, from + size).join('');
        sliceTokens = countTokens(slice);
      }
      from += size;
      pieces.push({ text: slice, tokens: sliceTokens, boundary: from >= chars.length ? boundary : 0 });
    }
  }
  return pieces;
}
