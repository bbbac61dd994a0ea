/** What every way of getting a Redis throws when it cannot, and the helpers that word its messages. */

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * Neither a local `redis-server` nor Docker could start a Redis. Callers say what that means for
 * them (the lessons, a learner's server, the class's state) and read these fields to say why.
 */
export class NoRedisError extends RedisUnavailableError {
  override name = 'NoRedisError';
  /** Docker was not tried: WORKSHOP_DOCKER=0, `docker: false`, or only a local server was asked for. */
  readonly dockerOff: boolean;
  /** Why Docker did not work, when it was tried. */
  readonly dockerError: unknown;

  /** `docker`: 'off' (turned off), 'not tried' (a local server was asked for), or the error Docker failed with. */
  constructor(docker: 'off' | 'not tried' | { error: unknown }) {
    const why = docker === 'off' ? ', and Docker is turned off' : docker === 'not tried' ? '' : `, and Docker did not work (${describe(docker.error)})`;
    super(
      [
        `No Redis could be started: no \`redis-server\` on the PATH${why}.`,
        `Install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)${docker === 'not tried' ? '' : ' or start Docker (Docker Desktop, colima or dockerd)'}.`,
      ].join('\n'),
      typeof docker === 'object' ? { cause: docker.error } : undefined,
    );
    this.dockerOff = typeof docker !== 'object';
    this.dockerError = typeof docker === 'object' ? docker.error : undefined;
  }
}

/** The address without its password, to print. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/** An error in a few words: its code (ECONNREFUSED) or the first line of its message. */
export function describe(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message.split('\n')[0] ?? error.name;
  return String(error);
}
