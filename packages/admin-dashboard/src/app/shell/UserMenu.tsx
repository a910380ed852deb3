import type { Session } from '../../features/auth/api/get-session.ts';
import { navigate } from '../../lib/router.tsx';
import { setToken } from '../../lib/session-token.ts';

export function UserMenu({ session }: { session: Session }) {
  return (
    <span className="user">
      <span>
        {session.user.name} <span className="muted">({session.role.replace('_', ' ')})</span>
      </span>
      {!session.anonymous && (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setToken(null);
            navigate('/login', { replace: true });
          }}
        >
          Sign out
        </button>
      )}
    </span>
  );
}
