// The V8 heap hasim runs with. A simulation allocates millions of short-lived objects (events, watch
// events, API answers) that live a few virtual seconds, far longer than a default young generation
// (16 MiB semi-spaces) holds them in wall time: they were promoted and collected by full mark-compacts.
// With 32 MiB semi-spaces the 5,000-node benchmark ran 22 % faster (54.4 -> 42.1 s) and peaked at
// 1,150 MiB instead of 1,513 (bench/README.md). V8 reads the size when it starts, so it is given on
// the command line: the `hasim` script's first line, `npm start`, the benchmark's child processes, and
// each sweep worker's resource limits.

/** The semi-space size in MiB (`--max-semi-space-size`). */
export const SEMI_SPACE_MIB = 32;

/** The flag for a node process. */
export const SEMI_SPACE_FLAG = `--max-semi-space-size=${SEMI_SPACE_MIB}`;

/**
 * A worker thread's young generation in MiB (its `resourceLimits.maxYoungGenerationSizeMb`): V8 counts
 * three semi-spaces in it (two for copying, one for large objects), so this gives the same semi-spaces.
 */
export const WORKER_YOUNG_GENERATION_MIB = 3 * SEMI_SPACE_MIB;
