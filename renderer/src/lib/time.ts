/** Commit and claim times: relative ("5 min ago") and absolute ("2026-11-22 18:20:01", local time). */
import { parseTime, relativeTime } from './format.ts';

const pad = (n: number): string => String(n).padStart(2, '0');

export function absoluteTime(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Relative and absolute text of an ISO time; an unreadable time is shown as it came. */
export function timeTexts(iso: string, now: number): { relative: string; absolute: string } {
  const time = parseTime(iso);
  if (time === null) return { relative: iso || '—', absolute: iso || '—' };
  return { relative: relativeTime(time, now), absolute: absoluteTime(time) };
}
