import { describe, expect, it } from '@jest/globals';
import type { BlobCheck } from './intake.js';
import { checkAttachments, type RecordedAttachment } from './verification.js';

const attachment = (n: number, sha256: string): RecordedAttachment => ({ streamId: 'case-1', revision: n, attachmentId: `a-${n}`, sha256 });
const SHA = (digit: string) => digit.repeat(64);

describe('checkAttachments', () => {
  it('names each changed, missing or unreadable file, and goes on past a store that fails on one', async () => {
    const answers: Record<string, BlobCheck | Error> = { [SHA('1')]: 'intact', [SHA('2')]: 'changed', [SHA('3')]: 'missing', [SHA('4')]: new Error('AccessDenied') };
    const rehash = async (sha256: string): Promise<BlobCheck> => {
      const answer = answers[sha256]!;
      if (answer instanceof Error) throw answer;
      return answer;
    };
    const problems = await checkAttachments([attachment(1, SHA('1')), attachment(2, SHA('2')), attachment(3, SHA('3')), attachment(4, SHA('4')), attachment(5, 'not a hash')], rehash);
    expect(problems.map(({ attachmentId, status }) => [attachmentId, status])).toEqual([
      ['a-2', 'changed'],
      ['a-3', 'missing'],
      ['a-4', 'unreadable'],
      ['a-5', 'missing'],
    ]);
    expect(problems[2]!.message).toBe('the file of attachment a-4 (revision 4) could not be read from the store: AccessDenied');
  });
});
