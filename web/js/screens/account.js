// Account: "Your Membership" with its plan, add-ons, billing, limits, the pending and the
// scheduled change, and the payment history; the Change button starts the flow.
import { h } from "../dom.js";
import { gql, idempotencyKey } from "../api.js";
import { ACCOUNT, CANCEL_PENDING, CANCEL_SCHEDULED } from "../queries.js";
import { date, dateTime, money, number, t } from "../i18n.js";
import { errorList, heading, limitsList, notice, priceWithPeriod, row, statusBadge } from "../ui.js";

export async function loadCustomer() {
  return (await gql(ACCOUNT)).viewer;
}

export async function accountScreen({ go, params }) {
  const me = await loadCustomer();
  const flash = params.get("notice");
  const memberships = me?.memberships?.nodes || [];
  return [
    heading(t("account.title")),
    h("p", { class: "lead" }, t("account.hello", { name: me?.displayName || "" })),
    flash ? notice("success", t(`account.notice.${flash}`)) : null,
    h("div", { class: "errors", id: "account-errors" }),
    memberships.length
      ? memberships.map((m) => membershipSection(m, go))
      : h("p", {}, t("account.none")),
  ];
}

function membershipSection(m, go) {
  const titleId = `membership-${m.databaseId}`;
  const next = m.dateExpiration
    ? t("account.nextBilling", { amount: money(m.amount), date: date(m.dateExpiration) })
    : t("account.neverBilled");
  return h("section", { class: "membership", "aria-labelledby": titleId, "data-membership": m.databaseId },
    h("div", { class: "card" },
      h("div", { class: "card-head" },
        h("h2", { id: titleId }, t("account.yourMembership")),
        h("a", { class: "button primary", href: `#/change/${m.databaseId}`, "aria-describedby": titleId, id: `change-${m.databaseId}` },
          t("account.change"))),
      h("dl", { class: "rows" },
        // The documentation's overview: number, plan, initial amount, price, times billed.
        row(t("account.number"), `#${m.databaseId}`),
        row(t("account.plan"), h("strong", { class: "plan-name" }, m.plan?.name || t("account.noPlan"))),
        row(t("account.status"), statusBadge(m.status)),
        row(t("account.price"), m.recurring ? priceWithPeriod(m.amount, m.billingPeriod) : money(m.amount)),
        row(t("account.initialAmount"), money(m.initialAmount)),
        row(t("account.timesBilled"), number(m.timesBilled)),
        row(t("account.addons"), m.addons.length
          ? h("ul", { class: "plain addons" }, m.addons.map((a) =>
            h("li", {}, t("account.addonQuantity", { name: a.product?.name || "—", count: a.quantity }))))
          : t("account.noAddons")),
        m.dateTrialEnd && m.status === "TRIALING" ? row(t("account.trialEnds"), date(m.dateTrialEnd)) : null,
        row(t("account.nextBillingLabel"), next)),
    ),
    m.pendingChange ? pendingCard(m, go) : null,
    m.scheduledChange ? scheduledCard(m, go) : null,
    h("section", { class: "card", "aria-labelledby": `limits-${m.databaseId}` },
      h("h3", { id: `limits-${m.databaseId}` }, t("account.limits")),
      limitsList(m.limits)),
    paymentsCard(m));
}

function pendingCard(m, go) {
  const p = m.pendingChange;
  const target = p.quote.plan?.name || "";
  return h("section", { class: "card attention", "aria-labelledby": `pending-${m.databaseId}`, "data-pending": "" },
    h("h3", { id: `pending-${m.databaseId}` }, t("account.pendingTitle")),
    h("p", {}, t("account.pendingText", { plan: target, amount: money(p.payment.total) })),
    h("p", { class: "muted" }, t("account.pendingExpires", { date: dateTime(p.expiresAt) })),
    h("p", {}, t("done.manual")),
    h("button", { type: "button", class: "secondary", onclick: () => cancel(CANCEL_PENDING, { id: m.id }, "cancelPendingChange", go) },
      t("account.cancelPending")));
}

function scheduledCard(m, go) {
  const s = m.scheduledChange;
  const addons = s.addons.map((a) => t("account.addonQuantity", { name: a.product?.name || "—", count: a.quantity }));
  return h("section", { class: "card attention", "aria-labelledby": `scheduled-${m.databaseId}`, "data-scheduled": "" },
    h("h3", { id: `scheduled-${m.databaseId}` }, t("account.scheduledTitle")),
    h("p", {}, t("account.scheduledText", { date: date(s.effectiveAt), plan: s.plan?.name || "" })),
    h("p", {}, t("account.scheduledPrice", { price: priceWithPeriod(s.amount, s.billingPeriod) })),
    addons.length ? h("p", {}, t("account.scheduledAddons", { addons: addons.join(", ") })) : null,
    h("button", {
      type: "button",
      class: "secondary",
      onclick: () => cancel(CANCEL_SCHEDULED, { id: m.id, key: idempotencyKey() }, "cancelScheduledChange", go),
    }, t("account.cancelScheduled")));
}

async function cancel(mutation, variables, field, go) {
  const box = document.getElementById("account-errors");
  try {
    const data = await gql(mutation, variables);
    if (data[field].userErrors.length) return box.replaceChildren(errorList(data[field].userErrors));
    go(`#/account?notice=${field}`);
  } catch (error) {
    box.replaceChildren(errorList([error]));
  }
}

function paymentsCard(m) {
  const payments = m.payments.nodes;
  const titleId = `payments-${m.databaseId}`;
  return h("section", { class: "card", "aria-labelledby": titleId },
    h("h3", { id: titleId }, t("account.payments")),
    payments.length
      ? h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": titleId },
        h("table", {},
          h("thead", {}, h("tr", {},
            h("th", { scope: "col" }, t("payments.date")),
            h("th", { scope: "col" }, t("payments.items")),
            h("th", { scope: "col", class: "num" }, t("payments.total")),
            h("th", { scope: "col" }, t("payments.status")))),
          h("tbody", {}, payments.map((p) => h("tr", {},
            h("td", {}, date(p.dateCreated)),
            h("td", {}, p.lineItems.map((l) => lineTitle(l)).join(", ")),
            h("td", { class: "num" }, money(p.total)),
            h("td", {}, t(`paymentStatus.${p.status}`)))))))
      : h("p", {}, t("account.noPayments")));
}

/** A line item's title in the reader's language (product names are the catalog's own). */
export function lineTitle(line) {
  const name = line.product?.name || line.title;
  if (line.type === "CREDIT") return t("line.credit");
  if (line.type === "FEE") return t("line.fee", { name });
  if (line.type === "DISCOUNT") return t("line.discount");
  if (line.type === "REFUND") return t("line.refund");
  return line.quantity > 1 ? t("account.addonQuantity", { name, count: line.quantity }) : name;
}

