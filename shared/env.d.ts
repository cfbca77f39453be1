// WHATWG Encoding API: present in Node, browsers and Electron alike, but declared by neither the ES lib nor
// anything shared/ may depend on. Only what shared/ uses is declared.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
