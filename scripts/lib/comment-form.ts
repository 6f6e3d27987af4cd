import * as cheerio from 'cheerio';

/**
 * The name/value pairs a browser would send from the article's comment form
 * as rendered: hidden fields (submission id, signed time stamp, the empty
 * honeypot…), ticked boxes and text fields alike. Only the form itself is
 * parsed, not the whole page.
 */
export interface CommentForm {
  action: string;
  fields: Record<string, string>;
}

export function readCommentForm(html: string): CommentForm | undefined {
  const start = html.search(/<form\b[^>]*\bid="commentform"/);
  const end = html.indexOf('</form>', start);
  if (start < 0 || end < 0) return undefined;
  const form = cheerio.load(html.slice(start, end + '</form>'.length));
  const action = form('form').attr('action') ?? '';
  const fields: Record<string, string> = {};
  form('input[name], textarea[name], select[name]').each((_index, element) => {
    const field = form(element);
    const name = field.attr('name')!;
    const type = (field.attr('type') ?? 'text').toLowerCase();
    if (element.tagName === 'textarea') fields[name] = field.text();
    else if (element.tagName === 'select') fields[name] = String(field.val() ?? '');
    else if (type === 'checkbox' || type === 'radio') {
      if (field.attr('checked') !== undefined) fields[name] = field.attr('value') ?? 'on';
    } else if (!['submit', 'button', 'image', 'reset', 'file'].includes(type)) fields[name] = field.attr('value') ?? '';
  });
  return { action, fields };
}
