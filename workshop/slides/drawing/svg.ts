/**
 * Small helpers to write SVG as text: escaping, elements, fonts, and text widths estimated
 * well enough to lay a drawing out at build time (no browser measures anything).
 */

export type Attributes = Record<string, string | number | undefined>;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `<name attr="…">children</name>`, or `<name …/>` with no children; undefined attributes are left out. */
export function element(name: string, attributes: Attributes, children?: string): string {
  const attrs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(String(typeof value === 'number' ? round(value) : value))}"`)
    .join('');
  return children === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

export function text(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return element('text', { x, y, ...attributes }, escapeXml(content));
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Fonts every machine has locally: nothing is fetched. */
export const MONO = 'DejaVu Sans Mono, Menlo, Consolas, monospace';
export const SANS = 'DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif';

/** Width of `content` in a monospaced font of `size` px (an advance of 0.6 em per character). */
export function monoWidth(content: string, size: number): number {
  return [...content].length * size * 0.61;
}

/** Width of `content` in the sans-serif font: an average that errs on the wide side. */
export function sansWidth(content: string, size: number, bold = false): number {
  return [...content].length * size * (bold ? 0.68 : 0.6);
}

/** Fill and stroke for participant number `index`: soft tints with a darker edge. */
export function palette(index: number): { fill: string; stroke: string } {
  const colors = [
    { fill: '#dbeafe', stroke: '#1d4ed8' },
    { fill: '#dcfce7', stroke: '#15803d' },
    { fill: '#fef3c7', stroke: '#b45309' },
    { fill: '#ede9fe', stroke: '#6d28d9' },
    { fill: '#ffe4e6', stroke: '#be123c' },
    { fill: '#cffafe', stroke: '#0e7490' },
  ];
  return colors[index % colors.length]!;
}
