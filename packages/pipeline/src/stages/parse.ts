import { extname } from 'node:path';
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';
import { type Chunk, chunkText, countTokens, TOKENIZER } from './chunking.ts';
import { installedPackageVersion, type ModelIdentity, type StageModel, stageDelay } from './model.ts';
import { htmlToSections, markdownToSections, plainTextSections, type Section, sectionsToText, tidyText } from './sections.ts';

/**
 * Parse stage: bytes of a PDF, DOCX, HTML, Markdown or plain-text document →
 * extracted text, heading sections and token-bounded chunks.
 *
 * Failure contract: input the stage cannot handle throws a `DocumentParseError`
 * subclass (never returns empty output silently): `UnsupportedFormatError` for a
 * format we do not read, `CorruptDocumentError` for a file that claims a format
 * but cannot be read as it, `DocumentTooLargeError` above `max_bytes`.
 */

export type DocumentFormat = 'pdf' | 'docx' | 'html' | 'markdown' | 'text';
export const SUPPORTED_FORMATS: readonly DocumentFormat[] = ['pdf', 'docx', 'html', 'markdown', 'text'];

export interface ParseInput {
  document_id: string;
  /** Used to detect the format from its extension when `format` is not given. */
  filename?: string;
  /** Raw bytes; a string is accepted for the text formats (html, markdown, text). */
  content: Uint8Array | string;
  format?: DocumentFormat;
}

export type { Chunk, Section };

export interface ParseOutput {
  document_id: string;
  format: DocumentFormat;
  text: string;
  /** Physical pages for PDF; 1 for formats without pagination. */
  pages: number;
  sections: Section[];
  chunks: Chunk[];
}

export type ParseConfig = {
  chunk_max_tokens: number;
  chunk_overlap_tokens: number;
  /** Larger inputs are refused before any parsing work is done. */
  max_bytes: number;
  /** Added latency per call; see `stageDelay`. */
  delay_ms: number;
};

export const DEFAULT_PARSE_CONFIG: ParseConfig = Object.freeze({
  chunk_max_tokens: 200,
  chunk_overlap_tokens: 20,
  max_bytes: 25 * 1024 * 1024,
  delay_ms: 0,
});

export const PARSE_MODEL_NAME = 'frostbyte-docparse';
export const PARSE_MODEL_VERSION = '1.0.0';

/** Read once at load so the identity names the exact parser libraries in use. */
export const PARSER_LIBRARIES: Readonly<Record<string, string>> = Object.freeze({
  unpdf: installedPackageVersion('unpdf'),
  mammoth: installedPackageVersion('mammoth'),
  'html-to-text': installedPackageVersion('html-to-text'),
  'js-tiktoken': installedPackageVersion('js-tiktoken'),
});

// ---------------------------------------------------------------- errors

export type DocumentParseErrorCode = 'unsupported_format' | 'corrupt_document' | 'document_too_large';

export abstract class DocumentParseError extends Error {
  abstract readonly code: DocumentParseErrorCode;
  readonly document_id: string;
  readonly filename: string | undefined;
  constructor(message: string, context: { document_id: string; filename?: string | undefined }, options?: ErrorOptions) {
    super(message, options);
    this.document_id = context.document_id;
    this.filename = context.filename;
  }
}

export class UnsupportedFormatError extends DocumentParseError {
  override readonly name = 'UnsupportedFormatError';
  readonly code = 'unsupported_format';
}

export class CorruptDocumentError extends DocumentParseError {
  override readonly name = 'CorruptDocumentError';
  readonly code = 'corrupt_document';
  readonly format: DocumentFormat;
  constructor(
    message: string,
    context: { document_id: string; filename?: string | undefined; format: DocumentFormat },
    options?: ErrorOptions,
  ) {
    super(message, context, options);
    this.format = context.format;
  }
}

export class DocumentTooLargeError extends DocumentParseError {
  override readonly name = 'DocumentTooLargeError';
  readonly code = 'document_too_large';
}

// ---------------------------------------------------------------- model

export function createParseModel(overrides: Partial<ParseConfig> = {}): StageModel<ParseInput, ParseOutput> {
  const config: ParseConfig = { ...DEFAULT_PARSE_CONFIG, ...overrides };
  const identity: ModelIdentity = {
    name: PARSE_MODEL_NAME,
    version: PARSE_MODEL_VERSION,
    stage: 'parse',
    operation: 'extract_text',
    config: { ...config, tokenizer: TOKENIZER, libraries: { ...PARSER_LIBRARIES } },
  };
  return {
    identity,
    async invoke(input, signal) {
      signal?.throwIfAborted();
      const format = detectFormat(input);
      const size = typeof input.content === 'string' ? Buffer.byteLength(input.content) : input.content.byteLength;
      if (size > config.max_bytes) {
        throw new DocumentTooLargeError(
          `${describe(input)} is ${size} bytes; the parse stage accepts at most ${config.max_bytes} (config max_bytes)`,
          input,
        );
      }
      const { sections, pages, text = sectionsToText(sections) } = await extract(format, input);
      signal?.throwIfAborted();
      const chunks = chunkText(text, { max_tokens: config.chunk_max_tokens, overlap_tokens: config.chunk_overlap_tokens });
      await stageDelay(config.delay_ms, signal);
      return {
        output: { document_id: input.document_id, format, text, pages, sections, chunks },
        usage: { input_tokens: countTokens(text), pages },
      };
    },
  };
}

// ---------------------------------------------------------------- format detection

const EXTENSIONS: Readonly<Record<string, DocumentFormat>> = {
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
  '.text': 'text',
};

