import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type pg from 'pg';
import { MAIN_POOL } from '#database';
import { EVENT_STORE, type EventStore } from '#event-store';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import { Public } from '../auth/auth.guard.js';
import { Metrics } from './metrics.js';

@ApiExcludeController()
@Controller()
export class OpsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MAIN_POOL) private readonly pool: pg.Pool,
    @Inject(JOB_QUEUES) private readonly queues: JobQueues,
    private readonly metrics: Metrics,
  ) {}

  /** 200 when the event store, the read models and the job queues answer. */
  @Public()
  @Get('health')
  async health() {
    const checks: Record<string, 'ok' | string> = {};
    await this.store.streamHead('health-check').then(
      () => (checks.eventStore = 'ok'),
      (error: Error) => (checks.eventStore = error.message),
    );
    await this.pool.query('SELECT 1 FROM projection_checkpoints LIMIT 1').then(
      () => (checks.readModels = 'ok'),
      (error: Error) => (checks.readModels = error.message),
    );
    await this.queues.ping().then(
      () => (checks.queues = 'ok'),
      (error: Error) => (checks.queues = error.message),
    );
    const ok = Object.values(checks).every((value) => value === 'ok');
    if (!ok) throw new ServiceUnavailableException({ message: 'not healthy', details: Object.entries(checks).map(([field, message]) => ({ field, message })) });
    return { status: 'ok', checks };
  }

  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText() {
    return this.metrics.registry.metrics();
  }
}
