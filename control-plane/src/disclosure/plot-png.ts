/**
 * A figure (`plot-figure.ts`) as PNG bytes, rasterised here and encoded by `pngjs` (pure
 * JavaScript, fixed deflate settings): the same counts give the same bytes. Rectangles and
 * wedges are filled by pixel centres, lines are one pixel wide. Text needs a font, which a
 * control plane without a browser does not have: numbers (the axis labels) are drawn with
 * the small built-in digit font below, other text (titles, category names) is left to the
 * SVG, which carries every label.
 */
import { PNG } from 'pngjs';
import type { Figure } from './plot-figure.ts';

/** 3×5 glyphs, one string of 15 bits per character, row by row. */
const GLYPHS: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001001001001',
  '8': '111101111101111',
  '9': '111101111001111',
  '.': '000000000000010',
  '-': '000000111000000',
  '+': '000010111010000',
  e: '000111101110011',
};
const SCALE = 2;

class Canvas {
  readonly png: PNG;
  constructor(width: number, height: number) {
    this.png = new PNG({ width, height, colorType: 2, inputColorType: 6, inputHasAlpha: true, deflateLevel: 9, filterType: 1 });
    this.png.data.fill(255);
  }
  set(x: number, y: number, rgb: readonly number[]) {
    if (x < 0 || y < 0 || x >= this.png.width || y >= this.png.height) return;
    const i = (y * this.png.width + x) * 4;
    this.png.data[i] = rgb[0]!;
    this.png.data[i + 1] = rgb[1]!;
    this.png.data[i + 2] = rgb[2]!;
    this.png.data[i + 3] = 255;
  }
}

const rgbOf = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
const BLACK = [0, 0, 0];

export function pngBytes(fig: Figure): Buffer {
  const c = new Canvas(fig.width, fig.height);
  for (const r of fig.rects) {
    const rgb = rgbOf(r.fill);
    for (let y = Math.round(r.y); y < Math.round(r.y + r.h); y++) {
      for (let x = Math.round(r.x); x < Math.round(r.x + r.w); x++) c.set(x, y, rgb);
    }
  }
  for (const w of fig.wedges) {
    const rgb = rgbOf(w.fill);
    for (let y = Math.floor(w.cy - w.r); y <= Math.ceil(w.cy + w.r); y++) {
      for (let x = Math.floor(w.cx - w.r); x <= Math.ceil(w.cx + w.r); x++) {
        const dx = x + 0.5 - w.cx;
        const dy = y + 0.5 - w.cy;
        if (dx * dx + dy * dy > w.r * w.r) continue;
        let a = Math.atan2(dx, -dy);
        if (a < 0) a += 2 * Math.PI;
        if (a >= w.start && a < w.end) c.set(x, y, rgb);
      }
    }
  }
  for (const l of fig.lines) {
    const rgb = l.stroke ? rgbOf(l.stroke) : BLACK;
    const steps = Math.max(Math.abs(l.x2 - l.x1), Math.abs(l.y2 - l.y1), 1);
    for (let i = 0; i <= steps; i++) c.set(Math.round(l.x1 + ((l.x2 - l.x1) * i) / steps), Math.round(l.y1 + ((l.y2 - l.y1) * i) / steps), rgb);
  }
  for (const t of fig.texts) {
    if (![...t.text].every((ch) => ch in GLYPHS)) continue;
    const width = t.text.length * 4 * SCALE;
    let x = Math.round(t.anchor === 'start' ? t.x : t.anchor === 'end' ? t.x - width : t.x - width / 2);
    const y = Math.round(t.y - 5 * SCALE);
    for (const ch of t.text) {
      const bits = GLYPHS[ch]!;
      for (let i = 0; i < 15; i++) {
        if (bits[i] !== '1') continue;
        for (let d = 0; d < SCALE * SCALE; d++) c.set(x + (i % 3) * SCALE + (d % SCALE), y + Math.floor(i / 3) * SCALE + Math.floor(d / SCALE), BLACK);
      }
      x += 4 * SCALE;
    }
  }
  return PNG.sync.write(c.png, { colorType: 2, inputColorType: 6, inputHasAlpha: true, deflateLevel: 9, filterType: 1 });
}
