import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { attachmentIntakeFor, verifyCaseFiles } from '#attachments';
import { buildDossier, peopleNamedIn, renderDossierHtml } from '#audit';
import { loadConfig } from '#platform';
import { withCliContext } from '../cli-context.js';
import { noCase, readNamedCase } from '../case-reference.js';
import { UsageError, parseArgs, type CliCommand } from '../command.js';

const FORMATS = ['json', 'html'] as const;

export const exportCase: CliCommand = {
  name: 'export',
  summary: 'a case’s dossier: JSON, or a printable page in Chinese',
  help: `Usage: npm run cli -- export <case number or id> [--format json|html] [--out file]

Writes the case's dossier, as GET /api/v1/cases/{id}/dossier gives it: the case now, its
timeline, notes, annotations, SLA clocks, and the check of its hash chain with the head hash.
The filer's phone is masked, as for a reader who does not act on the case.

  --format json|html   JSON (default), or a self-contained printable HTML page in Chinese
  --out file           write to this file instead of standard output

Exit status: 0, 1 when there is no such case, 2 on a usage error.
`,
  async run(args) {
    const { positional, values } = parseArgs(args, { values: ['format', 'out'] });
    const [reference, extra] = positional;
    if (reference === undefined) throw new UsageError('name a case: its number (MY-2026-000123) or its id');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const format = values.get('format') ?? 'json';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be json or html, got "${format}"`);
    const out = values.get('out');

    return withCliContext(async (context) => {
      const record = await readNamedCase(context, reference, (reader, id) => reader.verifiable(null, id));
      if (!record) {
        process.stderr.write(`minyi export: ${noCase(reference)}\n`);
        return 1;
      }
      const people = await peopleNamedIn(record.events, (ids) => context.users.findByIds(ids));
      const built = buildDossier({
        record,
        policy: context.policy,
        org: context.org,
        people,
        reader: null,
        generatedAt: new Date(),
        generatedBy: { userId: null, username: operatorName(), via: 'cli' },
      });
      // The files re-hashed too, as the API's dossier and verify do.
      const files = attachmentIntakeFor(loadConfig().attachments);
      const dossier = { ...built, verification: await verifyCaseFiles(built.verification, record.events, (sha256) => files.rehash(sha256)) };
      const text = format === 'html' ? renderDossierHtml(dossier, { org: context.org, people }) : `${JSON.stringify(dossier, null, 2)}\n`;
      if (out === undefined) {
        process.stdout.write(text);
      } else {
        await writeFile(out, text, 'utf8');
        process.stderr.write(`minyi export: wrote the dossier of ${dossier.case.number} to ${out}\n`);
      }
      return 0;
    });
  },
};

/** Who ran the export, as the operating system knows them. */
function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
