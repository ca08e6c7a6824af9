// What page builders share: the spec, its abi.json data, the rendered Markdown pages, and links
// from any page to any anchored row (by the `src` every generated row carries).
import type { Element, ElementContent } from "hast";
import { h } from "hastscript";
import type { abiJson } from "../gen/generate.ts";
import type { Spec } from "../gen/model.ts";
import type { RenderedDoc } from "./markdown.ts";
import { relHref, sitePathOf } from "./paths.ts";

export type AbiData = ReturnType<typeof abiJson>;

export class SiteContext {
  /** `spec/abi/k2.md:41` → [site path, anchor id]. */
  private readonly bySrc = new Map<string, [string, string]>();

  constructor(
    readonly spec: Spec,
    readonly abi: AbiData,
    readonly docs: ReadonlyMap<string, RenderedDoc>,
  ) {
    for (const d of docs.values()) for (const [src, id] of d.rowsBySrc) this.bySrc.set(src, [d.sitePath, id]);
  }

  /** The page of an ABI version. */
  abiPage(version: string): string {
    return `abi/${version}.html`;
  }

  /** Relative href from `fromPage` to the row a source reference names, or null if it has no anchor. */
  srcHref(fromPage: string, src: string): string | null {
    const hit = this.bySrc.get(src);
    if (hit) return relHref(fromPage, hit[0], hit[1]);
    const file = src.replace(/:\d+$/, "");
    const page = sitePathOf(file);
    return page ? relHref(fromPage, page) : null;
  }

  /** Relative href to an anchor on a page, or null when the page has no such id. */
  href(fromPage: string, page: string, id: string): string | null {
    const d = this.docs.get(page);
    return d && d.ids.has(id) ? relHref(fromPage, page, id) : null;
  }

  /** `text` linked to the row `src` names (plain text when it has none). */
  linkSrc(fromPage: string, src: string | null | undefined, text: ElementContent | string): ElementContent {
    const href = src ? this.srcHref(fromPage, src) : null;
    const child = typeof text === "string" ? h("code", text) : text;
    return href ? h("a", { href, title: src ?? undefined }, [child]) : child;
  }

  /** `text` linked to anchor `id` of `page` (plain when it does not exist). */
  linkId(fromPage: string, page: string, id: string, text: ElementContent | string): ElementContent {
    const href = this.href(fromPage, page, id);
    const child = typeof text === "string" ? h("code", text) : text;
    return href ? h("a", { href }, [child]) : child;
  }
}

/** A route name as a coloured badge. */
export function routeBadge(route: string, label?: string): Element {
  return h(`span.route.route-${route}`, label ?? route);
}
