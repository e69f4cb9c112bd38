import { expect, test } from '@playwright/test';
import { PASSPHRASE, PASSWORD, api, ready, screenshotAll, signUp } from './support';

test('the activity list filters by kind, pages, and downloads as CSV', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'activity');
  await api(page, 'POST', '/api/v1/wallet', { passphrase: PASSPHRASE, auto_lock_minutes: 10 });
  for (const amount of ['10', '20', '30']) {
    await api(page, 'POST', '/api/v1/wallet/recharges', { amount });
  }
  await api(page, 'POST', '/api/v1/wallet/withdrawals', { amount: '5' });

  await page.goto('/activity');
  await ready(page, testInfo);
  const rows = page.locator('[data-test="activity-entries"] tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(rows.first()).toHaveAttribute('data-kind', 'withdrawal');
  await screenshotAll(page, testInfo, 'activity');

  await page.getByLabel('Kind').selectOption('recharge');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=recharge/);
  await expect(rows).toHaveCount(3);
  await expect(page.locator('[data-test="activity-entries"] tbody tr[data-kind="withdrawal"]')).toHaveCount(0);

  const csv = await page.request.get('/api/v1/entries.csv');
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trim().split('\n');
  expect(lines).toHaveLength(5);
  await expect(page.getByRole('link', { name: 'Download all as CSV' })).toHaveAttribute('href', '/api/v1/entries.csv');

  // The model filter keeps only that model's entries, named as the catalog names the model.
  const { models } = await api(page, 'GET', '/api/v1/models');
  const model = models[0];
  await api(page, 'POST', `/api/v1/models/${model.id}/fundings`, { amount: model.minimum_initial_amount });
  await page.goto('/activity');
  await ready(page, testInfo);
  await page.getByLabel('Model').selectOption(model.id);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`model=${model.id}`));
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-kind', 'funding');
  await expect(rows.first()).toContainText(model.name);

  // 25 entries to a page, newest first: 30 entries make a second page of 5.
  for (let i = 0; i < 25; i++) {
    await api(page, 'POST', '/api/v1/wallet/recharges', { amount: '1' });
  }
  await page.goto('/activity');
  await ready(page, testInfo);
  await expect(rows).toHaveCount(25);
  await page.getByRole('link', { name: 'Older entries' }).click();
  await expect(page).toHaveURL(/before=/);
  await expect(rows).toHaveCount(5);
  await expect(rows.last()).toHaveAttribute('data-kind', 'recharge');
  await expect(page.getByRole('link', { name: 'Older entries' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Newest entries' }).click();
  await expect(rows).toHaveCount(25);
  await expect(page).not.toHaveURL(/before=/);
});

test('API keys are created once, listed and deleted', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'keys');
  await page.goto('/settings');
  await ready(page, testInfo);
  await expect(page.locator('[data-test="no-api-keys"]')).toBeVisible();

  await page.getByLabel('Name of the new key').fill('billing script');
  await page.getByRole('button', { name: 'Create API key' }).click();

  const secret = page.locator('#new-key-value');
  await expect(secret).toHaveValue(/^tfk_/);
  const key = await secret.inputValue();
  await expect(page.locator('[data-test="api-keys"] tbody tr')).toHaveCount(1);
  await ready(page, testInfo);
  await screenshotAll(page, testInfo, 'settings');
  const me = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${key}` } });
  expect(me.ok()).toBeTruthy();

  await page.reload();
  await ready(page, testInfo);
  await expect(page.locator('#new-key-value')).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete billing script' }).click();
  await expect(page.locator('[data-test="no-api-keys"]')).toBeVisible();
  const refused = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
});

test('changing the password ends the other sessions', async ({ page, browser }, testInfo) => {
  const email = await signUp(page, testInfo, 'password');
  const other = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const login = await other.request.post('/api/v1/sessions', { data: { email, password: PASSWORD } });
  expect(login.ok()).toBeTruthy();

  await page.goto('/settings');
  await ready(page, testInfo);
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('[data-test="error-current_password"]')).toContainText('not correct');

  await ready(page, testInfo);
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Every other session has been logged out.')).toBeVisible();

  expect((await other.request.get('/api/v1/me')).status()).toBe(401);
  expect((await page.request.get('/api/v1/me')).status()).toBe(200);
  await other.close();
});
