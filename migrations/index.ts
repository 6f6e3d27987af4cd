import type { Knex } from 'knex';
import * as createArticles from './20261128_01_create_articles.js';
import * as createUsers from './20261128_02_create_users.js';
import * as createComments from './20261128_03_create_comments.js';
import * as createSession from './20261128_04_create_session.js';
import * as createModeration from './20261128_05_create_moderation.js';
import * as createDiscussion from './20261128_06_create_discussion.js';
import * as createUnsubscribes from './20261128_07_create_unsubscribes.js';
import * as createPageVersions from './20261128_08_create_page_versions.js';
import * as createCommentCounts from './20261128_09_create_comment_counts.js';
import * as indexCommentsByTime from './20261128_10_index_comments_by_time.js';
import * as addArticleFigureImage from './20261129_11_add_article_figure_image.js';
import * as addCommentSearchIndex from './20261129_12_add_comment_search_index.js';
import * as notifyPageChanges from './20261129_13_notify_page_changes.js';
import * as deferCommentBookkeeping from './20261203_14_defer_comment_bookkeeping.js';
import * as shardCommentCounts from './20261204_15_shard_comment_counts.js';
import * as guardCommenterEdits from './20261207_16_guard_commenter_edits.js';
import * as accountDisplayNames from './20261207_17_account_display_names.js';
import * as accountQueuePreferences from './20261207_18_account_queue_preferences.js';
import * as conversationUnsubscribes from './20261207_19_conversation_unsubscribes.js';
import * as expireRateLimits from './20261207_20_expire_rate_limits.js';
import * as unshardCommentCounts from './20261207_21_unshard_comment_counts.js';
import * as articlesInTheAdmin from './20261207_22_articles_in_the_admin.js';
import * as scheduleFutureArticles from './20261207_23_schedule_future_articles.js';
import * as createMedia from './20261207_24_create_media.js';
import * as indexArticleList from './20261207_25_index_article_list.js';
import * as notifyTagChanges from './20261207_27_notify_tag_changes.js';
import * as rolesAndPeople from './20261207_28_roles_and_people.js';
import * as accountEventsAndResets from './20261207_29_account_events_and_resets.js';
import * as twoFactor from './20261207_30_two_factor.js';
import * as invitations from './20261207_31_invitations.js';
import * as wordpressOrigins from './20261207_32_wordpress_origins.js';
import * as keepLess from './20261207_33_keep_less.js';
import * as privacyRequests from './20261207_34_privacy_requests.js';
import * as commentBookkeepingPerStatement from './20261207_35_comment_bookkeeping_per_statement.js';
import * as indexDuplicateCheck from './20261207_36_index_duplicate_check.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Every migration, in order. Names carry no file extension so that the
 * TypeScript sources and the compiled build share one history.
 */
export const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ['20261128_01_create_articles', createArticles],
  ['20261128_02_create_users', createUsers],
  ['20261128_03_create_comments', createComments],
  ['20261128_04_create_session', createSession],
  ['20261128_05_create_moderation', createModeration],
  ['20261128_06_create_discussion', createDiscussion],
  ['20261128_07_create_unsubscribes', createUnsubscribes],
  ['20261128_08_create_page_versions', createPageVersions],
  ['20261128_09_create_comment_counts', createCommentCounts],
  ['20261128_10_index_comments_by_time', indexCommentsByTime],
  ['20261129_11_add_article_figure_image', addArticleFigureImage],
  ['20261129_12_add_comment_search_index', addCommentSearchIndex],
  ['20261129_13_notify_page_changes', notifyPageChanges],
  ['20261203_14_defer_comment_bookkeeping', deferCommentBookkeeping],
  ['20261204_15_shard_comment_counts', shardCommentCounts],
  ['20261207_16_guard_commenter_edits', guardCommenterEdits],
  ['20261207_17_account_display_names', accountDisplayNames],
  ['20261207_18_account_queue_preferences', accountQueuePreferences],
  ['20261207_19_conversation_unsubscribes', conversationUnsubscribes],
  ['20261207_20_expire_rate_limits', expireRateLimits],
  ['20261207_21_unshard_comment_counts', unshardCommentCounts],
  ['20261207_22_articles_in_the_admin', articlesInTheAdmin],
  ['20261207_23_schedule_future_articles', scheduleFutureArticles],
  ['20261207_24_create_media', createMedia],
  ['20261207_25_index_article_list', indexArticleList],
  ['20261207_27_notify_tag_changes', notifyTagChanges],
  ['20261207_28_roles_and_people', rolesAndPeople],
  ['20261207_29_account_events_and_resets', accountEventsAndResets],
  ['20261207_30_two_factor', twoFactor],
  ['20261207_31_invitations', invitations],
  ['20261207_32_wordpress_origins', wordpressOrigins],
  ['20261207_33_keep_less', keepLess],
  ['20261207_34_privacy_requests', privacyRequests],
  ['20261207_35_comment_bookkeeping_per_statement', commentBookkeepingPerStatement],
  ['20261207_36_index_duplicate_check', indexDuplicateCheck],
];

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(migrations.map(([name]) => name)),
  getMigrationName: (name) => name,
  getMigration: (name) => {
    const found = migrations.find(([candidate]) => candidate === name);
    // A rejection, as from an async function: knex awaits it.
    if (!found) return Promise.reject(new Error(`Unknown migration ${name}`));
    return Promise.resolve(found[1]);
  },
};
