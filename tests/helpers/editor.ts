import type { AdminClient } from './admin.js';
import { formFields, parsePage, type Page } from './html.js';

/** The article editor as a browser uses it: load the page, change fields, press a button. */

export interface EditorForm {
  page: Page;
  /** What the form would send, buttons left out. */
  fields: Record<string, string>;
  action: string;
}

export async function openEditor(admin: AdminClient, path: string): Promise<EditorForm> {
  const page = parsePage((await admin.agent.get(path).expect(200)).text);
  return { page, fields: formFields(page, '#editor-form'), action: page('#editor-form').attr('action')! };
}

/**
 * Sends the form with these changes and the pressed button's `action`; a
 * field set to undefined is left out, as an unticked checkbox is.
 */
export function submitEditor(
  admin: AdminClient,
  form: Pick<EditorForm, 'fields' | 'action'>,
  changes: Record<string, string | undefined> = {},
  button = 'save',
) {
  const merged: Record<string, string | undefined> = { ...form.fields, ...changes, action: button };
  const pairs = Object.entries(merged).filter((pair): pair is [string, string] => pair[1] !== undefined);
  return admin.post(form.action, pairs);
}

/** Creates an article through the editor; returns its id. */
export async function createThroughEditor(
  admin: AdminClient,
  changes: Record<string, string | undefined>,
  button = 'save',
): Promise<string> {
  const form = await openEditor(admin, '/admin/articles/new');
  const response = await submitEditor(admin, form, changes, button);
  if (response.status !== 303) {
    const page = parsePage(response.text);
    const summary = (page('.error-summary').text() || page('main').text()).replace(/\s+/g, ' ').slice(0, 500);
    throw new Error(`the editor answered ${response.status}: ${summary}`);
  }
  const id = /^\/admin\/articles\/(\d+)\/edit$/.exec(String(response.headers.location))?.[1];
  if (!id) throw new Error(`unexpected Location ${String(response.headers.location)}`);
  return id;
}
