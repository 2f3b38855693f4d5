import type { Pool } from 'pg';
import { runMigrations, withMigrationLock, type Migration } from '#database';
import { type Role } from '#domain';
import { normalizeUsername } from './account-rules.js';
import { CREDENTIALS_TABLES } from './credentials.js';
import { isRole, type PublicUser } from './types.js';

/**
 * The accounts' profiles as the rest of the engine reads them: the `accounts` read model
 * (account-view.projection.ts), made from the account streams. Changing an account goes through
 * AccountCommands; signing in reads the credentials and the stream itself (login.ts).
 */

export { DISPLAY_NAME_MAX_LENGTH, normalizeUsername, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from './account-rules.js';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ACCOUNTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users and login failures',
    up: `
      CREATE TABLE IF NOT EXISTS users (
        id            uuid PRIMARY KEY,
        username      text NOT NULL,
        display_name  text NOT NULL,
        password_hash text NOT NULL,
        roles         text[] NOT NULL CHECK (cardinality(roles) > 0),
        unit_id       text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_username_key UNIQUE (username)
      );
      CREATE TABLE IF NOT EXISTS login_failures (
        id        bigserial PRIMARY KEY,
        username  text NOT NULL,
        failed_at timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS login_failures_username_at ON login_failures (username, failed_at);`,
  },
  { version: 2, name: 'credentials and ended sessions, beside the account streams', up: CREDENTIALS_TABLES },
];

/** Brings the accounts tables up to date; safe to run on every start, from several processes at once. */
export async function migrateAccounts(pool: Pool): Promise<void> {
  await runMigrations(pool, 'accounts', ACCOUNTS_MIGRATIONS);
}

/** A row of the old `users` table, from before accounts were event streams. */
export interface LegacyUserRow {
  readonly id: string;
  readonly username: string;
  readonly display_name: string;
  readonly password_hash: string;
  readonly roles: string[];
  readonly unit_id: string;
}

/**
 * Moves the accounts of the old `users` table into account streams, once: `writeAccount` writes
 * one UserCreated per row (keeping its id and password hash) and the table is dropped when every
 * row has its credentials. Holds the accounts' migration lock, so concurrent starts do it once;
 * a run cut short is finished by the next start.
 */
export async function migrateLegacyUsers(pool: Pool, writeAccount: (row: LegacyUserRow) => Promise<void>): Promise<number> {
  return withMigrationLock(pool, 'accounts', async (client) => {
    const { rows: exists } = await client.query<{ found: boolean }>("SELECT to_regclass('users') IS NOT NULL AS found");
    if (!exists[0]!.found) return 0;
    const { rows } = await client.query<LegacyUserRow>(
      `SELECT u.id, u.username, u.display_name, u.password_hash, u.roles, u.unit_id
         FROM users u WHERE NOT EXISTS (SELECT 1 FROM account_credentials c WHERE c.user_id = u.id)
        ORDER BY u.created_at, u.username`,
    );
    for (const row of rows) await writeAccount(row);
    await client.query('DROP TABLE users');
    return rows.length;
  });
}

export interface AccountSummary extends PublicUser {
  readonly enabled: boolean;
}

export interface AccountListQuery {
  /** Only accounts at units among these (the reader's scope, narrowed by `unitId`). */
  readonly unitIds: readonly string[];
  /** Matches username or display name (substring, any case). */
  readonly q?: string;
  readonly includeDisabled?: boolean;
  readonly page: number;
  readonly pageSize: number;
}

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
  unit_id: string;
  enabled: boolean;
}

function toSummary(row: AccountRow): AccountSummary {
  return { id: row.id, username: row.username, displayName: row.display_name, roles: row.roles.filter(isRole), unitId: row.unit_id, enabled: row.enabled };
}

const SELECT_ACCOUNT = 'SELECT id, username, display_name, roles, unit_id, enabled FROM accounts';

export class UserStore {
  constructor(private readonly pool: Pool) {}

  async findByUsername(username: string): Promise<AccountSummary | null> {
    if (typeof username !== 'string') return null;
    const { rows } = await this.pool.query<AccountRow>(`${SELECT_ACCOUNT} WHERE username = $1`, [normalizeUsername(username)]);
    return rows[0] ? toSummary(rows[0]) : null;
  }

