/**
 * Train and test loss against the step count, drawn with recharts. Animation is off: points arrive several
 * times a second and tweening every update would cost more than training the toy models.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricPoint } from '../worker/protocol.ts';

export interface LossChartProps {
  readonly points: readonly MetricPoint[];
  /** Log-scaled loss axis; ignored when a loss is not positive (a log axis cannot show it). */
  readonly logScale: boolean;
}

const TRAIN_COLOR = '#2563eb';
const TEST_COLOR = '#ea580c';

const formatLoss = (v: unknown): string => (typeof v === 'number' ? v.toPrecision(3) : String(v));

/** The live loss curves. */
export function LossChart({ points, logScale }: LossChartProps) {
  const canLog = points.every((p) => p.trainLoss > 0 && !(p.testLoss <= 0));
  const log = logScale && canLog;
  return (
    <div className="chart" data-testid="loss-chart" data-points={points.length}>
      {points.length === 0 ? (
        <div className="chart-empty">Waiting for the first evaluation…</div>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
            <XAxis
              dataKey="step"
              type="number"
              domain={[0, 'dataMax']}
              allowDecimals={false}
              tick={{ fontSize: 12 }}
              label={{ value: 'step', position: 'insideBottomRight', offset: -4, fontSize: 12 }}
            />
            <YAxis
              scale={log ? 'log' : 'linear'}
              domain={['auto', 'auto']}
              allowDataOverflow
              tickFormatter={formatLoss}
              tick={{ fontSize: 12 }}
              width={56}
            />
            <Tooltip
              formatter={formatLoss}
              labelFormatter={(s: unknown) => `step ${typeof s === 'number' ? s : '?'}`}
            />
            <Legend verticalAlign="top" height={28} itemSorter={null} />
            <Line
              name="train loss"
              dataKey="trainLoss"
              stroke={TRAIN_COLOR}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
            <Line
              name="test loss"
              dataKey="testLoss"
              stroke={TEST_COLOR}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
