/**
 * What one message may hold, checked when it is decoded, so that no single message can cost a peer more than a
 * bounded amount of work (docs/PROTOCOL-EXTENSIONS.md "Messages"): Names of at most NAME_MAX_SEGMENTS segments and
 * NAME_MAX_CHARS characters, other topic fields of at most FIELD_MAX_CHARS, and JSON nested at most MAX_JSON_DEPTH deep
 * (every recursive walk of a Value, and JSON.stringify itself, would otherwise overflow the stack).
 */
export const NAME_MAX_SEGMENTS = 64;
export const NAME_MAX_CHARS = 4096;
export const FIELD_MAX_CHARS = 1024;
export const MAX_JSON_DEPTH = 128;
/**
 * The most bytes a valid topic can take on the wire: a Name of NAME_MAX_CHARS and four other fields of FIELD_MAX_CHARS,
 * every character escaped (`\u0000`, 6 bytes), with room to spare for the keys. A frame skimmed for its topic
 * (frame.ts, skimFrame) is read no further than this for the topic's end.
 */
export const TOPIC_MAX_BYTES = 64 * 1024;
/** The text of a Log as read (longer ones are cut, ending with `…`): a log line, not a document. */
export const LOG_MESSAGE_MAX_CHARS = 16 * 1024;

/** `text` cut to at most `max` characters (ending with `…` when cut), never in the middle of a surrogate pair. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * The largest message the project's hubs carry by default (both fabrics; configurable on the hub). A request that is
 * large by nature (a commit of tens of thousands of files, an import document) may be up to this size; a peer that
 * would send more says so instead of having the hub drop its connection.
 */
export const HUB_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Whether a JSON text nests `[`/`{` deeper than `limit` (strings skipped, escapes honoured). One pass, no parsing;
 * string bodies, most of a large message, are skipped with indexOf.
 */
export function jsonDepthOver(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // To the closing quote: one not preceded by an odd run of backslashes.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end === -1) return false;
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 92) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}
