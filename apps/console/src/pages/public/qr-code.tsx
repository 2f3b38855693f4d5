import { useMemo } from 'react';
import { qrPath } from '../../qr.js';

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
