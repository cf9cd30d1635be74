// Message catalogues and the choice between them: the saved choice, else the first of navigator.languages
// we have (any zh-* but Traditional-script ones is Simplified Chinese; everything else English).
import en from './messages/en.js';
import zh from './messages/zh-CN.js';

export const CATALOGUES = { en, 'zh-CN': zh };
export const LANGUAGES = [{ code: 'en', name: 'English' }, { code: 'zh-CN', name: '简体中文' }];
const KEY = 'pushuikit.console.lang';

function supported(tag) {
  const lower = String(tag).toLowerCase();
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  if (lower === 'zh' || lower === 'zh-cn' || lower.startsWith('zh-hans') || lower === 'zh-sg') return 'zh-CN';
  return null;
}

export function initialLanguage() {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved && saved in CATALOGUES) return saved;
  } catch { /* storage may be off: fall back to the browser's languages */ }
  for (const tag of navigator.languages || [navigator.language]) {
    const lang = supported(tag);
    if (lang) return lang;
  }
  return 'en';
}

export function saveLanguage(lang) {
  try { localStorage.setItem(KEY, lang); } catch { /* not remembered, still switched */ }
}

/** t(key, {name}) with `{name}` placeholders; a missing key shows itself (and the catalogue test catches it). */
export function translator(lang) {
  const catalogue = CATALOGUES[lang] || en;
  return (key, params) => {
    const text = catalogue[key] ?? en[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  };
}
