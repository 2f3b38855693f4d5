import { ApiError } from '../api/client.js';
import { hasMessage, type Translate } from './messages.js';

/** A failed request in the reader's language: the API's error `code`, else its status. */
export function errorMessage(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return t('error.status.500');
  if (error.status === 0) return t('error.network');
  const byCode = `error.code.${error.code ?? ''}`;
  if (error.code && hasMessage(byCode)) return t(byCode);
  const byStatus = `error.status.${error.status}`;
  if (hasMessage(byStatus)) return t(byStatus);
  return error.status >= 500 ? t('error.status.500') : error.message;
}

/**
 * The server's own words, worth showing under the headline when they say more than the code
 * does (why a move is not allowed, which unit is out of scope). They are in English.
 */
export function serverExplanation(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) return null;
  if (error.code === 'illegal_transition' || error.code === 'forbidden') return error.message;
  return null;
}
