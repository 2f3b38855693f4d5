import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHmac, randomBytes } from 'node:crypto';
import { NOTIFY_QUEUES } from '#notifications';
import { SLA_QUEUE } from '#sla';
import { AccountsError, LoginThrottledError, type LoginService } from '#accounts';
import type { JobQueues } from '#jobs';
import type { Now } from '#runtime';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** How long a verified Basic credential is remembered: no longer than API.md lets a revoked session live. */
const BASIC_REMEMBERED_MS = 2_000;
const BASIC_REMEMBERED_MAX = 1_000;

/**
 * Bull Board over the engine's queues, for admins only, and read-only: the queues are in
 * bull-board's read-only mode (no buttons), and every request but GET and HEAD is refused before
 * it reaches the board, so no add, retry, promote, clean or remove runs whatever the client sends.
 * A browser has no bearer token to send, so the board also takes HTTP Basic credentials (the
 * browser asks for them), checked by the API's login with its limits, from the client's address;
 * a right password there clears no failures.
 */
export async function serveQueueBoard(fastify: FastifyInstance, queues: JobQueues, login: LoginService, clock: Now): Promise<void> {
  const serverAdapter = new BoardAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [SLA_QUEUE, ...Object.values(NOTIFY_QUEUES)].map((name) => new BullMQAdapter(queues.queue(name), { readOnlyMode: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'minyi queues' } },
  });
  const basic = new BasicLogins(login, clock);
  // A scope of its own, so that the admins-only check guards the board's routes and no others.
  await fastify.register(async (board) => {
    board.addHook('onRequest', readOnly);
    board.addHook('onRequest', adminsOnly(login, basic, clock));
    await board.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}

async function readOnly(request: FastifyRequest, reply: FastifyReply) {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  return reply.status(405).header('Allow', 'GET, HEAD').send({ statusCode: 405, error: 'Method Not Allowed', message: 'the queue board is read-only' });
}

function adminsOnly(login: LoginService, basic: BasicLogins, clock: Now) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    try {
      let roles: readonly string[] = [];
      const bearer = /^Bearer\s+(\S+)$/i.exec(header);
      const credentials = /^Basic\s+(\S+)$/i.exec(header);
      if (bearer) roles = login.authenticate(bearer[1]!, clock()).roles;
      else if (credentials) roles = await basic.roles(credentials[1]!, request.ip);
      if (!header) return refuse(reply, 401, 'log in as an admin to see the queues');
      if (!roles.includes('admin')) return refuse(reply, 403, 'only an admin may see the queues');
    } catch (error) {
      if (error instanceof LoginThrottledError) {
        return reply.status(429).header('Retry-After', String(error.retryAfterSeconds)).send({ statusCode: 429, error: 'Too Many Requests', message: error.message, code: error.code });
      }
      if (error instanceof AccountsError) return refuse(reply, 401, error.message);
      throw error;
    }
  };
}

/**
 * HTTP Basic logins to the board. A browser sends the credentials with every request (a page
 * load is a burst of them, and the board polls): a credential that logged in is remembered for a
 * moment, by a keyed hash of it and the client address, and requests that come while its login
 * runs wait for that login, so a burst costs one password check and one booking.
 */
class BasicLogins {
  /** Never leaves the process: the remembered hashes are of no use elsewhere. */
  private readonly key = randomBytes(32);
  private readonly remembered = new Map<string, { readonly roles: Promise<readonly string[]>; readonly until: number }>();

  constructor(
    private readonly login: LoginService,
    private readonly clock: Now,
  ) {}

  roles(encoded: string, clientAddress: string): Promise<readonly string[]> {
    const digest = createHmac('sha256', this.key).update(`${clientAddress}\n${encoded}`).digest('base64url');
    // The wall clock, not the engine's (which tests hold still): this only saves work.
    const now = Date.now();
    const known = this.remembered.get(digest);
    if (known && now < known.until) return known.roles;
    this.remembered.delete(digest);
    for (const [oldest, entry] of this.remembered) {
      if (this.remembered.size < BASIC_REMEMBERED_MAX && now < entry.until) break;
      this.remembered.delete(oldest);
    }
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const roles = this.login
      .login(decoded.slice(0, Math.max(colon, 0)), decoded.slice(colon + 1), this.clock(), clientAddress, { keepFailures: true })
      .then((result) => result.user.roles);
    const entry = { roles, until: now + BASIC_REMEMBERED_MS };
    this.remembered.set(digest, entry);
    // A refused login is not remembered: the next request tries (and is counted) again.
    roles.catch(() => {
      if (this.remembered.get(digest) === entry) this.remembered.delete(digest);
    });
    return roles;
  }
}

function refuse(reply: FastifyReply, statusCode: 401 | 403, message: string): FastifyReply {
  if (statusCode === 401) reply.header('WWW-Authenticate', 'Basic realm="minyi queues", charset="UTF-8"');
  return reply.status(statusCode).send({ statusCode, error: statusCode === 401 ? 'Unauthorized' : 'Forbidden', message });
}
