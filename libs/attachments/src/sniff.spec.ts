import { describe, expect, it } from '@jest/globals';
import { UnsupportedMediaTypeError } from './errors.js';
import { sniffMediaType } from './sniff.js';
import { elfFixture, imageFixture, m4aFixture, mp3Fixture, pdfFixture, peFixture, wavFixture } from './testing/fixtures.js';

describe('sniffMediaType: the type from the content alone', () => {
  it.each([
    ['JPEG', () => imageFixture('jpeg'), 'image/jpeg'],
    ['PNG', () => imageFixture('png'), 'image/png'],
    ['WebP', () => imageFixture('webp'), 'image/webp'],
    ['PDF', async () => pdfFixture(), 'application/pdf'],
    ['MP3 with an ID3 tag', async () => mp3Fixture(), 'audio/mpeg'],
    ['M4A', async () => m4aFixture(), 'audio/mp4'],
    ['WAV', async () => wavFixture(), 'audio/wav'],
  ])('%s', async (_name, make, mediaType) => {
    await expect(sniffMediaType(await make())).resolves.toBe(mediaType);
  });

  it.each([
    ['an ELF executable', elfFixture()],
    ['a Windows executable', peFixture()],
    ['HTML', Buffer.from('<!doctype html><script>alert(1)</script>')],
    ['plain text', Buffer.from('just some words')],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s with 415 naming the field', async (_name, bytes) => {
    const refused = sniffMediaType(bytes);
    await expect(refused).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    await expect(refused).rejects.toMatchObject({ code: 'unsupported_media_type', field: 'file' });
  });
});
