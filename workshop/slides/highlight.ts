/**
 * Code highlighting at build time with highlight.js (its core and the few languages the decks
 * use, so a build does not load all 190). Plugs into markdown-it's `highlight` option.
 *
 * @example
 * const md = new MarkdownIt({ highlight });
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import json from 'highlight.js/lib/languages/json';
import lua from 'highlight.js/lib/languages/lua';
import plaintext from 'highlight.js/lib/languages/plaintext';
import typescript from 'highlight.js/lib/languages/typescript';

hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('json', json);
hljs.registerLanguage('lua', lua);
hljs.registerLanguage('plaintext', plaintext);
hljs.registerAliases(['ts', 'js', 'javascript'], { languageName: 'typescript' });
hljs.registerAliases(['sh', 'shell', 'console'], { languageName: 'bash' });
hljs.registerAliases(['text', 'txt'], { languageName: 'plaintext' });

/** Highlighted HTML for `code`, or '' for an unknown language (markdown-it then escapes it as is). */
export function highlight(code: string, language: string): string {
  if (!language || !hljs.getLanguage(language)) return '';
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}

/** The file of highlight.js's own theme that the pages use, copied next to them. */
export const HIGHLIGHT_THEME = 'highlight.js/styles/github.css';
