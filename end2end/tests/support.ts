import { expect, type Page, type TestInfo } from '@playwright/test';
import * as path from 'node:path';

/** Whether this run has JavaScript on (the `js` project) or off (`no-js`). */
export function jsEnabled(testInfo: TestInfo): boolean {
  return testInfo.project.name === 'js';
}

/**
 * Waits until the page is usable: with JavaScript on, until hydration has finished (the app
 * marks `<body data-hydrated>`); with it off, the server-rendered page is all there is.
 */
export async function ready(page: Page, testInfo: TestInfo): Promise<void> {
  await page.waitForLoadState('load');
  if (jsEnabled(testInfo)) {
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  }
}

/** An email no other test (or earlier run against the same database) has used. */
export function uniqueEmail(label: string, testInfo: TestInfo): string {
  const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  return `${label}-${testInfo.project.name}-${stamp}@example.com`;
}

/** Saves a full-page screenshot under end2end/screenshots/, named by project and label. */
export async function screenshot(page: Page, testInfo: TestInfo, label: string): Promise<void> {
  const file = path.join(__dirname, '..', 'screenshots', `${testInfo.project.name}-${label}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

export const PASSWORD = 'correct horse battery staple';
