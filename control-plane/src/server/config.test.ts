import { describe, expect, it } from 'vitest';
import { redactConfig } from '../config/index.ts';
import { configFromEnv, configSchema, loadConfig } from './config.ts';

describe('the one typed config', () => {
  it('reads room and copy settings from TRE_ROOM_*, TRE_PROXY_* and TRE_COPY_* into its sections, with defaults for the rest', () => {
    const cfg = loadConfig(configFromEnv({ TRE_ROOM_MEMORY_MB: '2048', TRE_PROXY_AUTH_CACHE_MS: '0', TRE_COPY_GRACE_DAYS: '7', TRE_PORT: '9000' }));
    expect(cfg.port).toBe(9000);
    expect(cfg.rooms).toMatchObject({ memoryMb: 2048, proxyAuthCacheMs: 0, cpuMillis: 2000, defaultDriver: 'local' });
    expect(cfg.copies).toMatchObject({ graceDays: 7, reconcileMs: 5000 });
  });

  it('merges a section key by key across layers: a later layer keeps what an earlier one set', () => {
    const cfg = loadConfig(configFromEnv({ TRE_ROOM_MEMORY_MB: '2048' }), { rooms: { pids: 64 } });
    expect([cfg.rooms.memoryMb, cfg.rooms.pids]).toEqual([2048, 64]);
  });

  it('names the section and key of a bad value', () => {
    expect(() => loadConfig(configFromEnv({ TRE_ROOM_MEMORY_MB: 'lots' }))).toThrow(/invalid configuration: rooms\.memoryMb/);
    expect(() => loadConfig(configFromEnv({ TRE_ROOM_DRIVER: 'podman' }))).toThrow(/invalid configuration: rooms\.defaultDriver/);
    expect(() => loadConfig(configFromEnv({ TRE_COPY_DEMO_ROWS: '5' }))).toThrow(/invalid configuration: copies\.demoRows/);
  });

  it('describes every key, in the sections too', () => {
    const undescribed: string[] = [];
    const seen: string[] = [];
    type Node = { description?: string; shape?: Record<string, Node>; def?: { innerType?: Node } };
    /** Defaults and optionals wrap the described schema: look through them. */
    const layers = (n: Node): Node[] => (n.def?.innerType ? [n, ...layers(n.def.innerType)] : [n]);
    const walk = (shape: Record<string, Node>, prefix: string) => {
      for (const [k, v] of Object.entries(shape)) {
        const all = layers(v);
        seen.push(`${prefix}${k}`);
        if (!all.some((n) => n.description)) undescribed.push(`${prefix}${k}`);
        const section = all.find((n) => n.shape);
        if (section) walk(section.shape!, `${prefix}${k}.`);
      }
    };
    walk(configSchema.shape as never, '');
    expect(seen).toEqual(expect.arrayContaining(['port', 'rooms.memoryMb', 'rooms.dockerSocket', 'copies.graceDays']));
    expect(undescribed).toEqual([]);
    const cfg = loadConfig({ demoPassword: 'secret-pw' });
    expect(redactConfig(cfg).demoPassword).toBe('[redacted]');
  });
});
