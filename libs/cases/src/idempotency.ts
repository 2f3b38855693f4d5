import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { runMigrations, type Migration } from '#database';
import { canonicalJson, type EventStore } from '#event-store';
import { caseStreamId } from './case-stream.js';
import type { CaseCommandResult } from './execute-case-command.js';

/** Namespace for case ids derived from idempotency keys. */
const CASE_ID_NAMESPACE = '5b0c7a52-4f0e-4d8f-9a43-6a1f7c3e2d10';

const IDEMPOTENCY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'idempotency keys',
    up: `
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        user_id      text NOT NULL,
        key          text NOT NULL,
        request_hash text NOT NULL,
        status_code  integer,
        response     jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`,
  },
];

export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency_key_reused';
  constructor(key: string) {
    super(`Idempotency-Key "${key}" was used before with a different request body`);
  }
}

export interface StoredResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

/**
 * `Idempotency-Key` on filing. The key fixes the case id (a UUIDv5 of the user and the key), so
 * however many retries race, the event store lets exactly one filing through: the stream can be
 * created once. The table remembers each key's body hash, to refuse the same key with another
 * body, and the first response, to answer retries with it.
 */
export class IdempotencyStore {
  constructor(private readonly pool: Pool) {}

  async migrate(): Promise<void> {
    await runMigrations(this.pool, 'idempotency', IDEMPOTENCY_MIGRATIONS);
  }

  caseIdFor(userId: string, key: string): string {
    return uuidv5(`${userId}\n${key}`, CASE_ID_NAMESPACE);
  }

  static hashBody(body: unknown): string {
    return createHash('sha256').update(canonicalJson(body)).digest('hex');
  }

  /**
   * Claims the key for this body. Answers the stored response when there is one; null when the
   * caller should go on and file (first attempt, or a retry racing one still in flight).
   */
  async claim(userId: string, key: string, requestHash: string): Promise<StoredResponse | null> {
    await this.pool.query(
      'INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT (user_id, key) DO NOTHING',
      [userId, key, requestHash],
    );
    const { rows } = await this.pool.query<{ request_hash: string; status_code: number | null; response: unknown }>(
      'SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    const row = rows[0]!;
    if (row.request_hash !== requestHash) throw new IdempotencyKeyReusedError(key);
    return row.status_code === null ? null : { statusCode: row.status_code, body: row.response };
  }

  /** Keeps the first response; a later one for the same key never replaces it. */
  async remember(userId: string, key: string, response: StoredResponse): Promise<void> {
    await this.pool.query(
      'UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE user_id = $1 AND key = $2 AND status_code IS NULL',
      [userId, key, response.statusCode, JSON.stringify(response.body)],
    );
  }

  /** Frees a key whose filing was refused, so the client may correct the request and use it again. */
  async release(userId: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status_code IS NULL', [userId, key]);
  }
}

/** What filing answers (API.md): the new case's id, number, status, revision and position. */
export type FiledCase = Pick<CaseCommandResult, 'id' | 'number' | 'status' | 'revision' | 'position'>;

export function filedCase({ id, number, status, revision, position }: CaseCommandResult): FiledCase {
  return { id, number, status, revision, position };
}

/**
 * Filing with an `Idempotency-Key`: the first request with a key files, and every retry with the
 * same key and body gets the first answer back, however the retries race; the same key with
 * another body is refused (IdempotencyKeyReusedError) and files nothing.
 */
export class IdempotentFiling {
  constructor(
    private readonly keys: IdempotencyStore,
    private readonly store: EventStore,
  ) {}

  /**
   * Files through `file`, given the case id the key fixes, unless this user's key has filed
   * already. Answers the stored response: 201 and the filing's answer.
   */
  async file(userId: string, key: string, body: unknown, file: (caseId: string) => Promise<CaseCommandResult>): Promise<StoredResponse> {
    const stored = await this.keys.claim(userId, key, IdempotencyStore.hashBody(body));
    if (stored) return stored;
    const id = this.keys.caseIdFor(userId, key);
    let answer: FiledCase;
    try {
      answer = filedCase(await file(id));
    } catch (error) {
      // A racing retry with the same key filed it first: answer what that filing answered.
      const first = (await this.store.readStream(caseStreamId(id), { maxCount: 1 }))[0];
      if (!first) {
        await this.keys.release(userId, key);
        throw error;
      }
      answer = { id, number: String(first.data.number), status: 'filed', revision: 0, position: first.globalPosition };
    }
    const response = { statusCode: 201, body: answer };
    await this.keys.remember(userId, key, response);
    return response;
  }
}
