import { type FormEvent, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../lib/api-client.ts';
import { navigate, useLocation } from '../../lib/router.tsx';
import { setToken } from '../../lib/session-token.ts';
import { useExchangeCode } from './api/exchange-code.ts';

/**
 * `/login`: the server prints a one-time URL (`/login?code=…`) at start-up, like
 * Jupyter; opening it signs in. A token (from `frostbyte token create`) can be pasted too.
 */
export function LoginPage() {
  const { search } = useLocation();
  const code = new URLSearchParams(search).get('code');
  const next = new URLSearchParams(search).get('next') ?? '/';
  const exchange = useExchangeCode();
  const [pasted, setPasted] = useState('');
  const tried = useRef<string | null>(null);

  useEffect(() => {
    if (!code || tried.current === code) return;
    tried.current = code;
    exchange.mutate(code, { onSuccess: () => navigate(next.startsWith('/') ? next : '/', { replace: true }) });
  }, [code, next, exchange]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const token = pasted.trim();
    if (!token) return;
    setToken(token);
    navigate(next.startsWith('/') ? next : '/', { replace: true });
  };

  return (
    <section className="page narrow" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      {code && exchange.isPending && <p role="status">Signing in with the one-time code…</p>}
      {exchange.isError && (
        <p role="alert" className="error-text">
          That login link did not work: {errorMessage(exchange.error)}. Login links work once; restart the server or ask for a new one, or
          paste a token below.
        </p>
      )}
      <p>
        Open the login URL the server printed when it started (<code>http://localhost:8000/login?code=…</code>), or paste an access token.
      </p>
      <form onSubmit={submit} className="stack">
        <label htmlFor="token">Access token</label>
        <input id="token" name="token" type="password" autoComplete="off" value={pasted} onChange={(e) => setPasted(e.target.value)} />
        <div>
          <button type="submit" disabled={!pasted.trim()}>
            Sign in with token
          </button>
        </div>
      </form>
    </section>
  );
}
