// Stripe's Payment Element for a pending change paid with the stripe provider: the API
// hands out the PaymentIntent's client secret (paymentAction.clientSecret); the page needs
// the account's publishable key, set in web/config.json by whoever deploys this frontend.
// Stripe.js must be loaded from js.stripe.com (Stripe's rule), so this part needs internet.
import { h } from "./dom.js";
import { language, t } from "./i18n.js";
import { notice } from "./ui.js";

async function publishableKey() {
  try {
    const response = await fetch(new URL("config.json", document.baseURI));
    return response.ok ? (await response.json()).stripePublishableKey || "" : "";
  } catch {
    return "";
  }
}

function loadStripeJs() {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "https://js.stripe.com/v3/";
    script.onload = () => resolve(window.Stripe);
    script.onerror = () => reject(new Error("stripe.js"));
    document.head.append(script);
  });
}

/** The card form, or a link to the provider's page when the form cannot be shown. */
export async function stripePaymentForm(action) {
  const key = await publishableKey();
  const fallback = action.payUrl
    ? h("p", {}, h("a", { class: "button primary", href: action.payUrl }, t("done.payNow")))
    : notice("error", t("done.stripeUnavailable"));
  if (!key || !action.clientSecret) return fallback;
  let Stripe;
  try {
    Stripe = await loadStripeJs();
  } catch {
    return fallback;
  }
  const stripe = Stripe(key);
  const elements = stripe.elements({ clientSecret: action.clientSecret, locale: language() });
  const holder = h("div", { class: "card", id: "payment-element" });
  const errors = h("div", { class: "errors" });
  const pay = h("button", { type: "submit", class: "primary big" }, t("done.payNow"));
  const form = h("form", { "aria-label": t("done.payNow") }, holder, errors, pay);
  elements.create("payment").mount(holder);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    pay.disabled = true;
    // Stripe returns here after any redirect (3-D Secure); the webhook applies the change.
    const returnUrl = new URL("#/account?notice=paid", location.href).href;
    const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: returnUrl } });
    if (error) {
      errors.replaceChildren(notice("error", error.message || t("error.UNKNOWN")));
      pay.disabled = false;
    }
  });
  return form;
}
