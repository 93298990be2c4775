/** What a server reported on `errors$`, reduced to what a test compares exactly. */
import type { TransportErrorEvent } from '../../../src/transport/index.js';

/** Each report as `{ clientId, code }`: which connection, and the error's stable code. */
export function reportsOf(events: readonly TransportErrorEvent[]): { clientId: string | undefined; code: string }[] {
  return events.map(({ clientId, error }) => ({ clientId, code: error.code }));
}
