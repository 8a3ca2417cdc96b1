import { describe, expect, it } from 'vitest';
import { loadTemplates, renderRoomManifests, roomNames, render, type RoomSpec } from '../../control-plane/src/rooms/index.ts';
import { restrictedViolations } from './pod-security.ts';
import { validateManifest } from './validate-manifest.ts';

const templates = loadTemplates();
const opts = {
  namespace: 'analyserom-rooms',
  ownerId: 'install-1',
  image: 'registry.example/analyserom/room:1.0',
  controlPlaneNamespace: 'analyserom',
  homeSize: '10Gi',
};

function spec(over: Partial<RoomSpec> = {}): RoomSpec {
  return {
    roomId: 'r-1',
    projectId: 'p-1',
    dataDir: 'pvc:data-copy-7',
    homeDir: 'x',
    outputsDir: 'x',
    importsDir: 'x',
    socketDir: 'x',
    limits: { memoryBytes: 4 * 1024 ** 3, cpuMillis: 2000, pids: 512 },
    jupyterToken: 'a'.repeat(48),
    relaySecret: 'b'.repeat(64),
    baseUrl: '/rooms/r-1/',
    program: 'jupyterlab',
    ...over,
  };
}

describe('k8s/rooms templates', () => {
  const cases: Array<[string, RoomSpec]> = [
    ['a typical room', spec()],
    ['the longest room id', spec({ roomId: `a${'b'.repeat(61)}c`, baseUrl: '/rooms/long/' })],
    [
      'a free-form project id and a token with YAML specials',
      spec({ projectId: 'Projekt: "kreft" #7\n- x: y', jupyterToken: `${'z'.repeat(40)}: {a: [b]}\n---` }),
    ],
    ['the stub program', spec({ program: 'stub' })],
  ];

  for (const [label, s] of cases) {
    it(`renders five objects valid against the Kubernetes OpenAPI schemas for ${label}`, () => {
      const objects = renderRoomManifests(templates, s, opts);
      expect(Object.keys(objects).sort()).toEqual(['networkPolicy', 'pod', 'pvc', 'secret', 'service']);
      for (const o of Object.values(objects)) {
        expect(validateManifest(o), `${o.kind}`).toEqual([]);
        expect(JSON.stringify(o)).not.toContain('${');
      }
      expect(restrictedViolations(objects.pod.spec)).toEqual([]);
    });
  }

  it('keeps parameter values as values: no YAML structure comes from a project id or token', () => {
    const s = cases[2]![1];
    const objects = renderRoomManifests(templates, s, opts);
    expect(objects.secret.stringData).toEqual({ JUPYTER_TOKEN: s.jupyterToken, ANALYSEROM_RELAY_SECRET: s.relaySecret });
    expect(objects.pod.spec.containers[0].env.find((e: { name: string }) => e.name === 'ANALYSEROM_PROJECT').value).toBe(s.projectId);
    expect(objects.pod.metadata.annotations['analyserom.project-id']).toBe(s.projectId);
    expect(objects.pod.metadata.labels['analyserom.project-id']).toMatch(/^sha256-[0-9a-f]{48}$/);
    expect(Object.keys(objects.secret)).toEqual(['apiVersion', 'kind', 'metadata', 'type', 'immutable', 'stringData']);
  });

  it('names fit a DNS-1035 label for every room id and differ per installation', () => {
    const long = `a${'b'.repeat(61)}c`;
    for (const id of ['r', long]) {
      const { name } = roomNames('install-1', id);
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(roomNames('install-1', 'r').name).not.toBe(roomNames('install-2', 'r').name);
    expect(roomNames('install-1', long).name).not.toBe(roomNames('install-1', `${long.slice(0, 62)}d`).name);
  });

  it('substitutes whole-value placeholders with typed values and refuses unknown ones', () => {
    expect(render({ a: '${n}', b: 'x-${s}-y', c: ['${l}'] }, { n: 1000, s: 'v', l: ['p', 'q'] })).toEqual({ a: 1000, b: 'x-v-y', c: [['p', 'q']] });
    expect(() => render({ a: '${missing}' }, {})).toThrow(/missing/);
    expect(() => render({ a: 'x${l}' }, { l: ['p'] })).toThrow(/list parameter/);
  });
});
