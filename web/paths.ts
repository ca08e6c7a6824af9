// Where each source file lands in the site, and relative links between site pages.
import { posix } from "node:path";

/**
 * The site path of a repository Markdown file, or null if it is not part of the site.
 * spec/index.md → index.html, spec/X.md → X.html, spec/abi/X.md → abi/X.html, docs/X.md → docs/X.html.
 */
export function sitePathOf(repoPath: string): string | null {
  const p = posix.normalize(repoPath);
  let m = /^spec\/([^/]+)\.md$/.exec(p);
  if (m) return `${m[1]}.html`;
  m = /^spec\/abi\/([^/]+)\.md$/.exec(p);
  if (m) return `abi/${m[1]}.html`;
  m = /^docs\/([^/]+)\.md$/.exec(p);
  if (m) return `docs/${m[1]}.html`;
  return null;
}

/** A relative href from one site page to another (and an optional fragment). */
export function relHref(fromPage: string, toPage: string, fragment?: string | null): string {
  const frag = fragment ? `#${fragment}` : "";
  if (fromPage === toPage) return frag || posix.basename(toPage);
  const rel = posix.relative(posix.dirname(fromPage), toPage);
  return `${rel}${frag}`;
}

/** Resolve a relative href found on `fromPage` to a site path and fragment. */
export function resolveHref(fromPage: string, href: string): { path: string; fragment: string | null } {
  const hash = href.indexOf("#");
  const path = hash >= 0 ? href.slice(0, hash) : href;
  const fragment = hash >= 0 ? decodeURIComponent(href.slice(hash + 1)) : null;
  return { path: path === "" ? fromPage : posix.normalize(posix.join(posix.dirname(fromPage), path)), fragment };
}

/** True for hrefs that leave the site (scheme, protocol-relative, absolute path). */
export function isExternal(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("//") || href.startsWith("/");
}
