/** A frame or message that could not be decoded: what is wrong and where. Decoders return it; they never throw. */
export type DecodeErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_UTF8'
  | 'NOT_AN_OBJECT'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'UNKNOWN_TYPE'
  | 'FORBIDDEN_SEQUENCE'
  | 'INVALID_MULTIPART'
  | 'TOO_LARGE';

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
  /** Where in the frame, e.g. `Topic.Target`. */
  path?: string;
}

export const decodeError = (code: DecodeErrorCode, message: string, path?: string): DecodeError =>
  path === undefined ? { code, message } : { code, message, path };
