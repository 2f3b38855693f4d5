import { create } from 'qrcode';

/** The dark modules of `text`'s QR code as one SVG path, one unit square each. */
export function qrPath(text: string): { readonly size: number; readonly path: string } {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const parts: string[] = [];
  for (let row = 0; row < modules.size; row++)
    for (let column = 0; column < modules.size; column++) if (modules.get(row, column)) parts.push(`M${column} ${row}h1v1h-1z`);
  return { size: modules.size, path: parts.join('') };
}
