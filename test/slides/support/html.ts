/**
 * A tiny HTML reader for checking rendered slides with selectors instead of string equality.
 * It reads well-formed markup (what markdown-it and the SVG writer produce): elements,
 * attributes, text, void and self-closing tags. Selectors: `tag`, `.class`, `#id`, `[attr]`,
 * `[attr=value]`, combined (`g.message.dashed`), with descendant (` `) and child (`>`) steps.
 *
 * @example
 * const root = parseHtml('<section class="slide"><h1>Hi</h1></section>');
 * select(root, 'section.slide > h1').map(textOf); // ['Hi']
 */

export interface HtmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: HtmlNode[];
  parent?: HtmlElement;
}
export type HtmlNode = HtmlElement | string;

const VOID = new Set(['area', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'wbr']);
const TOKEN = /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/([a-zA-Z][\w:-]*)\s*>|<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>|[^<]+|</gi;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

const decode = (text: string) =>
  text.replace(/&(lt|gt|quot|amp|#39|#x27);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&', '#39': "'", '#x27': "'" })[name]!);

export function parseHtml(html: string): HtmlElement {
  const root: HtmlElement = { tag: '#root', attrs: {}, children: [] };
  let current = root;
  for (const match of html.matchAll(TOKEN)) {
    const [whole, closing, opening, attrText = '', selfClosing] = match;
    if (whole.startsWith('<!')) continue;
    if (closing) {
      // Close up to the matching open element; a stray close tag is ignored.
      let node: HtmlElement | undefined = current;
      while (node && node.tag !== closing.toLowerCase()) node = node.parent;
      if (node?.parent) current = node.parent;
    } else if (opening) {
      const attrs: Record<string, string> = {};
      for (const [, name, a, b, c] of attrText.matchAll(ATTR)) attrs[name!.toLowerCase()] = decode(a ?? b ?? c ?? '');
      const element: HtmlElement = { tag: opening.toLowerCase(), attrs, children: [], parent: current };
      current.children.push(element);
      if (!selfClosing && !VOID.has(element.tag)) current = element;
    } else current.children.push(decode(whole));
  }
  return root;
}

export function textOf(node: HtmlNode): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}

function matchesSimple(element: HtmlElement, simple: string): boolean {
  const parts = simple.match(/^[\w-]+|\.[\w-]+|#[\w-]+|\[[^\]]+\]/g) ?? [];
  if (parts.join('') !== simple) throw new TypeError(`Unsupported selector part \`${simple}\``);
  return parts.every((part) => {
    if (part.startsWith('.')) return (element.attrs.class ?? '').split(/\s+/).includes(part.slice(1));
    if (part.startsWith('#')) return element.attrs.id === part.slice(1);
    if (part.startsWith('[')) {
      const [, name, value] = /^\[([\w-]+)(?:="?([^"]*)"?)?\]$/.exec(part) ?? [];
      if (!name) throw new TypeError(`Unsupported attribute selector \`${part}\``);
      return value === undefined ? name in element.attrs : element.attrs[name] === value;
    }
    return element.tag === part.toLowerCase();
  });
}

function descendants(element: HtmlElement): HtmlElement[] {
  return element.children.flatMap((child) => (typeof child === 'string' ? [] : [child, ...descendants(child)]));
}

/** Every element under `root` that matches `selector`, in document order. */
export function select(root: HtmlElement, selector: string): HtmlElement[] {
  const steps = selector.trim().replace(/\s*>\s*/g, ' > ').split(/\s+/);
  let found = [root];
  let child = false;
  for (const step of steps) {
    if (step === '>') {
      child = true;
      continue;
    }
    const pool = found.flatMap((element) => (child ? element.children.filter((c): c is HtmlElement => typeof c !== 'string') : descendants(element)));
    found = [...new Set(pool)].filter((element) => matchesSimple(element, step));
    child = false;
  }
  return found;
}
