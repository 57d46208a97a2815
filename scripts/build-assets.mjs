// Copies the browser files Learning Desk serves into learningdesk/core/static/core/dist/ (git-ignored).
// Run by `npm run build`, after sass has written dist/app.css. No dependencies beyond node itself.
//
// - GOV.UK Frontend's ES module bundle, htmx, and axe-core (axe is loaded only by the browser tests).
// - The GOV.UK Frontend images that app.css actually refers to, except the crown: we read the
//   url(...)s out of the compiled CSS so the list can never go stale. No GDS Transport fonts.

import { copyFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "learningdesk/core/static/core/dist");
const modules = path.join(root, "node_modules");
const govuk = path.join(modules, "govuk-frontend/dist/govuk");
const assetsUrl = "/static/core/dist/"; // $govuk-assets-path in app.scss
const notOurs = /crest|crown|\.woff2?$/; // GOV.UK's crown and GDS Transport are not ours to use

const scripts = [
  [path.join(govuk, "govuk-frontend.min.js"), "govuk-frontend.min.js"],
  [path.join(modules, "htmx.org/dist/htmx.min.js"), "htmx.min.js"],
  [path.join(modules, "axe-core/axe.min.js"), "axe.min.js"],
];

async function main() {
  await mkdir(dist, { recursive: true });
  await Promise.all(scripts.map(([from, to]) => copyFile(from, path.join(dist, to))));

  const css = await readFile(path.join(dist, "app.css"), "utf8");
  const wanted = new Set();
  for (const [, url] of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    if (url.startsWith(assetsUrl)) wanted.add(url.slice(assetsUrl.length));
  }
  const images = [...wanted].filter((file) => !notOurs.test(file));
  for (const file of images) {
    const to = path.join(dist, file);
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(path.join(govuk, "assets", file), to);
  }
  const skipped = [...wanted].filter((file) => notOurs.test(file));
  console.log(
    `dist: app.css, ${scripts.map(([, to]) => to).join(", ")}` +
      (images.length ? `, ${images.join(", ")}` : "") +
      (skipped.length ? ` (not copied, unused by Learning Desk: ${skipped.join(", ")})` : ""),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
