import { isIP } from 'node:net';
import { ConfigError } from '#platform';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || (isIP(host) === 6 && host === '0:0:0:0:0:0:0:1');
}

/**
 * Where the server listens (API.md, "Demo safety"). While any account still has the published
 * demo password, only on the loopback interface: `HOST` unset means 127.0.0.1 then (else all
 * interfaces), and a `HOST` that is not loopback stops start-up, saying what to do.
 */
export function listenAddress(host: string | undefined, accountsWithPublishedPassword: readonly string[]): string {
  if (accountsWithPublishedPassword.length === 0) return host ?? '0.0.0.0';
  if (host === undefined) return '127.0.0.1';
  if (isLoopback(host)) return host;
  const names = accountsWithPublishedPassword.slice(0, 5).join(', ') + (accountsWithPublishedPassword.length > 5 ? ', ...' : '');
  throw new ConfigError(
    'HOST',
    `"${host}" is reachable from other machines, but ${accountsWithPublishedPassword.length} account(s) still have the published demo password (${names}). ` +
      'Change their passwords (log in and use 修改密码, or POST /api/v1/me/password), or set MINYI_DEMO_PASSWORD before the first start, or listen on 127.0.0.1',
  );
}
