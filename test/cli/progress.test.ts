// Progress of a long run (src/cli/progress.ts): on a terminal a line redrawn in place once the run is
// expected to take more than a few seconds; in a log a line every 10 s; nothing for a short run.
import { playRun, progressText } from '../../src/cli/progress.js';
import type { RunHandle } from '../../src/runner/run-scenario.js';

/** A run of `durationMs` whose every advance costs `wallPerStepMs` of a fake clock. */
function fakeRun(durationMs: number, clock: { ms: number }, wallPerVirtualMs: number): RunHandle {
  let now = 0;
  return {
    durationMs,
    get nowMs() {
      return now;
    },
    get events() {
      return now * 3;
    },
    advance(untilMs: number) {
      const to = Math.min(untilMs, durationMs);
      clock.ms += (to - now) * wallPerVirtualMs;
      now = to;
      return now >= durationMs;
    },
    finish: () => {
      throw new Error('not used');
    },
  };
}

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, s: { isTTY, write: (t: string) => writes.push(t) } as unknown as NodeJS.WriteStream };
}

it('describes virtual time, events and what is left', () => {
  expect(progressText({ nowMs: 750_000, durationMs: 3_600_000, events: 1_234_567 }, 8_400, 31_200)).toBe(
    '12m30s of 1h virtual time (20%), 1,234,567 events, 8s elapsed, about 31s to go',
  );
});

it('on a terminal, redraws one line for a long run and clears it at the end', async () => {
  const clock = { ms: 0 };
  const out = stream(true);
  await playRun(fakeRun(3_600_000, clock, 0.005), { stream: out.s, nowMs: () => clock.ms });
  expect(out.writes.length).toBeGreaterThan(10);
  expect(out.writes[0].startsWith('\r') && out.writes[0].endsWith('\u001b[K')).toBe(true);
  expect(out.writes[0]).toMatch(/ of 1h virtual time \(\d+%\), [\d,]+ events, \d+s elapsed, about \d+s to go/);
  expect(out.writes[out.writes.length - 1]).toBe('\r\u001b[K');
});

it('in a log, one line every 10 seconds', async () => {
  const clock = { ms: 0 };
  const out = stream(false);
  // 18 s of real time in all.
  await playRun(fakeRun(3_600_000, clock, 0.005), { stream: out.s, nowMs: () => clock.ms });
  expect(out.writes).toHaveLength(1);
  expect(out.writes[0]).toMatch(/^hasim: .* virtual time .*\n$/);
});

it('a short run shows nothing', async () => {
  const clock = { ms: 0 };
  const out = stream(true);
  await playRun(fakeRun(120_000, clock, 0.005), { stream: out.s, nowMs: () => clock.ms });
  expect(out.writes).toEqual([]);
});
