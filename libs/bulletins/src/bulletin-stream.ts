import type { BulletinEvent, BulletinEventMeta, BulletinNumbered } from '#domain';
import type { RecordedEvent } from '#event-store';

const PREFIX = 'bulletin-';
const REGISTER_PREFIX = 'bulletin-register-';
const BULLETIN_STREAM = /^bulletin-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A bulletin is one event stream, `bulletin-<uuid>`. */
export function bulletinStreamId(bulletinId: string): string {
  return `${PREFIX}${bulletinId}`;
}

export function isBulletinStream(streamId: string): boolean {
  return BULLETIN_STREAM.test(streamId);
}

export function bulletinIdOf(streamId: string): string {
  return streamId.slice(PREFIX.length);
}

export function isRegisterStream(streamId: string): boolean {
  return streamId.startsWith(REGISTER_PREFIX);
}

/** A unit's register of bulletin numbers for one calendar year. */
export function registerStreamId(unitId: string, year: number): string {
  return `${REGISTER_PREFIX}${unitId}-${year}`;
}

/** A stored bulletin event as the domain folds it. */
export function toBulletinEvent(recorded: RecordedEvent): { event: BulletinEvent; meta: BulletinEventMeta } {
  return { event: { type: recorded.type, data: recorded.data } as BulletinEvent, meta: { at: recorded.metadata.at, actorId: recorded.metadata.actorId } };
}

export function toRegisterEvent(recorded: RecordedEvent): { id: string; event: BulletinNumbered } {
  return { id: recorded.id, event: { type: 'BulletinNumbered', data: recorded.data } as BulletinNumbered };
}
