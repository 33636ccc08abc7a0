/** Small DOM helpers shared by the console's parts. */
import { displayUrl, encodeKey } from './api.js';
import { thumbHashToDataURL } from './thumbhash.js';

/** `el('p', { class: 'x' }, 'text', child)`: an element with attributes and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** The square thumbnail the cards show: 2× a card's width, so sharp on high-density screens. */
const thumbnailPath = (key) => `/img/width=320,height=320,fit=cover,format=auto/${encodeKey(key)}`;

function placeholderUrl(thumbhash) {
  if (!thumbhash) return undefined;
  try {
    return thumbHashToDataURL(Uint8Array.from(atob(thumbhash), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/**
 * A thumbnail box: the ThumbHash placeholder at once, then the real
 * thumbnail (through a URL the worker signed) fading in over it.
 */
export async function thumbnail(key, thumbhash, alt) {
  const box = el('span', { class: 'thumb' });
  const placeholder = placeholderUrl(thumbhash);
  if (placeholder) box.style.backgroundImage = `url("${placeholder}")`;
  const image = el('img', { alt, loading: 'lazy', decoding: 'async' });
  image.addEventListener('load', () => image.classList.add('loaded'));
  box.append(image);
  image.src = await displayUrl(thumbnailPath(key));
  return box;
}
