import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { runMigrations, type Migration } from '#database';
import { ROLES, type Role } from '#domain';
import { DemoOrgTreeError, InvalidUserInputError, UserIdTakenError, UsernameTakenError, type FieldProblem } from './errors.js';
import { hashPassword } from './password.js';
import { DISPLAY_NAME_MAX_LENGTH, normalizeUsername, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from './account-rules.js';
import { isRole, type PublicUser } from './types.js';

/** The user accounts, in PostgreSQL; what makes a valid account is in account-rules.ts. */

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
];

/** Brings the accounts tables up to date; safe to run on every start, from several processes at once. */
export async function migrateAccounts(pool: Pool): Promise<void> {
  await runMigrations(pool, 'accounts', ACCOUNTS_MIGRATIONS);
}

export interface NewUser {
  readonly username: string;
  readonly displayName: string;
  readonly password: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
}

export interface DemoAccount extends PublicUser {
  /** True when this call created it, false when it existed already. */
  readonly created: boolean;
}

export interface UserStoreOptions {
  /** When given, a user's unit must be one it knows (for example the org tree's units). */
  readonly isKnownUnit?: (unitId: string) => boolean;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  roles: string[];
  unit_id: string;
}

function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles.filter(isRole),
    unitId: row.unit_id,
  };
}

