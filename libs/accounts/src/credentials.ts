import type { Pool, PoolClient } from 'pg';
import { UsernameTakenError } from './errors.js';

/**
 * What an account's events must never hold, in a table of its own: the password hash, and what
 * every API process checks on each request to refuse ended sessions. One row per account, made
 * in the same transaction that appends its UserCreated, so a username is taken exactly once.
 *
 * `sessions_valid_from` is the revision of the account's last session-ending event (disable,
 * password reset or change, roles or unit changed): a token issued at an earlier revision is
 * refused. `changed_at` lets every process pick up changes by polling (sessions.ts).
 */
export const CREDENTIALS_TABLES = `
  CREATE TABLE IF NOT EXISTS account_credentials (
    user_id             uuid PRIMARY KEY,
    username            text NOT NULL,
    password_hash       text NOT NULL,
    sessions_valid_from integer NOT NULL DEFAULT -1,
    -- true while the password is the published demo password (see demo-safety)
    published_password  boolean NOT NULL DEFAULT false,
    changed_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT account_credentials_username_key UNIQUE (username)
  );
  CREATE INDEX IF NOT EXISTS account_credentials_changed_at ON account_credentials (changed_at);
  CREATE TABLE IF NOT EXISTS ended_sessions (
    session_id uuid PRIMARY KEY,
    user_id    uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE INDEX IF NOT EXISTS ended_sessions_ended_at ON ended_sessions (ended_at);
  CREATE INDEX IF NOT EXISTS ended_sessions_expires_at ON ended_sessions (expires_at);`;

export interface Credentials {
  readonly userId: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly sessionsValidFrom: number;
  readonly publishedPassword: boolean;
}

/** A change to an account's credentials, written with the events that cause it. */
export interface CredentialChange {
  /** A new password hash (created, reset or changed). */
  readonly passwordHash?: string;
  /** Whether the new password is the published demo password. */
  readonly publishedPassword?: boolean;
  /** The revision from which tokens are good again (a session-ending event's). */
  readonly sessionsValidFrom?: number;
}

interface CredentialsRow {
  user_id: string;
  username: string;
  password_hash: string;
  sessions_valid_from: number;
  published_password: boolean;
}

function toCredentials(row: CredentialsRow): Credentials {
  return {
    userId: row.user_id,
    username: row.username,
    passwordHash: row.password_hash,
    sessionsValidFrom: row.sessions_valid_from,
    publishedPassword: row.published_password,
  };
}

const SELECT = 'SELECT user_id, username, password_hash, sessions_valid_from, published_password FROM account_credentials';

export class CredentialStore {
  constructor(private readonly pool: Pool) {}

  async byUsername(username: string): Promise<Credentials | null> {
    const { rows } = await this.pool.query<CredentialsRow>(`${SELECT} WHERE username = $1`, [username]);
    return rows[0] ? toCredentials(rows[0]) : null;
  }

  async byUserId(userId: string): Promise<Credentials | null> {
    const { rows } = await this.pool.query<CredentialsRow>(`${SELECT} WHERE user_id = $1`, [userId]);
    return rows[0] ? toCredentials(rows[0]) : null;
  }

  /** Takes the username for a new account, inside the caller's transaction; UsernameTakenError when it is taken. */
  async insert(client: PoolClient, userId: string, username: string, change: CredentialChange & { passwordHash: string }): Promise<void> {
    try {
      await client.query(
        `INSERT INTO account_credentials (user_id, username, password_hash, published_password) VALUES ($1, $2, $3, $4)`,
        [userId, username, change.passwordHash, change.publishedPassword ?? false],
      );
    } catch (error) {
      if ((error as { code?: string; constraint?: string }).code === '23505') throw new UsernameTakenError(username);
      throw error;
    }
  }

  /** Adds the credentials of an account whose stream exists without them (a migration cut short). */
  async insertMissing(userId: string, username: string, passwordHash: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO account_credentials (user_id, username, password_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [userId, username, passwordHash],
    );
  }

  /** Locks the account's row for the caller's transaction, so commands on one account take turns. */
  async lock(client: PoolClient, userId: string): Promise<void> {
    await client.query('SELECT 1 FROM account_credentials WHERE user_id = $1 FOR UPDATE', [userId]);
  }

  async update(client: PoolClient, userId: string, change: CredentialChange): Promise<void> {
    await client.query(
      `UPDATE account_credentials
          SET password_hash = COALESCE($2, password_hash),
              published_password = COALESCE($3, published_password),
              sessions_valid_from = GREATEST(sessions_valid_from, COALESCE($4, sessions_valid_from)),
              changed_at = clock_timestamp()
        WHERE user_id = $1`,
      [userId, change.passwordHash ?? null, change.passwordHash !== undefined ? (change.publishedPassword ?? false) : null, change.sessionsValidFrom ?? null],
    );
  }

  /** Stores a stronger hash of the same password (made on a successful login); only if the hash is still the one checked. */
  async upgradeHash(userId: string, checkedHash: string, strongerHash: string): Promise<void> {
    await this.pool.query('UPDATE account_credentials SET password_hash = $3 WHERE user_id = $1 AND password_hash = $2', [userId, checkedHash, strongerHash]);
  }

  /** How many accounts the accounts read model does not show yet (0 once it has caught up with every account made). */
  async accountsNotYetShown(): Promise<number> {
    const { rows } = await this.pool.query<{ missing: number }>(
      'SELECT count(*)::int AS missing FROM account_credentials c WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = c.user_id)',
    );
    return rows[0]!.missing;
  }

  /** The usernames that still have the published demo password. */
  async anyPublishedPassword(): Promise<string[]> {
    const { rows } = await this.pool.query<{ username: string }>('SELECT username FROM account_credentials WHERE published_password ORDER BY username');
    return rows.map((row) => row.username);
  }
}
