/**
 * @frostbyte/redact — the one PII redaction library, used by the SDK (before
 * data leaves the process) and by the server (again on ingest).
 *
 * Dependency direction: this package imports only `compromise` (for its name
 * lexicon) and node built-ins; nothing in the repo is imported from here.
 * Browser code that only needs to recognise placeholders imports
 * `@frostbyte/redact/placeholder`, which has no dependencies at all.
 */
export { RedactionContext, type RedactionSummary } from './context.ts';
export {
  CHECKSUMS,
  type Checksum,
  compileRules,
  MAX_ALLOW_TERMS,
  MAX_PATTERN_LENGTH,
  MAX_RECOGNIZERS,
  NO_RULES,
  RecognizerError,
  type RecognizerSpec,
  type RedactionRules,
  type RedactionRulesSpec,
  validateRecognizer,
} from './custom.ts';
export { ENTITY_TYPES, type EntityType, isPlaceholder, PLACEHOLDER_RE } from './placeholder.ts';
export { type RedactOptions, redactText, redactValue } from './redact.ts';
