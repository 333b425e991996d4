// The accessibility audit's one check: axe-core (through @axe-core/playwright) over the page as it is now,
// every violation that is not a listed exception reported with its rule, impact, target and help text.
// Exceptions are narrow: one rule on elements matching one selector, each with the reason it cannot be fixed
// in Postern's own markup.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export interface Exception {
  rule: string;
  /** Matched against each offending node's target selector (axe's own CSS path to the element). */
  target: RegExp;
  /** Only on these audited states (the `where` names the spec gives); every state when left out. */
  where?: RegExp;
  reason: string;
}

/** Violations Postern cannot fix itself, each with its reason; none today. */
export const EXCEPTIONS: Exception[] = [];

export interface Finding {
  where: string;
  rule: string;
  impact: string;
  target: string;
  help: string;
  summary: string;
}

function excepted(rule: string, target: string, where: string): boolean {
  return EXCEPTIONS.some((e) => e.rule === rule && e.target.test(target) && (e.where?.test(where) ?? true));
}

/** Audits the page as it is now; returns the findings that count (every impact, minor included). */
export async function audit(page: Page, where: string): Promise<Finding[]> {
  const results = await new AxeBuilder({ page }).analyze();
  const findings: Finding[] = [];
  for (const v of results.violations) {
    for (const node of v.nodes) {
      const target = node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' ');
      if (excepted(v.id, target, where)) continue;
      findings.push({
        where,
        rule: v.id,
        impact: node.impact ?? v.impact ?? 'unknown',
        target,
        help: `${v.help} (${v.helpUrl})`,
        summary: (node.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300),
      });
    }
  }
  return findings;
}

export function describe(f: Finding): string {
  return `[${f.impact}] ${f.rule} at ${f.where}: ${f.target}\n    ${f.help}\n    ${f.summary}`;
}

/** Audits the page and records a soft failure naming every violation, so one run lists all pages' problems. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const findings = await audit(page, where);
  for (const f of findings) console.log(describe(f));
  expect.soft(findings.map(describe), `accessibility violations on ${where}`).toEqual([]);
}
