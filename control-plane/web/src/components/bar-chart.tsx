/**
 * A small SVG bar chart: categories along the bottom, one bar per series in each, series told
 * apart by fill pattern as well as colour. A withheld value (null: the small-count rule) has no
 * bar, only its label (e.g. "<10"), so no height hints at it. The numbers are always given in a
 * table beside the chart by the page; the chart itself is one image with a summary for screen readers.
 */
import { useId } from 'react';
import { useI18n } from '../i18n/index.tsx';

export interface BarSeries {
  name: string;
  /** One value per category; null where withheld. */
  values: (number | null)[];
}

const COLOURS = ['#1f5fa8', '#b4461a', '#2b7a3d'];

export function BarChart(props: { title: string; categories: string[]; series: BarSeries[]; withheld: string; unit?: string; testId?: string }) {
  const { title, categories, series, withheld, unit, testId } = props;
  const { t, num } = useI18n();
  const id = useId().replace(/:/g, '');
  if (!categories.length) return <p className="muted">{t('chart.noData')}</p>;
  const width = 640;
  const height = 240;
  const pad = { l: 44, r: 8, t: 16, b: 44 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const band = w / categories.length;
  const bar = Math.min(48, (band * 0.8) / series.length);
  const y = (v: number) => pad.t + h - (v / max) * h;
  const ticks = [...new Set([0, 0.5, 1].map((f) => Math.round(f * max * 10) / 10))];
  const labelEvery = Math.max(1, Math.ceil(categories.length / 10));
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={t('metrics.chartSummary', { title, categories: categories.length, series: series.map((s) => s.name).join(', ') })}
        preserveAspectRatio="xMinYMin meet"
      >
        <defs>
          <pattern id={`${id}-hatch`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill="#fff" />
            <line x1="0" y1="0" x2="0" y2="6" stroke={COLOURS[1]} strokeWidth="3" />
          </pattern>
        </defs>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={width - pad.r} y1={y(v)} y2={y(v)} stroke="#d5d9de" />
            <text x={pad.l - 6} y={y(v) + 4} textAnchor="end" fontSize="11" fill="#333">
              {num(v)}
            </text>
          </g>
        ))}
        {categories.map((c, i) => {
          const x0 = pad.l + i * band + (band - bar * series.length) / 2;
          return (
            <g key={c}>
              {series.map((s, j) => {
                const v = s.values[i] ?? null;
                const x = x0 + j * bar;
                if (v === null)
                  return (
                    <text key={s.name} x={x + bar / 2} y={pad.t + h - 4} textAnchor="middle" fontSize="10" fill="#333">
                      {withheld}
                    </text>
                  );
                return (
                  <g key={s.name}>
                    <rect
                      x={x + 1}
                      y={y(v)}
                      width={Math.max(1, bar - 2)}
                      height={pad.t + h - y(v)}
                      fill={j === 1 ? `url(#${id}-hatch)` : COLOURS[j % COLOURS.length]}
                      stroke={COLOURS[j % COLOURS.length]}
                    />
                    <text x={x + bar / 2} y={y(v) - 3} textAnchor="middle" fontSize="10" fill="#333">
                      {num(v)}
                    </text>
                  </g>
                );
              })}
              {i % labelEvery === 0 && (
                <text x={pad.l + i * band + band / 2} y={height - pad.b + 16} textAnchor="middle" fontSize="11" fill="#333">
                  {c}
                </text>
              )}
            </g>
          );
        })}
        {unit && (
          <text x={4} y={10} fontSize="10" fill="#333">
            {unit}
          </text>
        )}
      </svg>
      {series.length > 1 && (
        <ul className="legend" aria-label={t('chart.legend')}>
          {series.map((s, j) => (
            <li key={s.name}>
              <svg width="18" height="12" aria-hidden="true">
                <rect
                  x="1"
                  y="1"
                  width="16"
                  height="10"
                  fill={j === 1 ? `url(#${id}-hatch)` : COLOURS[j % COLOURS.length]}
                  stroke={COLOURS[j % COLOURS.length]}
                />
              </svg>
              <span>{s.name}</span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
