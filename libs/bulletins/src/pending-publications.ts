import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { MAIN_POOL } from '#database';
import { CLOCK, LOGGER, type Now } from '#runtime';
import { BulletinCommands, type PendingPublications } from './bulletin-commands.js';

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

/** At start, completes the publications a crash cut short (see BulletinCommands.completePending). */
@Injectable()
export class PendingPublicationsAtStart implements OnApplicationBootstrap {
  constructor(
    private readonly commands: BulletinCommands,
    @Inject(MAIN_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const completed = await this.commands.completePending(new NumberedDraftsInLog(this.pool), this.clock().toISOString());
      if (completed.length > 0) this.logger.warn({ bulletinIds: completed }, 'completed bulletin publications cut short after their numbers were taken');
    } catch (error) {
      // The next start tries again; a publisher's retry completes a publication meanwhile.
      this.logger.error({ err: error }, 'completing bulletin publications cut short failed');
    }
  }
}
