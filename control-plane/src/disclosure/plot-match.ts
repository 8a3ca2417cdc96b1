/**
 * Is an exported chart (a histogram, a pie chart, survival curves) the figure the airlock rendered from the checked counts? Only byte for
 * byte: the PNG or the SVG of the report's plot (`plot-render.ts` writes the same bytes for the
 * same counts, so recomputing at staging gives the figure the room got). Any other image (one the
 * room drew itself, from whatever counts) does not match and goes to a reviewer; a report without
 * a plot (it did not pass) matches nothing. Files that are not images: nothing to say (`null`).
 */
import type { Plot } from './histogram-report.ts';

export interface PlotMatch {
  matches: boolean;
  compared: number;
  mismatched: string[];
}

export function matchPlot(bytes: Buffer, contentKind: string, plot: Plot | undefined): PlotMatch | null {
  if (contentKind !== 'image') return null;
  const same = plot !== undefined && (bytes.equals(Buffer.from(plot.pngBase64, 'base64')) || bytes.equals(Buffer.from(plot.svg, 'utf8')));
  return { matches: same, compared: 1, mismatched: same ? [] : ['plot'] };
}
