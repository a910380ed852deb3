/** Query keys of the audit feature: mutations invalidate by these prefixes. */
export const auditKeys = {
  all: () => ['audit'] as const,
  logs: () => ['audit', 'log'] as const,
  log: (q: object) => ['audit', 'log', q] as const,
  accesses: () => ['audit', 'access'] as const,
  access: (q: object) => ['audit', 'access', q] as const,
  document: (tenant: string, document: string) => ['audit', 'document', tenant, document] as const,
};

/** Per-field problems of a mutation's input, as the provenance forms do. */
export type FieldErrors<K extends string> = Partial<Record<K, string>>;
