import { showControlCharacters } from '../util/show-control-characters.js';
const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The one way text enters HTML: safe in element content and in quoted attributes (single or
 * double), including inside inline SVG. Version and metric names come from user files.
 */
export function escapeHtml(text: string): string {
  // Line breaks and tabs are the page's own; other control characters are shown, not sent to a terminal.
  return showControlCharacters(text, '\n\t').replace(/[&<>"']/g, (char) => entities[char] ?? char);
}