function hasControlCharacters(text: string): boolean {
  return /\p{Cc}/u.test(text);
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

const SELECT_USER = 'SELECT id, username, display_name, password_hash, roles, unit_id FROM users';

export class UserStore {
  constructor(
    private readonly pool: Pool,
    private readonly options: UserStoreOptions = {},
  ) {}

  /** Checks a new user; returns the problems, field by field (empty when it is fine). */
  validate(input: NewUser, id?: string): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const value = (input ?? {}) as Partial<Record<keyof NewUser, unknown>>;
    if (id !== undefined && (typeof id !== 'string' || !UUID_PATTERN.test(id))) {
      problems.push({ field: 'id', message: 'must be a UUID' });
    }
    if (typeof value.username !== 'string' || !USERNAME_PATTERN.test(normalizeUsername(value.username))) {
      problems.push({
        field: 'username',
        message: 'must be 2-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      });
    }
    if (typeof value.displayName !== 'string' || value.displayName.trim() === '') {
      problems.push({ field: 'displayName', message: 'must not be empty' });
    } else if (value.displayName.trim().length > DISPLAY_NAME_MAX_LENGTH || hasControlCharacters(value.displayName)) {
      problems.push({ field: 'displayName', message: `must be at most ${DISPLAY_NAME_MAX_LENGTH} characters, without control characters` });
    }
    if (typeof value.password !== 'string' || value.password.length < PASSWORD_MIN_LENGTH || value.password.length > PASSWORD_MAX_LENGTH) {
      problems.push({ field: 'password', message: `must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters` });
    }
    if (!Array.isArray(value.roles) || value.roles.length === 0) {
      problems.push({ field: 'roles', message: `must be a non-empty list of ${ROLES.join(', ')}` });
    } else if (!value.roles.every(isRole)) {
      problems.push({ field: 'roles', message: `each role must be one of ${ROLES.join(', ')}` });
    } else if (new Set(value.roles).size !== value.roles.length) {
      problems.push({ field: 'roles', message: 'must not repeat a role' });
    }
    if (typeof value.unitId !== 'string' || value.unitId.trim() === '') {
      problems.push({ field: 'unitId', message: 'must not be empty' });
    } else if (this.options.isKnownUnit && !this.options.isKnownUnit(value.unitId)) {
      problems.push({ field: 'unitId', message: `unknown unit "${value.unitId}"` });
    }
    return problems;
  }

  /**
   * Creates a user. Throws InvalidUserInputError for a bad field, UsernameTakenError when the
   * username exists (decided by the unique key, so of two concurrent creates exactly one wins).
   */
  async create(input: NewUser, id: string = randomUUID()): Promise<PublicUser> {
    const problems = this.validate(input, id);
    if (problems.length > 0) throw new InvalidUserInputError(problems);
    const username = normalizeUsername(input.username);
    const passwordHash = await hashPassword(input.password);
    try {
      const { rows } = await this.pool.query<UserRow>(
        `INSERT INTO users (id, username, display_name, password_hash, roles, unit_id)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, username, display_name, password_hash, roles, unit_id`,
        [id.toLowerCase(), username, input.displayName.trim(), passwordHash, [...input.roles], input.unitId],
      );
      return toPublicUser(rows[0]!);
    } catch (error) {
      const pgError = error as { code?: string; constraint?: string };
      if (pgError.code === '23505' && pgError.constraint === 'users_username_key') throw new UsernameTakenError(username);
      if (pgError.code === '23505' && pgError.constraint === 'users_pkey') throw new UserIdTakenError(id);
      throw error;
    }
  }

  async findByUsername(username: string): Promise<PublicUser | null> {
    const row = await this.rowByUsername(username);
    return row ? toPublicUser(row) : null;
  }

  async findById(id: string): Promise<PublicUser | null> {
    if (typeof id !== 'string' || !UUID_PATTERN.test(id)) return null;
    const { rows } = await this.pool.query<UserRow>(`${SELECT_USER} WHERE id = $1`, [id]);
    return rows[0] ? toPublicUser(rows[0]) : null;
  }

  /** The user and their stored password hash, for signing in; null when unknown. */
  async findCredentials(username: string): Promise<{ user: PublicUser; passwordHash: string } | null> {
    const row = await this.rowByUsername(username);
    return row ? { user: toPublicUser(row), passwordHash: row.password_hash } : null;
  }

  /** The users with these ids that exist. */
  async findByIds(ids: readonly string[]): Promise<PublicUser[]> {
    const valid = ids.filter((id) => UUID_PATTERN.test(id));
    if (valid.length === 0) return [];
    const { rows } = await this.pool.query<UserRow>(`${SELECT_USER} WHERE id = ANY($1::uuid[]) ORDER BY username`, [valid]);
    return rows.map(toPublicUser);
  }

  /** The coordinators working at these units: unit by unit in the order given, then by name. */
  async coordinatorsAt(unitIds: readonly string[]): Promise<PublicUser[]> {
    if (unitIds.length === 0) return [];
    const { rows } = await this.pool.query<UserRow>(
      `${SELECT_USER} WHERE unit_id = ANY($1::text[]) AND 'coordinator' = ANY(roles) ORDER BY array_position($1::text[], unit_id), display_name, username`,
      [unitIds],
    );
    return rows.map(toPublicUser);
  }

  /** Every user, oldest first. */
  async list(): Promise<PublicUser[]> {
    const { rows } = await this.pool.query<UserRow>(`${SELECT_USER} ORDER BY created_at, username`);
    return rows.map(toPublicUser);
  }

  /**
   * Creates the demo accounts that are missing, all with this password; leaves existing ones as
   * they are (safe to run on every start, and from several processes at once). Returns every
   * demo account, saying which were created now.
   */
  async ensureDemoAccounts(password: string): Promise<DemoAccount[]> {
    if (this.options.isKnownUnit) {
      const missing = [...new Set(DEMO_ACCOUNTS.map((a) => a.unitId))].filter((u) => !this.options.isKnownUnit!(u));
      if (missing.length > 0) {
        throw new DemoOrgTreeError(missing);
      }
    }
    const problems = this.validate({ ...DEMO_ACCOUNTS[0]!, password });
    if (problems.length > 0) throw new InvalidUserInputError(problems);

    const usernames = DEMO_ACCOUNTS.map((a) => a.username);
    const before = await this.pool.query<UserRow>(`${SELECT_USER} WHERE username = ANY($1::text[])`, [usernames]);
    const existing = new Set(before.rows.map((r) => r.username));
    const created = new Set<string>();
    for (const account of DEMO_ACCOUNTS) {
      if (existing.has(account.username)) continue;
      const passwordHash = await hashPassword(password);
      const result = await this.pool.query(
        `INSERT INTO users (id, username, display_name, password_hash, roles, unit_id)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (username) DO NOTHING`,
        [randomUUID(), account.username, account.displayName, passwordHash, [...account.roles], account.unitId],
      );
      if (result.rowCount === 1) created.add(account.username);
    }
    const after = await this.pool.query<UserRow>(`${SELECT_USER} WHERE username = ANY($1::text[])`, [usernames]);
    const byUsername = new Map(after.rows.map((r) => [r.username, toPublicUser(r)]));
    return DEMO_ACCOUNTS.map((a) => ({ ...byUsername.get(a.username)!, created: created.has(a.username) }));
  }

  private async rowByUsername(username: string): Promise<UserRow | null> {
    if (typeof username !== 'string') return null;
    const { rows } = await this.pool.query<UserRow>(`${SELECT_USER} WHERE username = $1`, [normalizeUsername(username)]);
    return rows[0] ?? null;
  }
}

