import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, UNAUTHORIZED_EVENT, get, post, storeToken, storedToken } from './api/client.js';
import type { LoginAnswer, Me, Role, Unit } from './api/types.js';
import { Units } from './units.js';

export interface Session {
  readonly me: Me;
  readonly units: Units;
  readonly has: (role: Role) => boolean;
  readonly logout: () => void;
}

interface SessionState {
  /** null: nobody is logged in; undefined: still finding out. */
  readonly session: Session | null | undefined;
  /** Why the user was sent back to the login page, if they were. */
  readonly ended: boolean;
  readonly login: (username: string, password: string) => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(storedToken() ? undefined : null);
  const [units, setUnits] = useState<Units | null>(null);
  const [ended, setEnded] = useState(false);

  const logout = useCallback(() => {
    storeToken(null);
    setMe(null);
    setUnits(null);
  }, []);

  const start = useCallback(async (user?: Me) => {
    const [who, tree] = await Promise.all([user ? Promise.resolve(user) : get<Me>('/api/v1/me'), get<Unit[]>('/api/v1/units')]);
    setUnits(new Units(tree));
    setMe(who);
    setEnded(false);
  }, []);

  // A token kept from earlier in this tab: find out whose it is.
  useEffect(() => {
    if (storedToken()) start().catch(() => logout());
  }, [start, logout]);

  // The server refused the token (expired, or the secret changed): back to the login page.
  useEffect(() => {
    const onUnauthorized = () => {
      if (!storedToken()) return;
      logout();
      setEnded(true);
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [logout]);

  const login = useCallback(
    async (username: string, password: string) => {
      const answer = await post<LoginAnswer>('/api/v1/auth/login', { username, password });
      storeToken(answer.accessToken);
      try {
        await start(answer.user);
      } catch (error) {
        storeToken(null);
        throw error instanceof ApiError ? error : new ApiError(0, 'network', String(error));
      }
    },
    [start],
  );

  const value = useMemo<SessionState>(() => {
    const session = me === null ? null : me && units ? { me, units, has: (role: Role) => me.roles.includes(role), logout } : undefined;
    return { session, ended, login };
  }, [me, units, ended, login, logout]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionState outside SessionProvider');
  return value;
}

/** The logged-in user's session; only for screens shown after login. */
export function useSession(): Session {
  const { session } = useSessionState();
  if (!session) throw new Error('useSession before login');
  return session;
}
