// Languages, translated texts and locale formatting (Intl). Every text the app shows comes
// from web/locales/<lang>.json; the API's English sentences (userErrors, blockers, quote
// messages) are replaced by translations keyed on their stable codes.

export const LANGUAGES = {
  en: "English",
  it: "Italiano",
  sv: "Svenska",
  nl: "Nederlands",
  fr: "Français",
  ms: "Bahasa Melayu",
};
const STORED = "planswitch.lang";
let lang = "en";
let texts = {};
let fallback = {};

async function load(code) {
  const response = await fetch(new URL(`locales/${code}.json`, document.baseURI));
  if (!response.ok) throw new Error(`locale ${code}: HTTP ${response.status}`);
  return response.json();
}

/** The language asked for: ?lang=, then the selector's last choice, then the browser's. */
export function preferredLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  const candidates = [asked, localStorage.getItem(STORED), ...(navigator.languages || [navigator.language])];
  for (const candidate of candidates) {
    const base = (candidate || "").toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

export async function setLanguage(code, { remember = false } = {}) {
  if (!(code in LANGUAGES)) code = "en";
  if (!fallback.lang) fallback = await load("en");
  try {
    texts = code === "en" ? fallback : await load(code);
  } catch (error) {
    console.error(error); // a missing translation file must not leave a blank page
    [texts, code] = [fallback, "en"];
  }
  lang = code;
  if (remember) localStorage.setItem(STORED, code);
  document.documentElement.lang = code;
}

export function language() {
  return lang;
}

/** The text for `key` with `{name}` placeholders filled; `count` picks a plural form. */
export function t(key, params = {}) {
  let entry = lookup(texts, key) ?? lookup(fallback, key);
  if (entry === undefined) return key;
  if (typeof entry === "object") {
    const form = new Intl.PluralRules(lang).select(Number(params.count ?? 0));
    entry = entry[form] ?? entry.other;
  }
  return entry.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

function lookup(dict, key) {
  return key.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), dict);
}

export function has(key) {
  return lookup(texts, key) !== undefined || lookup(fallback, key) !== undefined;
}

// --- Formatting -------------------------------------------------------------------------

/**
 * Money as the locale writes it. The amount stays a decimal string (Intl formats strings
 * exactly, no float); the currency's own minor units come from Intl (JPY 0, BHD 3).
 */
export function money(value) {
  if (!value) return "";
  return new Intl.NumberFormat(lang, { style: "currency", currency: value.currency }).format(value.amount);
}

/** Whether an amount is zero (compared as a decimal string, no float). */
export function isZero(value) {
  return !value || /^-?0*(\.0*)?$/.test(String(value.amount));
}

// Billing dates are stored in UTC (23:59:59 on their day): shown in UTC so the day is the
// one the plugin bills on, whatever the reader's time zone.
export function date(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" }).format(new Date(iso));
}

export function dateTime(iso) {
  if (!iso) return "";
  // A moment (not a billing day): with its time zone, since it is shown in UTC.
  return new Intl.DateTimeFormat(lang, {
    year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    timeZone: "UTC", timeZoneName: "short",
  }).format(new Date(iso));
}

/** "month", "3 months", "year"... (as in "$49.00 / month") */
export function period(billingPeriod) {
  if (!billingPeriod) return "";
  const { unit, duration } = billingPeriod;
  return duration === 1 ? t(`period.${unit}`) : t(`period.${unit}_n`, { count: number(duration) });
}

export function number(value) {
  return new Intl.NumberFormat(lang).format(value);
}

/** A disk size given in MB, in the locale's units. */
export function megabytes(mb) {
  if (mb >= 1024 && mb % 1024 === 0) {
    return new Intl.NumberFormat(lang, { style: "unit", unit: "gigabyte" }).format(mb / 1024);
  }
  return new Intl.NumberFormat(lang, { style: "unit", unit: "megabyte" }).format(mb);
}

// --- The API's messages, translated by code ----------------------------------------------

/** A limit module's name (sites, visits, disk_space, post_types...). */
export function moduleName(module, key) {
  // Blockers name per-key modules as "post_types.page"; limit changes pass the key apart.
  if (!key && module.includes(".")) [module, key] = module.split(".", 2);
  const name = has(`module.${module}`) ? t(`module.${module}`) : module;
  if (!key) return name;
  const keyName = has(`key.${key}`) ? t(`key.${key}`) : key;
  return module === "post_types" ? keyName : `${name}: ${keyName}`;
}

/**
 * A userError or blocker in the reader's language: the code picks the sentence, the
 * structured fields (module, current, allowed) fill it. Unknown codes fall back to the
 * API's own sentence rather than hiding it.
 */
export function errorText(error) {
  if (!error) return "";
  const code = error.code || "";
  if (code === "OVER_LIMIT" && error.module && error.allowed !== null && error.allowed !== undefined) {
    const special = `error.OVER_LIMIT_${error.module}`;
    return t(has(special) ? special : "error.OVER_LIMIT_DETAIL", {
      count: error.current ?? 0,
      current: number(error.current ?? 0),
      allowed: number(error.allowed),
      module: moduleName(error.module),
    });
  }
  if (has(`error.${code}`)) return t(`error.${code}`);
  return error.message || t("error.UNKNOWN");
}
