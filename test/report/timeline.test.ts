// The timeline of a run with six faults, some overlapping: every mark names its fault, a workload's
// recovery is drawn once per drop, labels do not overlap, and API server and etcd members get lanes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { D3Node } from 'd3-node';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { chainLine, faultChains, faultMilestones, renderTimelineSvg } from '../../src/report/index.js';
import { readySeries } from '../../src/slo/ready-series.js';

const file = join(process.cwd(), 'test', 'fixtures', 'six-faults.yaml');
const parsed = parseScenarioText(readFileSync(file, 'utf8'), { file });
if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
const { summary, events } = runScenario(parsed.scenario, {});
const svg = renderTimelineSvg(summary, events);
const doc = new new D3Node().window.DOMParser().parseFromString(svg, 'image/svg+xml');
interface TextNode {
  textContent: string | null;
  nodeType: number;
  nodeValue: string | null;
}
const texts: {
  textContent: string | null;
  childNodes: ArrayLike<TextNode>;
  getAttribute(name: string): string | null;
}[] = [...doc.getElementsByTagName('text')];

describe('the timeline of six faults', () => {
  it('attributes each reaction to its fault and each recovery to the drop it ends, once', () => {
    const marks = faultMilestones(events);
    const faults = new Set(summary.faults.map((f) => f.name));
    for (const m of marks) expect(faults.has(m.fault)).toBe(true);
    const keys = marks.filter((m) => m.kind !== 'recovered').map((m) => `${m.fault}|${m.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    // One recovery mark per drop below desired after the rollout, whatever the number of faults.
    for (const s of readySeries(events).values()) {
      let drops = 0;
      let below = false;
      for (const p of s.points) {
        if (s.firstFullMs === null || p.atMs < s.firstFullMs) continue;
        if (p.ready < p.desired) below = true;
        else if (below) {
          drops++;
          below = false;
        }
      }
      expect(marks.filter((m) => m.kind === 'recovered' && m.label.startsWith(`${s.workload} `))).toHaveLength(drops);
    }
    expect(marks.map((m) => m.label)).toContain('crash-a0: detected');
    expect(marks.map((m) => m.label)).toContain('Deployment/web recovered (zone-c-power)');
  });

  it('draws mark and fault labels that do not overlap', () => {
    const CHAR_W = 6.2;
    const boxes = texts
      .map((t) => ({
        // The label itself, without its hover title.
        textContent: [...Array.from(t.childNodes)]
          .filter((n) => n.nodeType === 3)
          .map((n) => n.nodeValue)
          .join(''),
        getAttribute: (name: string) => t.getAttribute(name),
      }))
      .filter((t) => {
        const s = t.textContent ?? '';
        return s.startsWith('⚡ ') || /^[\w-]+: /.test(s) || s.includes(' recovered (');
      })
      .map((t) => {
        const x = Number(t.getAttribute('x'));
        const y = Number(t.getAttribute('y'));
        return { x, y, w: (t.textContent ?? '').length * CHAR_W, s: t.textContent };
      });
    expect(boxes.length).toBeGreaterThan(10);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (Math.abs(a.y - b.y) >= 12) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w;
        if (overlap) throw new Error(`labels overlap: "${a.s}" and "${b.s}"`);
      }
  });

  it('has lanes for the API servers and etcd members that stopped, and counts tainted nodes per zone', () => {
    const s = texts.map((t) => t.textContent);
    expect(s).toContain('API servers and etcd members that stopped during the run (dark: stopped)');
    expect(s).toEqual(
      expect.arrayContaining([
        'kube-apiserver-control-plane-0',
        'kube-apiserver-control-plane-1',
        'kube-apiserver-control-plane-2',
        'etcd-control-plane-2',
      ]),
    );
    // zone-c's power-off at 12:00 also takes control-plane-2, where the controller-manager leader's
    // connection goes: it loses its lease and the new leader's node lifecycle controller starts afresh.
    expect(s).toContain('up to 4 tainted NoExecute at once (13:30.9)');
    expect(svg).toContain('<title>kube-apiserver-control-plane-2 stopped 12:00.0–22:00.0 (10m)</title>');
  });
});

describe('the chains of six faults', () => {
  it('name the components of a control-plane fault and time each step from its start', () => {
    const lines = faultChains(events).map(chainLine);
    expect(lines).toContain(
      'kcm-leader-crash (controller-manager-crash): hit 04:00.0 → leader lost +0ms (kube-controller-manager) → new leader +17.2s (kube-controller-manager) → ended +1m',
    );
    expect(lines).toContain(
      'apiserver-blip (apiserver-outage): hit 14:00.0 → leader lost +10.2s (cloud-controller-manager, kube-controller-manager, kube-scheduler, last +11.7s) → ended +30s → new leader +33.9s (kube-controller-manager, cloud-controller-manager, kube-scheduler, last +51s)',
    );
    expect(lines[0]).toBe(
      'crash-a0 (node-crash): hit 02:00.0 (1 node) → detected +33.2s (1/1 node) → tainted +38.2s (1/1 node) → evicted +7m18.3s (2/2 pods) → replaced +7m18.4s (2/2 pods) → scheduled +7m18.4s (2/2 pods) → Ready +7m20.4s (2/2 pods, last +7m24.7s) → ended +8m',
    );
  });
});
