// Summary before paying: what is due now after the credit for the unused time, the credit
// itself, the next charge and its date, the limits that change; a choice that changes
// nothing shows the explanation instead. Confirm commits the quote with an idempotency key.
import { h, uid } from "../dom.js";
import { gql, idempotencyKey } from "../api.js";
import { CHANGE_PLAN, QUOTE } from "../queries.js";
import { date, isZero, moduleName, money, t } from "../i18n.js";
import { backLink, errorList, heading, limitValue, notice, priceWithPeriod, row } from "../ui.js";
import { lineTitle } from "./account.js";

export const DONE_KEY = "planswitch.done";

function selection(id, params) {
  const input = { membershipId: id };
  if (params.get("plan")) input.planId = params.get("plan");
  if (params.get("period")) {
    const [duration, unit] = params.get("period").split("-");
    input.billingPeriod = { duration: Number(duration), unit };
  }
  const pair = (value) => {
    const [productId, quantity] = value.split(":");
    return [{ productId, quantity: Number(quantity) }];
  };
  if (params.get("addon")) input.addons = pair(params.get("addon"));
  if (params.get("remove")) input.removeAddons = pair(params.get("remove"));
  if (params.get("code")) input.discountCode = params.get("code");
  return input;
}

export async function summaryScreen({ id, params, go }) {
  const input = selection(id, params);
  const quote = (await gql(QUOTE, { input })).planChangeQuote;
  const back = backLink(`#/change/${id}`, t("nav.backToChange"));
  if (quote.changeKind === "NO_CHANGE") {
    return [heading(t("summary.title")), back, notice("info", t("quote.NO_CHANGE"))];
  }
  if (quote.userErrors.length || !quote.quoteToken) {
    const badCode = quote.userErrors.some((e) => e.code === "INVALID_DISCOUNT_CODE");
    return [
      heading(t("summary.title")),
      back,
      errorList(quote.userErrors.length ? quote.userErrors : [{ code: "BLOCKED" }]),
      badCode ? discountForm(id, params, go) : null,
    ];
  }
  // Lines at their price before discount (the discount is its own row, as is the credit);
  // a scheduled change charges nothing
  // today, so its lines (priced at renewal) are not listed under "Today".
  const charged = quote.lineItems.filter((l) => !["CREDIT", "DISCOUNT"].includes(l.type));
  const errors = h("div", { class: "errors" });
  const key = idempotencyKey(); // one key per intended change: a retried click changes nothing twice
  const confirm = h("button", { type: "button", class: "primary big" },
    isZero(quote.dueNow) ? t("summary.confirm") : t("summary.confirmPay", { amount: money(quote.dueNow) }));
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    confirm.setAttribute("aria-busy", "true");
    try {
      const data = await gql(CHANGE_PLAN, { input: { ...input, idempotencyKey: key, quoteToken: quote.quoteToken } });
      const result = data.changePlan;
      if (result.userErrors.length) {
        errors.replaceChildren(errorList(result.userErrors));
        confirm.disabled = false;
        return;
      }
      sessionStorage.setItem(DONE_KEY, JSON.stringify({ ...result, membershipId: id }));
      go(`#/done/${id}`);
    } catch (error) {
      errors.replaceChildren(errorList([error]));
      confirm.disabled = false;
    } finally {
      confirm.removeAttribute("aria-busy");
    }
  });

  return [
    heading(t("summary.title")),
    back,
    h("p", { class: "lead", "data-kind": quote.changeKind }, kindText(quote)),
    h("p", {}, quote.scheduled ? t("summary.whenRenewal", { date: date(quote.effectiveAt) }) : t("summary.whenNow")),
    // Add-ons the new plan does not allow are dropped by the change: say so before paying.
    quote.changeKind !== "REMOVE_ADDON" && quote.removedAddons.length
      ? notice("info", t("summary.removed", { addons: quote.removedAddons.map((a) => a.product?.name).join(", ") }))
      : null,
    h("section", { class: "card", "aria-labelledby": "now-title" },
      h("h2", { id: "now-title" }, t("summary.today")),
      charged.length && !quote.scheduled
        ? h("dl", { class: "rows lines" }, charged.map((l) => row(lineTitle(l), money(l.subtotal))))
        : null,
      h("dl", { class: "rows totals" },
        isZero(quote.credit) || quote.scheduled
          ? null
          : row(t("summary.credit"), `−${money(quote.credit)}`, { "data-credit": "" }),
        isZero(quote.discount) ? null : row(t("summary.discount"), `−${money(quote.discount)}`),
        row(h("strong", {}, t("summary.dueNow")), h("strong", { "data-due": "" }, money(quote.dueNow))),
        isZero(quote.unusedCredit) ? null : row(t("summary.unusedCredit"), money(quote.unusedCredit)))),
    h("section", { class: "card", "aria-labelledby": "next-title" },
      h("h2", { id: "next-title" }, t("summary.next")),
      h("p", {}, quote.nextBillingDate && quote.nextBillingAmount
        ? t("summary.nextText", {
          amount: quote.billingPeriod ? priceWithPeriod(quote.nextBillingAmount, quote.billingPeriod) : money(quote.nextBillingAmount),
          date: date(quote.nextBillingDate),
        })
        : t("summary.noNext"))),
    limitChanges(quote.limitChanges),
    quote.scheduled ? null : discountForm(id, params, go),
    errors,
    confirm,
  ];
}

function kindText(quote) {
  const plan = quote.plan?.name || "";
  if (quote.changeKind === "ADDON") {
    const names = quote.lineItems.filter((l) => l.type === "PRODUCT" && l.product).map((l) => l.product.name);
    return t("quote.ADDON", { addons: names.join(", ") });
  }
  if (quote.changeKind === "REMOVE_ADDON") {
    const names = quote.removedAddons.map((a) => a.product?.name).join(", ");
    return t("quote.REMOVE_ADDON", { addons: names });
  }
  return t(`quote.${quote.changeKind}`, { plan });
}

function limitChanges(changes) {
  const visible = changes.filter((c) => !["customer_user_role", "hide_credits"].includes(c.module) || c.before !== c.after);
  if (!visible.length) return null;
  return h("section", { class: "card", "aria-labelledby": "limits-title" },
    h("h2", { id: "limits-title" }, t("summary.limits")),
    h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "limits-title" },
      h("table", {},
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("summary.limit")),
          h("th", { scope: "col" }, t("summary.before")),
          h("th", { scope: "col" }, t("summary.after")))),
        h("tbody", {}, visible.map((c) => h("tr", {},
          h("th", { scope: "row" }, moduleName(c.module, c.key)),
          h("td", {}, limitValue(c.module, c.before)),
          h("td", {}, limitValue(c.module, c.after))))))));
}

/** A discount code re-quotes the same choice (the API validates it: INVALID_DISCOUNT_CODE). */
function discountForm(id, params, go) {
  const inputId = uid("code");
  const input = h("input", { id: inputId, name: "code", value: params.get("code") || "", autocomplete: "off" });
  const form = h("form", { class: "inline" },
    h("label", { for: inputId }, t("summary.discountCode")),
    input,
    h("button", { type: "submit", class: "secondary" }, t("summary.apply")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams(params);
    if (input.value.trim()) next.set("code", input.value.trim());
    else next.delete("code");
    go(`#/summary/${id}?${next}`);
  });
  return form;
}
