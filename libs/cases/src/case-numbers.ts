import type { Pool } from 'pg';

/**
 * Readable case numbers, `MY-<year>-<serial>` (e.g. MY-2026-000042), from one PostgreSQL
 * sequence per year: drawing from a sequence takes no lock that other filings wait on.
 * A number drawn by a filing that then fails is not reused, so serials may skip.
 */
export class CaseNumbers {
  private readonly knownYears = new Set<number>();

  constructor(private readonly pool: Pool) {}

  async next(at: string): Promise<string> {
    const year = Number(at.slice(0, 4));
    if (!Number.isInteger(year)) throw new Error(`case number: no year in "${at}"`);
    const sequence = `case_number_${year}`;
    if (!this.knownYears.has(year)) {
      await this.pool.query(`CREATE SEQUENCE IF NOT EXISTS ${sequence}`).catch((error: { code?: string }) => {
        // Two processes creating the same sequence at once: the loser's error is harmless.
        if (error.code !== '23505' && error.code !== '42P07') throw error;
      });
      this.knownYears.add(year);
    }
    const { rows } = await this.pool.query<{ serial: string }>(`SELECT nextval('${sequence}') AS serial`);
    return `MY-${year}-${rows[0]!.serial.padStart(6, '0')}`;
  }
}
