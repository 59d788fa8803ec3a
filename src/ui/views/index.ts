/**
 * The presentational views the app renders: task views (decision boundaries, reconstructions, predictions),
 * "Inside FishLeg", the two-parameter natural-gradient demo, and the heat map they share. Props contracts
 * live in types.ts.
 */
export { DecisionBoundaries } from './decision-boundaries.tsx';
export { HeatMap, type HeatMapProps } from './heat-map.tsx';
export { InsideFishLeg } from './inside-optimizer.tsx';
export { NetworkDiagram } from './network-diagram.tsx';
export { Predictions } from './predictions.tsx';
export { controlLosses, qHelping } from './q-helping.ts';
export { Reconstructions } from './reconstructions.tsx';
export { TwoParamDemo } from './two-param-demo.tsx';
export type * from './types.ts';
export { RegressionMaps } from './regression-maps.tsx';
export { ImageNet } from './image-net.tsx';
export { ImageNetDiagram } from './image-net-diagram.tsx';
export { regressionRange } from './colour.ts';
