import { readFile } from 'node:fs/promises';
import { attachmentIntakeFor, verifyStoreAndFiles, type StoreAndFilesVerification } from '#attachments';
import { AnchorPositionError, anchorsMatch, parseStoreAnchor, type AnchorPoint, type EventStoreAudit, type StoreAnchor } from '#event-store';
import { loadConfig } from '#platform';
import { withCliContext } from '../cli-context.js';
import { UsageError, parseArgs, type CliCommand } from '../command.js';
import { ProgressLine, count } from '../progress.js';

export const verify: CliCommand = {
  name: 'verify',
  summary: 'check every stream’s hash chain and head row; take or check an anchor',
  help: `Usage: npm run cli -- verify [--anchor [--position n] | --check-anchor <anchor>] [--json]

Walks the whole event store in batches: every event's hash is recomputed from its contents,
every link to the event before is followed, and every stream's head row is compared with its
last event, so an edited, deleted, reordered or cut-off event is found. Every attachment's file
is re-hashed too: a changed or missing file breaks its case. Lists each broken stream (with its
case number where the case read model knows it) and the first broken revision.
Progress goes to stderr.

  --anchor              then print an anchor: a digest of every stream's head at the settled
                        head of the log, as JSON. Keep it elsewhere: it later proves that nothing
                        at or before that point changed, even if a stream was rewritten whole.
  --position n          take the anchor at global position n instead
  --check-anchor A      recompute the anchor A at its position and say whether it still matches;
                        A is the anchor's JSON or a file holding it
  --json                print the result as one JSON object

Exit status: 0 when the store is whole (and the anchor matches), 1 when a stream is broken or
the anchor no longer matches, 2 on a usage error.
`,
  async run(args) {
    const { positional, values, flags } = parseArgs(args, { values: ['position', 'check-anchor'], flags: ['anchor', 'json'] });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    if (flags.has('anchor') && values.has('check-anchor')) throw new UsageError('give --anchor or --check-anchor, not both');
    if (values.has('position') && !flags.has('anchor')) throw new UsageError('--position goes with --anchor');
    const position = values.has('position') ? globalPosition(values.get('position')!) : undefined;
    const kept = values.has('check-anchor') ? await keptAnchor(values.get('check-anchor')!) : undefined;
    const anchor: AnchorPoint | undefined = kept ? { position: kept.position, commit: kept.commit } : flags.has('anchor') ? (position === undefined ? 'head' : { position }) : undefined;

    return withCliContext(async ({ store, directory }) => {
      let result;
      try {
        result = await verifyShowingProgress(store, anchor);
      } catch (error) {
        if (error instanceof AnchorPositionError && error.reason === 'unknown') throw new UsageError(`--position ${position}: ${error.message}`);
        throw error;
      }

      const cases = await directory.byStreamIds(result.broken.map((b) => b.streamId));
      const broken = result.broken.map((b) => ({ ...b, caseNumber: cases.get(b.streamId)?.number ?? null }));
      const matches = kept && result.anchor ? anchorsMatch(kept, result.anchor) : undefined;

      if (flags.has('json')) {
        const output = { ok: result.ok, streams: result.streams, events: result.events, files: result.files, broken, anchor: result.anchor, anchorMatches: matches };
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      } else {
        const verdict = result.ok ? 'the store is whole' : `${broken.length} broken ${plural(broken.length, 'stream')}`;
        const lines = [`verified ${count(result.streams)} ${plural(result.streams, 'stream')} and ${count(result.events)} ${plural(result.events, 'event')}: ${verdict}`];
        for (const b of broken) lines.push(`  ${b.caseNumber ?? '-'}  ${b.streamId}  from revision ${b.revision}: ${'message' in b ? b.message : b.problem}`);
        if (kept) lines.push(...anchorCheck(kept, result.anchor!));
        else if (result.anchor) lines.push(`anchor at global position ${result.anchor.position} (keep it elsewhere):`, JSON.stringify(result.anchor));
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      return result.ok && matches !== false ? 0 : 1;
    });
  },
};

/** Walks the whole store, its progress on stderr. */
async function verifyShowingProgress(audit: EventStoreAudit, anchor: AnchorPoint | undefined): Promise<StoreAndFilesVerification> {
  const progress = new ProgressLine(process.stderr);
  const files = attachmentIntakeFor(loadConfig().attachments);
  try {
    return await verifyStoreAndFiles(audit, (sha256) => files.rehash(sha256), {
      anchor,
      onProgress: ({ events, streams, totalEvents }) => {
        const share = totalEvents > 0 ? ` (${Math.floor((100 * events) / totalEvents)}%)` : '';
        progress.update(`verifying: ${count(events)} of ${count(totalEvents)} events${share}, ${count(streams)} ${plural(streams, 'stream')}`);
      },
    });
  } finally {
    progress.done();
  }
}

function anchorCheck(kept: StoreAnchor, now: StoreAnchor): string[] {
  if (anchorsMatch(kept, now)) return [`the anchor at global position ${kept.position} still matches: nothing at or before it has changed`];
  return [
    `the anchor at global position ${kept.position} does NOT match: events at or before it were changed, added or removed`,
    `  kept: ${count(kept.streams)} ${plural(kept.streams, 'stream')}, digest ${kept.digest}`,
    `  now:  ${count(now.streams)} ${plural(now.streams, 'stream')}, digest ${now.digest}`,
  ];
}

function plural(n: number, noun: string): string {
  return n === 1 ? noun : `${noun}s`;
}

function globalPosition(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < 1) throw new UsageError(`--position must be a global position (a whole number from 1), got "${text}"`);
  return Number(text);
}

/** The anchor to check: its JSON, or the path of a file holding it. */
async function keptAnchor(argument: string): Promise<StoreAnchor> {
  let text = argument;
  if (!argument.trim().startsWith('{')) {
    try {
      text = await readFile(argument, 'utf8');
    } catch (error) {
      throw new UsageError(`--check-anchor: "${argument}" is neither an anchor's JSON nor a file that can be read (${(error as Error).message})`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--check-anchor: the anchor is not JSON (${(error as Error).message})`);
  }
  try {
    return parseStoreAnchor(value);
  } catch (error) {
    throw new UsageError(`--check-anchor: ${(error as Error).message}`);
  }
}
