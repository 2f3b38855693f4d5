import type { Pool } from 'pg';
import { isUuid } from '#domain';
import type { Audience } from './notification.js';

/** A user a notification reaches. */
export interface Recipient {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
}

/**
 * The enabled users an audience names, from the accounts read model, ordered by username: everyone holding one
 * of a group's roles at one of its units, plus the named users that exist, minus the excluded.
 * Ids that are not user ids (the system actor) name no one.
 */
export async function resolveRecipients(pool: Pool, audience: Audience): Promise<Recipient[]> {
  const roles: string[] = [];
  const unitIds: string[] = [];
  for (const group of audience.groups) {
    for (const role of group.roles) {
      for (const unitId of group.unitIds) {
        roles.push(role);
        unitIds.push(unitId);
      }
    }
  }
  const userIds = audience.userIds.filter(isUuid);
  const excluded = audience.excludeUserIds.filter(isUuid);
  if (roles.length === 0 && userIds.length === 0) return [];
  const { rows } = await pool.query<{ id: string; username: string; display_name: string }>(
    `SELECT id, username, display_name
       FROM accounts
      WHERE enabled
        AND (id = ANY($1::uuid[])
             OR EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS wanted(role, unit_id)
                         WHERE wanted.role = ANY(accounts.roles) AND wanted.unit_id = accounts.unit_id))
        AND NOT (id = ANY($4::uuid[]))
      ORDER BY username`,
    [userIds, roles, unitIds, excluded],
  );
  return rows.map((row) => ({ userId: row.id, username: row.username, displayName: row.display_name }));
}
