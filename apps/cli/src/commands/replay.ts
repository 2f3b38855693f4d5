import { caseFacts, caseTimeline, localTime, narrative, namingFor, peopleNamedIn, type ReportContext } from '#audit';
import { isLanguage, type Language } from '#domain';
import { caseAsOf, presentCase, type CasePoint } from '#cases';
import { withCliContext } from '../cli-context.js';
import { noCase, readNamedCase } from '../case-reference.js';
import { UsageError, parseArgs, type CliCommand } from '../command.js';

/** ISO 8601 with an offset, as the API takes times. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const replay: CliCommand = {
  name: 'replay',
  summary: 'a case’s timeline, and the case as it stood at a revision or a time',
  help: `Usage: npm run cli -- replay <case number or id> [--revision n | --at <time>] [--lang zh|en]

Prints the case's timeline (revision, time in the SLA time zone, Asia/Shanghai by default, who
acted in what role and unit, and what happened, in words), then the case as it stood at the
end of it: status, unit, assignee, deadlines, notes and annotations.

  --revision n     stop right after revision n (the case's events count from 0)
  --at <time>      stop after the last event recorded at or before this time
                   (ISO 8601 with an offset, e.g. 2026-11-02T09:30:00+08:00)
  --lang zh|en     Chinese (default) or English

Without --revision or --at, the whole history and the case now. A case number is looked up in
the case read model; an id is read straight from the case's stream.
Exit status: 0, 1 when there is no such case, 2 on a usage error.
`,
  async run(args) {
    const { positional, values } = parseArgs(args, { values: ['revision', 'at', 'lang'] });
    const [reference, extra] = positional;
    if (reference === undefined) throw new UsageError('name a case: its number (MY-2026-000123) or its id');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const language = languageOption(values.get('lang'));
    const point = pointOption(values.get('revision'), values.get('at'));

    return withCliContext(async (context) => {
      const record = await readNamedCase(context, reference, (reader, id) => reader.record(null, id));
      if (!record) {
        process.stderr.write(`minyi replay: ${noCase(reference)}\n`);
        return 1;
      }
      const { events } = record;
      const report: ReportContext = {
        language,
        org: context.org,
        people: await peopleNamedIn(events, (ids) => context.users.findByIds(ids)),
        timeZone: context.policy.timezone,
      };
      const last = events.at(-1)!;
      const then = caseAsOf(events, point ?? { revision: last.revision }, context.policy);
      if (!then) {
        throw new UsageError(
          point?.revision !== undefined
            ? `--revision ${point.revision}: case ${reference} has revisions 0 to ${last.revision}`
            : `--at ${point?.at}: case ${reference} was filed later, at ${events[0]!.metadata.at}`,
        );
      }
      process.stdout.write(render(report, then, events.length - then.events.length));
      return 0;
    });
  },
};

function render(report: ReportContext, then: NonNullable<ReturnType<typeof caseAsOf>>, later: number): string {
  const { words } = narrative(report.language);
  const naming = namingFor(report);
  // The filer's phone stays masked: a replay is read on an operator's screen, not by whoever acts on the case.
  const shown = { ...then.state, filer: presentCase({ state: then.state, clocks: then.clocks, revision: then.revision }, null, report.org).filer };
  const facts = caseFacts(shown, then.clocks.clocks, report);
  const lines = [
    words.caseHeading(then.state.number, naming.text(then.state.title)),
    words.labelled(words.field.id, then.state.id),
    '',
    words.aside(words.timeline, words.timeZone(report.timeZone)),
  ];
  const width = `#${then.revision}`.length;
  for (const entry of caseTimeline(then.events, report)) {
    const who = [entry.actor.name, entry.actor.roleLabel, entry.unit?.name].filter(Boolean).join(' · ');
    lines.push(`  ${`#${entry.revision}`.padEnd(width)}  ${entry.localTime}  ${who}`, `  ${' '.repeat(width)}  ${entry.description}`);
  }
  if (later > 0) lines.push(`  ${words.laterEvents(later)}`);
  lines.push('', words.stateAtRevision(then.revision, localTime(then.at, report.timeZone)));
  for (const field of facts.fields) lines.push(`  ${words.labelled(field.label, field.value)}`);
  const list = (heading: string, items: readonly string[]) => {
    lines.push(`  ${words.labelled(heading, items.length === 0 ? words.none : '')}`.trimEnd());
    for (const item of items) lines.push(`    ${item}`);
  };
  list(words.field.deadlines, facts.deadlines);
  const entry = (item: { label: string; text: string; by: string; at: string }) =>
    `${item.label ? words.tag(item.label) : ''}${item.text} — ${words.byAt(item.by, item.at)}`;
  list(words.field.notes, facts.notes.map(entry));
  list(words.field.annotations, facts.annotations.map(entry));
  return `${lines.join('\n')}\n`;
}

function languageOption(value: string | undefined): Language {
  // `zh` is the option's documented short form of zh-CN.
  if (value === undefined || value === 'zh') return 'zh-CN';
  if (!isLanguage(value)) throw new UsageError(`--lang must be zh or en, got "${value}"`);
  return value;
}

function pointOption(revision: string | undefined, at: string | undefined): CasePoint | null {
  if (revision !== undefined && at !== undefined) throw new UsageError('give --revision or --at, not both');
  if (revision !== undefined) {
    if (!/^\d+$/.test(revision) || !Number.isSafeInteger(Number(revision))) throw new UsageError(`--revision must be a revision number (0, 1, 2, ...), got "${revision}"`);
    return { revision: Number(revision) };
  }
  if (at !== undefined) {
    if (!INSTANT.test(at) || Number.isNaN(Date.parse(at))) throw new UsageError(`--at must be an ISO 8601 time with an offset, e.g. 2026-11-02T09:30:00+08:00; got "${at}"`);
    return { at };
  }
  return null;
}
