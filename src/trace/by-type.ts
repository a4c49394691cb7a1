// The events of a trace by type, for the readers that want a few rare types out of a large trace. A
// 5,000-node run records about 835,000 events, of which all but a few thousand are pod events; the
// timeline's node, leader, member, Service, volume and PDB lanes each used to walk all of them. The index
// is built in one pass the first time a trace is asked for, kept while that array lives (a WeakMap keyed
// by the array), and built again if the array has grown since (a live run's trace). Readers get the same
// events in the same order as a filter over the whole trace would give them.
import type { TraceEvent, TraceEventOf, TraceEventType } from './events.js';

interface TypeIndex {
  /** The trace's length when the index was built. */
  length: number;
  /** Each type's events and their positions in the trace, in trace order. */
  byType: Map<string, { events: TraceEvent[]; at: number[] }>;
  /** Merged lists already asked for, by their sorted types joined. */
  merged: Map<string, readonly TraceEvent[]>;
}

const indexes = new WeakMap<readonly TraceEvent[], TypeIndex>();
const NONE: readonly TraceEvent[] = [];

function indexOf(events: readonly TraceEvent[]): TypeIndex {
  let ix = indexes.get(events);
  if (ix !== undefined && ix.length === events.length) return ix;
  const byType = new Map<string, { events: TraceEvent[]; at: number[] }>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    let list = byType.get(e.type);
    if (list === undefined) byType.set(e.type, (list = { events: [], at: [] }));
    list.events.push(e);
    list.at.push(i);
  }
  ix = { length: events.length, byType, merged: new Map() };
  indexes.set(events, ix);
  return ix;
}

/**
 * The trace's events of the given types, in trace order (what `events.filter((e) => types.includes(e.type))`
 * gives). The result is shared between callers: do not change it.
 */
export function eventsOfTypes<K extends TraceEventType>(
  events: readonly TraceEvent[],
  ...types: K[]
): readonly TraceEventOf<K>[] {
  const ix = indexOf(events);
  if (types.length === 1) return (ix.byType.get(types[0])?.events ?? NONE) as readonly TraceEventOf<K>[];
  const key = [...new Set(types)].sort().join(' ');
  let out = ix.merged.get(key);
  if (out === undefined) {
    const lists = [...new Set(types)].map((t) => ix.byType.get(t)).filter((l) => l !== undefined);
    const at: number[] = [];
    for (const l of lists) for (const i of l.at) at.push(i);
    at.sort((a, b) => a - b);
    out = at.map((i) => events[i]);
    ix.merged.set(key, out);
  }
  return out as readonly TraceEventOf<K>[];
}
