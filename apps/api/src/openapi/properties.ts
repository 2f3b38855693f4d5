import { ROLES, type ActorRole } from '#domain';

/**
 * Fragments of `@ApiProperty` options that many response classes share, so that a whole number,
 * a time or a hash reads the same in every schema: `@ApiProperty({ ...TIME, description })`.
 */

/** A whole number. */
export const INTEGER = { type: 'integer' } as const;

/** A count, a revision or a log position: a whole number from 0. */
export const COUNT = { type: 'integer', minimum: 0 } as const;

/** A moment, as the API writes it (ISO 8601 with an offset). */
export const TIME = { type: String, format: 'date-time' } as const;

/** A SHA-256, in lower-case hex. */
export const SHA256_HEX = { pattern: '^[0-9a-f]{64}$' } as const;

/** Who may act in an event: a user's role, the engine itself, or a resident. */
export const ACTOR_ROLES: readonly ActorRole[] = [...ROLES, 'system', 'public'];
