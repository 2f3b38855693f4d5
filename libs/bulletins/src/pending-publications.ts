import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { MAIN_POOL } from '#database';
import { EVENT_STORE, PostgresEventStore, type EventStore, type LogPosition } from '#event-store';
import { CLOCK, LOGGER, type Now } from '#runtime';
import { BulletinCommands, type PendingPublications } from './bulletin-commands.js';
import { bulletinIdOf, isBulletinStream, isRegisterStream } from './bulletin-stream.js';

/**
 * The drafts some register numbered without their BulletinPublished: read from the event log
 * itself (the registers' events, and whether each numbered bulletin's stream has a publication),
 * since a read model may lag behind it. The stream heads pick out the registers, so only their
 * events are scanned, and each bulletin is looked up by the (stream, revision) key.
 */
export class NumberedDraftsInLog implements PendingPublications {
  constructor(private readonly pool: Pool) {}

  async numberedDrafts(): Promise<string[]> {
    const { rows } = await this.pool.query<{ bulletin_id: string }>(
      `SELECT DISTINCT numbered.data->>'bulletinId' AS bulletin_id
         FROM streams register
         JOIN events numbered ON numbered.stream_id = register.stream_id AND numbered.type = 'BulletinNumbered'
        WHERE register.stream_id LIKE 'bulletin-register-%'
          AND NOT EXISTS (SELECT 1 FROM events published
                           WHERE published.stream_id = 'bulletin-' || (numbered.data->>'bulletinId') AND published.type = 'BulletinPublished')`,
    );
    return rows.map((row) => row.bulletin_id);
  }
}

/**
 * The same found through the event store port, for a store that SQL cannot reach (EventStoreDB):
 * one walk of the whole log, which is why it runs only at start.
 */
export class NumberedDraftsThroughLog implements PendingPublications {
  constructor(private readonly store: Pick<EventStore, 'readAll'>) {}

  async numberedDrafts(): Promise<string[]> {
    const numbered = new Set<string>();
    const published = new Set<string>();
    let after: LogPosition | null = null;
    for (;;) {
      const batch = await this.store.readAll({ after, maxCount: 1000 });
      if (batch.length === 0) break;
      for (const event of batch) {
        if (event.type === 'BulletinNumbered' && isRegisterStream(event.streamId)) numbered.add(String(event.data.bulletinId));
        else if (event.type === 'BulletinPublished' && isBulletinStream(event.streamId)) published.add(bulletinIdOf(event.streamId));
      }
      after = batch.at(-1)!.position;
    }
    return [...numbered].filter((bulletinId) => !published.has(bulletinId));
  }
}

/** At start, completes the publications a crash cut short (see BulletinCommands.completePending). */
@Injectable()
export class PendingPublicationsAtStart implements OnApplicationBootstrap {
  constructor(
    private readonly commands: BulletinCommands,
    @Inject(MAIN_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      // SQL over the events where they are in PostgreSQL; else a walk of the log.
      const pending = this.store instanceof PostgresEventStore ? new NumberedDraftsInLog(this.pool) : new NumberedDraftsThroughLog(this.store);
      const completed = await this.commands.completePending(pending, this.clock().toISOString());
      if (completed.length > 0) this.logger.warn({ bulletinIds: completed }, 'completed bulletin publications cut short after their numbers were taken');
    } catch (error) {
      // The next start tries again; a publisher's retry completes a publication meanwhile.
      this.logger.error({ err: error }, 'completing bulletin publications cut short failed');
    }
  }
}
