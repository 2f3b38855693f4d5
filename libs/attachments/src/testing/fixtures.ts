import sharp from 'sharp';

/**
 * Small valid files of every accepted type, made in code: images by sharp (with EXIF and GPS when
 * asked), the others as the few bytes their formats begin with.
 */
export async function imageFixture(format: 'jpeg' | 'png' | 'webp', options: { width?: number; height?: number; gps?: boolean; noise?: boolean } = {}): Promise<Buffer> {
  const width = options.width ?? 64;
  const height = options.height ?? 48;
  const channels = 3;
  const pixels = Buffer.alloc(width * height * channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = options.noise ? (Math.random() * 256) | 0 : (i * 7) % 256;
  let image = sharp(pixels, { raw: { width, height, channels } });
  if (options.gps) {
    image = image.withExif({
      IFD0: { Make: 'MinyiTestCam', Model: 'Fixture 1', Software: 'fixture' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 2700/100', GPSLongitudeRef: 'E', GPSLongitude: '116/1 23/1 3000/100' },
    });
  }
  if (format === 'jpeg') return image.jpeg({ quality: 92 }).toBuffer();
  if (format === 'png') return image.png().toBuffer();
  return image.webp({ quality: 90 }).toBuffer();
}

/** A one-page PDF. */
export function pdfFixture(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  );
}

/** An MP3: an ID3v2 tag, then MPEG-1 layer III frames (frame sync 0xFFFB). */
export function mp3Fixture(): Buffer {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([id3, frame, frame, frame]);
}

/** An M4A: an `ftyp` box of brand `M4A `, then an empty `mdat`. */
export function m4aFixture(): Buffer {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A '), Buffer.from([0, 0, 0, 0]), Buffer.from('M4A mp42isomiso2')]);
  const mdat = Buffer.concat([Buffer.from([0, 0, 0, 0x10]), Buffer.from('mdat'), Buffer.alloc(8)]);
  return Buffer.concat([ftyp, mdat]);
}

/** A WAV: RIFF/WAVE with a PCM `fmt ` chunk and a little silence. */
export function wavFixture(): Buffer {
  const samples = Buffer.alloc(800);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0);
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(1, 10); // mono
  fmt.writeUInt32LE(8000, 12);
  fmt.writeUInt32LE(16000, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const data = Buffer.alloc(8);
  data.write('data', 0);
  data.writeUInt32LE(samples.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, data, samples]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0);
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/** The start of a Linux executable (ELF). */
export function elfFixture(): Buffer {
  const bytes = Buffer.alloc(256);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]);
  bytes.writeUInt16LE(2, 16); // ET_EXEC
  bytes.writeUInt16LE(0x3e, 18); // x86-64
  return bytes;
}

/** The start of a Windows executable (MZ, then a PE header). */
export function peFixture(): Buffer {
  const bytes = Buffer.alloc(512);
  bytes.write('MZ', 0);
  bytes.writeUInt32LE(0x80, 0x3c);
  bytes.write('PE\0\0', 0x80, 'latin1');
  return bytes;
}
