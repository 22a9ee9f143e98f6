// The GraphQL documents the app sends: only the public API, nothing private.

const MONEY = "amount currency";
const PERIOD = "duration unit";
const LIMIT = "enabled limit unlimited";
const ENTRY = "key enabled limit unlimited";

export const LIMITS = `limits {
  sites { ${LIMIT} } visits { ${LIMIT} } diskSpace { ${LIMIT} } domainMapping { ${LIMIT} }
  users { ${ENTRY} } postTypes { ${ENTRY} } hideCredits
}`;

export const MEMBERSHIP_FIELDS = `id databaseId status currency recurring timesBilled
  amount { ${MONEY} } initialAmount { ${MONEY} } billingPeriod { ${PERIOD} } dateExpiration dateTrialEnd
  plan { id databaseId name description }
  addons { quantity product { id databaseId name type } }
  ${LIMITS}
  scheduledChange { effectiveAt plan { name } billingPeriod { ${PERIOD} } amount { ${MONEY} }
    addons { quantity product { name } } }
  pendingChange { createdAt expiresAt
    quote { changeKind dueNow { ${MONEY} } plan { name } addons { quantity product { name } } }
    payment { id databaseId status total { ${MONEY} } } }
  payments(first: 20) { totalCount nodes { id databaseId status dateCreated gateway
    total { ${MONEY} } lineItems { type title quantity product { name } } } }`;

export const DEMO_CUSTOMERS = `{ customers(first: 50) { nodes { databaseId displayName email
  memberships(first: 5) { nodes { status plan { name } } } } } }`;

export const CREATE_SESSION = `mutation($id: ID!) { createCustomerSession(input: { customerId: $id }) {
  token expiresAt customer { databaseId displayName } userErrors { code field message } } }`;

export const SIGN_IN = `mutation($login: String!, $password: String!) {
  signIn(input: { login: $login, password: $password }) {
    token expiresAt customer { databaseId displayName } userErrors { code field message } } }`;

/** The signed-in customer (the session token says who) with their memberships. */
export const ACCOUNT = `query Account { viewer { databaseId displayName email
  memberships(first: 20) { nodes { ${MEMBERSHIP_FIELDS} } } } }`;

export const UPGRADE_OPTIONS = `query Options($id: ID!) { upgradeOptions(membershipId: $id) {
  userErrors { code field message }
  membership { id databaseId currency billingPeriod { ${PERIOD} }
    plan { id databaseId name description prices: priceVariations { billingPeriod { ${PERIOD} } price { ${MONEY} } }
      price { ${MONEY} } billingPeriod { ${PERIOD} } } }
  plans { direction timing allowed
    blockers { code message module current allowed }
    plan { id databaseId name description }
    prices { billingPeriod { ${PERIOD} } price { ${MONEY} } } }
  addons { held quantity price { ${MONEY} }
    product { id databaseId name description type recurring billingPeriod { ${PERIOD} } } } } }`;

export const QUOTE = `query Quote($input: PlanChangeInput!) { planChangeQuote(input: $input) {
  changeKind message quoteToken scheduled effectiveAt nextBillingDate
  userErrors { code field message }
  lineItems { type title description quantity recurring subtotal { ${MONEY} } total { ${MONEY} } product { name }
    billingPeriod { ${PERIOD} } }
  subtotal { ${MONEY} } credit { ${MONEY} } discount { ${MONEY} } dueNow { ${MONEY} }
  unusedCredit { ${MONEY} } nextBillingAmount { ${MONEY} }
  limitChanges { module key before after }
  plan { name } billingPeriod { ${PERIOD} }
  addons { quantity product { name } } removedAddons { quantity product { name } } } }`;

export const CHANGE_PLAN = `mutation Change($input: ChangePlanInput!) { changePlan(input: $input) {
  userErrors { code field message }
  payment { id databaseId status total { ${MONEY} } }
  quote { changeKind scheduled effectiveAt dueNow { ${MONEY} } plan { name } }
  membership { id plan { name } }
  pendingChange { expiresAt payment { id databaseId status } }
  paymentAction { provider clientSecret payUrl } } }`;

export const CANCEL_SCHEDULED = `mutation($id: ID!, $key: String) {
  cancelScheduledChange(input: { membershipId: $id, idempotencyKey: $key }) {
    userErrors { code field message } membership { id } } }`;

export const CANCEL_PENDING = `mutation($id: ID!) { cancelPendingChange(input: { membershipId: $id }) {
  userErrors { code field message } } }`;

export const PLAN_GROUPS = `{ planGroups { name plans { databaseId name active } }
  products(where: { type: PLAN }, first: 100) { nodes { id databaseId name active listOrder
    price { ${MONEY} } billingPeriod { ${PERIOD} } planGroup { name } availableAddons { id } } }
  packages: products(where: { type: PACKAGE }, first: 100) { nodes { id name } }
  services: products(where: { type: SERVICE }, first: 100) { nodes { id name } } }`;

export const UPDATE_PRODUCT = `mutation($input: UpdateProductInput!) { updateProduct(input: $input) {
  userErrors { code field message } product { databaseId planGroup { name } listOrder availableAddons { id } } } }`;
