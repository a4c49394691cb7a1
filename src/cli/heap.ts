// The V8 heap hasim runs with. A simulation allocates millions of short-lived objects (events, watch
// events, API answers) that live a few virtual seconds, far longer than a default young generation
// (16 MiB semi-spaces) holds them in wall time: each scavenge copied ~20 MB of them, and most were
// promoted and collected by mark-compacts. In the 5,000-node benchmark (--trace-gc, bench/README.md)
// the collector took 6.3 s with 32 MiB semi-spaces, 3.6 s with 64 and 2.7 s with 128, for a peak of
// 1,100, 1,420 and 1,510 MiB resident. V8 reads the size when it starts, so it is given on the
// command line: the `hasim` script's first line, `npm start`, the benchmark's child processes, and
// each sweep worker process's (sweep-workers.ts). The young generation only grows that far when a run
// needs it.

/** The semi-space size in MiB (`--max-semi-space-size`). */
export const SEMI_SPACE_MIB = 128;

/** The flag for a node process. */
export const SEMI_SPACE_FLAG = `--max-semi-space-size=${SEMI_SPACE_MIB}`;