/** Explicit format wins, then the file extension, then the content's magic bytes. */
export function detectFormat(input: ParseInput): DocumentFormat {
  if (input.format !== undefined) {
    if (!SUPPORTED_FORMATS.includes(input.format)) {
      throw new UnsupportedFormatError(
        `format '${String(input.format)}' is not supported; use one of ${SUPPORTED_FORMATS.join(', ')}`,
        input,
      );
    }
    return input.format;
  }
  const ext = input.filename ? extname(input.filename).toLowerCase() : '';
  if (ext) {
    const format = EXTENSIONS[ext];
    if (format) return format;
    throw new UnsupportedFormatError(
      `${describe(input)}: '${ext}' files are not supported; supported extensions are ${Object.keys(EXTENSIONS).join(', ')}`,
      input,
    );
  }
  const content = input.content;
  if (typeof content !== 'string') {
    if (startsWith(content, '%PDF-')) return 'pdf';
    if (startsWith(content, 'PK\x03\x04')) return 'docx';
  }
  const head = (typeof content === 'string' ? content.slice(0, 512) : new TextDecoder().decode(content.subarray(0, 512))).trimStart();
  if (/^(<!doctype html|<html|<head|<body)/i.test(head)) return 'html';
  return 'text';
}

// ---------------------------------------------------------------- extraction

/** `text` is given when it is not simply the sections joined (PDF page titles are ours, not the document's). */
type Extracted = { sections: Section[]; pages: number; text?: string };

async function extract(format: DocumentFormat, input: ParseInput): Promise<Extracted> {
  switch (format) {
    case 'pdf':
      return extractPdf(bytesOf(input, format), input);
    case 'docx':
      return { sections: await extractDocx(bytesOf(input, format), input), pages: 1 };
    case 'html':
      return { sections: htmlToSections(decodeText(input, format)), pages: 1 };
    case 'markdown':
      return { sections: markdownToSections(decodeText(input, format)), pages: 1 };
    case 'text':
      return { sections: plainTextSections(decodeText(input, format)), pages: 1 };
  }
}

async function extractPdf(bytes: Uint8Array, input: ParseInput): Promise<Extracted> {
  const context = { document_id: input.document_id, filename: input.filename, format: 'pdf' as const };
  // pdf.js tolerates leading junk before the header, but not a missing one.
  if (findAscii(bytes.subarray(0, 1024), '%PDF-') < 0) {
    throw new CorruptDocumentError(`${describe(input)} has no %PDF- header; it is not a PDF or is damaged`, context);
  }
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>> | undefined;
  try {
    // pdf.js transfers (detaches) the buffer it is given, so hand it a copy.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
    const { totalPages, text } = await extractText(pdf, { mergePages: false });
    const sections = text
      .map((pageText, n) => ({ title: `Page ${n + 1}`, text: tidyText(pageText) }))
      .filter((section) => section.text.length > 0);
    return { sections, pages: totalPages, text: sections.map((section) => section.text).join('\n\n') };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') {
      throw new UnsupportedFormatError(`${describe(input)} is encrypted; password-protected PDFs are not supported`, input, {
        cause: error,
      });
    }
    throw new CorruptDocumentError(`${describe(input)} could not be read as a PDF: ${(error as Error).message}`, context, {
      cause: error,
    });
  } finally {
    await pdf?.destroy().catch(() => undefined);
  }
}

// Word's Title/Subtitle styles are not in mammoth's default map, but real documents use them as headings.
const DOCX_STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"];

async function extractDocx(bytes: Uint8Array, input: ParseInput): Promise<Section[]> {
  const context = { document_id: input.document_id, filename: input.filename, format: 'docx' as const };
  if (!startsWith(bytes, 'PK\x03\x04')) {
    throw new CorruptDocumentError(`${describe(input)} is not a ZIP container; a .docx file must be one`, context);
  }
  let html: string;
  try {
    // mammoth → semantic HTML keeps Word heading styles as <h1>…, so sections come out of the HTML path.
    ({ value: html } = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { styleMap: DOCX_STYLE_MAP },
    ));
  } catch (error) {
    throw new CorruptDocumentError(`${describe(input)} could not be read as DOCX: ${(error as Error).message}`, context, {
      cause: error,
    });
  }
  return htmlToSections(html);
}

function bytesOf(input: ParseInput, format: DocumentFormat): Uint8Array {
  if (typeof input.content === 'string') {
    throw new TypeError(`${describe(input)}: ${format} content must be bytes (Uint8Array), not a string`);
  }
  return input.content;
}

function decodeText(input: ParseInput, format: DocumentFormat): string {
  if (typeof input.content === 'string') return input.content;
  const context = { document_id: input.document_id, filename: input.filename, format };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input.content); // strips a UTF-8 BOM
  } catch (error) {
    throw new CorruptDocumentError(`${describe(input)} is not valid UTF-8 text`, context, { cause: error });
  }
  if (text.includes('\u0000')) {
    throw new CorruptDocumentError(`${describe(input)} contains NUL bytes; it looks binary, not ${format}`, context);
  }
  return text;
}

function describe(input: ParseInput): string {
  return input.filename ? `document ${input.document_id} (${input.filename})` : `document ${input.document_id}`;
}

function startsWith(bytes: Uint8Array, ascii: string): boolean {
  if (bytes.length < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[i] !== ascii.charCodeAt(i)) return false;
  return true;
}

function findAscii(bytes: Uint8Array, ascii: string): number {
  outer: for (let i = 0; i + ascii.length <= bytes.length; i++) {
    for (let j = 0; j < ascii.length; j++) if (bytes[i + j] !== ascii.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}
