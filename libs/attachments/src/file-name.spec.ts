import { describe, expect, it } from '@jest/globals';
import { TEXT_LIMITS } from '#domain';
import { cleanFileName, downloadName } from './file-name.js';

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

describe('downloadName', () => {
  it('saves a file under the extension of the type its content was read as', () => {
    expect(downloadName('录音.hta', 'audio/mpeg')).toBe('录音.mp3');
    expect(downloadName('协议书', 'application/pdf')).toBe('协议书.pdf');
    expect(downloadName('合同.PDF', 'application/pdf')).toBe('合同.PDF');
    expect(downloadName('现场.jpeg', 'image/jpeg')).toBe('现场.jpeg');
    expect(downloadName('a.exe.wav', 'audio/wav')).toBe('a.exe.wav');
    expect(downloadName('.bashrc', 'audio/mp4')).toBe('.bashrc.m4a');
  });
});
