import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { runMigrations, type Migration } from '#database';

/**
 * The api_keys that Open311 clients file with (API.md, Open311 GeoReport v2). An admin makes one
 * per client app; the key is shown once, and only its SHA-256 is kept, so a copy of the database
 * files nothing. A revoked key stays listed, so that who had it remains known.
 */

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'open311 api keys',
    up: `
      CREATE TABLE IF NOT EXISTS open311_keys (
        id         uuid PRIMARY KEY,
        name       text NOT NULL,
        key_hash   text NOT NULL UNIQUE,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
    `,
  },
];

/** The prefix of every key: it says what the secret is for when it turns up in a log or a config file. */
const KEY_PREFIX = 'o311_';
/** What a key looks like: the prefix, then 32 random bytes in base64url (for OpenAPI). */
export const OPEN311_KEY_PATTERN = `^${KEY_PREFIX}[A-Za-z0-9_-]{43}$`;

/** A key as the admin sees it after it was made: never the key itself. */
export interface Open311KeyEntry {
  readonly id: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** The client a valid key belongs to. */
export interface Open311Client {
  readonly id: string;
  readonly name: string;
}

/** No such key (or already revoked): 404. */
export class Open311KeyNotFoundError extends Error {
  readonly code = 'not_found';
  constructor(id: string) {
    super(`no api key ${id}`);
    this.name = 'Open311KeyNotFoundError';
  }
}

export function open311KeyDigest(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

interface KeyRow {
  id: string;
  name: string;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

const entryOf = (row: KeyRow): Open311KeyEntry => ({
  id: row.id,
  name: row.name,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

export class Open311Keys {
  constructor(private readonly pool: Pool) {}

  async migrate(): Promise<void> {
    await runMigrations(this.pool, 'open311-keys', MIGRATIONS);
  }

  /** Makes a key: the answer is the only place the key itself ever appears. */
  async create(name: string, createdBy: string, now: Date): Promise<Open311KeyEntry & { readonly apiKey: string }> {
    const id = randomUUID();
    const apiKey = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const { rows } = await this.pool.query<KeyRow>(
      'INSERT INTO open311_keys (id, name, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id, name, created_by, created_at, revoked_at',
      [id, name, open311KeyDigest(apiKey), createdBy, now],
    );
    return { ...entryOf(rows[0]!), apiKey };
  }

  async list(): Promise<Open311KeyEntry[]> {
    const { rows } = await this.pool.query<KeyRow>('SELECT id, name, created_by, created_at, revoked_at FROM open311_keys ORDER BY created_at, id');
    return rows.map(entryOf);
  }

  /** Revokes a key for good; an unknown or already revoked key is not found. */
  async revoke(id: string, now: Date): Promise<void> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new Open311KeyNotFoundError(id);
    const { rowCount } = await this.pool.query('UPDATE open311_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, now]);
    if (!rowCount) throw new Open311KeyNotFoundError(id);
  }

  /** The client whose key this is, or null for an unknown or revoked key. */
  async verify(apiKey: string): Promise<Open311Client | null> {
    if (!apiKey.startsWith(KEY_PREFIX) || apiKey.length > 200) return null;
    const { rows } = await this.pool.query<{ id: string; name: string }>('SELECT id, name FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL', [
      open311KeyDigest(apiKey),
    ]);
    return rows[0] ?? null;
  }
}
