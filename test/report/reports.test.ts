import { D3Node } from 'd3-node';
import { outageFixture } from './fixtures.js';
import { formatClock, formatDuration } from '../../src/report/format.js';
import {
  milestones,
  renderHtmlReport,
  renderJunit,
  renderMarkdownReport,
  renderReports,
  renderTextSummary,
  renderTimelineSvg,
} from '../../src/report/index.js';

/** Parses XML with jsdom (through d3-node) and fails on any parser error. */
function parseXml(text: string, type = 'application/xml') {
  const doc = new new D3Node().window.DOMParser().parseFromString(text, type);
  expect(doc.getElementsByTagName('parsererror').length).toBe(0);
  return doc;
}

describe('format', () => {
  it('formats durations the way an SRE writes them', () => {
    expect([350, 45000, 12400, 372400, 420000, 3720000, 0].map(formatDuration)).toEqual([
      '350ms',
      '45s',
      '12.4s',
      '6m12.4s',
      '7m',
      '1h2m',
      '0ms',
    ]);
  });
  it('formats clock times as mm:ss.t, h:mm:ss.t past an hour', () => {
    expect(formatClock(163000)).toBe('02:43.0');
    expect(formatClock(3763450)).toBe('1:02:43.4');
  });
});

describe('reports', () => {
  const small = outageFixture({ nodesPerZone: 1, replicas: 3, description: 'Zone A <script>alert(1)</script> & more' });

  it('JUnit has one testcase per SLO, a failure for each failed one, and parses as XML', () => {
    const doc = parseXml(renderJunit(small.summary));
    const suites = doc.getElementsByTagName('testsuite');
    expect(suites.length).toBe(1);
    expect(suites[0].getAttribute('name')).toBe('hasim: zone-a-outage');
    const cases = [...doc.getElementsByTagName('testcase')];
    expect(cases.map((c) => c.getAttribute('name'))).toEqual(small.summary.slos.map((s) => s.name));
    expect(cases.every((c) => c.getAttribute('classname') === 'zone-a-outage')).toBe(true);
    const failed = cases.filter((c) => c.getElementsByTagName('failure').length > 0).map((c) => c.getAttribute('name'));
    expect(failed).toEqual(small.summary.slos.filter((s) => !s.passed).map((s) => s.name));
    expect(suites[0].getAttribute('failures')).toBe(String(failed.length));
  });

  it('JUnit escapes names', () => {
    const summary = { ...small.summary, slos: [{ ...small.summary.slos[1], name: 'a <b> & "c"' }] };
    const doc = parseXml(renderJunit(summary));
    expect(doc.getElementsByTagName('testcase')[0].getAttribute('name')).toBe('a <b> & "c"');
  });

  it('HTML escapes every scenario string', () => {
    const html = renderHtmlReport(small.summary, small.events);
    // One script, the report's own; the scenario's is text.
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('Zone A &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<link|src="http/);
  });

  it('HTML shows a verdict banner, the SLO table and milestone lines', () => {
    const html = renderHtmlReport(small.summary, small.events);
    expect(html).toContain('class="banner fail"');
    for (const s of small.summary.slos) expect(html).toContain(s.name);
    expect(html).toContain('05:40.0</span> <span class="node">worker-a-0 Ready → Unknown (node-lifecycle-controller)');
  });

  it('SVG is well-formed XML with one lane per node, grouped by zone', () => {
    const svg = renderTimelineSvg(small.summary, small.events);
    const doc = parseXml(svg, 'image/svg+xml');
    const texts = [...doc.getElementsByTagName('text')].map((t) => t.textContent);
    expect(texts).toEqual(
      expect.arrayContaining([
        'worker-a-0',
        'worker-b-0',
        'worker-c-0',
        'zone-a · 1 node',
        'Deployment/web',
        'kube-controller-manager',
        'kube-scheduler',
      ]),
    );
    const marks = texts.filter((t) => t?.startsWith('zone-a-power: ') || t?.includes(' recovered ('));
    expect(marks.join(' | ')).toMatch(/detected/);
    for (const kind of ['tainted', 'evicted', 'rescheduled']) expect(marks.join(' | ')).toContain(kind);
    expect(marks).toContain('Deployment/web recovered (zone-a-power)');
  });

  it('SVG collapses more than 40 nodes into one row per zone', () => {
    const large = outageFixture({ nodesPerZone: 100, replicas: 30 });
    const doc = parseXml(renderTimelineSvg(large.summary, large.events), 'image/svg+xml');
    const texts = [...doc.getElementsByTagName('text')].map((t) => t.textContent);
    expect(texts).toEqual(
      expect.arrayContaining(['zone-a · 100 nodes', 'zone-b · 100 nodes', 'max 100 not Ready', 'max 0 not Ready']),
    );
    expect(texts).not.toContain('worker-a-17');
  });

  it('Markdown has the verdict, an SLO table and capped milestones', () => {
    const large = outageFixture({ nodesPerZone: 100, replicas: 30 });
    const md = renderMarkdownReport(large.summary, large.events);
    expect(md).toMatch(/^## ❌ hasim: zone-a-outage — 1 of 6 SLOs failed/);
    expect(md).toContain('| | SLO | type | measured | bound | what happened |');
    expect(md).toContain('| ❌ | zone-a detected fast | `detection-time` | 41.8s | ≤ 30s |');
    const lines = md.split('```')[1].trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(41);
  });

  it('milestones fold bursts into one line', () => {
    const large = outageFixture({ nodesPerZone: 100, replicas: 30 });
    const lines = milestones(large.events).map((m) => m.text);
    expect(lines).toContain(
      '100 nodes Ready → Unknown (node-lifecycle-controller): worker-a-0, worker-a-10, worker-a-20, …',
    );
    expect(lines.filter((l) => l.includes('deleted (taint-eviction)'))).toEqual([
      '15 pods on 15 nodes deleted (taint-eviction): web-0, web-1, web-2, …',
    ]);
  });

  it('text summary: colourless when asked, explains failures, tells how to reproduce', () => {
    const text = renderTextSummary(small.summary, {
      color: false,
      reportDir: 'reports/zone-a-outage',
      events: small.events,
    });
    expect(text).not.toContain('\u001b[');
    expect(text.split('\n')[0]).toBe('hasim zone-a-outage  seed 42  k8s 1.31  30m simulated  42 events  412ms wall');
    expect(text).toContain('✘ FAIL  zone-a detected fast');
    expect(text).toContain('✔ PASS  web back to full strength');
    expect(text).toContain('broken at 05:30.0 by fault.started at 05:00.0');
    expect(text).toContain('Report: reports/zone-a-outage/report.html');
    expect(text).toContain('Reproduce: hasim run scenarios/zone-a-outage.yaml --seed 42');
    expect(renderTextSummary(small.summary, { color: true })).toContain('\u001b[31m');
  });

  it('renderReports returns every report file', () => {
    expect(Object.keys(renderReports(small.summary, small.events)).sort()).toEqual([
      'junit.xml',
      'report.html',
      'report.md',
      'timeline.svg',
    ]);
  });
});

describe('SLO metadata in reports', () => {
  const W2 = 'Deployment/web';
  const fx = outageFixture({
    nodesPerZone: 1,
    replicas: 3,
    slos: [
      { name: 'web half', type: 'min-available', workload: W2, min: { value: 50, percent: true } },
      { name: 'web back', type: 'recovery-time', workload: W2, after: 'zone-a-power', maxMs: 7 * 60_000 },
    ],
  });

  it('a percentage min-available shows "%" in the tables and on the timeline', () => {
    expect(fx.summary.slos[0]).toMatchObject({ workload: W2, unit: 'percent' });
    expect(renderMarkdownReport(fx.summary, fx.events)).toMatch(
      /\| web half \| `min-available` \| [\d.]+% \| ≥ 50% \|/,
    );
    expect(renderTimelineSvg(fx.summary, fx.events)).toContain('web half: min 50%');
  });

  it('places SLOs by their workload and fault fields, not by what their message says', () => {
    const misleading = {
      ...fx.summary,
      slos: fx.summary.slos.map((s) => ({ ...s, message: 'nothing to see here' })),
    };
    const svg = renderTimelineSvg(misleading, fx.events);
    expect(svg).toContain('web half: min 50%');
    expect(svg).toContain('web back: bound 7m');
  });

  it('falls back to the message for summaries saved without the metadata', () => {
    const old = {
      ...fx.summary,
      slos: fx.summary.slos.map(({ workload: _w, after: _a, component: _c, unit: _u, ...rest }) => rest),
    };
    const svg = renderTimelineSvg(old, fx.events);
    expect(svg).toContain('web half: min 50%');
    expect(svg).toContain('web back: bound 7m');
    expect(renderMarkdownReport(old, fx.events)).toContain('≥ 50%');
  });
});

describe('milestones of a rate-limited burst', () => {
  it('say when a folded burst that took time ended, so it is not read as one instant', () => {
    const taint = (atMs: number, node: string) => ({
      atMs,
      type: 'node.taint.added' as const,
      node,
      key: 'node.kubernetes.io/unreachable',
      effect: 'NoExecute',
    });
    const lines = milestones([taint(221_200, 'w-0'), taint(231_200, 'w-1'), taint(241_200, 'w-2')]).map((m) => m.text);
    expect(lines).toEqual([
      '3 nodes tainted node.kubernetes.io/unreachable:NoExecute: w-0, w-1, w-2 (over 20s, until 04:01.2)',
    ]);
  });
});

describe('milestones of the API path', () => {
  it('tell when kube-apiserver and etcd members stop and start, since nothing can react without them', () => {
    const lines = milestones([
      {
        atMs: 300_000,
        type: 'component.stopped',
        component: 'kube-apiserver',
        instance: 'kube-apiserver-control-plane-0',
      },
      { atMs: 300_000, type: 'component.stopped', component: 'etcd', instance: 'etcd-control-plane-0' },
      {
        atMs: 300_000,
        type: 'component.stopped',
        component: 'kube-controller-manager',
        instance: 'kube-controller-manager-control-plane-0',
      },
      {
        atMs: 900_000,
        type: 'component.started',
        component: 'kube-apiserver',
        instance: 'kube-apiserver-control-plane-0',
      },
    ]).map((m) => m.text);
    expect(lines).toEqual([
      'kube-apiserver kube-apiserver-control-plane-0 stopped',
      'etcd etcd-control-plane-0 stopped',
      'kube-apiserver kube-apiserver-control-plane-0 started',
    ]);
  });
});

describe('report.md and text from the scenario', () => {
  it('shows links and images in the description as written instead of rendering them', () => {
    const fx = outageFixture({
      nodesPerZone: 1,
      replicas: 3,
      description: 'See ![pixel](https://evil.example/p.png) and [docs](https://evil.example) \\[x]',
    });
    const md = renderMarkdownReport(fx.summary, fx.events);
    expect(md).toContain(
      'See !\\[pixel\\](https://evil.example/p.png) and \\[docs\\](https://evil.example) \\\\\\[x\\]',
    );
    expect(md).not.toMatch(/!\[pixel\]/);
  });
});
