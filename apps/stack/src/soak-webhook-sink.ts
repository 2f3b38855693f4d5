import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookDelivery } from '#notifications';

/**
 * The receiving end of the engine's webhook, as a city's system would run it, made unreliable on
 * purpose: it answers a share of the deliveries with 503 and can go away (stop listening)
 * for a while. It de-duplicates by delivery id, as API.md tells receivers to, and counts repeats
 * of a delivery it had already accepted: what "exactly once, receiver side" must rule out.
 */
export interface WebhookSinkOptions {
  readonly secret: string;
  /**
   * The share of deliveries refused with a 5xx (0–1): their first attempt that arrives is refused,
   * later ones are taken, so that retries end within a bounded time after the outage.
   */
  readonly failShare: number;
  /** Decides each refusal: a seeded random source, so a run can be repeated. */
  readonly random: () => number;
}

export class WebhookSink {
  /** Delivery ids accepted with a 2xx. */
  readonly accepted = new Set<string>();
  /** Deliveries of an id already accepted: each one is a duplicate the receiver had to drop. */
  duplicates = 0;
  /** Attempts answered 503 on purpose. */
  refused = 0;
  /** Bodies whose signature did not match the secret (answered 401). */
  badSignatures = 0;
  /** Every delivery id that arrived, taken or not. */
  readonly #arrived = new Set<string>();
  #server: Server | null = null;
  #port = 0;

  constructor(private readonly options: WebhookSinkOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.#port}/minyi-webhook`;
  }

  get listening(): boolean {
    return this.#server !== null;
  }

  /** Listens (on a free port the first time, on the same port again after `goAway`). */
  async start(): Promise<void> {
    if (this.#server) return;
    const server = createServer((request, response) => void this.#receive(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening: deliveries meanwhile find no one (connection refused). */
  async goAway(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  async #receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (!this.#signedBySecret(body, request.headers['x-minyi-signature'])) {
      this.badSignatures++;
      response.writeHead(401).end();
      return;
    }
    const { deliveryId } = JSON.parse(body.toString('utf8')) as { deliveryId: string };
    const firstArrival = !this.#arrived.has(deliveryId);
    this.#arrived.add(deliveryId);
    if (firstArrival && this.options.random() < this.options.failShare) {
      this.refused++;
      response.writeHead(503).end();
      return;
    }
    if (this.accepted.has(deliveryId)) this.duplicates++;
    else this.accepted.add(deliveryId);
    response.writeHead(204).end();
  }

  #signedBySecret(body: Buffer, header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const expected = Buffer.from(WebhookDelivery.sign(body, this.options.secret));
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
