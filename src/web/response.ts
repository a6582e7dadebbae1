// Answers as data: what a handler returns, and what src/web/http.ts writes
// to the socket. Bodies are strings, buffers or async iterables of chunks
// (streamed with back-pressure, stopped when the client goes away).
export interface WebRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The request body (bounded; only PATCH has one). */
  body?: Buffer;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer | AsyncIterable<Buffer | string>;
  /** Called once the answer is sent or abandoned (closes the message file a streamed body reads). */
  done?: () => Promise<void>;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): WebResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(value) + '\n' };
}

/** A JSON answer assembled from summaries already serialised (no parse and stringify per message). */
export function jsonRaw(status: number, text: string): WebResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: text };
}

export function error(status: number, message: string, headers: Record<string, string> = {}): WebResponse {
  return json(status, { error: message }, headers);
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
