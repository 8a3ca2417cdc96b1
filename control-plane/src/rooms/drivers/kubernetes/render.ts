/**
 * Renders the room templates in `k8s/rooms/` for one room. Templates are parsed as YAML first and
 * placeholders substituted in the parsed tree, so a parameter value can never add structure
 * (no YAML injection). A value that is exactly `${name}` takes the parameter as-is (number, list);
 * `${name}` inside a longer string is interpolated. Unknown or leftover placeholders throw.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../../../../k8s/rooms/', import.meta.url));
export const TEMPLATE_FILES = {
  networkPolicy: 'networkpolicy.yaml',
  pvc: 'pvc.yaml',
  secret: 'secret.yaml',
  service: 'service.yaml',
  pod: 'pod.yaml',
} as const;

export type TemplateName = keyof typeof TEMPLATE_FILES;
export type Templates = Record<TemplateName, unknown>;
export type TemplateParams = Record<string, string | number | string[]>;

export function loadTemplates(dir: string = DEFAULT_TEMPLATES_DIR): Templates {
  return Object.fromEntries(Object.entries(TEMPLATE_FILES).map(([k, file]) => [k, parse(readFileSync(join(dir, file), 'utf8'))])) as Templates;
}

const WHOLE = /^\$\{([A-Za-z][A-Za-z0-9]*)\}$/;
const INNER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;

// biome-ignore lint/suspicious/noExplicitAny: a template renders to whatever the caller's manifest type is
export function render<T = any>(template: unknown, params: TemplateParams): T {
  const value = (name: string) => {
    if (!(name in params)) throw new Error(`template placeholder \${${name}} has no value`);
    return params[name]!;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const whole = WHOLE.exec(node);
      if (whole) return structuredClone(value(whole[1]!));
      return node.replace(INNER, (_, name: string) => {
        const v = value(name);
        if (Array.isArray(v)) throw new Error(`list parameter ${name} used inside a string`);
        return String(v);
      });
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(template) as T;
}
