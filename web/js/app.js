// The reference frontend: the customer's Account and Change flow of the Ultimate Multisite
// documentation ("Upgrading a plan"), and the operator's "Up & Downgrades" plan groups,
// on planswitch's public GraphQL API. Plain ES modules, no build step.
import { h, mount } from "./dom.js";
import { session } from "./api.js";
import { LANGUAGES, has, language, preferredLanguage, setLanguage, t } from "./i18n.js";
import { signInScreen } from "./screens/signin.js";
import { accountScreen } from "./screens/account.js";
import { changeScreen } from "./screens/change.js";
import { summaryScreen } from "./screens/summary.js";
import { doneScreen } from "./screens/done.js";
import { operatorScreen } from "./screens/operator.js";

const main = document.getElementById("main");
const header = document.getElementById("header");

/** "#/summary/5?plan=2" -> { name: "summary", id: "5", params } */
function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, id] = path.split("/");
  return { name: name || "", id, params: new URLSearchParams(query) };
}

export function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash; // the hashchange event renders
}

function renderHeader() {
  const who = session.get();
  const selectId = "language";
  mount(
    header,
    h("a", { class: "skip", href: "#main", onclick: skip }, t("app.skip")),
    h(
      "div",
      { class: "bar" },
      h("p", { class: "brand" }, h("a", { href: "#/account" }, t("app.title"))),
      h(
        "nav",
        { "aria-label": t("nav.label") },
        h("ul", { class: "nav" },
          who ? h("li", {}, h("a", { href: "#/account" }, t("nav.account"))) : null,
          h("li", {}, h("a", { href: "#/operator" }, t("nav.operator"))),
          who
            ? h("li", {}, h("button", { type: "button", class: "link", onclick: signOut }, t("nav.signOut", { name: who.name })))
            : h("li", {}, h("a", { href: "#/signin" }, t("nav.signIn"))),
        ),
      ),
      h(
        "div",
        { class: "lang" },
        h("label", { for: selectId }, t("app.language")),
        h(
          "select",
          { id: selectId, onchange: (e) => changeLanguage(e.target.value) },
          Object.entries(LANGUAGES).map(([code, name]) =>
            h("option", { value: code, lang: code, selected: code === language() }, name),
          ),
        ),
      ),
    ),
  );
}

function skip(event) {
  event.preventDefault();
  document.getElementById("page-title")?.focus();
}

async function changeLanguage(code) {
  await setLanguage(code, { remember: true });
  await render();
  document.getElementById("language")?.focus();
}

function signOut() {
  session.clear();
  go("#/signin");
}

const SCREENS = {
  signin: signInScreen,
  account: accountScreen,
  change: changeScreen,
  summary: summaryScreen,
  done: doneScreen,
  operator: operatorScreen,
};

let rendering = 0;
export async function render() {
  const current = ++rendering;
  const r = route();
  let name = r.name in SCREENS ? r.name : "account";
  if (!session.get() && name !== "operator") name = "signin";
  renderHeader();
  main.setAttribute("aria-busy", "true");
  let content;
  try {
    content = await SCREENS[name]({ ...r, go });
  } catch (error) {
    console.error(error);
    content = [h("h1", { id: "page-title", tabindex: "-1" }, t("error.title")),
      h("p", { role: "alert", class: "notice notice-error" }, has(`error.${error.code}`) ? t(`error.${error.code}`) : t("error.UNKNOWN"))];
    if (error.code === "UNAUTHENTICATED") {
      // The session token expired or was revoked: sign in again.
      session.clear();
      renderHeader();
      content.push(h("p", {}, h("a", { class: "button primary", href: "#/signin" }, t("nav.signIn"))));
    }
  }
  if (current !== rendering) return; // a newer navigation won
  mount(main, content);
  main.removeAttribute("aria-busy");
  main.dataset.screen = name;
  document.getElementById("page-title")?.focus();
}

window.addEventListener("hashchange", render);
await setLanguage(preferredLanguage());
await render();
