import { performance } from 'node:perf_hooks';
import type { Handler } from './connection';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** nginx's `$time_local`: `03/Dec/2026:12:51:26 +0000`, in the process's time zone. */
export function logTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${two(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()}:` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  );
}

/**
 * A field as nginx writes it between quotes: `"`, `\`, control characters and bytes above 0x7e
 * as `\xHH`, so that a client cannot forge a line or a field.
 */
function escapeField(value: string): string {
  return value.replace(/["\\\x00-\x1f\x7f-\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Wraps `handler` so that every response writes one line in the combined log format when it ends,
 * followed by the time the request took in seconds (nginx's `$request_time`):
 *
 * ```text
 * 127.0.0.1 - - [03/Dec/2026:12:51:26 +0000] "GET /a.txt HTTP/1.1" 200 6 "-" "curl/7.88.1" 0.001
 * ```
 *
 * The size is of the body as sent ({@link Response.bodyBytes}); a response whose client left
 * before it started is logged with status 499, as nginx does, and one cut off mid-way (the client
 * left, or the handler failed) with its status and the bytes that went out. `suffix` is appended to each line (e.g. the loop's index).
 */
export function withAccessLog(handler: Handler, write: (line: string) => void, suffix: () => string = () => ''): Handler {
  return (req, res) => {
    const started = performance.now();
    // Read now: the request's bytes are only borrowed while the handler runs.
    const remote = req.socket.remoteAddress ?? '-';
    const requestLine = escapeField(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
    const referer = escapeField(req.header('referer') ?? '-');
    const agent = escapeField(req.header('user-agent') ?? '-');
    let logged = false;
    const log = (status: number): void => {
      if (logged) return;
      logged = true;
      const seconds = ((performance.now() - started) / 1000).toFixed(3);
      write(`${remote} - - [${logTime(new Date())}] "${requestLine}" ${status} ${res.bodyBytes} "${referer}" "${agent}" ${seconds}${suffix()}\n`);
    };
    res.on('finish', () => log(res.statusCode));
    // Closed before the end: nginx's 499 if nothing was sent, otherwise the status that went out.
    res.on('close', () => log(res.headersSent ? res.statusCode : 499));
    return handler(req, res);
  };
}
