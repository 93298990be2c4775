/**
 * Everything a test opens registers how to close it here; `closeAll` (an `afterEach`) closes it in
 * reverse order, so clients go before the servers they talk to and the suite exits by itself.
 */
type Closer = () => unknown;

const closers: Closer[] = [];

/** Registers `close` to run after the current test; returns `resource` for chaining. */
export function track<T>(resource: T, close: (resource: T) => unknown): T {
  closers.push(() => close(resource));
  return resource;
}

/** Closes everything `track` registered, newest first. Use as `afterEach(closeAll)`. */
export async function closeAll(): Promise<void> {
  const errors: unknown[] = [];
  for (const close of closers.splice(0).reverse()) {
    try {
      await close();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'Closing test resources failed');
}
