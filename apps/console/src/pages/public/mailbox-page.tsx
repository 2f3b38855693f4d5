import { TEXT_LIMITS, type CaseKind } from '#domain';
import { useId, useRef, useState, type ChangeEvent } from 'react';
import { ApiError } from '../../api/client.js';
import { publicGet, publicPost, publicPostForm } from '../../api/public-client.js';
import type { PublicFiled, PublicUnit } from '../../api/types.js';
import { CheckField, Field, Loading, Options, PhoneField, SubmitButton, charCount } from '../../components.js';
import {
  EMPTY_MAILBOX_DRAFT,
  FILE_ACCEPT,
  MAX_FILES,
  checkMailbox,
  fileProblem,
  fileSize,
  fileType,
  mailboxBody,
  type MailboxDraft,
} from '../../forms/mailbox.js';
import { problemText } from '../../forms/problems.js';
import { fieldMessage } from '../../i18n/field-messages.js';
import { useI18n, type MessageKey } from '../../i18n/i18n.js';
import { thumbnail } from '../../images.js';
import { useFilingForm } from '../../use-command-form.js';
import { useResource } from '../../use-resource.js';
import { PublicError } from './public-parts.js';
import { Receipt } from './receipt.js';
import { UnitPicker } from './unit-picker.js';


/** A file the resident picked, with its preview while it is an image. */
interface Picked {
  readonly key: string;
  readonly file: File;
  readonly preview: string | null;
}

/** Fields the form shows, by the API's path: a refusal of one of them shows beside it. */
const SHOWN_FIELDS = ['unitId', 'kind', 'title', 'description', 'filer.name', 'filer.phone', 'location.address', 'files'];

/**
 * The opinion mailbox (意见箱 / 献一策): a resident files to their community or grid without an
 * account, with up to five photos or files, and is given a number and an access code once.
 */
export function MailboxPage() {
  const { t } = useI18n();
  const units = useResource(() => publicGet<PublicUnit[]>('/api/v1/public/units'), []);
  const kinds = useResource(() => publicGet<CaseKind[]>('/api/v1/public/kinds'), []);
  const [filed, setFiled] = useState<PublicFiled | null>(null);
  const [round, setRound] = useState(0);

  if ((units.error !== undefined && !units.data) || (kinds.error !== undefined && !kinds.data)) {
    return (
      <div className="public-page">
        <h1 id="page-title" tabIndex={-1}>
          {t('mailbox.loadFailed')}
        </h1>
        <PublicError error={units.error ?? kinds.error} />
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            units.reload();
            kinds.reload();
          }}
        >
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (!units.data || !kinds.data) {
    return (
      <div className="public-page">
        <Loading lines={6} />
      </div>
    );
  }
  if (filed) {
    return (
      <Receipt
        filed={filed}
        onAnother={() => {
          setFiled(null);
          setRound((n) => n + 1);
        }}
      />
    );
  }
  return <MailboxForm key={round} units={units.data} kinds={kinds.data} onFiled={setFiled} />;
}

