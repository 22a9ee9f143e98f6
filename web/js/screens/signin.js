// Sign in: WordPress credentials (signIn) on a real network; in the demo, a list of demo
// customers, each signed in with a session the operator side creates (createCustomerSession).
import { h, uid } from "../dom.js";
import { ApiError, gql, session } from "../api.js";
import { CREATE_SESSION, DEMO_CUSTOMERS, SIGN_IN } from "../queries.js";
import { errorText, t } from "../i18n.js";
import { errorList, heading, notice, statusBadge } from "../ui.js";

export async function signInScreen({ go }) {
  const errors = h("div", { class: "errors" });
  const parts = [heading(t("signin.title")), errors];

  // Demo mode answers the customer list to anonymous callers; a real network does not.
  const demo = await gql(DEMO_CUSTOMERS, {}, { as: "operator" }).catch(() => null);
  if (demo?.customers?.nodes?.length) {
    parts.push(
      h("section", { "aria-labelledby": "demo-title" },
        h("h2", { id: "demo-title" }, t("signin.demoTitle")),
        h("p", {}, t("signin.demoIntro")),
        h("ul", { class: "cards customers" },
          demo.customers.nodes.map((c) => {
            const m = c.memberships.nodes[0];
            return h("li", { class: "card" },
              h("p", { class: "name" }, c.displayName),
              h("p", { class: "muted" }, c.email),
              m ? h("p", {}, m.plan?.name || "—", " ", statusBadge(m.status)) : null,
              h("button", {
                type: "button",
                class: "primary",
                "data-customer": c.databaseId,
                onclick: () => demoSignIn(c, errors, go),
              }, t("signin.as", { name: c.displayName })));
          }))));
  }
  // The demo's native store has no WordPress passwords: its customers sign in from the list.
  if (!demo?.customers?.nodes?.length) parts.push(passwordForm(errors, go));
  return parts;
}

// The operator side (anonymous in the demo) creates a session for the customer picked, as
// an operator's backend would hand one to its customer's browser.
async function demoSignIn(customer, errors, go) {
  try {
    const data = await gql(CREATE_SESSION, { id: String(customer.databaseId) }, { as: "operator" });
    const payload = data.createCustomerSession;
    if (payload.userErrors.length) return errors.replaceChildren(errorList(payload.userErrors));
    session.set({ token: payload.token, customerId: customer.databaseId, name: customer.displayName });
    go("#/account");
  } catch (error) {
    errors.replaceChildren(notice("error", errorText(error)));
  }
}

function passwordForm(errors, go) {
  const login = uid("login");
  const password = uid("password");
  const form = h("form", { class: "stack", novalidate: true },
    h("h2", { id: "password-title" }, t("signin.passwordTitle")),
    h("label", { for: login }, t("signin.login")),
    h("input", { id: login, name: "login", autocomplete: "username", required: true }),
    h("label", { for: password }, t("signin.password")),
    h("input", { id: password, name: "password", type: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit", class: "primary" }, t("signin.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    if (!values.login || !values.password) {
      return errors.replaceChildren(notice("error", t("signin.missing")));
    }
    try {
      const data = await gql(SIGN_IN, values, { as: "anonymous" });
      const payload = data.signIn;
      if (payload.userErrors.length) return errors.replaceChildren(errorList(payload.userErrors));
      session.set({ token: payload.token, customerId: payload.customer.databaseId, name: payload.customer.displayName });
      go("#/account");
    } catch (error) {
      errors.replaceChildren(notice("error", error instanceof ApiError ? errorText(error) : t("error.UNKNOWN")));
    }
  });
  return h("section", { "aria-labelledby": "password-title" }, form);
}
