import { applyDecorators, type ArgumentsHost, Catch, Controller, type RpcExceptionFilter, UseFilters } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter replaces every error by "Internal server error", which would hide
 * whether it is terminal or retryable. This filter hands the original error back to the
 * transport, which applies the retry / dead-letter policy.
 */
@Catch()
export class PropagateErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/** Marks a class whose `@EventPattern` methods consume Kafka events through `KafkaBatchServer`. */
export const EventHandlers = (): ClassDecorator => applyDecorators(Controller(), UseFilters(new PropagateErrorsFilter()));
