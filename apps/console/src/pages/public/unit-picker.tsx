import type { OrgLevel } from '#domain';
import { useId, useRef, useState } from 'react';
import type { PublicUnit } from '../../api/types.js';
import { choicesBelow, searchUnits, unitAtPath, unitChain, unitTrail } from '../../forms/mailbox.js';
import { RequiredMark } from '../../components.js';
import { useI18n } from '../../i18n/i18n.js';

const LEVELS: readonly OrgLevel[] = ['city', 'county', 'town', 'community', 'grid'];

/**
 * Where a resident files: found by typing a name, or chosen level by level (city, county, town,
 * community, then a grid if they know it). Either way sets the other, and `onChange` gets the
 * unit's id ('' while the path stops above a community).
 */
export function UnitPicker({
  units,
  unitId,
  onChange,
  error,
}: {
  readonly units: readonly PublicUnit[];
  readonly unitId: string;
  readonly onChange: (unitId: string) => void;
  readonly error?: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const search = useRef<HTMLInputElement>(null);
  const [picked, setPicked] = useState<readonly string[]>(() => {
    const unit = units.find((u) => u.id === unitId);
    if (unit) return unitChain(unit);
    // One city: it is chosen already.
    const cities = choicesBelow(units, []);
    return cities.length === 1 ? [cities[0]!.name] : [];
  });
  const found = searchUnits(units, text);
  const chosen = units.find((unit) => unit.id === unitId);

  const pickPath = (next: readonly string[]) => {
    setPicked(next);
    onChange(unitAtPath(units, next)?.id ?? '');
  };
  const pickUnit = (unit: PublicUnit) => {
    setPicked(unitChain(unit));
    onChange(unit.id);
  };

  // A select for each level down to the first one not yet chosen.
  const steps: { depth: number; choices: ReturnType<typeof choicesBelow> }[] = [];
  for (let depth = 0; depth <= picked.length && depth < LEVELS.length; depth++) {
    const choices = choicesBelow(units, picked.slice(0, depth));
    if (choices.length === 0) break;
    steps.push({ depth, choices });
  }

  const errorId = `${id}-error`;
  return (
    <div className={`unit-picker${error ? ' field-invalid' : ''}`}>
      <div className="field">
        <label htmlFor={`${id}-search`}>
          {t('mailbox.search')}
          <RequiredMark />
        </label>
        <input
          ref={search}
          id={`${id}-search`}
          type="search"
          name="unit-search"
          autoComplete="off"
          enterKeyHint="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={Boolean(error)}
          aria-describedby={[error ? errorId : '', `${id}-hint`].filter(Boolean).join(' ')}
          aria-controls={`${id}-results`}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.preventDefault();
          }}
        />
        <p className="hint" id={`${id}-hint`}>
          {t('mailbox.searchHint')}
        </p>
      </div>
      <div id={`${id}-results`} aria-live="polite">
        {text.trim() !== '' &&
          (found.length === 0 ? (
            <p className="empty">{t('mailbox.searchNone')}</p>
          ) : (
            <>
              <p className="visually-hidden">{t('mailbox.searchResults', { n: found.length })}</p>
              <ul className="unit-results">
                {found.map((unit) => (
                  <li key={unit.id}>
                    <button
                      type="button"
                      className="button unit-result"
                      aria-pressed={unit.id === unitId}
                      aria-label={t('mailbox.pick', { unit: unitTrail(unit) })}
                      onClick={() => {
                        pickUnit(unit);
                        setText('');
                        // The list goes away: the focus stays in the field rather than falling to the page.
                        search.current?.focus();
                      }}
                    >
                      <span className="unit-result-name">{unit.name}</span>
                      <span className="unit-result-path">{unitChain(unit).slice(0, -1).join(' › ')}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          ))}
      </div>

      <fieldset className="unit-path">
        <legend>{t('mailbox.orPath')}</legend>
        <div className="unit-path-steps">
          {steps.map(({ depth, choices }) => (
            <div className="field" key={depth}>
              <label htmlFor={`${id}-level-${depth}`}>{depth === 4 ? t('mailbox.gridOptional') : t(`level.${LEVELS[depth]!}`)}</label>
              <select
                id={`${id}-level-${depth}`}
                name={`unit-level-${LEVELS[depth]}`}
                value={picked[depth] ?? ''}
                onChange={(e) => pickPath(e.target.value === '' ? picked.slice(0, depth) : [...picked.slice(0, depth), e.target.value])}
              >
                <option value="">{t('common.choose')}</option>
                {choices.map((choice) => (
                  <option key={choice.name} value={choice.name}>
                    {choice.name}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </div>
      </fieldset>

      <p className={`unit-chosen${chosen ? ' unit-chosen-set' : ''}`} role="status" data-testid="unit-chosen">
        {chosen ? t('mailbox.chosen', { unit: unitTrail(chosen) }) : t('mailbox.noneChosen')}
      </p>
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
