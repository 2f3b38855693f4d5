import { useState, type FormEvent, type ReactNode } from 'react';
import { Field, SelectFilter } from '../components.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';

/** A unit and a period, as the report screens ask for them. */
export interface Period {
  readonly unitId: string;
  /** `yyyy-mm-dd`, local dates; `to` is the first day not counted. */
  readonly from: string;
  readonly to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
/** The start of a local date, as the API's time with an offset. */
export const startOf = (date: string) => new Date(`${date}T00:00:00`).toISOString();

/** This year up to the end of this month, at the reader's unit. */
export function defaultPeriod(unitId: string): Period {
  const today = new Date();
  return { unitId, from: `${today.getFullYear()}-01-01`, to: localDate(new Date(today.getFullYear(), today.getMonth() + 1, 1)) };
}

/** The query a report route takes for a period (`unitName` names the unit parameter: `unitId`, or `parentId` for rankings). */
export function periodQuery(period: Period, unitName = 'unitId'): Record<string, string> {
  return { [unitName]: period.unitId, from: startOf(period.from), to: startOf(period.to) };
}

/** The period on screen and the one applied, which changes when the form is submitted. */
export function usePeriod() {
  const { me } = useSession();
  const [draft, setDraft] = useState<Period>(() => defaultPeriod(me.unitId));
  const [period, setPeriod] = useState<Period>(draft);
  return { draft, setDraft, period, apply: () => setPeriod(draft) };
}

/** The unit and dates of a report, with its submit button; `units` limits the units offered (the reader's subtree by default). */
export function PeriodForm({
  draft,
  setDraft,
  apply,
  units: offered,
  children,
}: {
  readonly draft: Period;
  readonly setDraft: (period: Period) => void;
  readonly apply: () => void;
  readonly units?: readonly string[];
  readonly children?: ReactNode;
}) {
  const { t } = useI18n();
  const { me, units } = useSession();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply();
  };
  return (
    <form className="filters" onSubmit={submit}>
      <SelectFilter
        label={t('stats.unit')}
        value={draft.unitId}
        onChange={(unitId) => setDraft({ ...draft, unitId })}
        values={offered ?? units.subtree(me.unitId).map((unit) => unit.id)}
        optionLabel={(id) => units.name(id)}
      />
      <Field label={t('stats.from')}>
        {(control) => <input {...control} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />}
      </Field>
      <Field label={t('stats.to')}>
        {(control) => <input {...control} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />}
      </Field>
      {children}
      <button type="submit" className="button button-primary">
        {t('stats.apply')}
      </button>
    </form>
  );
}
