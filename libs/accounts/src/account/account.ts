import type { Role } from '#domain';

/**
 * An account as a stream of events (`account-<uuid>`), in the same store and hash chain as the
 * cases. The events carry who the person is and what happened to the account, never a password
 * or its hash: those live in the credentials table (credentials.ts).
 */

export const ACCOUNT_EVENT_TYPES = ['UserCreated', 'UserUpdated', 'UserDisabled', 'UserEnabled', 'PasswordReset', 'PasswordChanged'] as const;
export type AccountEventType = (typeof ACCOUNT_EVENT_TYPES)[number];

export interface AccountEventDataMap {
  UserCreated: { readonly userId: string; readonly username: string; readonly displayName: string; readonly roles: readonly Role[]; readonly unitId: string };
  /** Only the fields that changed. */
  UserUpdated: { readonly displayName?: string; readonly roles?: readonly Role[]; readonly unitId?: string };
  UserDisabled: { readonly reason: string };
  UserEnabled: Record<string, never>;
  /** An admin set a temporary password: the next login must choose a new one. */
  PasswordReset: Record<string, never>;
  PasswordChanged: Record<string, never>;
}

export type AccountEvent = { [T in AccountEventType]: { readonly type: T; readonly data: AccountEventDataMap[T] } }[AccountEventType];

export const ACCOUNT_SCHEMA_VERSION = 1;

export interface AccountState {
  readonly exists: boolean;
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
  readonly enabled: boolean;
  readonly mustChangePassword: boolean;
  /**
   * The revision of the last event that ended the account's sessions (disabled, password reset
   * or changed, roles or unit changed), or -1. A token issued at or after it is still good.
   */
  readonly sessionsValidFrom: number;
  /** The revision of the last event folded, -1 for none. */
  readonly revision: number;
}

export const NO_ACCOUNT: AccountState = {
  exists: false,
  userId: '',
  username: '',
  displayName: '',
  roles: [],
  unitId: '',
  enabled: false,
  mustChangePassword: false,
  sessionsValidFrom: -1,
  revision: -1,
};

/** Whether the event ends every session of the account issued before it. */
export function endsSessions(event: AccountEvent): boolean {
  switch (event.type) {
    case 'UserDisabled':
    case 'PasswordReset':
    case 'PasswordChanged':
      return true;
    case 'UserUpdated':
      return event.data.roles !== undefined || event.data.unitId !== undefined;
    default:
      return false;
  }
}

/** The account after one more event (at `revision`). Pure; constant time per event. */
export function evolveAccount(state: AccountState, event: AccountEvent, revision: number): AccountState {
  const next = applyEvent(state, event);
  return { ...next, revision, sessionsValidFrom: endsSessions(event) ? revision : state.sessionsValidFrom };
}

function applyEvent(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'UserCreated':
      return { ...NO_ACCOUNT, ...event.data, roles: [...event.data.roles], exists: true, enabled: true };
    case 'UserUpdated':
      return {
        ...state,
        ...(event.data.displayName !== undefined ? { displayName: event.data.displayName } : {}),
        ...(event.data.roles !== undefined ? { roles: [...event.data.roles] } : {}),
        ...(event.data.unitId !== undefined ? { unitId: event.data.unitId } : {}),
      };
    case 'UserDisabled':
      return { ...state, enabled: false };
    case 'UserEnabled':
      return { ...state, enabled: true };
    case 'PasswordReset':
      return { ...state, mustChangePassword: true };
    case 'PasswordChanged':
      return { ...state, mustChangePassword: false };
  }
}

/** Folds an account's events, in revision order from 0. */
export function foldAccount(events: readonly AccountEvent[], from: AccountState = NO_ACCOUNT): AccountState {
  let state = from;
  for (const event of events) state = evolveAccount(state, event, state.revision + 1);
  return state;
}

const PREFIX = 'account-';

/** An account is one event stream, `account-<uuid>`. */
export function accountStreamId(userId: string): string {
  return `${PREFIX}${userId}`;
}

export function isAccountStream(streamId: string): boolean {
  return streamId.startsWith(PREFIX);
}

export function accountIdOf(streamId: string): string {
  return streamId.slice(PREFIX.length);
}
