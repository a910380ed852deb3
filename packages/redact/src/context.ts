import { type EntityType, formatPlaceholder } from './placeholder.ts';

/** Number of redactions per entity type (occurrences, not distinct values). */
export interface RedactionSummary {
  [type: string]: number;
}

/**
 * Placeholder numbering for one trace.
 *
 * Invariant: within one context the same original value always maps to the same
 * placeholder, so `<PERSON_1>` in a prompt and `<PERSON_1>` in the model's answer
 * are the same person and a reader can still follow the conversation. Two
 * contexts share nothing, so numbers say nothing across traces.
 *
 * The context holds the original values in memory (that is how it recognises
 * them again); keep one per trace, drop it when the trace ends, and never log or
 * serialise it.
 */
export class RedactionContext {
  readonly #byValue = new Map<string, string>();
  readonly #next = new Map<EntityType, number>();
  /** Numbers seen in text that was already redacted (e.g. by the SDK). New values
   * skip them so the server never hands out `<EMAIL_1>` for a second, different
   * address in a trace that already contains the SDK's `<EMAIL_1>`. */
  readonly #reserved = new Map<EntityType, Set<number>>();
  readonly #counts: Record<string, number> = {};
  readonly #byRecognizer: Record<string, number> = {};

  /** The placeholder for `key` (already normalised by the detector), allocating
   * the next free number for `type` on first sight. Counts every call. */
  placeholderFor(type: EntityType, key: string, recognizer?: string): string {
    this.#counts[type] = (this.#counts[type] ?? 0) + 1;
    if (recognizer !== undefined) this.#byRecognizer[recognizer] = (this.#byRecognizer[recognizer] ?? 0) + 1;
    const mapKey = `${type}\u0000${key}`;
    const known = this.#byValue.get(mapKey);
    if (known !== undefined) return known;
    const reserved = this.#reserved.get(type);
    let n = this.#next.get(type) ?? 1;
    while (reserved?.has(n)) n++;
    this.#next.set(type, n + 1);
    const placeholder = formatPlaceholder(type, n);
    this.#byValue.set(mapKey, placeholder);
    return placeholder;
  }

  /** Records that `<type_n>` already exists in this trace's text. */
  reserve(type: EntityType, n: number): void {
    if (n < (this.#next.get(type) ?? 1)) return;
    let set = this.#reserved.get(type);
    if (set === undefined) {
      set = new Set();
      this.#reserved.set(type, set);
    }
    set.add(n);
  }

  /** Occurrences redacted so far, by type; a copy, safe to keep or serialise. */
  summary(): RedactionSummary {
    return { ...this.#counts };
  }

  /** Occurrences redacted by each user recognizer (custom.ts), by its name. */
  recognizerSummary(): RedactionSummary {
    return { ...this.#byRecognizer };
  }
}
