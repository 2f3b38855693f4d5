import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NOTIFY_QUEUES } from '#notifications';
import { SLA_QUEUE } from '#sla';
import { AccountsError, LoginThrottledError, type LoginService } from '#accounts';
import type { JobQueues } from '#jobs';
import type { Now } from '#runtime';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over the engine's queues, for admins only. A browser has no bearer token to send,
 * so the board also takes HTTP Basic credentials (the browser asks for them), checked by the
 * API's login with its limits, from the client's address; a right password there clears no failures.
 */
export async function serveQueueBoard(fastify: FastifyInstance, queues: JobQueues, login: LoginService, clock: Now): Promise<void> {
  const serverAdapter = new BoardAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [SLA_QUEUE, ...Object.values(NOTIFY_QUEUES)].map((name) => new BullMQAdapter(queues.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'minyi queues' } },
  });
  // A scope of its own, so that the admins-only check guards the board's routes and no others.
  await fastify.register(async (board) => {
    board.addHook('onRequest', adminsOnly(login, clock));
    await board.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}

function adminsOnly(login: LoginService, clock: Now) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    try {
      let roles: readonly string[] = [];
      const bearer = /^Bearer\s+(\S+)$/i.exec(header);
      const basic = /^Basic\s+(\S+)$/i.exec(header);
      if (bearer) roles = login.authenticate(bearer[1]!, clock()).roles;
      else if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        roles = (await login.login(decoded.slice(0, Math.max(colon, 0)), decoded.slice(colon + 1), clock(), request.ip, { keepFailures: true })).user.roles;
      }
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

function refuse(reply: FastifyReply, statusCode: 401 | 403, message: string): FastifyReply {
  if (statusCode === 401) reply.header('WWW-Authenticate', 'Basic realm="minyi queues", charset="UTF-8"');
  return reply.status(statusCode).send({ statusCode, error: statusCode === 401 ? 'Unauthorized' : 'Forbidden', message });
}
