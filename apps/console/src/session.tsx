import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, PASSWORD_CHANGE_EVENT, UNAUTHORIZED_EVENT, get, post, storeToken, storedToken, type RefusedToken } from './api/client.js';
import type { Account, LoginAnswer, Me, Role, Unit } from './api/types.js';
import { Units } from './units.js';

export interface Session {
  readonly me: Me;
  readonly units: Units;
  readonly has: (role: Role) => boolean;
  /** Ends the session on the server (`POST /api/v1/auth/logout`), then forgets the token. */
  readonly logout: () => Promise<void>;
  /**
   * Changes the user's own password. The server then ends every session of the account, so the
   * console logs in again with the new password by itself.
   */
  readonly changePassword: (currentPassword: string, newPassword: string) => Promise<void>;
  /** The password was reset: nothing but choosing a new one (or logging out) until it is done. */
  readonly mustChangePassword: boolean;
}

/** Why the user is on the login page: the token expired, the server ended the session, or they logged out. */
export type EndReason = 'expired' | 'revoked' | 'loggedOut';

interface SessionState {
  /** null: nobody is logged in; undefined: still finding out. */
  readonly session: Session | null | undefined;
  /** Why the user was sent back to the login page, if they were. */
  readonly ended: EndReason | null;
  readonly login: (username: string, password: string) => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** Before the password is changed the token may read only `/me`: the screen needs no units then. */
const NO_UNITS = new Units([]);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(storedToken() ? undefined : null);
  const [units, setUnits] = useState<Units | null>(null);
  const [mustChange, setMustChange] = useState(false);
  const [ended, setEnded] = useState<EndReason | null>(null);

  const drop = useCallback((reason: EndReason | null) => {
    storeToken(null);
    setMe(null);
    setUnits(null);
    setMustChange(false);
    setEnded(reason);
  }, []);

  const logout = useCallback(async () => {
    // The server forgets the session first, so the token is dead even if someone copied it.
    if (storedToken()) await post<void>('/api/v1/auth/logout', {}).catch(() => undefined);
    drop('loggedOut');
  }, [drop]);

  const start = useCallback(async (user?: Account, limited?: boolean) => {
    const who: Me = user ? { ...user, mustChangePassword: limited === true } : await get<Me>('/api/v1/me');
    const mustChangePassword = who.mustChangePassword;
    const tree = mustChangePassword ? NO_UNITS : new Units(await get<Unit[]>('/api/v1/units'));
    setUnits(tree);
    setMe(who);
    setMustChange(mustChangePassword);
    setEnded(null);
  }, []);

  // A token kept from earlier in this tab: find out whose it is.
  useEffect(() => {
    // A refused token has been dropped already, saying why; any other failure starts afresh.
    if (storedToken())
      start().catch(() => {
        if (storedToken()) drop(null);
      });
  }, [start, drop]);

  // The server refused the token (expired, the secret changed, or the session was ended): back to the login page.
  useEffect(() => {
    const onUnauthorized = (event: Event) => {
      const refused = (event as CustomEvent<RefusedToken | undefined>).detail;
      // A late answer to a request made with an older token (before logging in again) ends nothing.
      if (!storedToken() || (refused && refused.token !== storedToken())) return;
      drop(refused?.revoked ? 'revoked' : 'expired');
    };
    const onPasswordChangeRequired = () => setMustChange(true);
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    window.addEventListener(PASSWORD_CHANGE_EVENT, onPasswordChangeRequired);
    return () => {
      window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
      window.removeEventListener(PASSWORD_CHANGE_EVENT, onPasswordChangeRequired);
    };
  }, [drop]);

  const login = useCallback(
    async (username: string, password: string) => {
      const answer = await post<LoginAnswer>('/api/v1/auth/login', { username, password });
      storeToken(answer.accessToken);
      try {
        await start(answer.user, answer.mustChangePassword === true);
      } catch (error) {
        storeToken(null);
        throw error instanceof ApiError ? error : new ApiError(0, 'network', String(error));
      }
    },
    [start],
  );

  const changePassword = useCallback(
    async (currentPassword: string, newPassword: string) => {
      if (!me) return;
      await post<void>('/api/v1/me/password', { currentPassword, newPassword });
      // Every session of the account has ended, this one too: log in again with the new password.
      // Without a token meanwhile, a late refusal of the old one ends nothing.
      storeToken(null);
      try {
        await login(me.username, newPassword);
      } catch {
        drop('revoked');
      }
    },
    [me, login, drop],
  );

  const value = useMemo<SessionState>(() => {
    const session =
      me === null
        ? null
        : me && units
          ? { me, units, has: (role: Role) => me.roles.includes(role), logout, changePassword, mustChangePassword: mustChange }
          : undefined;
    return { session, ended, login };
  }, [me, units, mustChange, ended, login, logout, changePassword]);

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
