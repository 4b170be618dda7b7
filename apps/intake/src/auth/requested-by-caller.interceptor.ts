import { principalOf } from '@closeloop/auth';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/**
 * Sets the body's `requestedBy` to the authenticated caller before the body is validated: who
 * asked is who authenticated, never what the body claims. Clients may still send the field (older
 * ones do); it is overwritten.
 */
@Injectable()
export class RequestedByCallerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const principal = principalOf(request);
    if (!principal) throw new Error('@RequestedByCaller() on a route without an authenticated caller');
    const body: unknown = request.body;
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) (body as Record<string, unknown>)['requestedBy'] = principal.id;
    return next.handle();
  }
}

/** On a handler whose body has `requestedBy`: the field becomes the authenticated caller's id. */
export const RequestedByCaller = (): MethodDecorator & ClassDecorator => UseInterceptors(RequestedByCallerInterceptor);
