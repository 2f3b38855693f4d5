import { describe, expect, it } from '@jest/globals';
import { attachmentSettingsFromEnv } from './settings.js';

const S3 = {
  ATTACHMENTS_S3_ENDPOINT: 'http://minio:9000',
  ATTACHMENTS_S3_BUCKET: 'minyi-files',
  ATTACHMENTS_S3_ACCESS_KEY_ID: 'key',
  ATTACHMENTS_S3_SECRET_ACCESS_KEY: 'secret',
};

describe('attachmentSettingsFromEnv', () => {
  it('keeps files under the data dir when no S3 setting is given', () => {
    expect(attachmentSettingsFromEnv('/srv/minyi', {})).toEqual({ folder: '/srv/minyi/attachments', s3: null });
  });

  it('takes the four S3 settings together, the region defaulting to us-east-1', () => {
    expect(attachmentSettingsFromEnv('/srv/minyi', S3).s3).toEqual({ endpoint: 'http://minio:9000', bucket: 'minyi-files', accessKeyId: 'key', secretAccessKey: 'secret', region: 'us-east-1' });
    expect(attachmentSettingsFromEnv('/srv/minyi', { ...S3, ATTACHMENTS_S3_REGION: 'cn-north-1' }).s3?.region).toBe('cn-north-1');
  });

  it.each([
    [{ ...S3, ATTACHMENTS_S3_SECRET_ACCESS_KEY: '' }, /^configuration ATTACHMENTS_S3_SECRET_ACCESS_KEY: must be set with/],
    [{ ATTACHMENTS_S3_BUCKET: 'minyi-files' }, /^configuration ATTACHMENTS_S3_ENDPOINT: must be set with ATTACHMENTS_S3_BUCKET/],
    [{ ATTACHMENTS_S3_REGION: 'cn-north-1' }, /^configuration ATTACHMENTS_S3_REGION: is set but/],
    [{ ...S3, ATTACHMENTS_S3_ENDPOINT: 'minio:9000' }, /^configuration ATTACHMENTS_S3_ENDPOINT: expected an http: or https: URL/],
    [{ ...S3, ATTACHMENTS_S3_ENDPOINT: 'not a url' }, /^configuration ATTACHMENTS_S3_ENDPOINT: "not a url" is not a URL/],
    [{ ...S3, ATTACHMENTS_S3_BUCKET: 'My_Bucket' }, /^configuration ATTACHMENTS_S3_BUCKET: "My_Bucket" is not a bucket name/],
  ])('stops start-up naming the variable: %j', (env, message) => {
    expect(() => attachmentSettingsFromEnv('/srv/minyi', env)).toThrow(message);
    expect(() => attachmentSettingsFromEnv('/srv/minyi', env)).toThrow(expect.objectContaining({ name: 'AttachmentConfigError' }));
  });
});
