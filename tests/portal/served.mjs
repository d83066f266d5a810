// The portal's files as served: `/` and the fingerprinted assets it names (and the modules they
// import) answer with their security and cache headers, compressed when asked, all JavaScript and
// CSS together under 200 KB uncompressed. And the languages: every text the pages show
// (t("…") and N_("…") in the portal's modules) has its Spanish and Italian translation, and no
// translation is left over from a text that is gone.
import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { check, raw } from "./support.mjs";

const expectedCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const assetPattern = /\/assets\/[\w-]+\.[0-9a-f]{8}\.(?:js|css)/g;

async function assetsCheck() {
  const index = await raw("GET", "/");
  check(index.status === 200, `GET / answered ${index.status}`);
  check(index.headers["content-security-policy"] === expectedCsp, `GET /: Content-Security-Policy is ${index.headers["content-security-policy"]}`);
  check(index.headers["x-content-type-options"] === "nosniff", "GET /: no X-Content-Type-Options: nosniff");
  check(index.headers["cache-control"] === "no-store", `GET /: Cache-Control is ${index.headers["cache-control"]}`);
  const html = index.body.toString();
  check(!html.includes("{{asset:"), "GET /: an {{asset:…}} was left unreplaced");
  // Each asset, and each asset an asset names (a module's imports), once.
  const seen = new Set();
  const waiting = [...new Set(html.match(assetPattern) ?? [])];
  let total = 0;
  let gzipped = 0;
  while (waiting.length > 0) {
    const path = waiting.pop();
    if (seen.has(path)) continue;
    seen.add(path);
    const asset = await raw("GET", path, { "Accept-Encoding": "gzip" });
    check(asset.status === 200, `GET ${path} answered ${asset.status}`);
    check(/\bimmutable\b/.test(asset.headers["cache-control"] ?? ""), `GET ${path}: Cache-Control is ${asset.headers["cache-control"]}`);
    check(asset.headers["content-encoding"] === "gzip", `GET ${path} with Accept-Encoding: gzip: Content-Encoding is ${asset.headers["content-encoding"]}`);
    check(asset.headers["content-security-policy"] === expectedCsp, `GET ${path}: no Content-Security-Policy`);
    const body = gunzipSync(asset.body).toString();
    check(!body.includes("{{asset:"), `GET ${path}: an {{asset:…}} was left unreplaced`);
    waiting.push(...(body.match(assetPattern) ?? []));
    total += body.length;
    gzipped += asset.body.length;
  }
  check([...seen].some((a) => a.endsWith(".css")) && [...seen].some((a) => a.includes("/assets/partner.")),
        `the portal's assets are incomplete: ${[...seen]}`);
  check(total < 200 * 1024, `the portal's JS and CSS weigh ${total} bytes, over 200 KB`);
  return { assets: seen.size, total, gzipped };
}

// A JavaScript string literal's text ("…" with \" and \\ escapes).
const literal = String.raw`"((?:[^"\\]|\\.)*)"`;

function languagesCheck(dir) {
  const texts = new Set();
  const dictionaries = {};
  for (const name of readdirSync(dir).filter((file) => file.endsWith(".js"))) {
    const source = readFileSync(`${dir}/${name}`, "utf8");
    const language = /^(es|it)\.js$/.exec(name)?.[1];
    if (language) {
      dictionaries[language] = new Map([...source.matchAll(new RegExp(`^\\s*${literal}\\s*:\\s*${literal},?\\s*$`, "gm"))]
        .map(([, english, translated]) => [JSON.parse(`"${english}"`), JSON.parse(`"${translated}"`)]));
      continue;
    }
    for (const [, text] of source.matchAll(new RegExp(String.raw`\b(?:t|N_)\(\s*${literal}`, "g"))) texts.add(JSON.parse(`"${text}"`));
  }
  const placeholders = (text) => [...text.matchAll(/\{\w+\}/g)].map(([p]) => p).sort().join(" ");
  for (const language of ["es", "it"]) {
    const dictionary = dictionaries[language];
    check(dictionary, `portal/${language}.js is missing`);
    const missing = [...texts].filter((text) => !dictionary.has(text));
    check(missing.length === 0, `${language}.js lacks ${missing.length} texts: ${JSON.stringify(missing.slice(0, 8))}`);
    const stale = [...dictionary.keys()].filter((text) => !texts.has(text));
    check(stale.length === 0, `${language}.js translates texts no page shows: ${JSON.stringify(stale.slice(0, 8))}`);
    for (const [english, translated] of dictionary)
      check(placeholders(english) === placeholders(translated), `${language}.js: "${translated}" has other placeholders than "${english}"`);
  }
  return texts.size;
}

export async function servedCheck() {
  const { assets, total, gzipped } = await assetsCheck();
  const texts = languagesCheck(process.env.PORTAL_SOURCE);
  return `served: ${assets} assets, ${total} bytes of JS and CSS (${gzipped} gzipped); ${texts} texts, each in English, Spanish and Italian`;
}
