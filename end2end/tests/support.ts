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

export const PASSPHRASE = 'a wallet passphrase';

/** Signs up through the page; the browser context then holds the session cookie. */
export async function signUp(page: Page, testInfo: TestInfo, label: string): Promise<string> {
  const email = uniqueEmail(label, testInfo);
  await page.goto('/signup');
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/setup$/);
  return email;
}

/** Sends a JSON API request with the page's session cookie; fails the test on an error. */
export async function api(page: Page, method: 'POST' | 'PUT' | 'GET', path: string, data?: object) {
  const response = await page.request.fetch(path, { method, data });
  expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBeTruthy();
  return response.json();
}

/** Full-page screenshots at desktop and phone widths, in light and dark. */
export async function screenshotAll(page: Page, testInfo: TestInfo, label: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [width, height] of [[1280, 800], [390, 844]]) {
      await page.setViewportSize({ width, height });
      await screenshot(page, testInfo, `${label}-${width}-${scheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 720 });
}

/** Answers the unlock form that a money action on a locked wallet brings up in place. */
export async function unlockAndContinue(page: Page, testInfo: TestInfo, passphrase = PASSPHRASE): Promise<void> {
  const resume = page.getByRole('button', { name: 'Unlock and continue' });
  await expect(resume).toBeVisible();
  await ready(page, testInfo);
  await resume.locator('xpath=ancestor::form').getByLabel('Wallet passphrase').fill(passphrase);
  await resume.click();
}
