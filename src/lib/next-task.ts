/**
 * Resolves in a task of its own, after the runtime's event loop has had a turn: awaiting a
 * resolved promise only runs microtasks, so I/O that arrived meanwhile (other requests, the
 * connections they come on) waits until the whole CPU-bound stretch is over.
 */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
