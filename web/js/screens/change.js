// Change: every plan of the membership's plan group (upgrade / downgrade / crossgrade, now
// or at renewal, its prices per period, why an option is blocked) and the add-ons the
// current plan allows, to buy alone.
import { h, uid } from "../dom.js";
import { gql } from "../api.js";
import { UPGRADE_OPTIONS } from "../queries.js";
import { errorText, t } from "../i18n.js";
import { backLink, errorList, heading, priceWithPeriod } from "../ui.js";

export function summaryHash(membershipId, { plan, period, addon, remove } = {}) {
  const q = new URLSearchParams();
  if (plan) q.set("plan", plan);
  if (period) q.set("period", `${period.duration}-${period.unit}`);
  if (addon) q.set("addon", `${addon.id}:${addon.quantity}`);
  if (remove) q.set("remove", `${remove.id}:${remove.quantity}`);
  return `#/summary/${membershipId}?${q}`;
}

export async function changeScreen({ id, go }) {
  const data = await gql(UPGRADE_OPTIONS, { id });
  const options = data.upgradeOptions;
  const back = backLink("#/account", t("nav.backToAccount"));
  if (options.userErrors.length) return [heading(t("change.title")), back, errorList(options.userErrors)];
  const m = options.membership;
  return [
    heading(t("change.title")),
    back,
    h("p", { class: "lead" }, t("change.intro", { plan: m.plan?.name || "" })),
    h("section", { "aria-labelledby": "plans-title" },
      h("h2", { id: "plans-title" }, t("change.plans")),
      h("ul", { class: "cards plans" },
        currentPlanCard(m, go),
        options.plans.map((option) => planCard(m, option, go))),
      options.plans.length ? null : h("p", {}, t("change.noPlans"))),
    h("section", { "aria-labelledby": "addons-title" },
      h("h2", { id: "addons-title" }, t("change.addons")),
      options.addons.length
        ? h("ul", { class: "cards addons" }, options.addons.map((a) => addonCard(m, a, go)))
        : h("p", {}, t("change.noAddons"))),
  ];
}

function currentPlanCard(m, go) {
  const plan = m.plan;
  if (!plan) return null;
  const nameId = uid("plan");
  const prices = [{ billingPeriod: plan.billingPeriod, price: plan.price }, ...plan.prices];
  return h("li", { class: "card current", "data-plan": plan.databaseId },
    h("h3", { id: nameId }, plan.name, " ", h("span", { class: "badge badge-current" }, t("change.current"))),
    plan.description ? h("p", { class: "muted" }, plan.description) : null,
    h("ul", { class: "plain choices" }, prices.map((p) =>
      h("li", {}, h("button", {
        type: "button",
        class: "secondary",
        "aria-describedby": nameId,
        onclick: () => go(summaryHash(m.databaseId, { plan: plan.databaseId, period: p.billingPeriod })),
      }, t("change.keep", { price: priceWithPeriod(p.price, p.billingPeriod) }))))));
}

function planCard(m, option, go) {
  const plan = option.plan;
  const nameId = uid("plan");
  const whyId = uid("why");
  const timing = option.timing === "IMMEDIATE" ? t("change.timingNow") : t("change.timingRenewal");
  return h("li", { class: `card${option.allowed ? "" : " blocked"}`, "data-plan": plan.databaseId },
    h("h3", { id: nameId }, plan.name, " ",
      h("span", { class: `badge badge-${option.direction.toLowerCase()}` }, t(`direction.${option.direction}`))),
    plan.description ? h("p", { class: "muted" }, plan.description) : null,
    h("p", { class: "timing" }, timing),
    option.allowed
      ? h("ul", { class: "plain choices" }, option.prices.map((p) =>
        h("li", {}, h("button", {
          type: "button",
          class: "primary",
          "aria-describedby": nameId,
          onclick: () => go(summaryHash(m.databaseId, { plan: plan.databaseId, period: p.billingPeriod })),
        }, t("change.choose", { price: priceWithPeriod(p.price, p.billingPeriod) })))))
      : [
        h("ul", { class: "plain prices" }, option.prices.map((p) => h("li", {}, priceWithPeriod(p.price, p.billingPeriod)))),
        h("div", { class: "why", id: whyId },
          h("p", { class: "strong" }, t("change.blocked")),
          h("ul", {}, option.blockers.map((b) => h("li", { "data-code": b.code }, errorText(b))))),
        h("button", { type: "button", class: "primary", disabled: true, "aria-describedby": `${nameId} ${whyId}` },
          t("change.unavailable")),
      ]);
}

function addonCard(m, addon, go) {
  const product = addon.product;
  const nameId = uid("addon");
  const qtyId = uid("qty");
  const quantity = h("input", { id: qtyId, type: "number", min: "1", max: "1000", value: "1", inputmode: "numeric", class: "qty" });
  const price = addon.price ? priceWithPeriod(addon.price, m.billingPeriod, product.recurring) : "";
  return h("li", { class: "card", "data-addon": product.databaseId },
    h("h3", { id: nameId }, product.name, " ", h("span", { class: "badge" }, t(`productType.${product.type}`))),
    product.description ? h("p", { class: "muted" }, product.description) : null,
    h("p", {}, price),
    addon.held ? h("p", { class: "held" }, t("change.held", { count: addon.quantity })) : null,
    h("div", { class: "inline" },
      h("label", { for: qtyId }, t("change.quantity")),
      quantity,
      h("button", {
        type: "button",
        class: "primary",
        "aria-describedby": nameId,
        onclick: () => {
          const n = Math.max(1, Math.min(1000, Number.parseInt(quantity.value, 10) || 1));
          go(summaryHash(m.databaseId, { addon: { id: product.databaseId, quantity: n } }));
        },
      }, t("change.buyAddon"))),
    addon.held && product.recurring
      ? h("button", {
        type: "button",
        class: "secondary",
        "aria-describedby": nameId,
        onclick: () => go(summaryHash(m.databaseId, { remove: { id: product.databaseId, quantity: addon.quantity } })),
      }, t("change.removeAddon"))
      : null);
}
