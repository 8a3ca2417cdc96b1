import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { restrictedViolations } from './pod-security.ts';
import { validateManifest } from './validate-manifest.ts';
import { configFromEnv } from '../../control-plane/src/server/index.ts';

const BASE = join(import.meta.dirname, '../../k8s/base');

/** Fields of kustomize's Kustomization (kustomize.config.k8s.io/v1beta1) this base may use. */
const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'labels',
  'commonAnnotations',
  'images',
  'patches',
  'secretGenerator',
  'configMapGenerator',
]);

function loadBase(): any[] {
  const kustomization = readYaml(join(BASE, 'kustomization.yaml'))[0];
  return kustomization.resources.flatMap((file: string) => readYaml(join(BASE, file)));
}

function readYaml(path: string): any[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${path}: ${d.errors[0]!.message}`);
    return d.toJS();
  });
}

function find(objects: any[], kind: string, name: string, namespace?: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`${kind} ${namespace ?? ''}/${name} not in the base`);
  return found;
}

describe('k8s/base kustomization', () => {
  it('uses only Kustomization fields and lists files that exist', () => {
    const k = readYaml(join(BASE, 'kustomization.yaml'))[0];
    expect(k.apiVersion).toBe('kustomize.config.k8s.io/v1beta1');
    expect(k.kind).toBe('Kustomization');
    expect(Object.keys(k).filter((f) => !KUSTOMIZATION_FIELDS.has(f))).toEqual([]);
    for (const file of k.resources) expect(existsSync(join(BASE, file)), file).toBe(true);
    // A global `namespace:` would move the rooms-namespace Role and policies into the control plane's.
    expect(k.namespace).toBeUndefined();
  });

  it('every object is valid against the Kubernetes OpenAPI schemas, strictly', () => {
    const objects = loadBase();
    expect(objects.length).toBeGreaterThan(8);
    for (const o of objects) expect(validateManifest(o), `${o.kind}/${o.metadata?.name}`).toEqual([]);
  });

  it('the validator refuses a misspelt field, a wrong type and a bad label', () => {
    const sa = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'x', namespace: 'n', labels: { 'a/b/c': 'v' } },
      automountServiceAcountToken: false,
    };
    expect(validateManifest(sa)).toEqual(['.automountServiceAcountToken: unknown field of V1ServiceAccount', 'metadata.labels: bad key prefix a/b/c']);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_Name' }, spec: { finalizers: 'kubernetes' } };
    const problems = validateManifest(ns);
    expect(problems.some((p) => p.startsWith('schema:'))).toBe(true);
    expect(problems).toContain('.spec.finalizers: expected array');
    expect(problems).toContain('metadata.name "Bad_Name" is not a valid DNS label');
  });
});

describe('k8s/base control plane', () => {
  const objects = loadBase();

  it('declares the control-plane and rooms namespaces under the restricted pod security standard', () => {
    for (const name of ['analyserom', 'analyserom-rooms']) {
      expect(find(objects, 'Namespace', name).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    }
  });

  it('runs the Deployment non-root, read-only, seccomp RuntimeDefault, with limits and health probes', () => {
    const d = find(objects, 'Deployment', 'analyserom-control-plane', 'analyserom');
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe('analyserom-control-plane');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'analyserom-control-plane' });
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
  });

  it('passes the restricted Pod Security Standard its namespace enforces', () => {
    const d = find(objects, 'Deployment', 'analyserom-control-plane');
    expect(restrictedViolations(d.spec.template.spec)).toEqual([]);
    expect(restrictedViolations({ ...d.spec.template.spec, volumes: [{ name: 'h', hostPath: { path: '/' } }] })).toEqual([
      'volume h: type hostPath not allowed',
    ]);
  });

  it('takes DATABASE_URL and the master key from Secrets, never as plain values', () => {
    const c = find(objects, 'Deployment', 'analyserom-control-plane').spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(env.DATABASE_URL).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'analyserom-database', key: 'DATABASE_URL' } } });
    expect(env.TRE_MASTER_KEY.valueFrom.secretKeyRef.name).toBe('analyserom-master-key');
    expect(env.TRE_ROOM_KUBE_NAMESPACE.value).toBe('analyserom-rooms');
  });

  it('sets only environment variables the configuration reads, so the Kubernetes driver is the one chosen', () => {
    const c = find(objects, 'Deployment', 'analyserom-control-plane').spec.template.spec.containers[0];
    const names: string[] = c.env.map((e: { name: string }) => e.name);
    expect(names.filter((n) => Object.keys(configFromEnv({ [n]: 'probe' })).length === 0)).toEqual([]);
    const plain = Object.fromEntries(
      c.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(configFromEnv(plain).rooms).toEqual({ defaultDriver: 'kubernetes', kubeNamespace: 'analyserom-rooms' });
  });

  it('grants the service account rights only in the rooms namespace', () => {
    const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
    expect(roles.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`)).toEqual(['Role/analyserom-rooms/analyserom-room-driver']);
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
    expect(bindings).toHaveLength(1);
    expect(bindings[0].metadata.namespace).toBe('analyserom-rooms');
    expect(bindings[0].roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'analyserom-room-driver' });
    expect(bindings[0].subjects).toEqual([{ kind: 'ServiceAccount', name: 'analyserom-control-plane', namespace: 'analyserom' }]);
    const rules = roles[0].rules;
    for (const r of rules) {
      expect(r.verbs).not.toContain('*');
      expect(r.resources).not.toContain('*');
      expect(r.verbs.filter((v: string) => ['update', 'patch', 'escalate', 'bind', 'impersonate'].includes(v))).toEqual([]);
    }
  });

  it('denies all traffic by default in both namespaces and admits only the control plane into rooms', () => {
    for (const ns of ['analyserom', 'analyserom-rooms']) {
      expect(find(objects, 'NetworkPolicy', 'default-deny', ns).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
    const egress = find(objects, 'NetworkPolicy', 'control-plane-egress', 'analyserom').spec.egress;
    const toRooms = egress.find((r: any) => r.to?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'analyserom-rooms');
    expect(toRooms.ports).toEqual([
      { protocol: 'TCP', port: 8888 },
      { protocol: 'TCP', port: 8889 },
    ]);
    // Selects exactly what the room driver labels (k8s/rooms/, analyserom.room-id on every room pod).
    expect(toRooms.to[0].podSelector).toEqual({ matchExpressions: [{ key: 'analyserom.room-id', operator: 'Exists' }] });
  });

  it('exposes the control plane by a ClusterIP Service on its http port', () => {
    const s = find(objects, 'Service', 'analyserom-control-plane', 'analyserom');
    expect(s.spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'analyserom-control-plane' },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    });
  });
});
