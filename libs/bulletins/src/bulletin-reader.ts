import { BulletinNotFoundError, canReadBulletin, foldBulletin, isUuid, type Actor, type Bulletin, type OrgTree } from '#domain';
import type { EventStore, EventStoreAudit, RecordedEvent, StreamWithHead } from '#event-store';
import { bulletinStreamId, toBulletinEvent } from './bulletin-stream.js';

/** A bulletin read whole from its stream. */
export interface BulletinRecord {
  readonly bulletin: Bulletin;
  readonly revision: number;
  readonly events: readonly RecordedEvent[];
}

export type BulletinStreamSource = Pick<EventStore, 'readStream'> & Pick<EventStoreAudit, 'readStreamWithHead'>;

/**
 * The one way to read a bulletin: from its stream (the source of truth, so a writer reads their
 * own write), within the reader's scope. Unknown and out of scope look the same: not found.
 */
export class BulletinReader {
  constructor(
    private readonly streams: BulletinStreamSource,
    private readonly org: OrgTree,
  ) {}

  /** The bulletin now; `reader` null is the engine itself, which sees every bulletin. */
  async current(reader: Actor | null, bulletinId: string): Promise<BulletinRecord> {
    if (!isUuid(bulletinId)) throw new BulletinNotFoundError(bulletinId);
    return this.folded(reader, bulletinId, await this.streams.readStream(bulletinStreamId(bulletinId.toLowerCase())));
  }

  /** The same with the stream's head row, from one snapshot: for verification. */
  async verifiable(reader: Actor, bulletinId: string): Promise<BulletinRecord & { readonly head: StreamWithHead['head'] }> {
    if (!isUuid(bulletinId)) throw new BulletinNotFoundError(bulletinId);
    const { events, head } = await this.streams.readStreamWithHead(bulletinStreamId(bulletinId.toLowerCase()));
    return { ...this.folded(reader, bulletinId, events), head };
  }

  private folded(reader: Actor | null, bulletinId: string, events: readonly RecordedEvent[]): BulletinRecord {
    const state = foldBulletin(events.map(toBulletinEvent));
    if (state.status === 'none' || (reader !== null && !canReadBulletin(reader, state, this.org))) throw new BulletinNotFoundError(bulletinId);
    return { bulletin: state, revision: events.at(-1)!.revision, events };
  }
}
