/**
 * When the fault began, and when the database could be reached again (ms
 * since the epoch); for a killed PostgreSQL also when it was started again
 * (its own crash recovery lies between that and `clearedAt`).
 */
export interface Outage {
  startedAt?: number;
  restartedAt?: number;
  clearedAt?: number;
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
  /** When each request answered 503 was sent, and when its answer came. */
  private readonly answered503: Array<{ sentAt: number; answeredAt: number }> = [];

  accept(submissionId: string, commentId: string, at: number) {
    this.accepted.set(submissionId, commentId);
    this.acceptedAt.push(at);
  }

  unavailable(sentAt: number, answeredAt: number, what: 'GET' | 'POST') {
    if (what === 'POST') this.answers503 += 1;
    this.answered503.push({ sentAt, answeredAt });
  }

  /** 503s to requests sent more than `seconds` after the fault cleared: the app had not recovered yet. */
  late503s(outage: Outage, seconds: number): number {
    if (outage.clearedAt === undefined) return 0;
    const after = outage.clearedAt + seconds * 1000;
    return this.answered503.filter(({ sentAt }) => sentAt > after).length;
  }

  /** Seconds from the fault's start to the first 503 answered after it: how soon the app said so. */
  firstUnavailableSeconds(outage: Outage): number | undefined {
    const from = outage.startedAt;
    if (from === undefined) return undefined;
    const first = this.answered503.reduce(
      (earliest, { answeredAt }) => (answeredAt >= from && answeredAt < earliest ? answeredAt : earliest),
      Infinity,
    );
    return Number.isFinite(first) ? (first - from) / 1000 : undefined;
  }

  wrongAnswer(description: string) {
    this.wrongAnswers.push(description);
  }

  networkFailure(failure: NetworkFailure) {
    this.network.push(failure);
  }

  /** Resets, refusals and timeouts of requests that overlapped the outage are expected; others are faults. */
  networkFailures(outage: Outage): { duringOutage: NetworkFailure[]; whileUp: NetworkFailure[] } {
    const downFrom = outage.startedAt ?? Infinity;
    const downUntil = outage.clearedAt ?? Infinity;
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

  /** Seconds from the fault clearing (the database answering again) to the first 303, if there was one. */
  recoverySeconds(outage: Outage): number | undefined {
    const back = outage.clearedAt;
    if (back === undefined) return undefined;
    const first = this.acceptedAt.reduce((earliest, at) => (at >= back && at < earliest ? at : earliest), Infinity);
    return Number.isFinite(first) ? (first - back) / 1000 : undefined;
  }
}
