/**
 * Which decks there are: the opening deck, then one per lesson of the manifest, in its order
 * and with its titles. Each lesson deck gets a title slide and a "your turn" slide made from
 * the manifest, so no deck repeats a title, a step or a file name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LessonInfo } from '../manifest.ts';

export interface Deck {
  /** `00-opening` or the lesson's slug; the page is `<name>.html`. */
  name: string;
  title: string;
  /** The markdown file it is built from. */
  source: string;
  lesson?: LessonInfo;
}

export const OPENING = '00-opening';

export function listDecks(slidesDir: string, lessons: readonly LessonInfo[]): { decks: Deck[]; warnings: string[] } {
  const decks: Deck[] = [];
  const warnings: string[] = [];
  const opening = join(slidesDir, `${OPENING}.md`);
  if (existsSync(opening)) {
    decks.push({ name: OPENING, title: firstHeading(readFileSync(opening, 'utf8')) ?? 'Opening', source: opening });
  } else warnings.push(`no opening deck: write slides/${OPENING}.md`);

  for (const lesson of lessons) {
    const source = join(slidesDir, `${lesson.slug}.md`);
    if (existsSync(source)) decks.push({ name: lesson.slug, title: lesson.title, source, lesson });
    else warnings.push(`lesson ${lesson.id} has no deck yet: write slides/${lesson.slug}.md`);
  }
  // A deck written before its lesson reached the manifest still builds, under its file name.
  for (const file of readdirSync(slidesDir).filter((f) => /^\d\d-.+\.md$/.test(f)).sort()) {
    const name = file.slice(0, -3);
    if (decks.some((deck) => deck.name === name)) continue;
    warnings.push(`slides/${file} matches no lesson in workshop/manifest.ts; built with a title made from its name`);
    decks.push({ name, title: name.slice(3).replace(/-/g, ' '), source: join(slidesDir, file) });
  }
  return { decks, warnings };
}

function firstHeading(markdown: string): string | undefined {
  return /^#\s+(.+?)\s*#*\s*$/m.exec(markdown)?.[1];
}

/** Backslash-escapes what markdown would otherwise read as syntax in a title from the manifest. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~!]/g, '\\$&');
}

/** The markdown a deck is rendered from: its file, framed by the slides made from the manifest. */
export function deckMarkdown(deck: Deck, lessons: readonly LessonInfo[]): string {
  const body = readFileSync(deck.source, 'utf8');
  const { lesson } = deck;
  if (!lesson) return body;
  const next = lessons[lessons.indexOf(lesson) + 1];
  return [titleSlide(lesson), body, yourTurnSlide(lesson, next)].join('\n\n---\n\n');
}

function titleSlide(lesson: LessonInfo): string {
  const steps = lesson.steps.map((step) => `- **${step.id}** ${escapeMarkdown(step.title)} *(${step.difficulty})*`);
  const redis = lesson.minRedis ? `Redis ${lesson.minRedis} or newer` : 'no Redis needed';
  return [`<!-- class: title -->`, `Lesson ${lesson.id} · ${redis}`, `# ${escapeMarkdown(lesson.title)}`, steps.join('\n')].join('\n\n');
}

function yourTurnSlide(lesson: LessonInfo, next: LessonInfo | undefined): string {
  const rows = lesson.steps.map(
    (step) => `| **${step.id}** ${escapeMarkdown(step.title)} | ${step.files.map((f) => `\`${f}\``).join(', ')} | \`npm run verify -- ${step.id}\` |`,
  );
  return [
    '<!-- class: small -->',
    '## Your turn',
    `Open \`lessons/${lesson.slug}/README.md\`, then one step at a time, easiest first:`,
    ['| step | you edit | check it |', '|---|---|---|', ...rows].join('\n'),
    `A failed check says what it saw and prints a hint. The whole lesson: \`npm run verify -- ${lesson.id}\`.`,
    next ? `Next: lesson ${next.id} · ${escapeMarkdown(next.title)}` : 'That was the last lesson: well done.',
  ].join('\n\n');
}
