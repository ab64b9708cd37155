/** A user-facing failure: the CLI prints its message on one line, without a stack trace, and exits 1. */
export class CliError extends Error {}
