// Pay and done: the change is applied, scheduled, or waiting for its payment. With the
// manual provider the network's team records the payment; with Stripe the Payment Element
// takes the card (Stripe.js, loaded only then).
import { h } from "../dom.js";
import { date, money, t } from "../i18n.js";
import { backLink, heading, notice } from "../ui.js";
import { DONE_KEY } from "./summary.js";
import { stripePaymentForm } from "../stripe.js";

export async function doneScreen({ id }) {
  const result = JSON.parse(sessionStorage.getItem(DONE_KEY) || "null");
  const back = h("p", {}, h("a", { class: "button primary", href: "#/account" }, t("done.toAccount")));
  if (!result || String(result.membershipId) !== String(id)) {
    return [heading(t("done.title")), backLink("#/account", t("nav.backToAccount"))];
  }
  const quote = result.quote;
  // Money due: the change waits for its payment (Membership.pendingChange) and nothing moves.
  const awaiting = Boolean(result.pendingChange);
  const parts = [heading(awaiting ? t("done.awaitingTitle") : t("done.title"))];
  if (awaiting) {
    const total = result.payment?.total || quote?.dueNow;
    parts.push(notice("info", h("p", { "data-state": "awaiting-payment" }, t("done.awaiting", { amount: money(total) }))));
    const action = result.paymentAction;
    if (action?.provider === "stripe") {
      parts.push(await stripePaymentForm(action));
    } else if (action?.payUrl) {
      parts.push(h("p", {}, h("a", { class: "button primary", href: action.payUrl }, t("done.payNow"))));
    } else {
      parts.push(h("p", {}, t("done.manual")));
    }
  } else if (quote?.scheduled) {
    parts.push(notice("success", h("p", { "data-state": "scheduled" }, t("done.scheduled", { date: date(quote.effectiveAt) }))));
  } else {
    parts.push(notice("success", h("p", { "data-state": "applied" }, t("done.applied", { plan: result.membership?.plan?.name || "" }))));
  }
  parts.push(back);
  return parts;
}
