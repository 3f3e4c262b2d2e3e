// The Date header and a coarse clock for timeouts, refreshed by one timer per process rather
// than computed per request: formatting a date costs more than answering a small request.

/** Reason phrases for the status line. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information',
  204: 'No Content', 205: 'Reset Content', 206: 'Partial Content', 300: 'Multiple Choices', 301: 'Moved Permanently',
  302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required',
  412: 'Precondition Failed', 413: 'Content Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable', 417: 'Expectation Failed', 422: 'Unprocessable Content', 426: 'Upgrade Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
};

const statusLines = new Map<number, string>();

/** `HTTP/1.1 200 OK\r\n`, built once per status. */
export function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Unknown'}\r\n`;
    statusLines.set(status, line);
  }
  return line;
}

const lengthLines: string[] = [];

/** `Content-Length: n\r\n`, cached for the small lengths that dominate. */
export function contentLengthLine(n: number): string {
  if (n < 4096) return (lengthLines[n] ??= `Content-Length: ${n}\r\n`);
  return `Content-Length: ${n}\r\n`;
}

class Clock {
  /** `Date: <IMF-fixdate>\r\n` for the current second. */
  dateLine = '';
  /** Changes whenever {@link dateLine} does, so caches built on it can tell they are stale. */
  generation = 0;
  /** Milliseconds since the epoch, at most one second old. */
  now = 0;
  private users = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    this.refresh();
  }

  /** Keeps the clock ticking while at least one server uses it. */
  acquire(): void {
    if (this.users++ === 0) {
      this.refresh();
      this.schedule();
    }
  }

  release(): void {
    if (--this.users === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Re-reads the time; timeouts call this before comparing, so they never act on a stale clock. */
  update(): number {
    this.now = Date.now();
    return this.now;
  }

  private refresh(): void {
    this.now = Date.now();
    this.dateLine = `Date: ${new Date(this.now).toUTCString()}\r\n`;
    this.generation++;
  }

  private schedule(): void {
    // Wake just after the next second boundary so the header changes when the second does.
    this.timer = setTimeout(() => {
      this.refresh();
      this.schedule();
    }, 1001 - (Date.now() % 1000));
    this.timer.unref();
  }
}

/** The process-wide clock. */
export const clock = new Clock();
