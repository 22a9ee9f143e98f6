// Pieces shared by the screens: headings, notices, limits, money rows.
import { h } from "./dom.js";
import { t, has, errorText, moduleName, number, megabytes, money, date, period } from "./i18n.js";

/** The screen's heading: focused after each navigation so screen readers announce it. */
export function heading(text) {
  document.title = `${text} · ${t("app.title")}`;
  return h("h1", { id: "page-title", tabindex: "-1" }, text);
}

export function notice(kind, ...children) {
  // role=status is polite; errors use role=alert so they are read at once.
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, ...children);
}

export function errorList(errors) {
  if (!errors?.length) return null;
  return notice("error", h("ul", { class: "plain" }, errors.map((e) => h("li", {}, errorText(e)))));
}

export function loading() {
  return h("p", { class: "loading", role: "status" }, t("common.loading"));
}

export function statusBadge(status) {
  return h("span", { class: `badge badge-${status.toLowerCase()}` }, t(`status.${status}`));
}

/** A limit's value for people: "Unlimited", "10", "10 GB", "Yes"/"No", a role's name. */
export function limitValue(module, value) {
  // The API's before/after values: null is "no limit" (for custom domains: allowed; for
  // the role: the network's default).
  if (module === "domain_mapping") return value === null || value ? t("common.yes") : t("common.no");
  if (module === "customer_user_role" && value === null) return t("role.default");
  if (value === null || value === undefined) return t("limit.unlimited");
  if (typeof value === "boolean") return value ? t("common.yes") : t("common.no");
  if (typeof value === "string") return has(`role.${value}`) ? t(`role.${value}`) : value;
  if (module === "disk_space") return megabytes(value);
  return number(value);
}

function valueOf(item, module) {
  if (!item.enabled) return t("limit.notIncluded");
  if (item.unlimited) return t("limit.unlimited");
  return limitValue(module, item.limit);
}

/** The membership's effective limits as a description list. */
export function limitsList(limits) {
  const rows = [
    ["sites", limits.sites],
    ["visits", limits.visits],
    ["disk_space", limits.diskSpace],
  ];
  const items = rows.map(([module, item]) => [moduleName(module), valueOf(item, module)]);
  for (const entry of limits.postTypes.filter((e) => e.enabled)) {
    items.push([moduleName("post_types", entry.key), valueOf(entry, "post_types")]);
  }
  for (const entry of limits.users.filter((e) => e.enabled)) {
    items.push([moduleName("users", entry.key), valueOf(entry, "users")]);
  }
  items.push([moduleName("domain_mapping"), limits.domainMapping.enabled ? t("common.yes") : t("common.no")]);
  return h(
    "dl",
    { class: "limits" },
    items.map(([term, value]) => h("div", { class: "limit" }, h("dt", {}, term), h("dd", {}, value))),
  );
}

/** "$49.00 per month" */
export function priceWithPeriod(price, billingPeriod, recurring = true) {
  if (!recurring) return t("price.oneTime", { price: money(price) });
  return t("price.perPeriod", { price: money(price), period: period(billingPeriod) });
}

export function row(label, value, attrs = {}) {
  return h("div", { class: "row", ...attrs }, h("dt", {}, label), h("dd", {}, value));
}

export function backLink(href, text) {
  return h("p", {}, h("a", { href, class: "back" }, `← ${text}`));
}

export { date, money };
