import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type pg from 'pg';
import { LoginService } from '#accounts';
import { MAIN_POOL } from '#database';
import { hasRole } from '#domain';
import { EVENT_STORE, type EventStore } from '#event-store';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import { CLOCK, type Now } from '#runtime';
import { Public } from '../auth/auth.guard.js';
import { Metrics } from './metrics.js';
import { HealthChecksDto, HealthDto } from './ops.responses.js';

@ApiTags('operations')
@Controller()
export class OpsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MAIN_POOL) private readonly pool: pg.Pool,
    @Inject(JOB_QUEUES) private readonly queues: JobQueues,
    @Inject(LoginService) private readonly login: LoginService,
    @Inject(CLOCK) private readonly clock: Now,
    private readonly metrics: Metrics,
  ) {}

  /**
   * 200 when the event store, the read models and the job queues answer, else 503. Anyone may ask
   * and hears `{ status }` only; an admin (bearer token) also hears each check, with its error.
   */
  @Public()
  @Get('health')
  @ApiOperation({ summary: 'Whether the event store, the read models and the job queues answer (each check for an admin)' })
  // The token is optional: an admin's adds `checks`; any other (or none, or a bad one) is anyone's.
  @ApiSecurity({})
  @ApiBearerAuth()
  @ApiOkResponse({ type: HealthDto, description: 'every check passed: `{ status: "ok" }`' })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'a check failed: `{ status: "unavailable" }`, no error text but to an admin' })
  async health(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) response: FastifyReply): Promise<HealthDto> {
    // Side by side: the answer takes one round trip, not three.
    const outcome = (check: Promise<unknown>) => check.then(() => 'ok', (error: Error) => error.message);
    const [eventStore, readModels, queues] = await Promise.all([
      outcome(this.store.streamHead('health-check')),
      outcome(this.pool.query('SELECT 1 FROM projection_checkpoints LIMIT 1')),
      outcome(this.queues.ping()),
    ]);
    const checks: HealthChecksDto = { eventStore, readModels, queues };
    const ok = Object.values(checks).every((value) => value === 'ok');
    response.status(ok ? 200 : 503);
    const status = ok ? 'ok' : 'unavailable';
    return (await this.isAdmin(authorization)) ? { status, checks } : { status };
  }

  /** Whether the bearer token is an admin's, checked as the auth guard checks tokens; any other caller (or a bad token) is anonymous here. */
  private async isAdmin(authorization: string | undefined): Promise<boolean> {
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) return false;
    try {
      return hasRole(await this.login.authenticate(token, this.clock()), 'admin');
    } catch {
      return false;
    }
  }

  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ operationId: 'opsMetrics', summary: 'The process’s metrics in the Prometheus text format (0.0.4)' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Prometheus text exposition format, version 0.0.4',
    content: { 'text/plain': { schema: { type: 'string', example: '# TYPE minyi_http_request_duration_seconds histogram' } } },
  })
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
