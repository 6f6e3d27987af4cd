import assert from 'node:assert/strict';
import * as cheerio from 'cheerio';

/**
 * Pages are read with a spec-compliant HTML parser (cheerio over parse5), so
 * assertions see what a browser would build, not what a regex happens to match.
 */
export type Page = cheerio.CheerioAPI;

export function parsePage(html: string): Page {
  return cheerio.load(html);
}

/** Text content with runs of white space collapsed, as a reader sees it. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The collapsed text of the first match; fails when nothing matches. */
export function textAt(page: Page, selector: string): string {
  const found = page(selector).first();
  assert.ok(found.length > 0, `expected an element matching ${selector}`);
  return squash(found.text());
}

/** Like textAt, leaving out descendants marked `hidden` (what is rendered). */
export function visibleTextAt(page: Page, selector: string): string {
  const found = page(selector).first().clone();
  assert.ok(found.length > 0, `expected an element matching ${selector}`);
  found.find('[hidden]').remove();
  return squash(found.text());
}

/** The value of one attribute of the first match; fails when nothing matches. */
export function attributeAt(page: Page, selector: string, name: string): string | undefined {
  const found = page(selector).first();
  assert.ok(found.length > 0, `expected an element matching ${selector}`);
  return found.attr(name);
}

/**
 * The name/value pairs a browser would submit from a form: inputs (checked
 * boxes only), textareas and selects, buttons left out.
 */
export function formFields(page: Page, formSelector = '#commentform'): Record<string, string> {
  const form = page(formSelector).first();
  assert.ok(form.length > 0, `expected a form matching ${formSelector}`);
  const fields: Record<string, string> = {};
  form.find('input[name], textarea[name], select[name]').each((_index, element) => {
    const field = page(element);
    const name = field.attr('name')!;
    const type = (field.attr('type') ?? 'text').toLowerCase();
    if (element.tagName === 'textarea') {
      fields[name] = field.text();
    } else if (element.tagName === 'select') {
      fields[name] = String(field.val() ?? '');
    } else if (type === 'checkbox' || type === 'radio') {
      if (field.attr('checked') !== undefined) fields[name] = field.attr('value') ?? 'on';
    } else if (!['submit', 'button', 'image', 'reset', 'file'].includes(type)) {
      fields[name] = field.attr('value') ?? '';
    }
  });
  return fields;
}

/**
 * Fails when markup smuggled in through user input became real markup: any
 * inline script, any event-handler attribute, any javascript: link, any
 * element carrying the test payloads' `src=x`.
 */
export function assertNoInjectedMarkup(page: Page): void {
  page('script').each((_index, element) => {
    const script = page(element);
    if (script.attr('type') === 'application/ld+json') {
      // A data block, never run: it must stay valid JSON with no raw `<` that could end the element.
      assert.doesNotMatch(script.text(), /</, `raw < in JSON-LD: ${page.html(script)}`);
      assert.doesNotThrow(() => JSON.parse(script.text()), `JSON-LD that does not parse: ${page.html(script)}`);
      return;
    }
    assert.equal(squash(script.text()), '', `inline script found: ${page.html(script)}`);
    assert.ok(script.attr('src')?.startsWith('/'), `script from elsewhere: ${page.html(script)}`);
  });
  page('*').each((_index, element) => {
    if (!('attribs' in element)) return;
    for (const name of Object.keys(element.attribs)) {
      assert.ok(!/^on/i.test(name), `event handler attribute ${name} on <${element.tagName}>`);
    }
    const href = element.attribs.href ?? '';
    assert.ok(!/^\s*(javascript|data|vbscript):/i.test(href), `dangerous link ${href}`);
  });
  assert.equal(page('img[src="x"]').length, 0, 'an injected <img src=x> became an element');
}
