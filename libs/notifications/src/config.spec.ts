import { describe, expect, it } from '@jest/globals';
import { NotificationConfigError, notificationSettingsFromEnv } from './config.js';

describe('notificationSettingsFromEnv', () => {
  it('turns webhooks and e-mail off when nothing is set, with a 1 s retry base', () => {
    expect(notificationSettingsFromEnv({})).toEqual({ webhook: null, email: null, retryBaseMs: 1_000 });
  });

  it('reads the webhook, the retry base and the e-mail settings', () => {
    expect(
      notificationSettingsFromEnv({
        NOTIFY_WEBHOOK_URL: 'https://hooks.example.gov.cn/minyi',
        NOTIFY_WEBHOOK_SECRET: 's3cret',
        NOTIFY_RETRY_BASE_MS: '5000',
        SMTP_URL: 'smtp://mail.example.gov.cn:25',
        NOTIFY_EMAIL_TO: 'duty@example.gov.cn; office@example.gov.cn ,',
        NOTIFY_EMAIL_FROM: '民意平台 <minyi@example.gov.cn>',
        NOTIFY_CASE_URL: 'https://minyi.example.gov.cn/cases/{caseId}',
      }),
    ).toEqual({
      webhook: { url: 'https://hooks.example.gov.cn/minyi', secret: 's3cret', timeoutMs: 10_000 },
      email: {
        smtpUrl: 'smtp://mail.example.gov.cn:25',
        from: '民意平台 <minyi@example.gov.cn>',
        to: ['duty@example.gov.cn', 'office@example.gov.cn'],
        caseUrl: 'https://minyi.example.gov.cn/cases/{caseId}',
        timeoutMs: 30_000,
      },
      retryBaseMs: 5_000,
    });
  });

  it.each([
    [{ NOTIFY_WEBHOOK_URL: 'https://hooks.example.gov.cn/' }, 'NOTIFY_WEBHOOK_SECRET'],
    [{ NOTIFY_WEBHOOK_SECRET: 'x' }, 'NOTIFY_WEBHOOK_URL'],
    [{ NOTIFY_WEBHOOK_URL: 'ftp://x', NOTIFY_WEBHOOK_SECRET: 'x' }, 'NOTIFY_WEBHOOK_URL'],
    [{ NOTIFY_RETRY_BASE_MS: '0' }, 'NOTIFY_RETRY_BASE_MS'],
    [{ NOTIFY_RETRY_BASE_MS: 'soon' }, 'NOTIFY_RETRY_BASE_MS'],
    [{ SMTP_URL: 'smtp://mail', NOTIFY_EMAIL_FROM: 'a@b' }, 'NOTIFY_EMAIL_TO'],
    [{ SMTP_URL: 'smtp://mail', NOTIFY_EMAIL_FROM: 'a@b', NOTIFY_EMAIL_TO: 'duty' }, 'NOTIFY_EMAIL_TO'],
    [{ SMTP_URL: 'smtp://mail', NOTIFY_EMAIL_TO: 'duty@example.gov.cn' }, 'NOTIFY_EMAIL_FROM'],
    [{ SMTP_URL: 'http://mail', NOTIFY_EMAIL_FROM: 'a@b', NOTIFY_EMAIL_TO: 'duty@example.gov.cn' }, 'SMTP_URL'],
  ])('refuses %j, naming %s', (env, variable) => {
    expect(() => notificationSettingsFromEnv(env)).toThrow(NotificationConfigError);
    expect(() => notificationSettingsFromEnv(env)).toThrow(variable);
  });
});
