// Builds DOM elements whose content is text only: the panel never parses strings as HTML.
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string } = {},
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.text !== undefined) el.textContent = props.text;
  return el;
}

/**
 * Writes text only when it changed, so unchanged cells cost no layout. An existing text node is rewritten in place:
 * that is a characterData change, not a childList one, which chart.js's document-wide attach/detach observers and
 * the accessibility tree handle far more cheaply when 2,000 rows change at once.
 */
export function setText(el: Element, text: string): void {
  const node = el.firstChild;
  if (node && node === el.lastChild && node.nodeType === Node.TEXT_NODE) {
    if ((node as Text).data !== text) (node as Text).data = text;
  } else if (el.textContent !== text) {
    el.textContent = text;
  }
}
