import { retryAfterSeconds } from './retry-after.js';
import type { FieldDetail } from './types.js';

/**
 * The one way the console talks to the API: JSON over fetch with the session's bearer token.
 * Every failure becomes an ApiError carrying the API.md error body, so screens can show the
 * code and the field details in the reader's language.
 */

export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly details: readonly FieldDetail[] = [],
    readonly currentRevision?: number | null,
    /** Seconds to wait before trying again, from a 429's (or 503's) `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isRevisionConflict(): boolean {
    return this.status === 409 && this.code === 'revision_conflict';
  }
}

const TOKEN_KEY = 'minyi.token';

/**
 * Fired when the server no longer accepts the token: the app goes back to the login page. Its
 * detail says which token was refused, and whether it expired or its session was ended on the
 * server (`session_revoked`: the account was disabled, reset or changed, or logged out elsewhere).
 */
export const UNAUTHORIZED_EVENT = 'minyi:unauthorized';

/** Fired when the server wants a new password before anything else (`password_change_required`). */
export const PASSWORD_CHANGE_EVENT = 'minyi:password-change-required';

export interface RefusedToken {
  readonly token: string | null;
  readonly revoked: boolean;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
  lastWrittenPosition = 0;
}

/**
 * The global log position of this session's latest write. List queries wait for it
 * (`minPosition`), so a list read right after a command already shows that command's effect.
 */
let lastWrittenPosition = 0;

export function noteWrite(position: number): void {
  if (position > lastWrittenPosition) lastWrittenPosition = position;
}

export function readYourWrites(): number | undefined {
  return lastWrittenPosition > 0 ? lastWrittenPosition : undefined;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

async function send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
  }
}

/** The API.md error body of a failed response as an ApiError, with its `Retry-After` when it has one. */
export async function errorFrom(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as {
    code?: string;
    message?: string;
    details?: FieldDetail[];
    currentRevision?: number | null;
  };
  return new ApiError(
    response.status,
    body.code,
    body.message ?? response.statusText,
    Array.isArray(body.details) ? body.details : [],
    body.currentRevision,
    retryAfterSeconds(response.headers.get('Retry-After')),
  );
}

async function failure(response: Response, path: string, token: string | null): Promise<ApiError> {
  const error = await errorFrom(response);
  // A rejected token (not a failed login) ends the session.
  if (response.status === 401 && !path.endsWith('/auth/login')) {
    const detail: RefusedToken = { token, revoked: error.code === 'session_revoked' };
    window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, { detail }));
  }
  if (response.status === 403 && error.code === 'password_change_required') window.dispatchEvent(new Event(PASSWORD_CHANGE_EVENT));
  return error;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const token = storedToken();
  const response = await send(method, path, options, token);
  if (!response.ok) throw await failure(response, path, token);
  // 204 No Content (logout, a changed password) has no body.
  if (response.status === 204) return undefined as T;
  const answer = (await response.json()) as T;
  const position = (answer as { position?: unknown } | null)?.position;
  if (method === 'POST' && typeof position === 'number') noteWrite(position);
  return answer;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', withQuery(path, query), { signal });
export const post = <T>(path: string, body: unknown, headers?: Record<string, string>) => request<T>('POST', path, { body, headers });
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });

/**
 * A whole stream's history, page after page (API.md: at most 500 events a page, `nextRevision`
 * while more follow); the people the pages name, once each.
 */
export async function getWholeHistory<T extends { readonly events: readonly unknown[]; readonly nextRevision?: number; readonly people?: readonly { readonly id: string }[] }>(
  path: string,
  signal?: AbortSignal,
): Promise<T> {
  let page = await get<T>(path, {}, signal);
  const events = [...page.events];
  const people = new Map((page.people ?? []).map((person) => [person.id, person]));
  while (page.nextRevision !== undefined) {
    page = await get<T>(path, { fromRevision: page.nextRevision }, signal);
    events.push(...page.events);
    for (const person of page.people ?? []) people.set(person.id, person);
  }
  return { ...page, events, ...(page.people ? { people: [...people.values()] } : {}) };
}

/** A document the API renders (such as a printable dossier), as a blob to open in a new tab. */
export async function getBlob(path: string, accept = 'text/html'): Promise<Blob> {
  const token = storedToken();
  const response = await send('GET', path, { headers: { Accept: accept } }, token);
  if (!response.ok) throw await failure(response, path, token);
  return response.blob();
}

/** A file the API answers for download (a spreadsheet export), with the name its `Content-Disposition` gives. */
export async function getDownload(path: string, accept: string): Promise<{ readonly blob: Blob; readonly disposition: string | null }> {
  const token = storedToken();
  const response = await send('GET', path, { headers: { Accept: accept } }, token);
  if (!response.ok) throw await failure(response, path, token);
  return { blob: await response.blob(), disposition: response.headers.get('Content-Disposition') };
}

/**
 * Opens an HTML page the API renders (a printable dossier or bulletin) in a new tab. Call it from
 * the click itself: the tab is opened before the fetch, while the click still counts as the
 * user's, since a tab opened after it would be blocked. The tab closes again if the fetch fails.
 */
export async function openDocument(path: string): Promise<void> {
  const tab = window.open('', '_blank');
  try {
    const blob = await getBlob(path);
    const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }));
    if (tab) tab.location.href = url;
    else window.location.href = url;
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    tab?.close();
    throw error;
  }
}

/** A `multipart/form-data` upload with the session's token (the browser sets the boundary). */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const token = storedToken();
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: form,
    });
  } catch (error) {
    throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await failure(response, path, token);
  const answer = (await response.json()) as T;
  const position = (answer as { position?: unknown } | null)?.position;
  if (typeof position === 'number') noteWrite(position);
  return answer;
}
