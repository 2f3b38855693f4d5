import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response, Router } from 'express';
import { NOTIFY_QUEUES } from '#notifications';
import { SLA_QUEUE } from '#sla';
import type { Engine } from '#platform';
import type { Clock } from '../platform/tokens.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over the engine's queues, for admins only. A browser has no bearer token to send,
 * so the board also takes HTTP Basic credentials (the browser asks for them), checked by the
 * same throttled login as the API.
 */
export function queueBoard(engine: Engine, clock: Clock): Router[] {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [SLA_QUEUE, ...Object.values(NOTIFY_QUEUES)].map((name) => new BullMQAdapter(engine.queues.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'minyi queues' } },
  });
  return [adminsOnly(engine, clock) as unknown as Router, serverAdapter.getRouter() as Router];
}

function adminsOnly(engine: Engine, clock: Clock) {
  return async (request: Request, response: Response, next: NextFunction) => {
    const header = request.headers.authorization ?? '';
    try {
      let roles: readonly string[] = [];
      const bearer = /^Bearer\s+(\S+)$/i.exec(header);
      const basic = /^Basic\s+(\S+)$/i.exec(header);
      if (bearer) roles = engine.login.authenticate(bearer[1]!, clock()).roles;
      else if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        roles = (await engine.login.login(decoded.slice(0, colon), decoded.slice(colon + 1), clock())).user.roles;
      }
      if (!header) return refuse(response, 401, 'log in as an admin to see the queues');
      if (!roles.includes('admin')) return refuse(response, 403, 'only an admin may see the queues');
      next();
    } catch (error) {
      refuse(response, 401, error instanceof Error ? error.message : 'not authenticated');
    }
  };
}

function refuse(response: Response, statusCode: 401 | 403, message: string): void {
  if (statusCode === 401) response.setHeader('WWW-Authenticate', 'Basic realm="minyi queues", charset="UTF-8"');
  response.status(statusCode).json({ statusCode, error: statusCode === 401 ? 'Unauthorized' : 'Forbidden', message });
}
