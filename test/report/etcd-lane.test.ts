// etcd's raft leader gets a lane among the leaders once it changes (src/report/timeline-svg.ts
// leaderEvent): the 1-2 s without a leader are otherwise only in the milestones.
import { readFileSync } from 'node:fs';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { renderTimelineSvg } from '../../src/report/index.js';

describe("the timeline's etcd leader lane", () => {
  function svgOf(path: string): string {
    const parsed = parseScenarioText(readFileSync(path, 'utf8'), { file: path });
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
    const { summary, events } = runScenario(parsed.scenario, {});
    return renderTimelineSvg(summary, events);
  }

  it('shows the first leader from the start, the gap and the new leader', () => {
    const svg = svgOf('scenarios/etcd-leader-loss.yaml');
    expect(svg).toMatch(/>etcd<\/text>/);
    expect(svg).toContain('>etcd-control-plane-0</text>');
    expect(svg).toContain('>etcd-control-plane-1</text>');
  });

  it('is absent while etcd keeps its leader', () => {
    expect(svgOf('scenarios/node-crash.yaml')).not.toMatch(/>etcd<\/text>/);
  });
});
