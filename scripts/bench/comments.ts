import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/platform/db/connection.js';
import type { NewComment } from '../../src/comments/comment-queries.js';

/** Bench comments are recognised (and removed again) by this reserved mail domain. */
export const BENCH_EMAIL_DOMAIN = 'bench.invalid';

const FIRST_NAMES = `Amara Jonas Priya Tomás Mei Olusegun Hannah Dmitri Leila Connor
  Yuki Fatima Marco Ingrid Samuel Aisha Pierre Sofia Kwame Elena`.split(/\s+/);
const LAST_NAMES = `Okafor Lindqvist Raman Herrera Chen Adeyemi Becker Volkov Haddad Walsh
  Tanaka Rahimi Bianchi Nilsen Mensah Kaur Dubois Moreau Park Novak`.split(/\s+/);
const OPENINGS = [
  'Interesting piece.',
  'I am not sure the headline matches the substance here.',
  'Thanks for writing this up so clearly.',
  'This is the part most coverage misses.',
  'Having lived in the region for a decade, I think this is broadly right.',
  'Good analysis, but one thing bothers me.',
  'I read this twice and still have questions.',
  'Finally someone says it plainly.',
];
const MIDDLES = [
  'Beijing has always preferred economic leverage to formal alliances, and nothing in the summit changed that.',
  'The trade figures tell a more complicated story than the joint statement does.',
  'A neutral posture costs China very little while Moscow carries the risk.',
  'It would help to see how the smaller Central Asian states read these signals.',
  'Energy deals are where the real commitments are made, not in the communiqués.',
  'Sanctions enforcement on dual-use goods deserves more attention than it gets.',
  'Military exercises are symbolic; procurement contracts would be the real test.',
  'Public opinion in both countries is far less enthusiastic than the officials suggest.',
  'The historical mistrust between the two capitals has not gone anywhere.',
  'Western policy makers keep assuming a bloc that simply does not exist.',
];
const CLOSINGS = [
  'Curious what others think.',
  'Looking forward to a follow-up.',
  'Would love a source for the second figure.',
  'Time will tell.',
  'Worth keeping an eye on next year.',
  '',
];
const REPLIES = [
  'Fair point, though I would weigh the energy contracts more heavily.',
  'I disagree: the statement was deliberately vague, and that is the story.',
  'Agreed. The procurement numbers are the thing to watch.',
  'Do you have a link for that? I could not find it in the article.',
  'That matches what I heard from colleagues in Almaty.',
  'Exactly, and the smaller neighbours noticed too.',
  'I think you are reading too much into one summit.',
];

/** A small deterministic generator, so every run benches the same page. */
function randomSequence(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

export interface BenchComments {
  inserted: number;
  replies: number;
}

/** Removes comments left by an earlier bench run against the same database. */
export async function removeBenchComments(db: Database): Promise<number> {
  return db('comments').where('author_email', 'like', `%@${BENCH_EMAIL_DOMAIN}`).delete();
}

/**
 * Inserts `count` approved comments on the article, oldest first, about a
 * third of them replies to an earlier one (so the page renders real threads).
 */
export async function insertBenchComments(
  db: Database,
  article: { id: string; published_at: Date | null },
  count: number,
): Promise<BenchComments> {
  const random = randomSequence(20261128);
  const start = (article.published_at ?? new Date()).getTime() + 60 * 60 * 1000;
  const ids: string[] = [];
  let replies = 0;
  await db.transaction(async (trx) => {
    for (let index = 0; index < count; index++) {
      const first = random.pick(FIRST_NAMES);
      const last = random.pick(LAST_NAMES);
      const isReply = ids.length >= 3 && random.next() < 0.35;
      const parentId = isReply ? ids[Math.max(0, ids.length - 1 - Math.floor(random.next() * 8))]! : null;
      const body = isReply
        ? random.pick(REPLIES)
        : [random.pick(OPENINGS), random.pick(MIDDLES), random.pick(MIDDLES), random.pick(CLOSINGS)].filter(Boolean).join(' ');
      const createdAt = new Date(start + index * 37 * 60 * 1000);
      const comment: NewComment = {
        article_id: article.id,
        parent_id: parentId,
        status: 'approved',
        author_name: `${first} ${last}`,
        author_email: `${first}.${last}.${index}@${BENCH_EMAIL_DOMAIN}`.toLowerCase(),
        author_url: random.next() < 0.2 ? `https://${last.toLowerCase()}.example.org/` : '',
        body,
        ip: '127.0.0.1',
        user_agent: 'broadsheet-bench',
        submission_id: randomUUID(),
      };
      const [row] = await trx('comments')
        .insert({ ...comment, created_at: createdAt, approved_at: createdAt })
        .returning<Array<{ id: string }>>('id');
      ids.push(row!.id);
      if (isReply) replies++;
    }
  });
  return { inserted: ids.length, replies };
}
