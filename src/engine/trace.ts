// The trace recorder: every observable thing the simulation does, in the order it happened, as one
// object per event. SLOs and reports read only the trace, so they work as well on a run loaded from disk.
import type { Simulator } from './simulator.js';

export interface TraceRecord {
  atMs: number;
  type: string;
}

export class TraceRecorder<E extends TraceRecord = TraceRecord> {
  readonly events: E[] = [];
  /** Types that are counted but not stored (e.g. lease renewals unless --trace-heartbeats). */
  private readonly muted: Set<string>;
  mutedCount = 0;

  constructor(
    private readonly sim: Pick<Simulator, 'nowMs'>,
    opts: { mute?: Iterable<string> } = {},
  ) {
    this.muted = new Set(opts.mute ?? []);
  }

  /** Records an event at the current virtual time. Field order: atMs, type, then the fields given. */
  emit<T extends E['type']>(type: T, fields: Omit<Extract<E, { type: T }>, 'atMs' | 'type'>): void {
    if (this.muted.size > 0 && this.muted.has(type)) {
      this.mutedCount++;
      return;
    }
    this.events.push({ atMs: this.sim.nowMs, type, ...fields } as unknown as E);
  }

  /** JSON Lines, one event a line, with a trailing newline. */
  toJsonl(): string {
    return toJsonl(this.events);
  }
}

export function toJsonl(events: readonly TraceRecord[]): string {
  let out = '';
  for (const e of events) out += JSON.stringify(e) + '\n';
  return out;
}
