import { ATTACHMENT_KINDS, CASE_LIMITS, TEXT_LIMITS, type AttachmentKind } from '#domain';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, getBlob, postForm } from '../api/client.js';
import type { AttachmentAdded, CaseAttachment, CaseDetail } from '../api/types.js';
import { ErrorNotice, Field, Options, SubmitButton, charCount, useBusy } from '../components.js';
import { FILE_ACCEPT, fileProblem, fileSize, fileType } from '../forms/mailbox.js';
import { checkText, problemText, serverProblems, type Problem } from '../forms/problems.js';
import { useI18n } from '../i18n/i18n.js';
import { dataUrl, saveBlob } from '../images.js';

const attachmentPath = (caseId: string, attachmentId: string) =>
  `/api/v1/cases/${encodeURIComponent(caseId)}/attachments/${encodeURIComponent(attachmentId)}`;

/** Thumbnails already fetched, by case and attachment: the panel and the timeline show the same ones. */
const thumbnails = new Map<string, Promise<string | null>>();

/**
 * An image attachment's thumbnail as a data: URL. An <img> cannot send the session's token, so
 * the bytes are fetched with it; null while loading or when there is none.
 */
export function useThumbnail(caseId: string, attachmentId: string, isImage: boolean): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!isImage) return;
    const key = `${caseId}/${attachmentId}`;
    let loading = thumbnails.get(key);
    if (!loading) {
      loading = getBlob(`${attachmentPath(caseId, attachmentId)}?thumbnail=1`, 'image/*').then(dataUrl, () => null);
      thumbnails.set(key, loading);
      void loading.then((found) => found === null && thumbnails.delete(key));
    }
    let live = true;
    void loading.then((found) => live && setUrl(found));
    return () => {
      live = false;
    };
  }, [caseId, attachmentId, isImage]);
  return url;
}

/** An image attachment's thumbnail, or nothing. */
export function AttachmentThumbnail({ caseId, attachment, className }: { readonly caseId: string; readonly attachment: Pick<CaseAttachment, 'attachmentId' | 'mediaType' | 'name'>; readonly className: string }) {
  const { t } = useI18n();
  const url = useThumbnail(caseId, attachment.attachmentId, attachment.mediaType.startsWith('image/'));
  if (!url) return null;
  return <img src={url} alt={t('attachments.thumbnail', { name: attachment.name })} className={className} data-testid="attachment-thumbnail" />;
}

function DownloadButton({ caseId, attachment }: { readonly caseId: string; readonly attachment: CaseAttachment }) {
  const { t } = useI18n();
  const { busy, error, run: download } = useBusy(async () =>
    saveBlob(await getBlob(attachmentPath(caseId, attachment.attachmentId), attachment.mediaType), attachment.name),
  );
  return (
    <>
      <button type="button" className="button button-small" onClick={() => void download()} disabled={busy} aria-label={t('attachments.download', { name: attachment.name })}>
        {busy ? t('attachments.downloading') : t('attachments.downloadShort')}
      </button>
      {error !== null && <ErrorNotice error={error} />}
    </>
  );
}

/** The case's files: thumbnails of images, downloads, and an upload for those who may add a note. */
export function AttachmentsPanel({ view, onUploaded }: { readonly view: CaseDetail; readonly onUploaded: () => void }) {
  const { t, formatTime } = useI18n();
  const attachments = view.attachments ?? [];
  const mayAdd = view.allowedActions.includes('notes');
  return (
    <section className="card" aria-labelledby="attachments-title" data-testid="attachments">
      <h2 id="attachments-title">
        {t('attachments.title')} <span className="muted">({attachments.length})</span>
      </h2>
      {attachments.length === 0 ? (
        <p className="empty">{t('attachments.empty')}</p>
      ) : (
        <ul className="attachment-list">
          {attachments.map((attachment) => (
            <li key={attachment.attachmentId} className="attachment">
              <AttachmentThumbnail caseId={view.id} attachment={attachment} className="file-thumb" />
              {!attachment.mediaType.startsWith('image/') && (
                <span className="file-thumb file-thumb-icon" aria-hidden="true">
                  {attachment.mediaType === 'application/pdf' ? 'PDF' : '♪'}
                </span>
              )}
              <span className="file-name">{attachment.name}</span>
              <span className="muted">
                {t('attachments.meta', { kind: t(`attachmentKind.${attachment.kind}`), size: fileSize(attachment.size), at: formatTime(attachment.at) })}
              </span>
              {attachment.description && <span>{attachment.description}</span>}
              <span className="attachment-actions">
                <DownloadButton caseId={view.id} attachment={attachment} />
              </span>
            </li>
          ))}
        </ul>
      )}
      {mayAdd && <UploadForm caseId={view.id} full={attachments.length >= CASE_LIMITS.attachments} onUploaded={onUploaded} />}
    </section>
  );
}

