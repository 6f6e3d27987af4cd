/** When PostgreSQL was killed, when it was started again and when it answered (ms since the epoch). */
export interface Outage {
  killedAt?: number;
  restartedAt?: number;
  readyAt?: number;
}

interface NetworkFailure {
  startedAt: number;
  endedAt: number;
  code: string;
  what: string;
}

/** Everything the commenters saw, shared by all of them (one event loop, so no locking). */
export class Tally {
  /** submission id → the comment id its 303 pointed to. */
  readonly accepted = new Map<string, string>();
  readonly acceptedAt: number[] = [];
  submissions = 0;
  pagesLoaded = 0;
  answers503 = 0;
  retries = 0;
  gaveUp = 0;
  inFlight = 0;
  /** Answers other than 303/200/503, and broken 503s. */
  readonly wrongAnswers: string[] = [];
  private readonly network: NetworkFailure[] = [];
  /** When each request answered 503 was sent. */
  private readonly sentAnswered503: number[] = [];

  accept(submissionId: string, commentId: string, at: number) {
    this.accepted.set(submissionId, commentId);
    this.acceptedAt.push(at);
  }

  unavailable(sentAt: number, what: 'GET' | 'POST') {
    if (what === 'POST') this.answers503 += 1;
    this.sentAnswered503.push(sentAt);
  }

  /** 503s to requests sent more than `seconds` after PostgreSQL answered again: the app had not recovered yet. */
  late503s(outage: Outage, seconds: number): number {
    if (outage.readyAt === undefined) return 0;
    const after = outage.readyAt + seconds * 1000;
    return this.sentAnswered503.filter((sentAt) => sentAt > after).length;
  }

  wrongAnswer(description: string) {
    this.wrongAnswers.push(description);
  }

  networkFailure(failure: NetworkFailure) {
    this.network.push(failure);
  }

  /** Resets, refusals and timeouts of requests that overlapped the outage are expected; others are faults. */
  networkFailures(outage: Outage): { duringOutage: NetworkFailure[]; whileUp: NetworkFailure[] } {
    const downFrom = outage.killedAt ?? Infinity;
    const downUntil = outage.readyAt ?? Infinity;
    const overlaps = (failure: NetworkFailure) => failure.endedAt >= downFrom && failure.startedAt <= downUntil;
    return { duringOutage: this.network.filter(overlaps), whileUp: this.network.filter((failure) => !overlaps(failure)) };
  }

  /** Every error that must not happen, grouped by what it was. */
  errors(outage: Outage): { count: number; kinds: Map<string, number> } {
    const { whileUp } = this.networkFailures(outage);
    const described = [...this.wrongAnswers, ...whileUp.map((failure) => `${failure.what}: ${failure.code} while the database was up`)];
    const kinds = new Map<string, number>();
    for (const description of described) kinds.set(description, (kinds.get(description) ?? 0) + 1);
    return { count: described.length, kinds };
  }

  /**
   * Seconds from the restarted PostgreSQL answering to the first 303, if there
   * was one. Its own start-up (crash recovery: from under a second to several
   * on a busy machine) is the database's time, not the app's, and is shown apart.
   */
  recoverySeconds(outage: Outage): number | undefined {
    const back = outage.readyAt;
    if (back === undefined) return undefined;
    const first = this.acceptedAt.reduce((earliest, at) => (at >= back && at < earliest ? at : earliest), Infinity);
    return Number.isFinite(first) ? (first - back) / 1000 : undefined;
  }
}
