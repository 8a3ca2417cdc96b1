/**
 * Usage per project for cost reports: room-seconds, CPU seconds and memory byte-seconds, summed per
 * UTC day. Each reconcile pass adds what a running room used since its last accounting; CPU comes
 * from the driver's cumulative counter (a lower counter means a new runtime: counted from zero).
 */
import type { RoomUsage } from './drivers/types.ts';
import type { Queryable } from '../store/index.ts';
import { updateRoom, type Room } from './room-store.ts';
import type { UsageDay } from './schemas.ts';

export async function accountUsage(q: Queryable, room: Room, usage: RoomUsage | undefined, now: Date): Promise<void> {
  const since = room.usageAt ?? room.runningAt ?? room.startedAt ?? now;
  const seconds = Math.max(0, (now.getTime() - new Date(since).getTime()) / 1000);
  const cpuNow = usage?.cpuSeconds ?? room.cpuSecondsSeen;
  const cpu = cpuNow >= room.cpuSecondsSeen ? cpuNow - room.cpuSecondsSeen : cpuNow;
  const memory = (usage?.memoryBytes ?? 0) * seconds;
  if (seconds > 0 || cpu > 0) {
    await q.query(
      `INSERT INTO room_usage (project_id, day, room_seconds, cpu_seconds, memory_byte_seconds)
       VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, $4, $5)
       ON CONFLICT (project_id, day) DO UPDATE SET room_seconds = room_usage.room_seconds + EXCLUDED.room_seconds,
         cpu_seconds = room_usage.cpu_seconds + EXCLUDED.cpu_seconds,
         memory_byte_seconds = room_usage.memory_byte_seconds + EXCLUDED.memory_byte_seconds`,
      [room.projectId, now, seconds, cpu, memory],
    );
  }
  await updateRoom(q, room.id, { usageAt: now, cpuSecondsSeen: cpuNow }, now);
}

export type { UsageDay } from './schemas.ts';

export async function projectUsage(q: Queryable, projectId: string): Promise<UsageDay[]> {
  const rows = await q.query<{ day: string; rs: number; cs: number; ms: number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, room_seconds AS rs, cpu_seconds AS cs, memory_byte_seconds AS ms
       FROM room_usage WHERE project_id = $1 ORDER BY day`,
    [projectId],
  );
  return rows.map((r) => ({ day: r.day, roomHours: r.rs / 3600, cpuHours: r.cs / 3600, memoryGbHours: r.ms / 3600 / 1024 ** 3 }));
}