/** The kind a file most likely is, for the form's first guess. */
function guessKind(file: File): AttachmentKind {
  const type = fileType(file) ?? '';
  if (type.startsWith('image/')) return 'photo';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

function UploadForm({ caseId, full, onUploaded }: { readonly caseId: string; readonly full: boolean; readonly onUploaded: () => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<AttachmentKind>('photo');
  const [description, setDescription] = useState('');
  const [problems, setProblems] = useState<{ file?: Problem | string; description?: Problem }>({});
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const refusal = (failure: unknown): string | null => {
    if (!(failure instanceof ApiError)) return null;
    if (failure.status === 409 && failure.code === 'limit_reached') return t('attachments.limit', { max: CASE_LIMITS.attachments });
    if (failure.status === 413) return t('attachments.tooLarge');
    if (failure.status === 415) return t('attachments.badType');
    return null;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setDone(null);
    const problem = file ? fileProblem(file) : null;
    const found = {
      file: !file ? t('attachments.chooseFile') : problem === 'type' ? t('attachments.badType') : problem === 'size' ? t('attachments.tooLarge') : problem === 'empty' ? t('mailbox.file.empty', { name: file.name }) : undefined,
      description: checkText(description, { required: false, max: TEXT_LIMITS.attachmentDescription }),
    };
    setProblems(found);
    if (found.file || found.description || !file) {
      (found.file ? input.current : document.querySelector<HTMLElement>('.attachment-upload [aria-invalid="true"]'))?.focus();
      return;
    }
    const form = new FormData();
    form.append('kind', kind);
    if (description.trim() !== '') form.append('description', description.trim());
    form.append('file', file, file.name);
    setBusy(true);
    try {
      const added = await postForm<AttachmentAdded>(`/api/v1/cases/${encodeURIComponent(caseId)}/attachments`, form);
      setDone(added.name);
      setFile(null);
      setDescription('');
      if (input.current) input.current.value = '';
      onUploaded();
    } catch (failure) {
      setError(failure);
      // The server names a refused part (`file`, `kind`, `description`): shown beside it.
      if (failure instanceof ApiError && failure.status === 400) {
        const named = serverProblems(failure.details);
        setProblems({ file: named.file, description: named.description ?? named.kind });
      }
    } finally {
      setBusy(false);
    }
  };

  const refused = error !== null ? refusal(error) : null;
  const fileError = typeof problems.file === 'string' ? problems.file : problemText(problems.file, t);
  return (
    <form className="form attachment-upload" onSubmit={submit} noValidate aria-labelledby="attachment-upload-title">
      <h3 id="attachment-upload-title">{t('attachments.upload')}</h3>
      {full && <p className="notice notice-info">{t('attachments.limit', { max: CASE_LIMITS.attachments })}</p>}
      {done && (
        <p className="notice notice-success" role="status">
          {t('attachments.done', { name: done })}
        </p>
      )}
      {error !== null &&
        (refused ? (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">{refused}</p>
          </div>
        ) : (
          <ErrorNotice error={error} />
        ))}
      <div className="form-row">
        <Field label={t('attachments.file')} required error={fileError} hint={t('attachments.fileHint')}>
          {(control) => (
            <input
              {...control}
              ref={input}
              type="file"
              name="file"
              accept={FILE_ACCEPT}
              disabled={full}
              onChange={(e) => {
                const picked = e.target.files?.[0] ?? null;
                setFile(picked);
                if (picked) setKind(guessKind(picked));
              }}
            />
          )}
        </Field>
        <Field label={t('attachments.kind')} required>
          {(control) => (
            <select {...control} name="kind" value={kind} onChange={(e) => setKind(e.target.value as AttachmentKind)}>
              <Options values={ATTACHMENT_KINDS} label={(value) => t(`attachmentKind.${value}`)} />
            </select>
          )}
        </Field>
      </div>
      <Field
        label={t('attachments.description')}
        required={false}
        error={problemText(problems.description, t)}
        hint={charCount(description, TEXT_LIMITS.attachmentDescription, t)}
      >
        {(control) => <textarea {...control} name="description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <SubmitButton busy={busy} disabled={full} label={t('attachments.submit')} busyLabel={t('attachments.submitting')} />
    </form>
  );
}
