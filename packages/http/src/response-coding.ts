import { acceptedCodings, type Coding } from './accept-encoding';
import { compressible } from './content-type';
import type { Request } from './request';

/**
 * The coding a `res.compress()`ed response gets: the client's best, when the response may be
 * compressed at all (a body of a compressible type, not HEAD, no Content-Encoding of its own);
 * `undefined` to send it as it is.
 */
export function responseCoding(request: Request | null, hasBody: boolean, contentEncoding: string | undefined, contentType: string | undefined): Coding | undefined {
  if (request === null || request.method === 'HEAD' || !hasBody || contentEncoding !== undefined || !compressible(contentType)) return undefined;
  return acceptedCodings(request.header('accept-encoding'))[0];
}
