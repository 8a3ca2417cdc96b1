/**
 * Offline validation of Kubernetes objects against the Kubernetes OpenAPI schemas, in two passes:
 *
 * 1. `kubernetes-models` (npm): JSON schemas generated from the upstream OpenAPI document and
 *    compiled to validators, one per kind. They check types, required fields and formats, but, as
 *    the OpenAPI document itself, they allow unknown fields (the API server drops or warns on those).
 * 2. `@kubernetes/client-node`'s generated models (`getAttributeTypeMap()` of every `V1…` class, also
 *    generated from the OpenAPI document): a strict walk that refuses any field name the API does
 *    not define and any value of the wrong JSON type. A misspelt `readOnlyRootFileSystem` would pass
 *    pass 1 and silently do nothing on a cluster; it fails here.
 *
 * Plus the API server's own name and label syntax checks that the schemas cannot express.
 * No network is reachable here, so no kubeconform/kubectl --dry-run=server; both packages ship the
 * schemas with them.
 */
import * as k8s from '@kubernetes/client-node';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Service } from 'kubernetes-models/v1/Service';
import { Pod } from 'kubernetes-models/v1/Pod';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';

type ModelClass = new (data: any) => { validate(): void };

/** Kinds we ship; anything else is refused so no manifest goes unvalidated. */
const KINDS: Record<string, { model: ModelClass; type: string; namespaced: boolean }> = {
  'v1/Namespace': { model: Namespace, type: 'V1Namespace', namespaced: false },
  'v1/ServiceAccount': { model: ServiceAccount, type: 'V1ServiceAccount', namespaced: true },
  'v1/Service': { model: Service, type: 'V1Service', namespaced: true },
  'v1/Pod': { model: Pod, type: 'V1Pod', namespaced: true },
  'v1/PersistentVolumeClaim': { model: PersistentVolumeClaim, type: 'V1PersistentVolumeClaim', namespaced: true },
  'v1/Secret': { model: Secret, type: 'V1Secret', namespaced: true },
  'apps/v1/Deployment': { model: Deployment, type: 'V1Deployment', namespaced: true },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, type: 'V1NetworkPolicy', namespaced: true },
  'rbac.authorization.k8s.io/v1/Role': { model: Role, type: 'V1Role', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: RoleBinding, type: 'V1RoleBinding', namespaced: true },
};

const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Array<{ baseName: string; type: string }> }>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Returns every problem found in one object; an empty list means valid. */
export function validateManifest(obj: unknown): string[] {
  if (typeof obj !== 'object' || obj === null) return ['not an object'];
  const o = obj as { apiVersion?: string; kind?: string; metadata?: any };
  const key = `${o.apiVersion}/${o.kind}`;
  const entry = KINDS[key];
  if (!entry) return [`unsupported kind ${key}`];
  const problems: string[] = [];
  try {
    new entry.model(obj).validate();
  } catch (err) {
    problems.push(`schema: ${(err as Error).message}`);
  }
  walk(obj, entry.type, '', problems);
  problems.push(...checkMetadata(o.metadata, o.kind === 'Service' || o.kind === 'Namespace', entry.namespaced));
  return problems;
}

function walk(value: unknown, type: string, path: string, problems: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return void problems.push(`${path || '/'}: expected array`);
    value.forEach((v, i) => walk(v, array[1]!, `${path}[${i}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${path}: expected object`);
    for (const [k, v] of Object.entries(value)) walk(v, map[1]!, `${path}.${k}`, problems);
    return;
  }
  switch (type) {
    case 'string':
    case 'Date':
      if (typeof value !== 'string') problems.push(`${path}: expected string, got ${typeof value}`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${path}: expected number, got ${typeof value}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: expected boolean, got ${typeof value}`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && !Number.isInteger(value)) problems.push(`${path}: expected int or string`);
      return;
    case 'any':
    case 'object':
      return;
  }
  const model = models[type];
  if (!model?.getAttributeTypeMap) return void problems.push(`${path}: unknown model type ${type}`);
  if (typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${path}: expected ${type} object`);
  const attrs = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const t = attrs.get(k);
    if (t === undefined) problems.push(`${path}.${k}: unknown field of ${type}`);
    else walk(v, t, `${path}.${k}`, problems);
  }
}

function checkMetadata(meta: any, nameIsLabel: boolean, namespaced: boolean): string[] {
  const problems: string[] = [];
  if (!meta || typeof meta.name !== 'string') return ['metadata.name missing'];
  const nameOk = nameIsLabel ? DNS_LABEL.test(meta.name) && meta.name.length <= 63 : DNS_SUBDOMAIN.test(meta.name) && meta.name.length <= 253;
  if (!nameOk) problems.push(`metadata.name ${JSON.stringify(meta.name)} is not a valid DNS ${nameIsLabel ? 'label' : 'subdomain'}`);
  if (namespaced && typeof meta.namespace !== 'string') problems.push('metadata.namespace missing on a namespaced object');
  if (!namespaced && meta.namespace !== undefined) problems.push('metadata.namespace set on a cluster-scoped object');
  problems.push(...checkLabels(meta.labels, 'metadata.labels'));
  return problems;
}

/** Label keys and values as the API server checks them (validation.IsQualifiedName / IsValidLabelValue). */
export function checkLabels(labels: Record<string, unknown> | undefined, path: string): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    if (prefix !== undefined && !(DNS_SUBDOMAIN.test(prefix) && prefix.length <= 253)) problems.push(`${path}: bad key prefix ${k}`);
    if (!(LABEL_NAME.test(name) && name.length <= 63)) problems.push(`${path}: bad key ${k}`);
    if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) problems.push(`${path}.${k}: bad value ${JSON.stringify(v)}`);
  }
  return problems;
}
