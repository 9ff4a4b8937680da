const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x27;': "'",
  '&#39;': "'",
  '&#x60;': '`',
  '&#x3D;': '=',
};

/**
 * Text that was stored HTML-escaped (by Handlebars' `{{ }}`: the notices) back to plain text, so
 * that the page escapes it exactly once on output instead of trusting stored markup with `{{{ }}}`.
 */
export function unescapeHtml(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#x27|#39|#x60|#x3D);/g, (entity) => ENTITIES[entity]);
}
