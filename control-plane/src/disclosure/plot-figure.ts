/** The geometry of a rendered figure (`plot-render.ts` lays it out; `plot-svg.ts` and `plot-png.ts` write it). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
}
export interface Wedge {
  cx: number;
  cy: number;
  r: number;
  /** Angles in radians, clockwise from twelve o'clock. */
  start: number;
  end: number;
  fill: string;
}
export interface Line {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Black when not given (axes). */
  stroke?: string;
}
export interface Text {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
}
export interface Figure {
  width: number;
  height: number;
  rects: Rect[];
  wedges: Wedge[];
  lines: Line[];
  texts: Text[];
}

/** matplotlib's default colour cycle (tab10). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
