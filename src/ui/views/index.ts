/**
 * The presentational views the app renders: task views (decision boundaries, reconstructions, predictions),
 * "Inside FishLeg", the two-parameter natural-gradient demo, and the heat map they share. Props contracts
 * live in types.ts.
 */
export { DecisionBoundaries } from './DecisionBoundaries.tsx';
export { HeatMap, type HeatMapProps } from './HeatMap.tsx';
export { InsideFishLeg } from './InsideFishLeg.tsx';
export { NetworkDiagram } from './NetworkDiagram.tsx';
export { Predictions } from './Predictions.tsx';
export { Reconstructions } from './Reconstructions.tsx';
export { TwoParamDemo } from './TwoParamDemo.tsx';
export type * from './types.ts';
