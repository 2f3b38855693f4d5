import { ApiError, errorFrom, withQuery, type Query } from './client.js';

/**
 * The resident's side of the API (`/api/v1/public`): no account, so no token is read or sent, and
 * a refusal never ends a staff session open in another tab. Failures are ApiErrors like the
 * console's, with `retryAfter` on a 429.
 */
async function call<T>(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { Accept: 'application/json', ...init.headers },
      body: init.body,
      credentials: 'omit',
    });
  } catch (error) {
    throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as T;
}

export const publicGet = <T>(path: string, query?: Query) => call<T>('GET', withQuery(path, query));

export const publicPost = <T>(path: string, body: unknown, headers: Record<string, string> = {}) =>
  call<T>('POST', path, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

/** A `multipart/form-data` post; the browser writes the boundary into the Content-Type itself. */
export const publicPostForm = <T>(path: string, form: FormData, headers: Record<string, string> = {}) =>
  call<T>('POST', path, { body: form, headers });
