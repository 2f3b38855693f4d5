import { createTransport } from 'nodemailer';
import { textsOf, type Notification } from './notification.js';
import type { Recipient } from './recipients.js';

/**
 * E-mail copies of notifications, for a duty mailbox (值班邮箱).
 *
 * User accounts carry no e-mail address, and the people who act on a case see it in the app.
 * What a city office keeps by e-mail is a shared mailbox that the duty officer watches, so every
 * notification is sent to one configured list (NOTIFY_EMAIL_TO, comma separated), whoever its
 * in-app recipients are: subject `[minyi] <text>`, a body with the text in Chinese and in English, the case, the event,
 * the in-app recipients and, when NOTIFY_CASE_URL is set, a link to the case.
 *
 * The Message-ID is derived from the delivery id, so a redelivered message carries the same one
 * and mail systems can recognise the repeat.
 */

export interface EmailChannelOptions {
  /** The addresses every notification goes to (at least one). */
  readonly to: readonly string[];
  /** A link to the case, `{caseId}` replaced (e.g. `https://minyi.example.gov.cn/cases/{caseId}`); no link when unset. */
  readonly caseUrl?: string;
  /** Connecting, the greeting and each wait on the server; default 30 s. */
  readonly timeoutMs?: number;
}

export interface EmailSent {
  readonly messageId: string;
  readonly accepted: readonly string[];
  /** Addresses the server refused while taking the message for the others. */
  readonly rejected: readonly string[];
}

/** The SMTP server did not take the message. */
export class EmailDeliveryFailedError extends Error {
  readonly code = 'email_failed';

  constructor(
    message: string,
    /** The SMTP reply code when the server answered; null for a connection failure or timeout. */
    readonly responseCode: number | null,
    /** True when the server refused for good (5xx but 503): sending the same message again will not help. */
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmailDeliveryFailedError';
  }
}

export const DEFAULT_EMAIL_TIMEOUT_MS = 30_000;

interface MailError {
  code?: string;
  responseCode?: number;
  response?: string;
  permanent?: boolean;
  message?: string;
}

export class EmailChannel {
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly to: readonly string[];
  private readonly messageIdDomain: string;

  /** `smtpUrl`: `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://...`; `from`: e.g. `民意平台 <minyi@example.gov.cn>`. */
  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly options: EmailChannelOptions,
  ) {
    if (options.to.length === 0) throw new RangeError('the e-mail channel needs at least one address to send to');
    this.to = [...options.to];
    const timeout = options.timeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS;
    this.transport = createTransport({ url: smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout });
    this.messageIdDomain = /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? 'minyi.invalid';
  }

  /** Sends the notification to the configured addresses; throws EmailDeliveryFailedError when the server does not take it. */
  async send(notification: Notification, recipients: readonly Recipient[]): Promise<EmailSent> {
    const { subject, text } = this.compose(notification, recipients);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: [...this.to],
        subject,
        text,
        messageId: `<notification-${notification.deliveryId}@${this.messageIdDomain}>`,
        headers: { 'X-Minyi-Delivery': notification.deliveryId },
      });
      return { messageId: info.messageId, accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
    } catch (error) {
      const mailError = (error ?? {}) as MailError;
      const responseCode = typeof mailError.responseCode === 'number' ? mailError.responseCode : null;
      const permanent = mailError.permanent ?? (responseCode !== null && responseCode >= 500 && responseCode !== 503);
      const detail = mailError.response ?? mailError.message ?? String(error);
      throw new EmailDeliveryFailedError(`e-mail for ${notification.deliveryId} not sent: ${detail}`, responseCode, permanent, { cause: error });
    }
  }

  /** The subject and plain-text body of a notification's message. */
  compose(notification: Notification, recipients: readonly Recipient[]): { subject: string; text: string } {
    const { caseId } = notification;
    const link = caseId === null ? undefined : this.options.caseUrl?.replaceAll('{caseId}', encodeURIComponent(caseId));
    const people = recipients.length === 0 ? '（无）' : recipients.map((r) => `${r.displayName} (${r.username})`).join('、');
    const lines = [
      notification.text,
      textsOf(notification).en,
      '',
      notification.bulletinId ? `简报标识：${notification.bulletinId}` : `案件编号：${notification.caseNumber}`,
      `当前单位：${notification.unitId}`,
      `事件：${notification.event.type}，${notification.event.at}`,
      `站内通知：${people}`,
      ...(link ? [`查看案件：${link}`] : []),
      '',
      `（民意平台自动发送，投递编号 ${notification.deliveryId}）`,
    ];
    return { subject: `[minyi] ${notification.text}`, text: `${lines.join('\n')}\n` };
  }

  close(): void {
    this.transport.close();
  }
}
