// The page's one DOM helper: elements are built as nodes, never from HTML strings, so nothing a
// message carries can inject markup.

/**
 * The element the page's HTML declares for this selector; a missing one is a bug in index.html.
 * @template {Element} [T=HTMLElement]
 * @param {string} selector
 * @returns {T}
 */
export function $(selector) {
  const node = document.querySelector(selector);
  if (!node) throw new Error(`The page has no ${selector}`);
  return /** @type {T} */ (/** @type {unknown} */ (node));
}

/**
 * @typedef {Record<string, string | number | boolean | null | undefined | ((event: Event) => unknown)>} Attributes
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * `el('button', { class: 'primary', onclick: … }, 'Send')`: `on*` attributes become listeners,
 * `true` an empty attribute; null, undefined and false attributes and children are left out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') {
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      continue;
    }
    if (k === 'class') node.className = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/**
 * An SVG element with its attributes set.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElementTagNameMap[K]}
 */
export function svgEl(tag, attrs) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}
