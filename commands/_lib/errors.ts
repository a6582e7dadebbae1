// Errors a command raises for people: they become one line on stderr and an exit code.
export const EXIT_OK = 0;
export const EXIT_NEGATIVE = 1;
export const EXIT_USAGE = 2;
export const EXIT_TEMPFAIL = 75;

/** A failure to report as `blaze: CMD: message` with the given exit status (no stack trace). */
export class BlazeError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'BlazeError';
  }
}

export function usageError(message: string): BlazeError {
  return new BlazeError(message, EXIT_USAGE);
}

export function tempError(message: string): BlazeError {
  return new BlazeError(message, EXIT_TEMPFAIL);
}

/** Turns a file-system error into a one-line message naming the file. */
export function describeFsError(path: string, err: unknown): BlazeError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT' ? 'no such file or directory'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'is a directory'
    : code === 'ENOTDIR' ? 'not a directory'
    : code === 'EEXIST' ? 'already exists'
    : code === 'ENOSPC' ? 'no space left on device'
    : (err as Error)?.message ?? String(err);
  return new BlazeError(`${path}: ${why}`, EXIT_USAGE);
}
