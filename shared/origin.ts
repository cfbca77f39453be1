/**
 * Who may talk to a listener from a browser. A browser names the page behind every WebSocket upgrade and every
 * cross-origin request in `Origin`; tools, scripts and services send none. So a request without Origin is a program
 * (its token, where one is required, decides), and one with an Origin is served only when that exact origin was
 * allowed: any web page the operator visits could otherwise drive a hub or a data plane on this machine.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  // "null" (sandboxed frames, file: pages) is never an allowed origin, whatever the list says.
  return origin !== 'null' && allowed.includes(origin);
}

/** Why a request was refused, for the 403 body and the log. */
export const originRefusal = (origin: string): string =>
  `requests from web pages are refused unless their origin is allowed (${origin.slice(0, 200)} is not)`;
