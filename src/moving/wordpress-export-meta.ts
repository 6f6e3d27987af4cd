/**
 * What a Broadsheet export says that WordPress has no field for, in
 * `wp:postmeta` (keys starting with `_`, which WordPress keeps hidden): the
 * source format, a Markdown article's Markdown (content:encoded holds the
 * HTML it renders to), and the figure. An import of such a file reads them
 * back with readBroadsheetMeta; a WordPress site simply keeps them.
 */
export const BROADSHEET_META = {
  /** `markdown` or `html`. */
  format: '_broadsheet_format',
  markdown: '_broadsheet_markdown',
  figureImage: '_broadsheet_figure_image',
  figureAlt: '_broadsheet_figure_alt',
  figureCaption: '_broadsheet_figure_caption',
  figureAfterParagraph: '_broadsheet_figure_after_paragraph',
} as const;

export interface BroadsheetSource {
  /** The Markdown source, when the article was written in Markdown; null: content:encoded is the source. */
  markdown: string | null;
  figure: { image: string | null; alt: string | null; caption: string | null; afterParagraph: number } | null;
}

/** The articles' rule for a figure image: a bundled path or an upload. */
const FIGURE_IMAGE = /^\/(images|media)\/[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** An item's postmeta (key → value) as an article's source and figure; anything malformed is left out. */
export function readBroadsheetMeta(meta: Readonly<Record<string, string>>): BroadsheetSource {
  const markdown = meta[BROADSHEET_META.format] === 'markdown' ? (meta[BROADSHEET_META.markdown] ?? null) : null;
  const rawImage = meta[BROADSHEET_META.figureImage] ?? '';
  const image = FIGURE_IMAGE.test(rawImage) ? rawImage : null;
  const caption = meta[BROADSHEET_META.figureCaption] || null;
  const after = Number(meta[BROADSHEET_META.figureAfterParagraph] ?? '1');
  const figure =
    image || caption
      ? {
          image,
          alt: image ? (meta[BROADSHEET_META.figureAlt] ?? '') : null,
          caption,
          afterParagraph: Number.isInteger(after) && after >= 1 ? after : 1,
        }
      : null;
  return { markdown, figure };
}
