export { Simulator, Priority } from './simulator.js';
export type { EventHandle, Guard } from './simulator.js';
export { SimulationBug } from './simulation-bug.js';
export { startLoop } from './loop.js';
export type { Loop, LoopOptions } from './loop.js';
export { RandomStreams, makeRng } from './random.js';
export type { Rng } from './random.js';
export { TraceRecorder, toJsonl } from './trace.js';
export type { TraceRecord } from './trace.js';
