/**
 * The figures the airlock renders from checked counts (histograms, pie charts): a small
 * geometry (`plot-figure.ts`) laid out here and written by `plot-svg.ts` and `plot-png.ts`. No browser and no fonts from the system: the same counts give the same
 * bytes. The figure shows exactly the checked numbers: bar heights and slice angles are the
 * counts, the axis labels are the edges and the largest count.
 */
import type { HistogramBin, Plot } from './histogram-report.ts';
import { PALETTE, type Figure } from './plot-figure.ts';
import { pngBytes } from './plot-png.ts';
import { svgText } from './plot-svg.ts';
import type { Label } from './table-stats.ts';

const WIDTH = 640;
const PANEL = 320;
const LEFT = 70;
const RIGHT = 20;
const TOP = 40;
const BOTTOM = 40;

/** A number as an axis label: at most six significant digits. */
export const tickLabel = (x: number) => String(Number(x.toPrecision(6)));
const labelText = (l: Label) => (l === null ? 'missing' : String(l));

/** One panel per group (in report order), bars from `lower` to `upper`, height the count. */
export function histogramFigure(column: string, bins: readonly HistogramBin[], grouped: boolean): Figure {
  const panels: HistogramBin[][] = [];
  for (const bin of bins) {
    const last = panels.at(-1);
    if (last && (!grouped || last[0]!.group === bin.group)) last.push(bin);
    else panels.push([bin]);
  }
  const fig: Figure = { width: WIDTH, height: PANEL * Math.max(panels.length, 1), rects: [], wedges: [], lines: [], texts: [] };
  panels.forEach((panel, p) => {
    const top = p * PANEL + TOP;
    const base = (p + 1) * PANEL - BOTTOM;
    const lo = panel[0]!.lower;
    const hi = panel.at(-1)!.upper;
    const yMax = Math.max(1, ...panel.map((b) => b.count ?? 0));
    const sx = (v: number) => LEFT + ((v - lo) / (hi - lo)) * (WIDTH - LEFT - RIGHT);
    for (const b of panel) {
      const h = ((b.count ?? 0) / yMax) * (base - top);
      fig.rects.push({ x: sx(b.lower), y: base - h, w: sx(b.upper) - sx(b.lower), h, fill: PALETTE[0]! });
    }
    fig.lines.push({ x1: LEFT, y1: base, x2: WIDTH - RIGHT, y2: base }, { x1: LEFT, y1: top, x2: LEFT, y2: base });
    fig.texts.push(
      { x: WIDTH / 2, y: top - 14, text: grouped ? `${column}: ${labelText(panel[0]!.group ?? null)}` : column, anchor: 'middle' },
      { x: LEFT, y: base + 18, text: tickLabel(lo), anchor: 'start' },
      { x: WIDTH - RIGHT, y: base + 18, text: tickLabel(hi), anchor: 'end' },
      { x: LEFT - 6, y: base, text: '0', anchor: 'end' },
      { x: LEFT - 6, y: top + 10, text: tickLabel(yMax), anchor: 'end' },
    );
  });
  return fig;
}

/** Slices clockwise from twelve o'clock in report order, each labelled with its category and count. */
export function pieFigure(column: string, slices: ReadonlyArray<{ label: Label; count: number }>): Figure {
  const fig: Figure = { width: WIDTH, height: 420, rects: [], wedges: [], lines: [], texts: [] };
  const total = slices.reduce((a, s) => a + s.count, 0);
  const [cx, cy, r] = [220, 220, 170];
  let at = 0;
  slices.forEach((s, i) => {
    const end = at + (s.count / total) * 2 * Math.PI;
    fig.wedges.push({ cx, cy, r, start: at, end, fill: PALETTE[i % PALETTE.length]! });
    fig.rects.push({ x: 430, y: 40 + i * 22, w: 14, h: 14, fill: PALETTE[i % PALETTE.length]! });
    fig.texts.push({ x: 452, y: 52 + i * 22, text: labelText(s.label), anchor: 'start' }, { x: 620, y: 52 + i * 22, text: String(s.count), anchor: 'end' });
    at = end;
  });
  fig.texts.push({ x: cx, y: 30, text: column, anchor: 'middle' });
  return fig;
}

/**
 * The survival curves of a released table: for each group (in report order) a step from 1 at
 * time 0 down to each step's survival at its time, as statsmodels' `plot_survfunc` draws them;
 * from the released (pooled) steps only, so the figure shows no step the table does not.
 */
export function survivalFigure(table: ReadonlyArray<{ time: number; survival: number; group?: Label }>, grouped: boolean): Figure {
  const fig: Figure = { width: WIDTH, height: PANEL + 40, rects: [], wedges: [], lines: [], texts: [] };
  const top = TOP;
  const base = PANEL;
  const t0 = Math.min(0, ...table.map((s) => s.time));
  const t1 = Math.max(t0 + 1, ...table.map((s) => s.time));
  const sx = (t: number) => LEFT + ((t - t0) / (t1 - t0)) * (WIDTH - LEFT - RIGHT - 100);
  const sy = (p: number) => base - p * (base - top);
  const curves: Array<{ group: Label; steps: Array<{ time: number; survival: number }> }> = [];
  for (const s of table) {
    const last = curves.at(-1);
    if (last && (!grouped || last.group === s.group)) last.steps.push(s);
    else curves.push({ group: s.group ?? null, steps: [s] });
  }
  curves.forEach((curve, i) => {
    const stroke = PALETTE[i % PALETTE.length]!;
    let [t, p] = [t0, 1];
    for (const s of curve.steps) {
      fig.lines.push({ x1: sx(t), y1: sy(p), x2: sx(s.time), y2: sy(p), stroke }, { x1: sx(s.time), y1: sy(p), x2: sx(s.time), y2: sy(s.survival), stroke });
      [t, p] = [s.time, s.survival];
    }
    if (grouped) {
      fig.lines.push({ x1: WIDTH - 100, y1: top + 10 + i * 20, x2: WIDTH - 80, y2: top + 10 + i * 20, stroke });
      fig.texts.push({ x: WIDTH - 74, y: top + 14 + i * 20, text: labelText(curve.group), anchor: 'start' });
    }
  });
  fig.lines.push({ x1: LEFT, y1: base, x2: WIDTH - RIGHT - 100, y2: base }, { x1: LEFT, y1: top, x2: LEFT, y2: base });
  fig.texts.push(
    { x: WIDTH / 2, y: top - 14, text: 'survival', anchor: 'middle' },
    { x: LEFT, y: base + 18, text: tickLabel(t0), anchor: 'start' },
    { x: WIDTH - RIGHT - 100, y: base + 18, text: tickLabel(t1), anchor: 'end' },
    { x: LEFT - 6, y: base, text: '0', anchor: 'end' },
    { x: LEFT - 6, y: top + 10, text: '1', anchor: 'end' },
  );
  return fig;
}

const plotOf = (fig: Figure): Plot => ({ svg: svgText(fig), pngBase64: pngBytes(fig).toString('base64') });

export const renderHistogram = (column: string, bins: readonly HistogramBin[], grouped: boolean): Plot => plotOf(histogramFigure(column, bins, grouped));
export const renderPie = (column: string, slices: ReadonlyArray<{ label: Label; count: number }>): Plot => plotOf(pieFigure(column, slices));
export const renderSurvival = (table: ReadonlyArray<{ time: number; survival: number; group?: Label }>, grouped: boolean): Plot =>
  plotOf(survivalFigure(table, grouped));
