// The customer's area in the browser.
export async function customerWalk(_browser, _problems) {
  return "not walked yet";
}
