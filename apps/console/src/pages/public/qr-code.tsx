import { create } from 'qrcode';
import { useMemo } from 'react';

/** A QR code drawn as SVG in the page itself: no request leaves the browser. */
export function QrCode({ text, label }: { readonly text: string; readonly label: string }) {
  const { size, path } = useMemo(() => qrPath(text), [text]);
  const quiet = 4;
  const whole = size + quiet * 2;
  return (
    <svg className="qr-code" role="img" aria-label={label} viewBox={`0 0 ${whole} ${whole}`} shapeRendering="crispEdges" data-testid="qr-code">
      <rect width={whole} height={whole} fill="#fff" />
      <path d={path} transform={`translate(${quiet} ${quiet})`} fill="#000" />
    </svg>
  );
}

/** The dark modules of `text`'s QR code as one SVG path, one unit square each. */
export function qrPath(text: string): { readonly size: number; readonly path: string } {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const parts: string[] = [];
  for (let row = 0; row < modules.size; row++)
    for (let column = 0; column < modules.size; column++) if (modules.get(row, column)) parts.push(`M${column} ${row}h1v1h-1z`);
  return { size: modules.size, path: parts.join('') };
}
