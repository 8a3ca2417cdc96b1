/**
 * A small SVG line chart for numbers compared over time. Series differ by colour AND by dash
 * pattern and marker shape, so colour is never the only cue; the numbers are also available as
 * a table for screen readers and keyboard users (a `<details>` below the chart).
 */
import { useI18n } from '../i18n/index.tsx';

export interface Series {
  name: string;
  points: { at: string; value: number }[];
}

const COLOURS = ['#1f5fa8', '#b4461a', '#2b7a3d', '#7a3b99', '#8a6d00', '#0f7c83', '#a8325e', '#4a4a4a'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '4 4', '1 2', '10 4', '3 6'];

function Marker({ i, x, y, colour }: { i: number; x: number; y: number; colour: string }) {
  const s = 3.5;
  switch (i % 4) {
    case 0:
      return <circle cx={x} cy={y} r={s} fill={colour} />;
    case 1:
      return <rect x={x - s} y={y - s} width={2 * s} height={2 * s} fill={colour} />;
    case 2:
      return <path d={`M${x},${y - s - 1} L${x + s + 1},${y + s} L${x - s - 1},${y + s} Z`} fill={colour} />;
    default:
      return <path d={`M${x},${y - s - 1} L${x + s + 1},${y} L${x},${y + s + 1} L${x - s - 1},${y} Z`} fill={colour} />;
  }
}

export function LineChart({ title, series, width = 720, height = 260 }: { title: string; series: Series[]; width?: number; height?: number }) {
  const { t, date, num } = useI18n();
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.at)))].sort();
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.value)));
  const pad = { l: 48, r: 12, t: 12, b: 40 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const x = (at: string) => pad.l + (times.length <= 1 ? w / 2 : (times.indexOf(at) / (times.length - 1)) * w);
  const y = (v: number) => pad.t + h - (v / max) * h;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * max));
  const labelEvery = Math.max(1, Math.ceil(times.length / 8));
  if (!times.length) return <p className="muted">{t('chart.noData')}</p>;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={t('chart.summary', { title, series: series.length, points: times.length })}
        preserveAspectRatio="xMinYMin meet"
      >
        {[...new Set(ticks)].map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={width - pad.r} y1={y(v)} y2={y(v)} stroke="#d5d9de" />
            <text x={pad.l - 6} y={y(v) + 4} textAnchor="end" fontSize="11" fill="#333">
              {num(v)}
            </text>
          </g>
        ))}
        {times.map(
          (at, i) =>
            i % labelEvery === 0 && (
              <text key={at} x={x(at)} y={height - pad.b + 16} textAnchor="middle" fontSize="11" fill="#333">
                {date(at)}
              </text>
            ),
        )}
        {series.map((s, i) => {
          const colour = COLOURS[i % COLOURS.length]!;
          const pts = [...s.points].sort((a, b) => a.at.localeCompare(b.at));
          return (
            <g key={s.name}>
              <polyline
                fill="none"
                stroke={colour}
                strokeWidth="2"
                strokeDasharray={DASHES[i % DASHES.length]}
                points={pts.map((p) => `${x(p.at)},${y(p.value)}`).join(' ')}
              />
              {pts.map((p) => (
                <Marker key={p.at} i={i} x={x(p.at)} y={y(p.value)} colour={colour} />
              ))}
            </g>
          );
        })}
      </svg>
      <ul className="legend" aria-label={t('chart.legend')}>
        {series.map((s, i) => (
          <li key={s.name}>
            <svg width="34" height="12" aria-hidden="true">
              <line x1="1" x2="33" y1="6" y2="6" stroke={COLOURS[i % COLOURS.length]} strokeWidth="2" strokeDasharray={DASHES[i % DASHES.length]} />
              <Marker i={i} x={17} y={6} colour={COLOURS[i % COLOURS.length]!} />
            </svg>
            <span>{s.name}</span>
          </li>
        ))}
      </ul>
      <details>
        <summary>{t('chart.asTable')}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('chart.time')}</th>
              {series.map((s) => (
                <th key={s.name} scope="col">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((at) => (
              <tr key={at}>
                <th scope="row">{date(at, true)}</th>
                {series.map((s) => (
                  <td key={s.name}>{num(s.points.find((p) => p.at === at)?.value ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
