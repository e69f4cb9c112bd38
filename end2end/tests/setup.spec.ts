import { expect, test, type Page } from '@playwright/test';
import { PASSPHRASE, PASSWORD, api, jsEnabled, ready, screenshotAll, signUp, unlockAndContinue } from './support';

/** Creates the wallet on the wizard's first step; returns the current-step marker. */
async function createWalletInWizard(page: Page) {
  await page.getByLabel('Wallet passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Wallet passphrase, again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create wallet' }).click();
  const current = page.locator('[data-test="step-indicator"] [aria-current="step"]');
  await expect(current).toContainText('Recharge');
  return current;
}

test('a new user walks the whole setup path', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'wizard');
  await ready(page, testInfo);
  const indicator = page.locator('[data-test="step-indicator"]');
  await expect(indicator.locator('[aria-current="step"]')).toContainText('Wallet');
  await expect(page.getByText('This is the one step everyone needs.')).toBeVisible();
  await screenshotAll(page, testInfo, 'setup-wallet');

  await page.getByLabel('Wallet passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Wallet passphrase, again').fill(PASSPHRASE);
  await page.getByLabel('Auto-lock after (minutes)').fill('10');
  await page.getByRole('button', { name: 'Create wallet' }).click();

  await expect(indicator.locator('[aria-current="step"]')).toContainText('Recharge');
  await expect(page.getByText('test money').first()).toBeVisible();
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'setup-recharge');
  await page.getByLabel('Amount').fill('100');
  await page.getByRole('button', { name: 'Recharge wallet' }).click();

  await expect(indicator.locator('[aria-current="step"]')).toContainText('Model');
  await expect(page.getByText('Start with one model.')).toBeVisible();
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'setup-model');
  const firstCard = page.locator('[data-test="model-cards"] li').first();
  const modelName = (await firstCard.getByRole('heading').textContent()) ?? '';
  await firstCard.getByRole('button').click();

  await expect(indicator.locator('[aria-current="step"]')).toContainText('Fund');
  await expect(page.locator('[data-test="fund-layers"]')).toContainText('100.00');
  await expect(page.locator('[data-test="fee-and-total"]')).toContainText('the wallet pays');
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'setup-fund');
  const amount = page.getByLabel('Amount to fund');
  const minimum = await amount.inputValue();
  expect(Number(minimum)).toBeGreaterThan(0);
  if (jsEnabled(testInfo)) {
    // The fee and total follow what is typed; then back to the minimum.
    await amount.fill('60');
    await expect(page.locator('[data-test="fee-and-total"]')).toContainText('For 60.00 USD, the fee is');
    await amount.fill(minimum);
  }
  await page.getByRole('button', { name: 'Fund model' }).click();

  await expect(indicator.locator('[aria-current="step"]')).toContainText('Done');
  const numbers = page.locator('[data-test="done-numbers"]');
  await expect(numbers).toContainText('Wallet balance');
  await expect(numbers).toContainText(`${modelName} balance`);
  await expect(numbers).toContainText(minimum);
  await expect(numbers).toContainText('Refundable now');
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'setup-done');

  await page.getByRole('link', { name: 'Go to your overview' }).click();
  await expect(page.getByRole('heading', { name: 'Your overview' })).toBeVisible();
  await expect(page.locator('[data-test="overview-model"]')).toContainText(minimum);
  // Funded at the minimum and nothing used yet: nothing is short, so the next step is to watch
  // real consumption.
  const next = page.locator('[data-test="next-action"]');
  await expect(next).toContainText('Nothing needs doing now');
  await expect(next.getByRole('link', { name: `See ${modelName}'s consumption` })).toBeVisible();
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'overview');
});

test('the optional steps can be skipped and the path resumes where it was left', async ({ page }, testInfo) => {
  const email = await signUp(page, testInfo, 'skipper');
  await ready(page, testInfo);
  const current = await createWalletInWizard(page);

  await page.goto('/');
  await page.goto('/setup');
  await expect(current).toContainText('Recharge');
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Skip for now' }).click();

  await expect(current).toContainText('Model');
  await ready(page, testInfo);
  await page.locator('[data-test="model-cards"] li').first().getByRole('button').click();
  await expect(current).toContainText('Fund');
  await expect(page.locator('[data-test="shortfall"]')).toContainText('short of the minimum');
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Skip for now' }).click();

  await expect(current).toContainText('Done');

  // Someone who finished or skipped the path lands on the overview when they log in again.
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Your overview' })).toBeVisible();
});

test('someone still looking around can skip picking a model and finish the path', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'browser');
  await ready(page, testInfo);
  const current = await createWalletInWizard(page);
  await expect(current).toContainText('Recharge');
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Skip for now' }).click();
  await expect(current).toContainText('Model');
  await ready(page, testInfo);

  await page.getByRole('button', { name: 'Skip for now' }).click();

  // Funding needs a model, so that step is passed over too; the wallet is the one number.
  await expect(current).toContainText('Done');
  await expect(page.locator('[data-test="done-numbers"]')).toContainText('Wallet balance');
  await page.getByRole('link', { name: 'Go to your overview' }).click();
  await expect(page.locator('[data-test="next-action"]')).toContainText('Pick a primary model');
});

test('two different passphrases are refused at the field', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'mismatch');
  await ready(page, testInfo);
  await page.getByLabel('Wallet passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Wallet passphrase, again').fill(`${PASSPHRASE}!`);
  await page.getByLabel('Auto-lock after (minutes)').fill('15');
  await page.getByRole('button', { name: 'Create wallet' }).click();

  await expect(page.locator('[data-test="error-passphrase_confirmation"]')).toContainText('differ');
  await expect(page.getByLabel('Auto-lock after (minutes)')).toHaveValue('15');
});

test('a wallet that locked during setup is unlocked in place and the funding goes on', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'relock');
  await ready(page, testInfo);
  const current = await createWalletInWizard(page);
  await api(page, 'POST', '/api/v1/wallet/recharges', { amount: '100.00' });
  await page.reload();
  await ready(page, testInfo);
  await page.locator('[data-test="model-cards"] li').first().getByRole('button').click();
  await expect(current).toContainText('Fund');

  // The auto-lock timer runs out while the user reads the fund step.
  await api(page, 'POST', '/api/v1/wallet/lock', {});
  await ready(page, testInfo);
  const minimum = await page.getByLabel('Amount to fund').inputValue();
  await page.getByRole('button', { name: 'Fund model' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Your wallet is locked' })).toBeVisible();
  await expect(current).toContainText('Fund');

  await unlockAndContinue(page, testInfo);

  await expect(current).toContainText('Done');
  await expect(page.locator('[data-test="done-numbers"]')).toContainText(minimum);
});
