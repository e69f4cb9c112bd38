import { expect, test } from '@playwright/test';
import { PASSPHRASE, api, jsEnabled, ready, screenshotAll, signUp } from './support';

test('recharge, withdraw, lock and unlock the wallet', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'wallet');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  await page.goto('/wallet');
  await ready(page, testInfo);
  const balance = page.locator('[data-test="wallet-balance"]');
  await expect(balance).toContainText('0.00');

  const recharge = page.locator('[data-test="recharge-form"]');
  await recharge.getByLabel('Amount').fill('40');
  await recharge.getByRole('button', { name: 'Recharge wallet' }).click();
  await expect(balance).toContainText('40.00');

  await ready(page, testInfo);
  const withdraw = page.locator('[data-test="withdraw-form"]');
  await withdraw.getByLabel('Amount').fill('15.50');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(balance).toContainText('24.50');
  await expect(page.locator('[data-test="wallet-entries"] tbody tr')).toHaveCount(2);

  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.locator('[data-test="lock-state"]')).toContainText('Locked.');
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'wallet-locked');

  await page.locator('[data-test="lock-state"]').getByLabel('Wallet passphrase').fill('not it at all');
  await page.locator('[data-test="lock-state"]').getByRole('button', { name: 'Unlock' }).click();
  await expect(page.locator('[data-test="error-passphrase"]')).toContainText('not right');

  await ready(page, testInfo);
  await page.locator('[data-test="lock-state"]').getByLabel('Wallet passphrase').fill(PASSPHRASE);
  await page.locator('[data-test="lock-state"]').getByRole('button', { name: 'Unlock' }).click();
  await expect(page.locator('[data-test="lock-state"]')).toContainText('Unlocked');
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'wallet');
});

test('an amount that breaks a rule is refused at the field and nothing moves', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'badamount');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  await page.goto('/wallet');
  await ready(page, testInfo);

  const recharge = page.locator('[data-test="recharge-form"]');
  await recharge.getByLabel('Amount').fill('1,000');
  await recharge.getByRole('button', { name: 'Recharge wallet' }).click();

  await expect(recharge.locator('[data-test="error-amount"]')).not.toBeEmpty();
  await expect(recharge.getByLabel('Amount')).toHaveValue('1,000');
  await expect(page.locator('[data-test="wallet-balance"]')).toContainText('0.00');
});

test('with JavaScript, an amount is checked as it is typed, before anything is sent', async ({ page }, testInfo) => {
  test.skip(!jsEnabled(testInfo), 'checking while typing needs JavaScript; without it the server answers');
  await signUp(page, testInfo, 'inline');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  await page.goto('/wallet');
  await ready(page, testInfo);
  await expect(page.locator('meta[name="twofold-money-rules"]')).toHaveAttribute('content', /^2 \d+ 0 0$/);

  let sent = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST') sent += 1;
  });
  const recharge = page.locator('[data-test="recharge-form"]');
  const amount = recharge.getByLabel('Amount');
  const error = recharge.locator('[data-test="error-amount"]');
  // An amount on its way to a good one is left alone; one that more typing cannot mend is named.
  await amount.pressSequentially('12.');
  await expect(error).toBeEmpty();
  await amount.pressSequentially('345');
  await expect(error).toHaveText('Use at most 2 decimal places, such as 12.00.');
  await expect(amount).toHaveAttribute('aria-invalid', 'true');
  await expect(amount).toHaveAttribute('aria-describedby', /recharge-amount-error/);

  await amount.fill('12.34');
  await expect(error).toBeEmpty();
  await expect(amount).not.toHaveAttribute('aria-invalid');
  expect(sent).toBe(0);
  await expect(page.locator('[data-test="wallet-balance"]')).toContainText('0.00');
});

test('a recharge on a locked wallet unlocks in place and carries on', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'resume');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  await api(page, 'POST', '/api/v1/wallet/lock');
  await page.goto('/wallet');
  await ready(page, testInfo);

  const recharge = page.locator('[data-test="recharge-form"]');
  await recharge.getByLabel('Amount').fill('12.34');
  await recharge.getByRole('button', { name: 'Recharge wallet' }).click();

  const resume = page.getByRole('button', { name: 'Unlock and continue' });
  await expect(resume).toBeVisible();
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'wallet-resume');
  await resume.locator('xpath=ancestor::form').getByLabel('Wallet passphrase').fill(PASSPHRASE);
  await resume.click();

  await expect(page.locator('[data-test="wallet-balance"]')).toContainText('12.34');
  await expect(page.locator('[data-test="lock-state"]')).toContainText('Unlocked');
  const entries = await api(page, 'GET', '/api/v1/entries');
  expect(entries.entries.filter((e: { kind: string }) => e.kind === 'recharge')).toHaveLength(1);
});

test('the same amount recharged twice on purpose moves money twice', async ({ page }, testInfo) => {
  // Each form carries a fresh idempotency token once its last submission has gone through, so
  // only a repeat of one submission is absorbed, never a second decision.
  await signUp(page, testInfo, 'twice');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  await page.goto('/wallet');
  await ready(page, testInfo);
  const balance = page.locator('[data-test="wallet-balance"]');
  const recharge = page.locator('[data-test="recharge-form"]');

  await recharge.getByLabel('Amount').fill('7.00');
  await recharge.getByRole('button', { name: 'Recharge wallet' }).click();
  await expect(balance).toContainText('7.00');
  await ready(page, testInfo);
  await recharge.getByLabel('Amount').fill('7.00');
  await recharge.getByRole('button', { name: 'Recharge wallet' }).click();

  await expect(balance).toContainText('14.00');
  const entries = await api(page, 'GET', '/api/v1/entries');
  expect(entries.entries.filter((e: { kind: string }) => e.kind === 'recharge')).toHaveLength(2);
});
