import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { EmailChannel, EmailDeliveryFailedError } from './email.js';
import type { Notification } from './notification.js';
import { decode } from './testing/mail-message.js';

/** A message as the SMTP server received it. */
interface Delivered {
  readonly from: string | false;
  readonly to: readonly string[];
  readonly raw: string;
}

const notification: Notification = {
  deliveryId: '0195a1b2-0000-7000-8000-000000000e07',
  type: 'SlaBreached',
  caseId: '0195a1b2-0000-7000-8000-0000000000c1',
  caseNumber: 'MY-2026-000001',
  unitId: 'hd-dg',
  audience: { groups: [{ roles: ['coordinator'], unitIds: ['hd-dg'] }], userIds: [], excludeUserIds: [] },
  text: '案件 MY-2026-000001「停车位纠纷」办理已超时（时限 2026-03-16 09:00），请督促办理',
  texts: {
    'zh-CN': '案件 MY-2026-000001「停车位纠纷」办理已超时（时限 2026-03-16 09:00），请督促办理',
    en: 'The resolve deadline of case MY-2026-000001 "停车位纠纷" was missed (due 2026-03-16 09:00); please see that it is dealt with',
  },
  event: { type: 'SlaBreached', revision: 4, position: 77, at: '2026-03-16T09:00:05+08:00' },
};
const recipients = [{ userId: '00000000-0000-4000-8000-0000000000c2', username: 'hd-dg.coordinator', displayName: '东关街道联络员' }];

/** Starts a local SMTP server (no auth, no TLS) on a free port. */
async function smtpServer(onData: NonNullable<SMTPServerOptions['onData']>): Promise<{ server: SMTPServer; url: string }> {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onData });
  const listening = server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
  return { server, url: `smtp://127.0.0.1:${(listening.address() as AddressInfo).port}` };
}

describe('e-mail channel against a real SMTP server', () => {
  const delivered: Delivered[] = [];
  let accepting: { server: SMTPServer; url: string };
  let rejecting: { server: SMTPServer; url: string };

  beforeAll(async () => {
    accepting = await smtpServer((stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        delivered.push({
          from: session.envelope.mailFrom === false ? false : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    });
    rejecting = await smtpServer((stream, _session, callback) => {
      stream.resume();
      stream.on('end', () => callback(Object.assign(new Error('mailbox full'), { responseCode: 552 })));
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => accepting.server.close(resolve));
    await new Promise<void>((resolve) => rejecting.server.close(resolve));
  });

  it('sends every notification to the configured mailboxes, with the text as subject and a link to the case', async () => {
    const channel = new EmailChannel(accepting.url, '民意平台 <minyi@example.gov.cn>', {
      to: ['duty@example.gov.cn', 'office@example.gov.cn'],
      caseUrl: 'https://minyi.example.gov.cn/cases/{caseId}',
      timeoutMs: 5_000,
    });
    try {
      const sent = await channel.send(notification, recipients);
      expect(sent.accepted).toEqual(['duty@example.gov.cn', 'office@example.gov.cn']);
      expect(sent.rejected).toEqual([]);
      expect(sent.messageId).toBe(`<notification-${notification.deliveryId}@example.gov.cn>`);
    } finally {
      channel.close();
    }

    expect(delivered).toHaveLength(1);
    const [message] = delivered;
    expect(message!.from).toBe('minyi@example.gov.cn');
    expect(message!.to).toEqual(['duty@example.gov.cn', 'office@example.gov.cn']);
    const { headers, subject, body } = decode(message!.raw);
    expect(subject).toBe(`[minyi] ${notification.text}`);
    expect(headers).toMatch(/^X-Minyi-Delivery: 0195a1b2-0000-7000-8000-000000000e07$/m);
    expect(headers).toMatch(/^Message-ID: <notification-0195a1b2-0000-7000-8000-000000000e07@example\.gov\.cn>$/im);
    expect(body).toContain(notification.text);
    expect(body).toContain(notification.texts.en);
    expect(body).toContain('案件编号：MY-2026-000001');
    expect(body).toContain('站内通知：东关街道联络员 (hd-dg.coordinator)');
    expect(body).toContain(`查看案件：https://minyi.example.gov.cn/cases/${notification.caseId}`);
  });

  it('leaves the link out when no case URL is configured', () => {
    const channel = new EmailChannel(accepting.url, 'minyi@example.gov.cn', { to: ['duty@example.gov.cn'] });
    try {
      const { subject, text } = channel.compose(notification, []);
      expect(subject).toBe(`[minyi] ${notification.text}`);
      expect(text).not.toContain('查看案件');
      expect(text).toContain('站内通知：（无）');
    } finally {
      channel.close();
    }
  });

  it('fails with a typed, permanent error when the server refuses the message', async () => {
    const channel = new EmailChannel(rejecting.url, 'minyi@example.gov.cn', { to: ['duty@example.gov.cn'], timeoutMs: 5_000 });
    try {
      const failure = await channel.send(notification, recipients).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EmailDeliveryFailedError);
      expect(failure).toMatchObject({ code: 'email_failed', responseCode: 552, permanent: true });
      expect((failure as Error).message).toContain('mailbox full');
    } finally {
      channel.close();
    }
  });

  it('fails with a typed, transient error when no server answers', async () => {
    const gone = await smtpServer((_stream, _session, callback) => callback());
    await new Promise<void>((resolve) => gone.server.close(resolve));
    const channel = new EmailChannel(gone.url, 'minyi@example.gov.cn', { to: ['duty@example.gov.cn'], timeoutMs: 5_000 });
    try {
      const failure = await channel.send(notification, recipients).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EmailDeliveryFailedError);
      expect(failure).toMatchObject({ responseCode: null, permanent: false });
    } finally {
      channel.close();
    }
  });

  it('needs at least one address to send to', () => {
    expect(() => new EmailChannel(accepting.url, 'minyi@example.gov.cn', { to: [] })).toThrow(RangeError);
  });
});
