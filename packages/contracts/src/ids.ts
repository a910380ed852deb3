import { uuidv7 } from 'uuidv7';

/** Time-ordered ids (UUIDv7): sortable by creation time, so keyset pagination and
 * "newest first" need no extra column. */
export const newId = (): string => uuidv7();

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const UUID_RE = new RegExp(UUID_PATTERN);
export const isUuid = (s: string): boolean => UUID_RE.test(s);

/** Tenant ids are slugs: they appear in URLs, stream keys and AAD. */
export const TENANT_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
