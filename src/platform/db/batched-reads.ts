/**
 * Gathers reads asked for together into one call of `readMany`, at most
 * `maxBatch` at a time. Under load many comment posts ask at once, and one
 * statement for all of them costs one round trip instead of one each: each
 * round trip costs the app a system call that wakes the database's
 * process, and the database a statement.
 *
 * While `maxInFlight` batches are out, new reads wait and go together in
 * the next: the busier the app, the larger the batches. On the comment POST
 * bench, gathering only each turn's reads made batches of 3 or 4 (1,176–1,261
 * posts a second); one batch in flight, 1,299 (two or three: 1,214–1,221).
 *
 * A read asked for alone goes to `readOne`. When a batch fails, each of its
 * reads is tried again alone, so that one question the database refuses
 * fails only its own read.
 */
export function batchedReads<Question, Answer>(
  readMany: (questions: Question[]) => Promise<Answer[]>,
  readOne: (question: Question) => Promise<Answer>,
  maxBatch = 16,
  maxInFlight = 1,
): (question: Question) => Promise<Answer> {
  type Waiting = { question: Question; resolve: (answer: Answer) => void; reject: (error: unknown) => void };
  const waiting: Waiting[] = [];

  const alone = ({ question, resolve, reject }: Waiting) => void readOne(question).then(resolve, reject);

  let inFlight = 0;
  let flushScheduled = false;
  const done = () => {
    inFlight -= 1;
    if (waiting.length > 0 && !flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };
  const flush = () => {
    flushScheduled = false;
    while (waiting.length > 0 && inFlight < maxInFlight) {
      const batch = waiting.splice(0, maxBatch);
      inFlight += 1;
      if (batch.length === 1) {
        const [entry] = batch;
        readOne(entry!.question).then(entry!.resolve, entry!.reject).finally(done);
        continue;
      }
      readMany(batch.map((entry) => entry.question))
        .then(
          (answers) => batch.forEach((entry, index) => entry.resolve(answers[index]!)),
          () => batch.forEach(alone),
        )
        .finally(done);
    }
  };

  return (question) =>
    new Promise<Answer>((resolve, reject) => {
      waiting.push({ question, resolve, reject });
      if (!flushScheduled && inFlight < maxInFlight) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
}
