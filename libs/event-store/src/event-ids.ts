import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/** Ids drawn per fill of the random pool. */
const IDS_PER_FILL = 256;
const ID_BYTES = 16;
const pool = new Uint8Array(IDS_PER_FILL * ID_BYTES);
let nextId = IDS_PER_FILL;

/**
 * A new event id: a version-7 UUID, ordered by its millisecond, with 74 random bits. The random
 * bytes come from a pool filled for 256 ids at a time, because each fill is a system call and
 * one per id was a visible share of a command's cost.
 */
export function newEventId(): string {
  if (nextId === IDS_PER_FILL) {
    randomFillSync(pool);
    nextId = 0;
  }
  const random = pool.subarray(nextId * ID_BYTES, ++nextId * ID_BYTES);
  return v7({ random });
}
