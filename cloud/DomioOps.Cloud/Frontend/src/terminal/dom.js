// A few lines instead of a framework: elements from tag, attributes and children.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of a region only when what it shows changed (so a focused button stays focused). */
export function region(element, signature, build) {
  if (!element || element.dataset.signature === signature) return false;
  element.dataset.signature = signature;
  element.replaceChildren(...[build()].flat().filter(Boolean));
  return true;
}

export function text(selector, value, root = document) {
  const element = root.querySelector(selector);
  if (element && element.textContent !== String(value)) element.textContent = String(value);
}
