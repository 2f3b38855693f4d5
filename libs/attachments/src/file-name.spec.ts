import { describe, expect, it } from '@jest/globals';
import { TEXT_LIMITS } from '#domain';
import { cleanFileName } from './file-name.js';

describe('cleanFileName', () => {
  it('keeps the last segment of a path, either slash', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\民意\\现场照片.jpg')).toBe('现场照片.jpg');
  });

  it('drops control and direction-override characters, and trims', () => {
    expect(cleanFileName(' a\u0000b\r\n\u202egpj.exe ')).toBe('abgpj.exe');
  });

  it('falls back when nothing is left', () => {
    expect(cleanFileName('')).toBe('file');
    expect(cleanFileName(undefined)).toBe('file');
    expect(cleanFileName('..')).toBe('file');
    expect(cleanFileName('dir/')).toBe('file');
  });

  it(`cuts a long name to ${TEXT_LIMITS.attachmentName} characters, keeping the extension`, () => {
    const cleaned = cleanFileName(`${'长'.repeat(300)}.pdf`);
    expect([...cleaned]).toHaveLength(TEXT_LIMITS.attachmentName);
    expect(cleaned.endsWith('.pdf')).toBe(true);
  });
});
