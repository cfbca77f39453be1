/** Whether a frame's text can go to receivers as it came (router.ts, frame-check.worker.ts). */

const TOPIC_HEAD = '{"Topic":';
const MESSAGE_HEAD = ',"Message":';

/**
 * True when the text already starts with the canonical topic, closed and followed by the Message: then receivers can
 * get the original bytes and the hub saves re-encoding the body. Any other form (key order, spaces, unknown topic
 * keys, Message first) is re-encoded.
 */
export const hasCanonicalTopic = (text: string, canonicalTopic: string): boolean =>
  text.startsWith(TOPIC_HEAD) &&
  text.startsWith(canonicalTopic, TOPIC_HEAD.length) &&
  text.startsWith(MESSAGE_HEAD, TOPIC_HEAD.length + canonicalTopic.length);