  async findById(id: string): Promise<AccountSummary | null> {
    if (typeof id !== 'string' || !UUID_PATTERN.test(id)) return null;
    const { rows } = await this.pool.query<AccountRow>(`${SELECT_ACCOUNT} WHERE id = $1`, [id]);
    return rows[0] ? toSummary(rows[0]) : null;
  }

  /** The users with these ids that exist. */
  async findByIds(ids: readonly string[]): Promise<AccountSummary[]> {
    const valid = ids.filter((id) => UUID_PATTERN.test(id));
    if (valid.length === 0) return [];
    const { rows } = await this.pool.query<AccountRow>(`${SELECT_ACCOUNT} WHERE id = ANY($1::uuid[]) ORDER BY username`, [valid]);
    return rows.map(toSummary);
  }

  /** The enabled coordinators working at these units: unit by unit in the order given, then by name. */
  async coordinatorsAt(unitIds: readonly string[]): Promise<AccountSummary[]> {
    if (unitIds.length === 0) return [];
    const { rows } = await this.pool.query<AccountRow>(
      `${SELECT_ACCOUNT} WHERE enabled AND unit_id = ANY($1::text[]) AND 'coordinator' = ANY(roles) ORDER BY array_position($1::text[], unit_id), display_name, username`,
      [unitIds],
    );
    return rows.map(toSummary);
  }

  /** Every account, disabled ones included, oldest first. */
  async list(): Promise<AccountSummary[]> {
    const { rows } = await this.pool.query<AccountRow>(`${SELECT_ACCOUNT} ORDER BY created_at, username`);
    return rows.map(toSummary);
  }

  /** A page of the accounts at some units, by username. */
  async page(query: AccountListQuery): Promise<{ items: AccountSummary[]; total: number; page: number; pageSize: number }> {
    const q = query.q?.trim() ? `%${query.q.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const where = `unit_id = ANY($1::text[]) AND ($2::text IS NULL OR username LIKE $2 OR lower(display_name) LIKE $2) AND ($3 OR enabled)`;
    const params = [query.unitIds, q, query.includeDisabled === true];
    const [{ rows }, count] = await Promise.all([
      this.pool.query<AccountRow>(`${SELECT_ACCOUNT} WHERE ${where} ORDER BY username LIMIT $4 OFFSET $5`, [...params, query.pageSize, (query.page - 1) * query.pageSize]),
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM accounts WHERE ${where}`, params),
    ]);
    return { items: rows.map(toSummary), total: count.rows[0]!.total, page: query.page, pageSize: query.pageSize };
  }
}

/** The demo accounts of the API contract: unit, role and a display name for each. */
export const DEMO_ACCOUNTS: readonly { username: string; displayName: string; roles: readonly Role[]; unitId: string }[] = [
  { username: 'admin', displayName: '系统管理员', roles: ['admin'], unitId: 'sf' },
  { username: 'auditor', displayName: '审计员', roles: ['auditor'], unitId: 'sf' },
  { username: 'city.leader', displayName: '示范市领导', roles: ['leader'], unitId: 'sf' },
  { username: 'city.coordinator', displayName: '示范市联络员', roles: ['coordinator'], unitId: 'sf' },
  { username: 'hd.leader', displayName: '河东区领导', roles: ['leader'], unitId: 'hd' },
  { username: 'hd.coordinator', displayName: '河东区联络员', roles: ['coordinator'], unitId: 'hd' },
  { username: 'hd-dg.leader', displayName: '东关街道领导', roles: ['leader'], unitId: 'hd-dg' },
  { username: 'hd-dg.coordinator', displayName: '东关街道联络员', roles: ['coordinator'], unitId: 'hd-dg' },
  { username: 'hd-dg-1.clerk', displayName: '东关社区信息员', roles: ['clerk'], unitId: 'hd-dg-1' },
  { username: 'hd-dg-1.coordinator', displayName: '东关社区联络员', roles: ['coordinator'], unitId: 'hd-dg-1' },
  { username: 'hx-xh-1.clerk', displayName: '湖滨社区信息员', roles: ['clerk'], unitId: 'hx-xh-1' },
  { username: 'hx-xh-1.coordinator', displayName: '湖滨社区联络员', roles: ['coordinator'], unitId: 'hx-xh-1' },
];
