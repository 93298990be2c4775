// Any unhandled rejection or uncaught exception fails the run: in networking code it is a lost error.
process.on('unhandledRejection', (reason) => {
  throw reason instanceof Error ? reason : new Error(`Unhandled rejection: ${String(reason)}`);
});
