/** Fuzzing helper shared by the decoder, hub and server fuzz tests: valid frames with random edits applied. */
import fc from 'fast-check';

type Edit = [position: number, length: number, op: 'del' | 'ins' | 'rep' | 'cut' | 'dup', text: string];

function applyEdits(text: string, edits: readonly Edit[]): string {
  let s = text;
  for (const [pos, len, op, ins] of edits) {
    const at = pos % (s.length + 1);
    if (op === 'del') s = s.slice(0, at) + s.slice(at + len);
    else if (op === 'ins') s = s.slice(0, at) + ins + s.slice(at);
    else if (op === 'rep') s = s.slice(0, at) + ins + s.slice(at + ins.length);
    else if (op === 'cut') s = s.slice(0, at);
    else s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
  }
  return s;
}

/** One of `frames` with one to four deletions, insertions, replacements, truncations or duplications. */
export function mutatedFrames(frames: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat(20), fc.constantFrom('del', 'ins', 'rep', 'cut', 'dup'), fc.string({ maxLength: 8 })) as fc.Arbitrary<Edit>;
  return fc.tuple(fc.constantFrom(...frames), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([frame, edits]) => applyEdits(frame, edits));
}
