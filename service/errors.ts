import type Koa from 'koa';
import type { Logger } from './logger';

/** An error the API answers with `{"error": {"code", "message", "field"}}` and `status`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field at fault (`playerIds[2]`), or null. */
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field: string | null };
}

export function errorBody(code: string, message: string, field: string | null = null): ErrorBody {
  return { error: { code, message, field } };
}

/** Errors from koa / co-body / raw-body carry an HTTP status and `expose`. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as HttpLikeError).status ?? (error as HttpLikeError).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The outermost middleware: an `ApiError` becomes its JSON body; a 4xx error
 * from a library becomes a 400 `bad_request`; anything else is logged and
 * answered with a JSON 500 that carries no stack trace or internal message.
 * Unmatched routes and methods get JSON 404 / 405 bodies too, and methods the
 * router does not know (TRACE, PROPFIND, QUERY…) a JSON 501.
 */
export function errorMiddleware(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined && (ctx.status === 404 || ctx.status === 405 || ctx.status === 501)) {
        const code = ctx.status === 404 ? 'not_found' : ctx.status === 405 ? 'method_not_allowed' : 'not_implemented';
        const message =
          ctx.status === 404
            ? `no route for ${ctx.method} ${ctx.path}`
            : ctx.status === 405
              ? `${ctx.method} is not allowed on ${ctx.path}`
              : `${ctx.method} is not a method this API implements`;
        const status = ctx.status;
        ctx.body = errorBody(code, message);
        ctx.status = status;
      }
    } catch (error) {
      if (error instanceof ApiError) {
        ctx.status = error.status;
        ctx.body = errorBody(error.code, error.message, error.field);
        const level = error.status >= 500 ? 'error' : 'info';
        logger[level]({ status: error.status, code: error.code, field: error.field }, error.message);
        return;
      }
      const status = httpStatusOf(error);
      if (status !== undefined && status >= 400 && status < 500) {
        ctx.status = 400;
        const message = (error as HttpLikeError).expose ? String((error as HttpLikeError).message) : 'bad request';
        ctx.body = errorBody('bad_request', message);
        logger.info({ status }, message);
        return;
      }
      logger.error({ err: error }, 'unexpected error');
      ctx.status = 500;
      ctx.body = errorBody('internal_error', 'internal server error');
    }
  };
}

/** The fields of a stream or parser error that are safe to log: never its raw bytes (`rawPacket`). */
export function streamErrorFields(error: unknown): { code: string | undefined; reason: string } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; reason?: unknown; message?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    reason: typeof e.reason === 'string' ? e.reason : typeof e.message === 'string' ? e.message : String(error),
  };
}

/** An error Koa reports outside the middleware chain (the request or response stream failed). */
export function logStreamError(logger: Logger, error: unknown): void {
  logger.warn(streamErrorFields(error), 'request stream failed');
}
