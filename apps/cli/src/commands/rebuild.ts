import { rebuildReadModel, type RebuildProgress } from '#projections';
import { readModels } from '#platform';
import { withCliContext } from '../cli-context.js';
import { parseArgs, UsageError, type CliCommand } from '../command.js';
import { count, ProgressLine } from '../progress.js';

const BAR_WIDTH = 24;

export const rebuild: CliCommand = {
  name: 'rebuild',
  summary: 'rebuild read models from the event log, beside the live tables, then swap them in',
  help: `Usage: npm run cli -- rebuild [projection ...] [--batch-size n]

Replays the whole event log into fresh copies of the read models' tables (every read model, or
the ones named), then swaps them in at once. The live tables keep answering reads, and a running
server keeps updating them, until the swap; the swap waits for the server's batch in hand and
carries on from where the rebuild stopped.

Read models: cases (case list, details, inbox), case-stats (statistics and appraisal).

Options:
  --batch-size n   events per transaction (default 5000)
`,
  async run(args) {
    const { positional, values } = parseArgs(args, { values: ['batch-size'] });
    const batchSize = values.has('batch-size') ? Number(values.get('batch-size')) : undefined;
    if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)) {
      throw new UsageError(`--batch-size must be a whole number from 1 to 100000, not "${values.get('batch-size')}"`);
    }
    return withCliContext(async ({ pool, store, policy }) => {
      const all = readModels(policy);
      const unknown = positional.filter((name) => !all.some((projection) => projection.name === name));
      if (unknown.length > 0) throw new UsageError(`unknown read model ${unknown.map((name) => `"${name}"`).join(', ')}; known: ${all.map((p) => p.name).join(', ')}`);
      const chosen = positional.length === 0 ? all : all.filter((projection) => positional.includes(projection.name));

      for (const projection of chosen) {
        const progress = new ProgressLine(process.stderr);
        const started = Date.now();
        const result = await rebuildReadModel(pool, store, projection, {
          batchSize,
          onProgress: (step) => progress.update(progressText(step, Date.now() - started)),
        });
        progress.done();
        const rate = result.seconds > 0 ? Math.round(result.events / result.seconds) : result.events;
        process.stdout.write(`${projection.name}: rebuilt from ${count(result.events)} events in ${result.seconds.toFixed(1)} s (${count(rate)} events/s), swapped in ${result.tables.join(', ')}\n`);
      }
      return 0;
    });
  },
};

function progressText({ projection, phase, events, total }: RebuildProgress, elapsedMs: number): string {
  const share = total > 0 ? Math.min(1, events / total) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const rate = elapsedMs > 0 ? Math.round((events * 1000) / elapsedMs) : 0;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  return `${projection} ${bar} ${Math.floor(share * 100)}% ${count(events)}/${count(total)} events, ${count(rate)}/s${phase === 'swap' ? ', swapping in' : ''}`;
}
