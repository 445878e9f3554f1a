import type { Socket } from 'node:net';
/** Sent with every answer: no page may load anything from another origin, or leak where it was. */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; " +
    // MapLibre runs its tile worker from a blob: URL made in the page (same origin; nothing is fetched from elsewhere).
    "worker-src 'self' blob:; child-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
} as const;

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (headers too large: 431; a request
 * it cannot parse: 400; a URL too long: 414), with the security headers like every other answer.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : error.code === 'HPE_URI_TOO_LONG'
        ? [414, 'URI Too Long']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : [400, 'Bad Request'];
  const body = JSON.stringify({
    error: {
      code:
        status === 400
          ? 'bad_request'
          : status === 431
            ? 'headers_too_large'
            : status === 414
              ? 'uri_too_long'
              : 'timeout',
      message: reason,
    },
  });
  const headers = Object.entries(SECURITY_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; \
charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`,
  );
}
