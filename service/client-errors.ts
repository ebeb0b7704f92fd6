/**
 * Requests Node's HTTP parser refuses (garbage, a bad chunk size, a body cut
 * off, headers too large). Node's default answers a bare 400 and destroys the
 * socket at once, which loses the answer of a request pipelined before the
 * garbage (its row already written). Here: one pino line; the answer of that
 * request is sent first, then a JSON 400 (431 for oversized headers), then the
 * connection closes. A request whose own body is broken gets the 400 and its
 * connection is cut, which ends the handler's stalled read of the body.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, streamErrorFields } from './errors';
import type { Logger } from './logger';

interface InFlight {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

function errorResponse(code: string | undefined): string {
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify(
    status === 431
      ? errorBody('headers_too_large', 'request headers are too large')
      : errorBody('malformed_request', 'the request is not valid HTTP/1.1'),
  );
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

export function handleClientErrors(server: Server, logger: Logger): void {
  const inFlight = new WeakMap<Duplex, InFlight>();
  const handled = new WeakSet<Duplex>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const entry = { req, res };
    inFlight.set(req.socket, entry);
    res.once('finish', () => {
      if (inFlight.get(req.socket) === entry) inFlight.delete(req.socket);
    });
  });
  server.on('clientError', (error: Error, socket: Duplex) => {
    // The parser reports again for every chunk that follows the garbage: one line, one answer.
    if (handled.has(socket)) return;
    handled.add(socket);
    const fields = streamErrorFields(error);
    logger.warn(fields, 'malformed HTTP request');
    const answer = (): void => {
      if (!socket.writable || fields.code === 'ECONNRESET') socket.destroy();
      else socket.end(errorResponse(fields.code));
    };
    const pending = inFlight.get(socket);
    if (pending === undefined || pending.res.writableFinished) answer();
    else if (!pending.req.complete) {
      // Its body cannot be read any further: answer if nothing was sent yet, then cut the
      // connection, which ends the stalled body read of the handler.
      if (socket.writable && !pending.res.headersSent) socket.end(errorResponse(fields.code), () => socket.destroy());
      else socket.destroy();
    }
    else {
      pending.res.once('finish', answer);
      pending.res.once('close', () => {
        if (!pending.res.writableFinished) socket.destroy();
      });
    }
  });
}
