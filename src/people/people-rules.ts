import type { Role } from '../admin-auth/index.js';

/** The one rule that keeps a site administrable: some active Administrator always remains. Pure. */

export type PersonChange = { kind: 'update'; role: Role; status: 'active' | 'disabled' } | { kind: 'delete' };

export function lastAdministratorProblem(
  subject: { role: Role; status: 'active' | 'disabled' },
  change: PersonChange,
  otherActiveAdministrators: number,
): string | null {
  const isActiveAdministrator = subject.role === 'administrator' && subject.status === 'active';
  if (!isActiveAdministrator || otherActiveAdministrators > 0) return null;
  if (change.kind === 'delete')
    return 'This is the last active Administrator: make someone else an Administrator before deleting this account. Nothing was changed.';
  if (change.role !== 'administrator')
    return 'This is the last active Administrator: make someone else an Administrator before giving this account another role. Nothing was changed.';
  if (change.status !== 'active')
    return 'This is the last active Administrator: make someone else an Administrator before disabling this account. Nothing was changed.';
  return null;
}

/** What the account log records for a change of role and status, in order. */
export function eventsOfChange(
  before: { role: Role; status: 'active' | 'disabled' },
  after: { role: Role; status: 'active' | 'disabled' },
): Array<{ kind: 'role-changed' | 'disabled' | 'enabled'; detail?: string }> {
  const events: Array<{ kind: 'role-changed' | 'disabled' | 'enabled'; detail?: string }> = [];
  if (before.role !== after.role) events.push({ kind: 'role-changed', detail: `${before.role} → ${after.role}` });
  if (before.status !== after.status) events.push({ kind: after.status === 'disabled' ? 'disabled' : 'enabled' });
  return events;
}
