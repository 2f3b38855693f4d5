import type { BulletinNumber } from './bulletin.js';

/**
 * A unit's bulletin register for one calendar year: one `BulletinNumbered` event per bulletin
 * published, in the order they were numbered. The register's stream is
 * `bulletin-register-<unitId>-<year>`; its n-th event (revision n - 1) gives number n, so the
 * numbers of a year run 1, 2, 3… without gaps as long as every append names the exact revision
 * it folded (a racing publisher gets a conflict, reads again and takes the next number).
 */
export type BulletinNumbered = {
  readonly type: 'BulletinNumbered';
  readonly data: BulletinNumber & { readonly bulletinId: string; readonly unitId: string };
};
export const REGISTER_EVENT_TYPES = ['BulletinNumbered'] as const;

/** What a register says: the number each bulletin has, and the next one free. */
export type BulletinRegister = {
  readonly unitId: string;
  readonly year: number;
  /** The number of each bulletin numbered so far, with the id of the event that gave it. */
  readonly numbered: ReadonlyMap<string, { readonly sequence: number; readonly eventId: string }>;
  readonly next: number;
};

export function foldRegister(unitId: string, year: number, events: readonly { readonly id: string; readonly event: BulletinNumbered }[]): BulletinRegister {
  const numbered = new Map<string, { sequence: number; eventId: string }>();
  for (const { id, event } of events) {
    if (!numbered.has(event.data.bulletinId)) numbered.set(event.data.bulletinId, { sequence: event.data.sequence, eventId: id });
  }
  return { unitId, year, numbered, next: events.length + 1 };
}

/**
 * Numbers a bulletin in the register: the number it has already (a retry, or a second publisher
 * of the same draft, gets the same one and records nothing), or the next one free with the event
 * that takes it. The register never numbers a bulletin twice.
 */
export function numberInRegister(register: BulletinRegister, bulletinId: string): { readonly sequence: number; readonly event: BulletinNumbered | null } {
  const known = register.numbered.get(bulletinId);
  if (known) return { sequence: known.sequence, event: null };
  const sequence = register.next;
  return { sequence, event: { type: 'BulletinNumbered', data: { bulletinId, unitId: register.unitId, year: register.year, sequence } } };
}
