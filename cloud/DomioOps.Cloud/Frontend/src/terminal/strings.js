// The terminal's words: a JSON dictionary the host makes from Resources/Ui*.resx (keys "Terminal.*", prefix stripped),
// and numbers, dates and durations formatted with Intl for the chosen language.
export const languages = ['en', 'ru'];
const storageKey = 'domio.terminal.language';
let words = {};
let language = 'en';

export function chosenLanguage() {
  const stored = localStorage.getItem(storageKey);
  if (languages.includes(stored)) return stored;
  const browser = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return languages.includes(browser) ? browser : 'en';
}

export function currentLanguage() { return language; }

export async function loadLanguage(chosen) {
  const response = await fetch(`/terminal/strings/${chosen}.json`, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`strings ${chosen}: ${response.status}`);
  words = await response.json();
  language = chosen;
  localStorage.setItem(storageKey, chosen);
  document.documentElement.lang = chosen;
  // The host's own messages (a refused action's detail) in the same language: ASP.NET Core's culture cookie.
  document.cookie = `.AspNetCore.Culture=${encodeURIComponent(`c=${chosen}|uic=${chosen}`)}; path=/; max-age=31536000; samesite=lax`;
}

/** The text of a key, its {0}, {1}… replaced by the arguments. */
export function t(key, ...args) {
  const text = words[key] ?? key;
  return text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

/** A date-only value (2026-12-20) is that day wherever the terminal is; a time is an instant. */
const day = iso => /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) : new Date(iso);

export const format = {
  number: n => new Intl.NumberFormat(language).format(n),
  date: iso => iso ? new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(day(iso)) : '',
  time: iso => iso ? new Intl.DateTimeFormat(language, { timeStyle: 'short' }).format(new Date(iso)) : '',
  dateTime: iso => iso ? new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso)) : '',
  /** Seconds as h:mm:ss (or m:ss), digits in the language's numbering. */
  duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const two = n => new Intl.NumberFormat(language, { minimumIntegerDigits: 2 }).format(n);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h > 0 ? `${new Intl.NumberFormat(language).format(h)}:${two(m)}:${two(r)}` : `${new Intl.NumberFormat(language).format(m)}:${two(r)}`;
  },
  /** A length in millimetres. */
  mm: n => new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(n),
};
