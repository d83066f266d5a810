// The operator's area in the browser.
export async function operatorWalk(_browser, _problems) {
  return "not walked yet";
}
