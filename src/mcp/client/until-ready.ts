import { filter, firstValueFrom, timeout, type Observable, type SchedulerLike } from 'rxjs';
import { ConnectionClosedError } from '../mcp-error.js';
import type { McpClientState } from './simple-client-options.js';

/** How long a call waits for the session, and what it is called in the errors. */
export interface ReadyWait {
  readonly timeoutMs: number;
  readonly method: string;
  readonly scheduler: SchedulerLike;
}

/**
 * Resolves once the client is `ready`: at once if it is, else after a reconnection within
 * `timeoutMs`. Rejects with `ConnectionClosedError` when the client was never connected, is
 * disconnected, or does not come back in time (the call was not sent).
 */
export async function untilReady(state$: Observable<McpClientState>, now: McpClientState, { timeoutMs, method, scheduler }: ReadyWait): Promise<void> {
  if (now === 'ready') return;
  if (now === 'idle') throw new ConnectionClosedError(`Not connected: call connect() before ${method}`);
  if (now === 'closed') throw new ConnectionClosedError(`The client is disconnected; cannot send ${method}`);
  const state = await firstValueFrom(
    state$.pipe(
      filter((candidate) => candidate === 'ready' || candidate === 'closed'),
      timeout({ first: timeoutMs, scheduler, with: () => Promise.reject(new ConnectionClosedError(`Not reconnected within ${timeoutMs} ms; ${method} was not sent`)) }),
    ),
    { defaultValue: 'closed' as const },
  );
  if (state === 'closed') throw new ConnectionClosedError(`The client is disconnected; cannot send ${method}`);
}
