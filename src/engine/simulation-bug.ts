// A bug in hasim itself (not a simulated failure, not bad input): it stops the run and the CLI exits 3
// with the virtual time, the event being dispatched and the seed, so the run can be replayed.
export class SimulationBug extends Error {
  constructor(
    readonly detail: string,
    readonly atMs: number,
    readonly eventLabel: string,
    readonly seed: number | string,
  ) {
    super(`simulator bug at ${atMs} ms (event "${eventLabel || '?'}", seed ${seed}): ${detail}`);
    this.name = 'SimulationBug';
  }
}
