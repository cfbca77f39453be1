/** A Call that fails with a protocol Failure: a code from FAILURE_CODES (or a service's own) and a message. */
import type { FailureCode } from '../../shared/assethub/calls.ts';
import type { FailureDetail } from '../../shared/protocol/message.ts';

export class ServiceFailure extends Error {
  constructor(
    readonly code: FailureCode | (string & {}),
    message: string,
    /** Every problem, when there are several (sent as the Failure's Errors). */
    readonly details?: FailureDetail[],
  ) {
    super(message);
    this.name = 'ServiceFailure';
  }
}

export const fail = (code: FailureCode, message: string): never => {
  throw new ServiceFailure(code, message);
};
