import { join } from 'node:path';
import { AttachmentConfigError } from './errors.js';
import type { S3Settings } from './s3-blob-store.js';

/** The most bytes one file may have, counted as they arrive (API.md, "Attachments"). */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/**
 * Where attachments are kept, from the environment, checked once at start-up:
 *
 * | variable | meaning |
 * | --- | --- |
 * | (none) | files under `MINYI_DATA_DIR/attachments` |
 * | ATTACHMENTS_S3_ENDPOINT | an S3-compatible server, e.g. `http://minio:9000` |
 * | ATTACHMENTS_S3_BUCKET | the bucket (objects `attachments/<sha256>`) |
 * | ATTACHMENTS_S3_ACCESS_KEY_ID, ATTACHMENTS_S3_SECRET_ACCESS_KEY | its credentials |
 * | ATTACHMENTS_S3_REGION | optional, default `us-east-1` |
 *
 * The S3 settings go together: some set and some not is an error naming the first missing one.
 * Either way uploads are staged under `MINYI_DATA_DIR/attachments/.staging`.
 */
export interface AttachmentStorageSettings {
  /** Files, staging and thumbnails live here. */
  readonly folder: string;
  readonly s3: S3Settings | null;
}

const S3_VARIABLES = ['ATTACHMENTS_S3_ENDPOINT', 'ATTACHMENTS_S3_BUCKET', 'ATTACHMENTS_S3_ACCESS_KEY_ID', 'ATTACHMENTS_S3_SECRET_ACCESS_KEY'] as const;

export function attachmentSettingsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): AttachmentStorageSettings {
  const folder = join(dataDir, 'attachments');
  const given = S3_VARIABLES.filter((name) => nonEmpty(env[name]) !== undefined);
  const region = nonEmpty(env.ATTACHMENTS_S3_REGION);
  if (given.length === 0) {
    if (region !== undefined) throw new AttachmentConfigError('ATTACHMENTS_S3_REGION', 'is set but ATTACHMENTS_S3_ENDPOINT and the other S3 settings are not');
    return { folder, s3: null };
  }
  const missing = S3_VARIABLES.find((name) => !given.includes(name));
  if (missing) throw new AttachmentConfigError(missing, `must be set with ${given.join(', ')} (the S3 settings go together: ${S3_VARIABLES.join(', ')})`);
  const endpoint = nonEmpty(env.ATTACHMENTS_S3_ENDPOINT)!;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new AttachmentConfigError('ATTACHMENTS_S3_ENDPOINT', `"${endpoint}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AttachmentConfigError('ATTACHMENTS_S3_ENDPOINT', `expected an http: or https: URL, got ${url.protocol}`);
  const bucket = nonEmpty(env.ATTACHMENTS_S3_BUCKET)!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new AttachmentConfigError('ATTACHMENTS_S3_BUCKET', `"${bucket}" is not a bucket name (3-63 lower-case letters, digits, dots, hyphens)`);
  return {
    folder,
    s3: {
      endpoint,
      bucket,
      accessKeyId: nonEmpty(env.ATTACHMENTS_S3_ACCESS_KEY_ID)!,
      secretAccessKey: nonEmpty(env.ATTACHMENTS_S3_SECRET_ACCESS_KEY)!,
      region: region ?? 'us-east-1',
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}
