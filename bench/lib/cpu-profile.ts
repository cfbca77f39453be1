// The page's JavaScript CPU profile over a stretch of the show (SHOW_PROFILE=1): which functions the panel's own time
// went to, summed by function, and the stack that the longest run of samples without a break sat in. A development aid
// for the long tasks the trace counts; the .cpuprofile is written beside the run for DevTools.
import { writeFileSync } from 'node:fs';
import type { CdpSession } from './cdp-page.ts';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const frameName = (n: ProfileNode) => {
  const file = n.callFrame.url.split('/').pop() ?? '';
  return `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`;
};

/** Starts sampling every 200 µs; the returned function stops, writes `file` and returns a summary to print. */
export async function profilePage(cdp: CdpSession, file: string): Promise<() => Promise<string>> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  // What the bridge brought the page: bytes per event, and per state name within patches. Network.enable costs the page
  // a copy of each message (./cdp-page.ts): profiled runs' long tasks are longer.
  await cdp.send('Network.enable');
  const bytes = new Map<string, { n: number; bytes: number; max: number }>();
  const add = (key: string, size: number) => {
    const b = bytes.get(key) ?? { n: 0, bytes: 0, max: 0 };
    b.n++; b.bytes += size; b.max = Math.max(b.max, size);
    bytes.set(key, b);
  };
  cdp.on('Network.webSocketFrameReceived', (f) => {
    const text = (f as { response: { payloadData: string } }).response.payloadData;
    try {
      const m = JSON.parse(text) as { event?: string; data?: { patches?: { type: string; state?: string; path?: unknown }[] } };
      add(`frame ${m.event ?? 'response'}`, text.length);
      for (const p of m.data?.patches ?? []) add(`  patch ${p.type} ${p.state ?? ''}${p.path ? ' (path)' : ''}`, JSON.stringify(p).length);
    } catch { add('frame (not JSON)', text.length); }
  });
  return async () => {
    const traffic = [...bytes].sort((a, b) => b[1].bytes - a[1].bytes).map(([k, b]) => `    ${k}: ${b.n} × avg ${(b.bytes / b.n).toFixed(0)} B, max ${b.max} B, ${(b.bytes / 1e6).toFixed(1)} MB`).join('\n');
    const { profile } = await cdp.send<{ profile: Profile }>('Profiler.stop');
    await cdp.send('Network.disable');
    writeFileSync(file, JSON.stringify(profile));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const self = new Map<string, number>();
    const total = new Map<string, number>();
    for (let i = 0; i < profile.samples.length; i++) {
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      const leaf = byId.get(profile.samples[i] as number);
      if (!leaf || leaf.callFrame.functionName === '(idle)' || leaf.callFrame.functionName === '(program)') continue;
      self.set(frameName(leaf), (self.get(frameName(leaf)) ?? 0) + ms);
      // Inclusive time: each function once per sample, however deep it recurs.
      const seen = new Set<string>();
      for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
        const n = byId.get(id);
        if (n && !seen.has(frameName(n))) { seen.add(frameName(n)); total.set(frameName(n), (total.get(frameName(n)) ?? 0) + ms); }
      }
    }
    const heap = await heapSummary(cdp);
    const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([f, ms]) => `    ${ms.toFixed(0).padStart(7)} ms  ${f}`).join('\n');
    return `  heap by constructor (self size):\n${heap}\n  bridge traffic:\n${traffic}\n  self time:\n${top(self)}\n  inclusive time:\n${top(total)}\n  profile: ${file}`;
  };
}

/** The page's heap by constructor, from a heap snapshot: what a full garbage collection walks. */
async function heapSummary(cdp: CdpSession): Promise<string> {
  const chunks: string[] = [];
  const add = (c: { chunk?: unknown }) => void chunks.push(String(c.chunk));
  cdp.on('HeapProfiler.addHeapSnapshotChunk', add);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', add);
  await cdp.send('HeapProfiler.disable');
  const snapshot = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = snapshot.snapshot.meta.node_types[0];
  const by = new Map<string, { n: number; bytes: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const t = types[snapshot.nodes[i + type] as number] ?? '?';
    const key = t === 'object' || t === 'closure' ? `${t} ${snapshot.strings[snapshot.nodes[i + name] as number]}` : t;
    const b = by.get(key) ?? { n: 0, bytes: 0 };
    b.n++;
    b.bytes += snapshot.nodes[i + size] as number;
    by.set(key, b);
  }
  return [...by].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 15).map(([k, b]) => `    ${(b.bytes / 2 ** 20).toFixed(1).padStart(6)} MiB ${String(b.n).padStart(8)} × ${k}`).join('\n');
}
