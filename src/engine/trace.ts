// The trace recorder: every observable thing the simulation does, in the order it happened, as one
// object per event. SLOs and reports read only the trace, so they work as well on a run loaded from disk.
// The recorder is generic: it is given a map from event type to fields and knows no event by name.
import type { Simulator } from './simulator.js';

export interface TraceRecord {
  atMs: number;
  type: string;
}

export class TraceRecorder<F extends object> {
  readonly events: Array<TraceRecord & Record<string, unknown>> = [];
  /** Types that are counted but not stored (e.g. heartbeats nobody asked to see). */
  private readonly muted: Set<string>;
  mutedCount = 0;
  private readonly observers: Array<(e: TraceRecord) => void> = [];

  constructor(
    private readonly sim: Pick<Simulator, 'nowMs'>,
    opts: { mute?: Iterable<string> } = {},
  ) {
    this.muted = new Set(opts.mute ?? []);
  }

  /** Called with every stored event as it is recorded (safety invariants). */
  observe(fn: (e: TraceRecord) => void): void {
    this.observers.push(fn);
  }

  /**
   * Counts an event of a muted type and returns true; false (nothing counted) when the type is stored.
   * Lets a hot caller skip building the fields of an event nobody keeps.
   */
  countIfMuted(type: keyof F & string): boolean {
    if (this.muted.size === 0 || !this.muted.has(type)) return false;
    this.mutedCount++;
    return true;
  }

  /** Records an event at the current virtual time. Field order: atMs, type, then the fields given. */
  emit<T extends keyof F & string>(type: T, fields: F[T]): void {
    if (this.muted.size > 0 && this.muted.has(type)) {
      this.mutedCount++;
      return;
    }
    const e = { atMs: this.sim.nowMs, type, ...fields } as TraceRecord & Record<string, unknown>;
    this.events.push(e);
    for (const o of this.observers) o(e);
  }

  /** JSON Lines, one event a line, with a trailing newline. */
  toJsonl(): string {
    return toJsonl(this.events);
  }
}

export function toJsonl(events: readonly TraceRecord[]): string {
  return [...jsonlChunks(events)].join('');
}

/**
 * The same text as toJsonl, in pieces of `lines` lines each, made as they are asked for: a writer that
 * writes each piece and drops it never holds the whole text (85 MB for a trace of 835,000 events).
 */
export function* jsonlChunks(events: readonly TraceRecord[], lines = 4096): Generator<string> {
  for (let from = 0; from < events.length; from += lines) {
    const to = Math.min(from + lines, events.length);
    const part = new Array<string>(to - from + 1);
    for (let i = from; i < to; i++) part[i - from] = JSON.stringify(events[i]);
    part[to - from] = '';
    yield part.join('\n');
  }
}
