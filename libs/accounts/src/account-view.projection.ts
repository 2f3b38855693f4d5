import type { PoolClient } from 'pg';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#projections';
import { NO_ACCOUNT, accountIdOf, evolveAccount, isAccountStream, type AccountEvent, type AccountState } from './account/account.js';

/** The name of the accounts read model (its checkpoint key). */
export const ACCOUNT_VIEW = 'accounts';

/**
 * The accounts read model: one `accounts` row per account stream, the profile as columns (name,
 * roles, unit, enabled) for the lists, the recipients of notifications and the names in case
 * histories. Rebuildable from the log like any read model; the password hashes are not here but
 * in `account_credentials`, which no replay touches.
 */
export class AccountViewProjection implements Projection {
  readonly name = ACCOUNT_VIEW;
  readonly version = 1;
  readonly tables = ['accounts'];
  readonly rowsFollowStreams = true;
  readonly runsInLanes = true;

  handles(event: RecordedEvent): boolean {
    return isAccountStream(event.streamId);
  }

  async migrate(client: PoolClient): Promise<void> {
    await client.query(`
      CREATE TABLE IF NOT EXISTS accounts (
        id                   uuid PRIMARY KEY,
        username             text NOT NULL,
        display_name         text NOT NULL,
        roles                text[] NOT NULL,
        unit_id              text NOT NULL,
        enabled              boolean NOT NULL,
        must_change_password boolean NOT NULL,
        sessions_valid_from  integer NOT NULL,
        revision             integer NOT NULL,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS accounts_username ON accounts (username);
      CREATE INDEX IF NOT EXISTS accounts_unit ON accounts (unit_id);`);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('TRUNCATE accounts');
  }

  async apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const byAccount = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      if (!isAccountStream(event.streamId)) continue;
      const id = accountIdOf(event.streamId);
      const accountEvents = byAccount.get(id);
      if (accountEvents) accountEvents.push(event);
      else byAccount.set(id, [event]);
    }
    if (byAccount.size === 0) return;
    const { rows } = await client.query<StoredRow>(`${SELECT_STORED} WHERE id = ANY($1::uuid[])`, [[...byAccount.keys()]]);
    const stored = new Map(rows.map((row) => [row.id, row]));
    for (const [id, accountEvents] of byAccount) {
      const row = stored.get(id);
      let state = row ? fromRow(row) : undefined;
      let createdAt = row?.created_at ?? null;
      let updatedAt = row?.updated_at ?? null;
      for (const event of accountEvents) {
        if (state && event.revision <= state.revision) continue;
        state = evolveAccount(state ?? NO_ACCOUNT, { type: event.type, data: event.data } as AccountEvent, event.revision);
        createdAt ??= new Date(event.metadata.at);
        updatedAt = new Date(event.metadata.at);
      }
      if (!state || !state.exists || (row && state.revision === row.revision)) continue;
      await client.query(
        `INSERT INTO accounts (id, username, display_name, roles, unit_id, enabled, must_change_password, sessions_valid_from, revision, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, display_name = EXCLUDED.display_name, roles = EXCLUDED.roles,
           unit_id = EXCLUDED.unit_id, enabled = EXCLUDED.enabled, must_change_password = EXCLUDED.must_change_password,
           sessions_valid_from = EXCLUDED.sessions_valid_from, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at`,
        [id, state.username, state.displayName, [...state.roles], state.unitId, state.enabled, state.mustChangePassword, state.sessionsValidFrom, state.revision, createdAt, updatedAt],
      );
    }
  }
}


const SELECT_STORED =
  'SELECT id, username, display_name, roles, unit_id, enabled, must_change_password, sessions_valid_from, revision, created_at, updated_at FROM accounts';

interface StoredRow {
  id: string;
  username: string;
  display_name: string;
  roles: AccountState['roles'];
  unit_id: string;
  enabled: boolean;
  must_change_password: boolean;
  sessions_valid_from: number;
  revision: number;
  created_at: Date;
  updated_at: Date;
}

function fromRow(row: StoredRow): AccountState {
  return {
    exists: true,
    userId: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    unitId: row.unit_id,
    enabled: row.enabled,
    mustChangePassword: row.must_change_password,
    sessionsValidFrom: row.sessions_valid_from,
    revision: row.revision,
  };
}