function MailboxForm({
  units,
  kinds,
  onFiled,
}: {
  readonly units: readonly PublicUnit[];
  readonly kinds: readonly CaseKind[];
  readonly onFiled: (filed: PublicFiled) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [draft, setDraft] = useState<MailboxDraft>(EMPTY_MAILBOX_DRAFT);
  const [files, setFiles] = useState<readonly Picked[]>([]);
  const [fileNotes, setFileNotes] = useState<readonly string[]>([]);
  // Made when the form opens: sending the same filing again (a double tap, a retry after a lost
  // answer) files it once. A filing changed after a refusal is another request, with a new key.
  const { problems, error, busy, form, submit } = useFilingForm(
    () =>
      checkMailbox(
        draft,
        kinds,
        units.map((unit) => unit.id),
      ),
    () => {
      const body = mailboxBody(draft);
      const signature = JSON.stringify([body, files.map((picked) => picked.key)]);
      return {
        signature,
        send: (key) => {
          const headers = { 'Idempotency-Key': key };
          if (files.length === 0) return publicPost<PublicFiled>('/api/v1/public/cases', body, headers);
          const parts = new FormData();
          parts.append('case', JSON.stringify(body));
          for (const picked of files) parts.append('files', picked.file, picked.file.name);
          return publicPostForm<PublicFiled>('/api/v1/public/cases', parts, headers);
        },
      };
    },
    onFiled,
  );
  const fileInput = useRef<HTMLInputElement>(null);

  const update = (change: Partial<MailboxDraft>) => setDraft((before) => ({ ...before, ...change }));
  const fieldError = (field: string) => problemText(problems[field], t);

  const addFiles = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = [...(event.target.files ?? [])];
    event.target.value = '';
    const notes: string[] = [];
    const accepted: File[] = [];
    for (const file of chosen) {
      const problem = fileProblem(file);
      if (problem) notes.push(t(`mailbox.file.${problem}` as MessageKey, { name: file.name, max: MAX_FILES }));
      else if (files.length + accepted.length >= MAX_FILES) notes.push(t('mailbox.file.count', { name: file.name, max: MAX_FILES }));
      else accepted.push(file);
    }
    setFileNotes(notes);
    const added = await Promise.all(
      accepted.map(async (file) => ({
        key: crypto.randomUUID(),
        file,
        preview: fileType(file)?.startsWith('image/') ? await thumbnail(file) : null,
      })),
    );
    setFiles((before) => [...before, ...added].slice(0, MAX_FILES));
  };

  const removeFile = (key: string) => {
    setFiles((before) => before.filter((picked) => picked.key !== key));
    setFileNotes([]);
    fileInput.current?.focus();
  };

  const refused = error instanceof ApiError && error.status === 400 ? error.details : [];
  const otherProblems = refused.filter((detail) => !SHOWN_FIELDS.includes(detail.field));

  return (
    <div className="public-page">
      <h1 id="page-title" tabIndex={-1}>
        {t('mailbox.title')}
      </h1>
      <p className="page-intro">{t('mailbox.intro')}</p>
      {error !== null && (
        <div aria-live="assertive">
          <PublicError
            error={error}
            known={{ 413: t('mailbox.tooLarge'), 415: t('mailbox.badType'), 429: t('mailbox.tooMany') }}
          />
          {refused.length > 0 && <p className="field-error">{t('error.fixFields')}</p>}
          {otherProblems.length > 0 && (
            <ul className="field-error-list">
              {otherProblems.map((detail) => (
                <li key={detail.field}>
                  {detail.field}: {fieldMessage(detail.message, t)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <form ref={form} className="form public-form" onSubmit={submit} noValidate aria-labelledby="page-title">
        <fieldset>
          <legend>{t('mailbox.sectionWhere')}</legend>
          <UnitPicker units={units} unitId={draft.unitId} onChange={(unitId) => update({ unitId })} error={fieldError('unitId')} />
        </fieldset>

        <fieldset>
          <legend>{t('mailbox.sectionWhat')}</legend>
          <Field label={t('mailbox.kind')} required error={fieldError('kind')}>
            {(control) => (
              <select {...control} name="kind" value={draft.kind} onChange={(e) => update({ kind: e.target.value as CaseKind })}>
                <Options values={kinds} label={(kind) => t(`kind.${kind}`)} empty={t('common.choose')} />
              </select>
            )}
          </Field>
          <Field
            label={t('mailbox.title.label')}
            required
            error={fieldError('title')}
            hint={`${t('mailbox.titleHint')} · ${charCount(draft.title, TEXT_LIMITS.title, t)}`}
          >
            {(control) => (
              <input {...control} name="title" value={draft.title} onChange={(e) => update({ title: e.target.value })} />
            )}
          </Field>
          <Field
            label={t('mailbox.description')}
            required
            error={fieldError('description')}
            hint={`${t('mailbox.descriptionHint')} · ${charCount(draft.description, TEXT_LIMITS.description, t)}`}
          >
            {(control) => (
              <textarea {...control} name="description" rows={6} value={draft.description} onChange={(e) => update({ description: e.target.value })} />
            )}
          </Field>
          <Field label={t('mailbox.address')} required={false} error={fieldError('location.address')} hint={t('mailbox.addressHint')}>
            {(control) => (
              <input {...control} name="location.address" autoComplete="street-address" value={draft.address} onChange={(e) => update({ address: e.target.value })} />
            )}
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t('mailbox.sectionFiles')}</legend>
          <p className="hint" id={`${id}-files-hint`}>
            {t('mailbox.filesHint', { max: MAX_FILES })}
          </p>
          <div className="file-pick">
            <input
              ref={fileInput}
              id={`${id}-files`}
              className="file-input visually-hidden"
              type="file"
              name="files"
              multiple
              accept={FILE_ACCEPT}
              disabled={files.length >= MAX_FILES}
              aria-describedby={`${id}-files-hint ${id}-files-count`}
              onChange={(e) => void addFiles(e)}
            />
            <label htmlFor={`${id}-files`} className={`button file-button${files.length >= MAX_FILES ? ' file-button-disabled' : ''}`}>
              <span aria-hidden="true">＋</span> {t('mailbox.addFiles')}
            </label>
            <span className="muted" id={`${id}-files-count`}>
              {t('mailbox.filesCount', { n: files.length, max: MAX_FILES })}
            </span>
          </div>
          {fieldError('files') && (
            <p className="field-error" role="alert">
              {fieldError('files')}
            </p>
          )}
          {fileNotes.length > 0 && (
            <ul className="file-notes" role="alert">
              {fileNotes.map((note) => (
                <li key={note} className="field-error">
                  {note}
                </li>
              ))}
            </ul>
          )}
          {files.length > 0 && (
            <ul className="file-previews" aria-label={t('mailbox.sectionFiles')}>
              {files.map((picked) => (
                <li key={picked.key} className="file-preview">
                  {picked.preview ? (
                    <img src={picked.preview} alt={picked.file.name} className="file-thumb" />
                  ) : (
                    <span className="file-thumb file-thumb-icon" aria-hidden="true">
                      {fileBadge(picked.file)}
                    </span>
                  )}
                  <span className="file-name">{picked.file.name}</span>
                  <span className="muted">{fileSize(picked.file.size)}</span>
                  <button
                    type="button"
                    className="button button-small file-remove"
                    aria-label={t('mailbox.removeFile', { name: picked.file.name })}
                    onClick={() => removeFile(picked.key)}
                  >
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          )}
        </fieldset>

        <fieldset>
          <legend>{t('mailbox.sectionYou')}</legend>
          <p className="hint">{t('mailbox.youHint')}</p>
          <div className="form-row">
            <Field label={t('mailbox.name')} required={false} error={fieldError('filer.name')}>
              {(control) => <input {...control} name="filer.name" autoComplete="name" value={draft.name} onChange={(e) => update({ name: e.target.value })} />}
            </Field>
            <PhoneField label={t('mailbox.phone')} error={fieldError('filer.phone')} value={draft.phone} onChange={(phone) => update({ phone })} autoComplete="tel" />
          </div>
          <CheckField
            name="filer.anonymous"
            label={t('mailbox.anonymous')}
            hint={t('mailbox.anonymousHint')}
            checked={draft.anonymous}
            onChange={(anonymous) => update({ anonymous })}
            large
          />
        </fieldset>

        <SubmitButton busy={busy} label={t('mailbox.submit')} busyLabel={t('mailbox.submitting')} large />
      </form>
    </div>
  );
}

/** A file's type as a short word where there is no picture: PDF, MP3. */
function fileBadge(file: File): string {
  const type = fileType(file);
  if (type === 'application/pdf') return 'PDF';
  if (type?.startsWith('audio/')) return '♪';
  return file.name.split('.').pop()?.toUpperCase().slice(0, 4) ?? '';
}

