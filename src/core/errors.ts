// Small named error types; the CLI catches them in one place and exits with their exitCode.

export interface Problem {
  file?: string;
  line?: number;
  id?: string;
  field?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}` : '';
  const what = [p.id ? `state '${p.id}'` : '', p.field ? `field '${p.field}'` : '']
    .filter(Boolean)
    .join(', ');
  return [where, what].filter(Boolean).join(': ') + (where || what ? ': ' : '') + p.message;
}

export class BrineError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid input: every problem found, each with file, line, state id and field. */
export class SpecError extends BrineError {
  constructor(readonly problems: Problem[]) {
    super(
      problems.length === 1
        ? formatProblem(problems[0])
        : `${problems.length} problems:\n` + problems.map((p) => '  - ' + formatProblem(p)).join('\n'),
    );
  }
}

/** A command on the host failed. argv is shown redacted by the reporter's masker. */
export class CommandError extends BrineError {
  constructor(
    readonly argv: string[],
    readonly result: { exitCode: number; stderr: string; stdout: string },
  ) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-8).join('\n');
    super(`command failed (exit ${result.exitCode}): ${argv.join(' ')}${detail ? `\n${detail}` : ''}`);
  }
}

/** Another apply holds the host's lock. */
export class LockError extends BrineError {
  constructor(message: string) {
    super(message);
  }
}

/** A plan refused to go on because doing so would break the host (lockout guards). */
export class GuardError extends BrineError {
  constructor(message: string) {
    super(message);
  }
}

/** A state's own failure with a human reason (validator rejected, etc.). */
export class StateFailure extends BrineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 1, options);
  }
}

/**
 * A validator rejected the candidate, for kinds that throw rather than return a plan's
 * `rejected` (data, with the candidate's changes, is the better way).
 */
export class ValidationError extends StateFailure {}

/**
 * Something the state needs is not on the host (a user, a parent directory, a unit). In --test
 * the state fails as the real run would, unless an earlier state's effects are not predicted
 * (one of them may bring it): then it is pending, saying so.
 */
export class MissingError extends StateFailure {}

/**
 * In --test, a read of something a pending package install brings (its files, its units): what
 * it will be is unknown until the package is installed. The engine reports the state as pending
 * with this reason; it never guesses.
 */
export class UnknownError extends BrineError {
  constructor(
    readonly path: string,
    /** What brings it: "nginx-light". */
    readonly source: string,
    /** "is installed", "has run". */
    readonly until: string,
  ) {
    super(`${path}: unknown until ${source} ${until}`);
  }
}

/** pillar/<env>/env.yaml is missing or malformed, or -H/-u select nothing usable. */
export class InventoryError extends BrineError {
  constructor(message: string) {
    super(message);
  }
}

/** SSH could not reach or log in to a host (ssh exit 255): the host is reported unreachable. */
export class UnreachableError extends BrineError {
  constructor(
    readonly host: string,
    /** Why, without the host (ssh's last line): what a line already naming the host shows. */
    readonly detail: string,
  ) {
    super(`${host}: unreachable: ${detail}`);
  }
}

/** The login user has no passwordless sudo (or no sudo) on the host. */
export class SudoError extends BrineError {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(`${host}: ${message}`);
  }
}

/** A step of `provision` on a host failed (bootstrap, upload, run); names the step. */
export class RemoteError extends BrineError {
  constructor(
    readonly host: string,
    readonly step: string,
    message: string,
  ) {
    super(`${host}: ${step} failed: ${message}`);
  }
}

/**
 * ssh refused the host's key, or it does not match host_keys: in env.yaml. The message says
 * which case (unknown, changed, a type no longer offered) and what to do; nothing ran.
 */
export class HostKeyError extends BrineError {
  constructor(
    readonly host: string,
    message: string,
    /** What ssh printed, when it was ssh that refused. */
    readonly sshSaid = '',
  ) {
    super(`${host}: ${message}`);
  }
}
/** brine's own file (lock, run log, report, var dir) could not be read or written. */
export class IoError extends BrineError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, 1, options);
  }
}

/**
 * One line naming what brine tried, the path and the cause (`no space left on device (ENOSPC)`),
 * for a Node file-system error; anything else is returned as it is.
 */
export function ioError(action: string, path: string, err: unknown): unknown {
  if (!isSystemError(err)) return err;
  return new IoError(path, `cannot ${action} ${path}: ${systemCause(err)}`, { cause: err });
}

export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** `no space left on device (ENOSPC)` from `ENOSPC: no space left on device, open '/x'`. */
export function systemCause(err: NodeJS.ErrnoException): string {
  const reason = /^[A-Z0-9_]+: ([^,]+)/.exec(err.message)?.[1] ?? err.message;
  return `${reason} (${err.code})`;
}
