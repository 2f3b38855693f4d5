import { NOTE_TYPES, RESOLUTION_OUTCOMES, SATISFACTION_LEVELS, TEXT_LIMITS } from '#domain';
import type { CaseAction, CaseDetail, Colleague, Me, Unit } from '../api/types.js';
import type { MessageKey } from '../i18n/messages.js';
import type { Units } from '../units.js';
import { checkChoice, checkText, checkWholeNumber, collect, type Problem, type Problems } from './problems.js';

/**
 * The form of each case action: its fields as API.md's action table lists them, with the
 * choices the case and the user allow (units to transfer to, clocks that can be extended).
 */
export interface Choice {
  readonly value: string;
  /** A message key, or text as it is (a unit's or a user's name). */
  readonly label: { readonly key: MessageKey } | { readonly text: string };
}

export type ActionField =
  | {
      readonly name: string;
      readonly kind: 'text' | 'textarea';
      readonly required: boolean;
      readonly max: number;
      readonly hint?: MessageKey;
    }
  | {
      readonly name: string;
      readonly kind: 'select';
      readonly required: boolean;
      readonly choices: readonly Choice[];
      readonly hint?: MessageKey;
    }
  | {
      readonly name: string;
      readonly kind: 'number';
      readonly required: true;
      readonly min: number;
      readonly max: number;
      readonly hint?: MessageKey;
    };

export interface ActionContext {
  readonly view: CaseDetail;
  readonly me: Me;
  readonly units: Units;
  /** The coordinators the reader may assign the case to (`GET /cases/{id}/assignees`); until they are known, the assignee is typed as an id. */
  readonly assignees?: readonly Colleague[];
}

const text = (name: string, max: number, required = true): ActionField => ({ name, kind: 'textarea', required, max });
const keyed = (prefix: string, values: readonly string[]): Choice[] =>
  values.map((value) => ({ value, label: { key: `${prefix}.${value}` as MessageKey } }));
const unitChoices = (units: readonly Unit[]): Choice[] => units.map((unit) => ({ value: unit.id, label: { text: unit.name } }));

/** Longest extension a leader may grant at once (ExtendDeadlineDto). */
const MAX_EXTENSION_DAYS = 365;

export function actionFields(action: CaseAction, { view, me, units, assignees }: ActionContext): ActionField[] {
  switch (action) {
    case 'accept':
      return [text('note', TEXT_LIMITS.comment, false)];
    case 'reject':
    case 'escalate':
    case 'reopen':
    case 'withdraw':
      return [text('reason', TEXT_LIMITS.reason)];
    case 'assign':
      return assignees
        ? [
            {
              name: 'assigneeId',
              kind: 'select',
              required: true,
              choices: assignees.map((person) => ({ value: person.id, label: { text: `${person.displayName} (${units.name(person.unitId)})` } })),
            },
          ]
        : [{ name: 'assigneeId', kind: 'text', required: true, max: 64, hint: 'hint.assigneeId' }];
    case 'notes': {
      // A clerk records contact with the filer only; the other kinds are coordinators' work.
      const types = me.roles.includes('coordinator') ? NOTE_TYPES : (['contact'] as const);
      return [{ name: 'type', kind: 'select', required: true, choices: keyed('noteType', types) }, text('text', TEXT_LIMITS.noteText)];
    }
    case 'transfer':
      return [
        { name: 'toUnitId', kind: 'select', required: true, choices: unitChoices(units.siblings(view.unitId)) },
        text('reason', TEXT_LIMITS.reason),
      ];
    case 'request-annotation':
    case 'close':
      return [text('summary', TEXT_LIMITS.summary)];
    case 'annotate':
      return [
        text('instruction', TEXT_LIMITS.instruction),
        {
          name: 'assignToUnitId',
          kind: 'select',
          required: false,
          choices: unitChoices(units.subtree(me.unitId)),
          hint: 'hint.assignToUnitId',
        },
      ];
    case 'resolve':
      return [
        { name: 'outcome', kind: 'select', required: true, choices: keyed('outcome', RESOLUTION_OUTCOMES) },
        text('summary', TEXT_LIMITS.summary),
      ];
    case 'feedback':
      return [
        { name: 'satisfaction', kind: 'select', required: true, choices: keyed('satisfaction', SATISFACTION_LEVELS) },
        text('comment', TEXT_LIMITS.comment, false),
      ];
    case 'merge':
      return [{ name: 'intoCaseId', kind: 'text', required: true, max: 64, hint: 'hint.intoCaseId' }];
    case 'extend-deadline': {
      // Only a clock still running, and not yet past due, can be extended.
      const extendable = view.deadlines
        .filter((deadline) => deadline.state === 'running' || deadline.state === 'warned')
        .map((deadline) => deadline.clock);
      return [
        { name: 'clock', kind: 'select', required: true, choices: keyed('clock', extendable) },
        { name: 'workingDays', kind: 'number', required: true, min: 1, max: MAX_EXTENSION_DAYS, hint: 'hint.workingDays' },
        text('reason', TEXT_LIMITS.reason),
      ];
    }
  }
}

/** The fields' values as first shown: the first choice of a required list, else empty. */
export function initialValues(fields: readonly ActionField[]): Record<string, string> {
  return Object.fromEntries(
    fields.map((field) => [
      field.name,
      field.kind === 'select' && field.required && field.choices.length === 1 ? field.choices[0]!.value : '',
    ]),
  );
}

export function checkAction(fields: readonly ActionField[], values: Record<string, string>): Problems {
  const problems: Record<string, Problem | undefined> = {};
  for (const field of fields) {
    const value = values[field.name] ?? '';
    if (field.kind === 'select')
      problems[field.name] = checkChoice(
        value,
        field.choices.map((choice) => choice.value),
        field.required,
      );
    else if (field.kind === 'number') problems[field.name] = checkWholeNumber(value, field.min, field.max);
    else problems[field.name] = checkText(value, field);
  }
  return collect(problems);
}

/** The command's body: the revision the reader saw, and the fields they filled in. */
export function actionBody(
  fields: readonly ActionField[],
  values: Record<string, string>,
  expectedRevision: number,
): Record<string, unknown> {
  const body: Record<string, unknown> = { expectedRevision };
  for (const field of fields) {
    const value = (values[field.name] ?? '').trim();
    if (value === '') continue;
    body[field.name] = field.kind === 'number' ? Number(value) : value;
  }
  return body;
}
