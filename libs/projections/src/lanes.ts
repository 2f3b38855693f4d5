/** The most lanes a projection may run in (PROJECTION_LANES). */
export const MAX_PROJECTION_LANES = 64;

/**
 * The lane of `count` that a stream's events belong to: a hash of the stream id that is the same
 * in every process and release, so every process agrees on which lane owns which stream.
 */
export function laneOf(streamId: string, count: number): number {
  if (count === 1) return 0;
  let hash = 0;
  for (let i = 0; i < streamId.length; i++) hash = (hash * 31 + streamId.charCodeAt(i)) | 0;
  return Math.abs(hash) % count;
}

/**
 * The checkpoint key, and advisory lock seed, of lane `index` of `count`. One lane is keyed by the
 * projection's name alone, as before there were lanes, so a database from then carries on.
 */
export function laneKey(projection: string, index: number, count: number): string {
  return count === 1 ? projection : `${projection}[${index}/${count}]`;
}

/** The checkpoint keys of a projection run in `count` lanes, in lane order. */
export function laneKeys(projection: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => laneKey(projection, index, count));
}
