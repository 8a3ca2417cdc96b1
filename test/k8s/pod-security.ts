/**
 * The "restricted" Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards),
 * which both Analyserom namespaces enforce at admission: checked offline so a pod that would be
 * refused on a cluster fails here first. Returns the violations; empty means admitted.
 */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

export function restrictedViolations(podSpec: any): string[] {
  const v: string[] = [];
  const podSc = podSpec.securityContext ?? {};
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (podSpec[f] === true) v.push(`${f} must not be true`);
  for (const vol of podSpec.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUMES.has(type)) v.push(`volume ${vol.name}: type ${type} not allowed`);
  }
  if (podSc.runAsUser === 0) v.push('pod runAsUser must not be 0');
  const containers = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) v.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${c.name}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push(`${c.name}: capabilities must drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') v.push(`${c.name}: capability ${cap} added`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) v.push(`${c.name}: runAsNonRoot must be true`);
    if (sc.runAsUser === 0) v.push(`${c.name}: runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${c.name}: seccompProfile must be RuntimeDefault or Localhost`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${c.name}: hostPort`);
  }
  return v;
}
