// Temporary classification until src/core/classify-http-error.ts lands.
import type { Failure } from '../core/failure';

export function classifyHttpError(error: string | undefined, ctx: { ownDeadline: boolean; cancelled: boolean }): Failure {
  if (ctx.ownDeadline) return 'generic_timeout_error';
  if (ctx.cancelled) return 'interrupted';
  switch (error) {
    case 'net::ERR_CONNECTION_REFUSED':
      return 'connection_refused';
    case 'net::ERR_CONNECTION_RESET':
      return 'connection_reset';
    case 'net::ERR_NAME_NOT_RESOLVED':
      return 'dns_nxdomain_error';
    default:
      return 'unknown_failure';
  }
}
