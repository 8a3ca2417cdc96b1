/**
 * A figure (`plot-figure.ts`) as SVG text: fixed element order and two-decimal coordinates,
 * so the same counts give the same bytes. Every text (column names, category labels come
 * from the data) is escaped: the SVG is data, never markup of the data's choosing.
 */
import type { Figure } from './plot-figure.ts';

const n = (v: number) => String(Math.round(v * 100) / 100);

export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

function wedgePath(w: Figure['wedges'][number]): string {
  const point = (a: number) => `${n(w.cx + w.r * Math.sin(a))} ${n(w.cy - w.r * Math.cos(a))}`;
  // A whole circle cannot be one arc: two halves.
  if (w.end - w.start >= 2 * Math.PI - 1e-9) {
    return `M ${point(0)} A ${n(w.r)} ${n(w.r)} 0 1 1 ${point(Math.PI)} A ${n(w.r)} ${n(w.r)} 0 1 1 ${point(0)} Z`;
  }
  const large = w.end - w.start > Math.PI ? 1 : 0;
  return `M ${n(w.cx)} ${n(w.cy)} L ${point(w.start)} A ${n(w.r)} ${n(w.r)} 0 ${large} 1 ${point(w.end)} Z`;
}

export function svgText(fig: Figure): string {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fig.width}" height="${fig.height}" viewBox="0 0 ${fig.width} ${fig.height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${fig.width}" height="${fig.height}" fill="#ffffff"/>`,
  ];
  for (const r of fig.rects)
    out.push(`<rect x="${n(r.x)}" y="${n(r.y)}" width="${n(r.w)}" height="${n(r.h)}" fill="${r.fill}" stroke="#ffffff" stroke-width="0.5"/>`);
  for (const w of fig.wedges) out.push(`<path d="${wedgePath(w)}" fill="${w.fill}" stroke="#ffffff" stroke-width="1"/>`);
  for (const l of fig.lines)
    out.push(`<line x1="${n(l.x1)}" y1="${n(l.y1)}" x2="${n(l.x2)}" y2="${n(l.y2)}" stroke="${l.stroke ?? '#000000'}" stroke-width="${l.stroke ? 2 : 1}"/>`);
  for (const t of fig.texts) out.push(`<text x="${n(t.x)}" y="${n(t.y)}" text-anchor="${t.anchor}">${escapeXml(t.text)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
