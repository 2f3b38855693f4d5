import { DEFAULT_EMAIL_TIMEOUT_MS } from './email.js';
import { DEFAULT_RETRY_BASE_MS, DEFAULT_WEBHOOK_TIMEOUT_MS } from './webhook.js';

/**
 * The notification settings from the environment, checked once at start-up:
 *
 * | variable | meaning |
 * | --- | --- |
 * | NOTIFY_WEBHOOK_URL, NOTIFY_WEBHOOK_SECRET | both set: every notification is POSTed there, signed (API.md) |
 * | NOTIFY_WEBHOOK_TIMEOUT_MS | how long one attempt may take (default 10000) |
 * | NOTIFY_RETRY_BASE_MS | the first retry's delay; retries double it for at least an hour (default 1000) |
 * | SMTP_URL | set: every notification is also e-mailed (`smtp://` or `smtps://`) |
 * | NOTIFY_EMAIL_TO | with SMTP_URL: comma-separated addresses, e.g. the duty mailbox |
 * | NOTIFY_EMAIL_FROM | with SMTP_URL: the sender, e.g. `民意平台 <minyi@example.gov.cn>` |
 * | NOTIFY_CASE_URL | optional: a link to a case in e-mails, `{caseId}` replaced |
 *
 * In-app notifications need no setting: they are always stored.
 */
export interface NotificationSettings {
  readonly webhook: { readonly url: string; readonly secret: string; readonly timeoutMs: number } | null;
  readonly email: { readonly smtpUrl: string; readonly from: string; readonly to: readonly string[]; readonly caseUrl?: string; readonly timeoutMs: number } | null;
  readonly retryBaseMs: number;
}

export class NotificationConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration ${variable}: ${problem}`);
    this.name = 'NotificationConfigError';
  }
}

const ADDRESS = /^[^\s@<>,;]+@[^\s@<>,;]+$/;

export function notificationSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NotificationSettings {
  const retryBaseMs = wholeNumber(env, 'NOTIFY_RETRY_BASE_MS', DEFAULT_RETRY_BASE_MS);

  const url = nonEmpty(env.NOTIFY_WEBHOOK_URL);
  const secret = nonEmpty(env.NOTIFY_WEBHOOK_SECRET);
  if (url !== undefined && secret === undefined) throw new NotificationConfigError('NOTIFY_WEBHOOK_SECRET', 'must be set with NOTIFY_WEBHOOK_URL');
  if (secret !== undefined && url === undefined) throw new NotificationConfigError('NOTIFY_WEBHOOK_URL', 'must be set with NOTIFY_WEBHOOK_SECRET');
  if (url !== undefined) checkUrl('NOTIFY_WEBHOOK_URL', url, ['http:', 'https:']);
  const webhook = url !== undefined && secret !== undefined ? { url, secret, timeoutMs: wholeNumber(env, 'NOTIFY_WEBHOOK_TIMEOUT_MS', DEFAULT_WEBHOOK_TIMEOUT_MS) } : null;

  const smtpUrl = nonEmpty(env.SMTP_URL);
  let email: NotificationSettings['email'] = null;
  if (smtpUrl !== undefined) {
    checkUrl('SMTP_URL', smtpUrl, ['smtp:', 'smtps:']);
    const to = (env.NOTIFY_EMAIL_TO ?? '')
      .split(/[,;]/)
      .map((address) => address.trim())
      .filter((address) => address !== '');
    if (to.length === 0) throw new NotificationConfigError('NOTIFY_EMAIL_TO', 'must list at least one address when SMTP_URL is set');
    const bad = to.find((address) => !ADDRESS.test(address));
    if (bad !== undefined) throw new NotificationConfigError('NOTIFY_EMAIL_TO', `"${bad}" is not an e-mail address`);
    const from = nonEmpty(env.NOTIFY_EMAIL_FROM);
    if (from === undefined) throw new NotificationConfigError('NOTIFY_EMAIL_FROM', 'must be set when SMTP_URL is set');
    const caseUrl = nonEmpty(env.NOTIFY_CASE_URL);
    if (caseUrl !== undefined) checkUrl('NOTIFY_CASE_URL', caseUrl.replaceAll('{caseId}', 'x'), ['http:', 'https:']);
    email = { smtpUrl, from, to, ...(caseUrl ? { caseUrl } : {}), timeoutMs: DEFAULT_EMAIL_TIMEOUT_MS };
  }
  return { webhook, email, retryBaseMs };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}

function wholeNumber(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const text = nonEmpty(env[variable]);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new NotificationConfigError(variable, `"${text}" is not a whole number of milliseconds ≥ 1`);
  return value;
}

function checkUrl(variable: string, value: string, protocols: readonly string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new NotificationConfigError(variable, 'is not a URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new NotificationConfigError(variable, `expected a ${protocols.join(' or ')} URL, got ${parsed.protocol}`);
}
