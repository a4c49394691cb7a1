// Loss on a degraded link is of TCP segments (docs/fidelity.md#network): a lost segment is sent again
// after 200 ms, then 400 ms, 800 ms, ..., so loss delays a message by a sum of doubling timeouts and a
// message is given up only after tcp_retries2 (15) retransmissions.
import { RandomStreams } from '../../../src/engine/index.js';
import { Host } from '../../../src/model/infra/host.js';
import { Network, TCP_MIN_RTO_MS, TCP_RETRIES } from '../../../src/model/infra/network.js';

function link(loss: number, seed = 7) {
  const sim = { nowMs: 0 };
  const a = new Host(sim, 'worker-a-0', 'zone-a', 'node');
  const b = new Host(sim, 'control-plane-0', 'zone-a', 'control-plane');
  const net = new Network(new RandomStreams(seed), { minMs: 1, maxMs: 1 });
  net.degrade('lossy', [a.name], loss);
  return { net, a, b };
}

describe('Network.transit on a lossy link', () => {
  it('delays a message by the retransmission timeouts of its lost segment: 200, 200+400, 200+400+800 ms, ...', () => {
    const { net, a, b } = link(0.5);
    const seen = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      const t = net.transit(a, b)!;
      seen.set(t, (seen.get(t) ?? 0) + 1);
    }
    // Latency 1 ms plus 200 * (2^k - 1) ms for k losses in a row.
    for (const t of seen.keys()) expect(Number.isInteger(Math.log2((t - 1) / TCP_MIN_RTO_MS + 1))).toBe(true);
    // Geometric: half arrive at once, a quarter after 200 ms, an eighth after 600 ms.
    expect(seen.get(1)! / 20_000).toBeCloseTo(0.5, 1);
    expect(seen.get(201)! / 20_000).toBeCloseTo(0.25, 1);
    expect(seen.get(601)! / 20_000).toBeCloseTo(0.125, 1);
  });

  it('gives a message up only after tcp_retries2 retransmissions', () => {
    const { net, a, b } = link(1);
    expect(TCP_RETRIES).toBe(15);
    expect(net.transit(a, b)).toBeUndefined();
  });

  it('at 5% loss practically never delays a message past a 10 s client timeout', () => {
    const { net, a, b } = link(0.05);
    let late = 0;
    let delayed = 0;
    for (let i = 0; i < 100_000; i++) {
      const t = net.transit(a, b)!;
      if (t > 1) delayed++;
      if (t > 10_000) late++;
    }
    expect(delayed / 100_000).toBeCloseTo(0.05, 2);
    expect(late).toBe(0);
  });

  it('leaves a message on an undegraded link alone', () => {
    const { net, b } = link(0.9);
    const c = new Host({ nowMs: 0 }, 'worker-b-0', 'zone-b', 'node');
    for (let i = 0; i < 100; i++) expect(net.transit(c, b)).toBe(1);
  });
});
