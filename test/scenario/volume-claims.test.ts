// volumeClaimTemplates in the shorthand and in apps/v1 StatefulSet manifests, kubernetes.volumes, and their
// round trip through scenario.resolved.yaml (docs/scenario-format.md, docs/fidelity.md#volumes).
import { parse as parseYaml } from 'yaml';
import { resolvedScenarioYaml } from '../../src/scenario/resolved.js';
import { HASIM_VERSION } from '../../src/trace/version.js';
import { load, problems } from './parse-helpers.js';

const HEAD = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: v }
spec:
  duration: 10m
  nodes:
    - { name: worker, count: 2, zone: zone-a }
`;

const sts = (templates: string, kind = 'StatefulSet') => `${HEAD}  workloads:
    - kind: ${kind}
      name: db
      volumeClaimTemplates:
${templates}`;

describe('volumeClaimTemplates shorthand', () => {
  test('defaults: ReadWriteOnce, 1Gi, no class; the volume settings get their defaults', () => {
    const s = load(sts('        - { name: data }\n'));
    expect(s.spec.workloads[0].volumeClaimTemplates).toEqual([
      { name: 'data', accessModes: ['ReadWriteOnce'], storageBytes: 2 ** 30 },
    ]);
    expect(s.spec.kubernetes.volumes).toEqual({
      attachTimeMs: { minMs: 5_000, maxMs: 20_000 },
      detachTimeMs: { minMs: 3_000, maxMs: 15_000 },
      maxWaitForUnmountDurationMs: 360_000,
    });
  });

  test('a scenario without volumes carries no volume settings', () => {
    expect(load(`${HEAD}  workloads: [{ kind: StatefulSet, name: db }]\n`).spec.kubernetes.volumes).toBeUndefined();
  });

  test('kubernetes.volumes overrides the defaults', () => {
    const s = load(
      sts('        - { name: data }\n').replace(
        '  duration: 10m\n',
        '  duration: 10m\n  kubernetes:\n    volumes: { attachTime: 30s..1m, detachTime: 10s, maxWaitForUnmountDuration: 3m }\n',
      ),
    );
    expect(s.spec.kubernetes.volumes).toEqual({
      attachTimeMs: { minMs: 30_000, maxMs: 60_000 },
      detachTimeMs: { minMs: 10_000, maxMs: 10_000 },
      maxWaitForUnmountDurationMs: 180_000,
    });
  });

  test('error: volumeClaimTemplates on a Deployment', () => {
    expect(problems(sts('        - { name: data }\n', 'Deployment'))).toBe(
      [
        'test.yaml:12:9: error: spec.workloads[0].volumeClaimTemplates: a Deployment has no volumeClaimTemplates: only a StatefulSet gives each pod claims of its own',
        '  hint: give the pods volumes through a StatefulSet, or remove volumeClaimTemplates',
      ].join('\n'),
    );
  });

  test('error: two templates with one name', () => {
    expect(problems(sts('        - { name: data }\n        - { name: data }\n'))).toBe(
      'test.yaml:13:19: error: spec.workloads[0].volumeClaimTemplates[1].name: two volume claim templates are named "data"',
    );
  });

  test('error: an unknown access mode', () => {
    expect(problems(sts('        - { name: data, accessModes: [ReadWriteSometimes] }\n'))).toContain(
      'spec.workloads[0].volumeClaimTemplates[0].accessModes[0]',
    );
  });

  test('scenario.resolved.yaml writes the templates and the settings back, and reads the same', () => {
    const s = load(
      sts('        - { name: data, accessModes: [ReadWriteOnce], storage: 50Gi, storageClassName: gp3 }\n'),
    );
    const resolved = resolvedScenarioYaml(s, 1, { hasimVersion: HASIM_VERSION });
    const doc = parseYaml(resolved);
    expect(doc.spec.workloads[0].volumeClaimTemplates).toEqual([
      { name: 'data', accessModes: ['ReadWriteOnce'], storage: 50 * 2 ** 30, storageClassName: 'gp3' },
    ]);
    expect(doc.spec.kubernetes.volumes).toEqual({
      attachTime: '5s..20s',
      detachTime: '3s..15s',
      maxWaitForUnmountDuration: '6m',
    });
    const again = load(resolved);
    expect(again.spec.workloads[0].volumeClaimTemplates).toEqual(s.spec.workloads[0].volumeClaimTemplates);
    expect(again.spec.kubernetes.volumes).toEqual(s.spec.kubernetes.volumes);
  });
});

const manifest = (templates: string) => `${HEAD}---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers: [{ name: c, image: i }]
  volumeClaimTemplates:
${templates}`;

describe('apps/v1 StatefulSet spec.volumeClaimTemplates', () => {
  test('read, and written back in scenario.resolved.yaml', () => {
    const s = load(
      manifest(`    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 20Gi } } }
`),
    );
    expect(s.spec.workloads[0].volumeClaimTemplates).toEqual([
      { name: 'data', accessModes: ['ReadWriteOnce'], storageBytes: 20 * 2 ** 30 },
    ]);
    const again = load(resolvedScenarioYaml(s, 1, { hasimVersion: HASIM_VERSION }));
    expect(again.spec.workloads[0].volumeClaimTemplates).toEqual(s.spec.workloads[0].volumeClaimTemplates);
  });

  test('error: a template without access modes', () => {
    expect(
      problems(
        manifest(`    - metadata: { name: data }
      spec: { resources: { requests: { storage: 20Gi } } }
`),
      ),
    ).toBe(
      'test.yaml:21:13: error: document 2 (apps/v1 StatefulSet) spec.volumeClaimTemplates[0].spec.accessModes: at least one access mode is required (e.g. ReadWriteOnce)',
    );
  });

  test('error: a template without a storage request', () => {
    expect(
      problems(
        manifest(`    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce] }
`),
      ),
    ).toContain('spec.volumeClaimTemplates[0].spec.resources.requests.storage: storage request:');
  });
});
