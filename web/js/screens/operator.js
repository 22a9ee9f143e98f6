// The operator's "Up & Downgrades" tab: each plan's Plan Group (the family a membership may
// move within) and its order, editable with an operator API key, and the families they make.
import { h, uid } from "../dom.js";
import { gql, operatorKey } from "../api.js";
import { PLAN_GROUPS, UPDATE_PRODUCT } from "../queries.js";
import { t } from "../i18n.js";
import { errorList, heading, notice, priceWithPeriod } from "../ui.js";

export async function operatorScreen({ go, params }) {
  const parts = [heading(t("operator.title")), h("p", { class: "lead" }, t("operator.intro")), keyForm(go)];
  let data;
  try {
    data = await gql(PLAN_GROUPS, {}, { as: "operator" });
  } catch (error) {
    return [...parts, errorList([error])];
  }
  const saved = data.products.nodes.find((p) => String(p.databaseId) === params.get("saved"));
  const status = h("div", { class: "errors", id: "operator-status" },
    saved ? notice("success", t("operator.saved", { name: saved.name })) : null);
  parts.push(status);
  parts.push(h("section", { "aria-labelledby": "plans-title" },
    h("h2", { id: "plans-title" }, t("operator.plans")),
    h("ul", { class: "cards" }, data.products.nodes.map((p) =>
      planForm(p, [...data.packages.nodes, ...data.services.nodes], status, go)))));
  parts.push(h("section", { "aria-labelledby": "families-title" },
    h("h2", { id: "families-title" }, t("operator.families")),
    data.planGroups.length
      ? h("ul", { class: "cards families" }, data.planGroups.map((g) =>
        h("li", { class: "card", "data-group": g.name },
          h("h3", {}, g.name),
          h("ol", {}, g.plans.map((p) => h("li", {}, p.name, p.active ? "" : ` (${t("operator.inactive")})`))))))
      : h("p", {}, t("operator.noFamilies"))));
  return parts;
}

function keyForm(go) {
  const id = uid("key");
  const hint = uid("hint");
  const input = h("input", { id, type: "password", autocomplete: "off", value: operatorKey.get(), "aria-describedby": hint });
  const form = h("form", { class: "inline key" },
    h("label", { for: id }, t("operator.key")),
    input,
    h("button", { type: "submit", class: "secondary" }, t("operator.useKey")),
    h("p", { id: hint, class: "muted" }, t("operator.keyHint")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    operatorKey.set(input.value.trim());
    go("#/operator");
  });
  return form;
}

function planForm(product, addons, status, go) {
  const groupId = uid("group");
  const orderId = uid("order");
  const nameId = uid("name");
  const form = h("form", { class: "stack" },
    h("h3", { id: nameId }, product.name, product.active ? "" : ` (${t("operator.inactive")})`),
    h("p", { class: "muted" }, priceWithPeriod(product.price, product.billingPeriod)),
    h("label", { for: groupId }, t("operator.group")),
    h("input", { id: groupId, name: "planGroup", maxlength: "20", value: product.planGroup?.name || "", "aria-describedby": `${nameId}` }),
    h("label", { for: orderId }, t("operator.order")),
    h("input", { id: orderId, name: "listOrder", type: "number", inputmode: "numeric", value: product.listOrder }),
    addonChoices(product, addons),
    h("button", { type: "submit", class: "primary", "aria-describedby": nameId }, t("operator.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    const input = {
      id: product.id,
      planGroup: values.planGroup.trim(),
      listOrder: Number.parseInt(values.listOrder, 10) || 0,
      availableAddons: [...form.querySelectorAll("input[name=addon]:checked")].map((box) => box.value),
    };
    try {
      const result = (await gql(UPDATE_PRODUCT, { input }, { as: "operator" })).updateProduct;
      if (result.userErrors.length) return status.replaceChildren(errorList(result.userErrors));
      go(`#/operator?saved=${product.databaseId}`);
    } catch (error) {
      status.replaceChildren(errorList([error]));
    }
  });
  return h("li", { class: "card", "data-product": product.databaseId }, form);
}

/** The packages and services this plan offers (the plugin's order bumps on this tab). */
function addonChoices(product, addons) {
  if (!addons.length) return null;
  const offered = new Set(product.availableAddons.map((a) => a.id));
  return h("fieldset", { class: "choices-box" },
    h("legend", {}, t("operator.addons")),
    addons.map((addon) => {
      const id = uid("addon");
      return h("div", { class: "check" },
        h("input", { type: "checkbox", id, name: "addon", value: addon.id, checked: offered.has(addon.id) }),
        h("label", { for: id }, addon.name));
    }));
}
