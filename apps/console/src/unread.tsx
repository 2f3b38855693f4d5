import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { get } from './api/client.js';
import type { NotificationList } from './api/types.js';

/** How many of the user's notifications are unread, for the header; screens refresh it after a change. */
export interface Unread {
  readonly count: number | null;
  readonly refresh: () => void;
}

const UnreadContext = createContext<Unread>({ count: null, refresh: () => undefined });
export const useUnread = () => useContext(UnreadContext);

const UNREAD_POLL_MS = 30_000;

export function UnreadProvider({ children }: { readonly children: ReactNode }) {
  const [count, setCount] = useState<number | null>(null);
  const refresh = useCallback(() => {
    get<NotificationList>('/api/v1/notifications', { unread: 'true', limit: 1 }).then(
      (list) => setCount(list.unreadCount),
      () => undefined,
    );
  }, []);
  useEffect(() => {
    refresh();
    const timer = window.setInterval(refresh, UNREAD_POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);
  return <UnreadContext.Provider value={{ count, refresh }}>{children}</UnreadContext.Provider>;
}
