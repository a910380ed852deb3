/** Who did something: the principal of a request, or the system itself. Stored by name
 * in deployment history and audit rows. */
export interface Actor {
  kind: 'anonymous' | 'user' | 'api_key' | 'admin_token' | 'system';
  id: string;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', name: 'system' };

/** The actor's name as stored in the deployment history and audit rows. */
export const actorName = (p: Actor) => (p.kind === 'anonymous' || p.kind === 'system' ? p.kind : p.name || `${p.kind}:${p.id}`);
