/**
 * One WXR `<item>` as read from the file: every field the importer uses, as
 * text, before any rule is applied. Fields are found by namespace key
 * (wxr-reader's namespaceKey: 'wp', 'content', 'excerpt', 'dc', or '' for
 * plain RSS) and local name.
 */

export interface XmlNode {
  ns: string;
  local: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlNode[];
}

export interface WxrAuthor {
  id: string;
  login: string;
  displayName: string;
}

export interface WxrTerm {
  /** 'category' or 'post_tag' (others, such as post_format, are ignored). */
  domain: string;
  nicename: string;
  name: string;
}

export interface WxrComment {
  id: string;
  author: string;
  authorEmail: string;
  authorUrl: string;
  authorIp: string;
  date: string;
  dateGmt: string;
  content: string;
  approved: string;
  type: string;
  parent: string;
  userId: string;
}

export interface WxrItem {
  title: string;
  link: string;
  creator: string;
  content: string;
  excerpt: string;
  postId: string;
  postDate: string;
  postDateGmt: string;
  commentStatus: string;
  postName: string;
  status: string;
  postParent: string;
  postType: string;
  postPassword: string;
  terms: WxrTerm[];
  comments: WxrComment[];
  meta: Record<string, string>;
}

function childText(node: XmlNode, ns: string, local: string): string {
  return node.children.find((child) => child.ns === ns && child.local === local)?.text ?? '';
}

function commentOf(node: XmlNode): WxrComment {
  const field = (local: string) => childText(node, 'wp', local).trim();
  return {
    id: field('comment_id'),
    author: field('comment_author'),
    authorEmail: field('comment_author_email'),
    authorUrl: field('comment_author_url'),
    authorIp: field('comment_author_IP'),
    date: field('comment_date'),
    dateGmt: field('comment_date_gmt'),
    content: childText(node, 'wp', 'comment_content'),
    approved: field('comment_approved'),
    type: field('comment_type'),
    parent: field('comment_parent'),
    userId: field('comment_user_id'),
  };
}

/** The item's fields; the node is dropped afterwards. */
export function itemOf(node: XmlNode): WxrItem {
  const wp = (local: string) => childText(node, 'wp', local).trim();
  const meta: Record<string, string> = {};
  const terms: WxrTerm[] = [];
  const comments: WxrComment[] = [];
  for (const child of node.children) {
    if (child.ns === '' && child.local === 'category') {
      terms.push({ domain: child.attributes.domain ?? 'category', nicename: child.attributes.nicename ?? '', name: child.text.trim() });
    } else if (child.ns === 'wp' && child.local === 'comment') {
      comments.push(commentOf(child));
    } else if (child.ns === 'wp' && child.local === 'postmeta') {
      const key = childText(child, 'wp', 'meta_key').trim();
      if (key !== '') meta[key] = childText(child, 'wp', 'meta_value');
    }
  }
  return {
    title: childText(node, '', 'title').trim(),
    link: childText(node, '', 'link').trim(),
    creator: childText(node, 'dc', 'creator').trim(),
    content: childText(node, 'content', 'encoded'),
    excerpt: childText(node, 'excerpt', 'encoded').trim(),
    postId: wp('post_id'),
    postDate: wp('post_date'),
    postDateGmt: wp('post_date_gmt'),
    commentStatus: wp('comment_status'),
    postName: wp('post_name'),
    status: wp('status'),
    postParent: wp('post_parent'),
    postType: wp('post_type'),
    postPassword: wp('post_password'),
    terms,
    comments,
    meta,
  };
}
