/**
 * The small interfaces that cross folders: ingest needs a redactor and a sealer, and
 * must not know that the redactor is @frostbyte/redact or that the sealer is the
 * envelope keyring (crypto/trace-crypto.ts). The composition root picks the
 * implementations.
 */
/** Redacts a value on the server (defence in depth: the SDK already did). */
export interface ServerRedactor {
  /** One context per trace so `<PERSON_1>` means one person throughout it. */
  /** `tenant`: whose own recognizers and allow-list apply (none when absent). */
  trace(
    parts: { input: unknown; output: unknown; rationale: string | undefined },
    tenant?: string,
  ): {
    input: unknown;
    output: unknown;
    rationale: string | undefined;
    summary: Record<string, number>;
  };
  text(s: string, tenant?: string): string;
  value<T>(v: T, tenant?: string): T;
}

/** Seals trace fields with the tenant's data key (AES-256-GCM, AAD bound to the row). */
export interface TraceSealer {
  /** Makes sure each tenant has a data key (may create and store one). */
  prepare(tenants: Iterable<string>): Promise<void>;
  seal(tenant: string, eventId: string, column: 'payload', plaintext: string): { sealed: Buffer; keyVersion: number };
}
