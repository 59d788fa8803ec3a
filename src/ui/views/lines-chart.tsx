/**
 * A small line chart of one or more histories over steps (recharts), for the Inside-FishLeg measures. Series
 * whose value is null at a step skip it; "no data yet" until some series has a finite point.
 */
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatValue } from './numbers.ts';
import './views.css';

const fmt = (v: unknown): string => (typeof v === 'number' ? formatValue(v) : String(v));

/** One line: which field of the points it draws, its legend name and colour. */
export interface LineSeries<T> {
  key: keyof T & string;
  name: string;
  colour: string;
  dashed?: boolean;
}

/** Props of `LinesChart`. */
export interface LinesChartProps<T extends { step: number }> {
  title: string;
  data: T[];
  series: LineSeries<T>[];
  log?: boolean;
  /** Fixed y range, e.g. [0, 1] for cosines; default 'auto'. */
  domain?: [number | 'auto', number | 'auto'];
}

export function LinesChart<T extends { step: number }>({
  title,
  data,
  series,
  log = false,
  domain = ['auto', 'auto'],
}: LinesChartProps<T>) {
  const finite = (p: T, k: keyof T) => {
    const v = p[k];
    return typeof v === 'number' && Number.isFinite(v);
  };
  const has = data.some((p) => series.some((s) => finite(p, s.key)));
  return (
    <figure className="views-small-chart">
      <figcaption className="views-title">{title}</figcaption>
      {!has ? (
        <div className="views-empty">no data yet</div>
      ) : (
        <>
          <div className="views-small-chart-body" aria-label={`${title}: ${data.length} points`} role="img">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data} margin={{ top: 6, right: 24, bottom: 4, left: 4 }}>
                <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
                <XAxis
                  dataKey="step"
                  type="number"
                  domain={['dataMin', 'dataMax']}
                  allowDecimals={false}
                  tick={{ fontSize: 11 }}
                />
                <YAxis
                  scale={log ? 'log' : 'linear'}
                  domain={domain}
                  allowDataOverflow
                  tickFormatter={fmt}
                  tick={{ fontSize: 11 }}
                  width={52}
                />
                <Tooltip formatter={fmt} labelFormatter={(s: unknown) => `step ${fmt(s)}`} />
                {series.map((s) => (
                  <Line
                    key={s.key}
                    dataKey={s.key}
                    name={s.name}
                    stroke={s.colour}
                    strokeWidth={2}
                    strokeDasharray={s.dashed ? '5 4' : undefined}
                    dot={false}
                    connectNulls
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
          {series.length > 1 && (
            <div className="views-lines-legend">
              {series.map((s) => (
                <span key={s.key}>
                  <span
                    className={s.dashed ? 'views-line-key views-line-key-dashed' : 'views-line-key'}
                    style={{ borderColor: s.colour }}
                  />
                  {s.name}
                </span>
              ))}
            </div>
          )}
        </>
      )}
    </figure>
  );
}
